"""xl-tools template: write the empty 绩效目标表 template workbook."""

from __future__ import annotations

NAME = "template"
HELP = "生成空白的绩效目标表模板（.xlsx）：带下拉列表、填写提示、打印设置和工作表保护"
EXAMPLES = [
    "xl-tools template -o 绩效目标表模板.xlsx",
    "xl-tools template -o 广州绩效目标表.xlsx --city 广州",
]


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--output", metavar="文件", default="绩效目标表模板.xlsx",
                        help="输出的模板文件，默认 绩效目标表模板.xlsx（当前文件夹）")
    parser.add_argument("--city", metavar="地市",
                        help="在标题中写上地市名称，如 广州（标题变为 …(二级项目-广州)）；默认写 XX")


def run(args) -> int:
    from pathlib import Path

    from xl_tools.domain.cities import by_name, city_names
    from xl_tools.errors import InputError
    from xl_tools.workbook.template import TEMPLATE_VERSION, write_template

    if args.city and by_name(args.city) is None:
        raise InputError(f"不认识地市“{args.city}”：请写广东省 21 个地级市之一，如 "
                         + "、".join(city_names()[:5]) + " 等")
    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        raise InputError("模板文件名必须以 .xlsx 结尾：如 -o 绩效目标表模板.xlsx", path=str(out))
    path = write_template(out, city=args.city)
    print(f"已生成绩效目标表模板（版本 {TEMPLATE_VERSION}）：{path}")
    return 0
