"""xl-tools demo: the main job on the bundled annex — import, validate (marked copies), consolidate."""

from __future__ import annotations

NAME = "demo"
HELP = "演示主流程：导入内置的 2020 年附件（广州、深圳、珠海、佛山），逐市校验并另存带标记的副本，再汇总为全省工作簿"
EXAMPLES = [
    "xl-tools demo",
    "xl-tools demo -o 演示结果",
    "xl-tools demo --annex 附件3.docx -o 结果",
]
DEFAULT_DIR = "xl_tools_输出"


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--output", default=DEFAULT_DIR, metavar="文件夹",
                        help=f"结果存放的文件夹（默认 {DEFAULT_DIR}，不存在时自动创建）")
    parser.add_argument("--annex", metavar="附件", default=None,
                        help="改用另一份附件：Word 文档（.docx/.doc/.wps/.rtf/.odt）、PDF 或同格式的文本"
                             "（默认使用内置的 2020 年附件）")


def run(args) -> int:
    from pathlib import Path

    from xl_tools.annex import bundled_annex_path, import_annex
    from xl_tools.cli.cmd_consolidate import _print_summary
    from xl_tools.cli.cmd_validate import render_table
    from xl_tools.jobs import check_and_consolidate_paths, write_marked_copies

    out = Path(args.output)
    annex = Path(args.annex) if args.annex else bundled_annex_path()
    cities_dir = out / "地市"
    print(f"① 导入附件：{annex}")
    written = import_annex(annex, cities_dir)
    for path in written:
        print(f"   已写入 {path}")

    summary = out / "广东省汇总.xlsx"
    # One read of each city workbook serves both 校验 and 汇总 (the report equals `xl-tools validate`'s).
    report, cons, path = check_and_consolidate_paths([str(p) for p in written], summary)

    print("\n② 校验各地市（带标记的副本另存在原文件旁）")
    print(render_table(report))
    for copy in write_marked_copies(report):
        print("   " + copy.message)

    print("\n③ 汇总全省")
    _print_summary(cons, path)

    print("\n完成。结果文件：")
    print(f"   地市工作簿：{cities_dir}{Path('/')}")
    print(f"   带标记的副本：{cities_dir}{Path('/')}*.校验.xlsx（红色=错误，黄色=警告，详见“校验结果”表）")
    print(f"   全省汇总：{path}")
    return 0
