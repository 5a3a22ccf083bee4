"""xl-tools import-annex: the published annex (Word, PDF or its text) → one filled 绩效目标表 workbook per city."""

from __future__ import annotations

NAME = "import-annex"
HELP = ("把省里发布的附件（Word 文件 .docx/.doc/.wps/.rtf/.odt、PDF 或文本）导入为各地市的绩效目标表工作簿"
        "（目录/广州.xlsx …），无法放入表格的文字写入“导入说明”")
EXAMPLES = [
    "xl-tools import-annex 附件3.docx -o 各地市",
    "xl-tools import-annex 附件3.txt -o 导入结果",
    "xl-tools import-annex --bundled -o 导入结果",
]


def add_arguments(parser) -> None:
    parser.add_argument("annex", nargs="?", metavar="附件",
                        help="附件文件：Word 文档（.docx/.docm；.doc/.wps/.rtf/.odt 需要 LibreOffice）、"
                             "有文字层的 PDF，或文本（各栏用制表符分隔；UTF-8 或 GBK 编码）")
    parser.add_argument("--bundled", action="store_true",
                        help="导入软件自带的 2020 年附件（不必再给出附件文件）")
    from xl_tools.cli.args import add_output

    add_output(parser, "目录", "保存工作簿的文件夹（不存在会自动创建；同名工作簿会被替换），默认当前文件夹",
               default=".")
    parser.add_argument("-q", "--quiet", action="store_true", help="只列出写出的文件，不显示导入说明")


def run(args) -> int:
    from pathlib import Path

    from xl_tools.annex import bundled_annex_path, read_annex, write_city_workbooks
    from xl_tools.errors import InputError

    if args.bundled and args.annex:
        raise InputError("请只给出一个附件：要么写附件文件名，要么用 --bundled，不要同时使用")
    if not args.bundled and not args.annex:
        raise InputError("请给出附件文件，例如：xl-tools import-annex 附件3.docx -o 各地市"
                         "（或用 --bundled 导入软件自带的附件）")
    annex = bundled_annex_path() if args.bundled else Path(args.annex)
    forms = read_annex(annex)
    written = write_city_workbooks(forms, args.output, inputs=(annex,))
    print(f"已从附件 {annex} 导入 {len(forms)} 张绩效目标表，写出 {len(written)} 个工作簿：")
    for path, group in written:
        rows = sum(len(f.rows) for f in group)
        notes = sum(max(len(f.notes) - 1, 0) for f in group)
        print(f"  {path}  （{'、'.join(f.city or '未识别地市' for f in group)}，指标 {rows} 行，导入说明 {notes} 条）")
        if not args.quiet:
            for form in group:
                for note in form.notes[1:]:
                    print(f"    · {note}")
    print("导入说明也写在每个工作表右侧的“导入说明”栏；请逐条核对后再运行 xl-tools validate 校验。")
    return 0
