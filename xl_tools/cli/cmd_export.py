"""xl-tools export: read filled 绩效目标表 workbooks and print their Forms as JSON."""

from __future__ import annotations

NAME = "export"
HELP = "读取填好的绩效目标表，把每张表（表头各栏和指标表，含单元格位置）输出为 JSON"
EXAMPLES = [
    "xl-tools export 广州.xlsx --json",
    "xl-tools export 广州.xlsx 深圳.xlsx --json -o 表单.json",
    "xl-tools export 汇总/*.xlsx --json --engine calamine",
]


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="工作簿", help="填好的绩效目标表（.xlsx），可给多个")
    parser.add_argument("--json", action="store_true", help="输出 JSON（目前唯一的格式，可省略）")
    parser.add_argument("-o", "--output", metavar="文件", help="把 JSON 写入该文件（UTF-8）；默认打印到屏幕")
    parser.add_argument("--engine", choices=("openpyxl", "calamine"), default="openpyxl",
                        help="读取方式：openpyxl（默认）或 calamine（批量读取更快，结果相同）")


def run(args) -> int:
    import json
    import sys
    from pathlib import Path

    from xl_tools.domain.schema import check_form
    from xl_tools.fileio import atomic_write, refuse_input_overwrite
    from xl_tools.workbook.reader import read_forms

    if args.output:
        refuse_input_overwrite(args.output, args.files)
    records = []
    for file in args.files:
        for form in read_forms(file, engine=args.engine):
            check_form(form)
            records.append(form.to_dict())
    text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        path = atomic_write(args.output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        print(f"已导出 {len(records)} 张表：{path}")
    else:
        sys.stdout.write(text)
    return 0
