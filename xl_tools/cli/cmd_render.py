"""xl-tools render: print a workbook to PDF and PNG pages with LibreOffice, to check the print layout."""

from __future__ import annotations

NAME = "render"
HELP = "用 LibreOffice 把工作簿打印成 PDF 和逐页 PNG 图片，供人查看打印效果；加 --check 自动检查是否一页宽、表头是否每页重复"
EXAMPLES = [
    "xl-tools render 汇总表.xlsx -o 打印预览",
    "xl-tools render 广州.xlsx -o 打印预览 --sheet 广州 --dpi 150",
    "xl-tools render 绩效目标表模板.xlsx -o 打印预览 --check",
]


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="工作簿", help="要打印的工作簿（.xlsx）")
    parser.add_argument("-o", "--output", metavar="文件夹", required=True,
                        help="输出文件夹：写入 <文件名>.pdf 和 <文件名>-第NN页.png")
    parser.add_argument("--sheet", metavar="工作表", action="append", default=None,
                        help="只打印该工作表（可重复给出）；默认打印所有可见工作表")
    parser.add_argument("--dpi", type=int, default=110, metavar="分辨率",
                        help="PNG 图片分辨率（每英寸点数），默认 110")
    parser.add_argument("--no-png", action="store_true", help="只生成 PDF，不生成 PNG 图片")
    parser.add_argument("--check", action="store_true",
                        help="逐个工作表检查打印效果：是否一页宽、多页时表头是否每页重复、有无文字被截断；"
                             "有问题时退出码为 1")


def run(args) -> int:
    from pathlib import Path

    from xl_tools.errors import InputError
    from xl_tools.office.render import render_workbook

    source = Path(args.file)
    if not source.is_file():
        raise InputError("文件不存在：请检查路径和文件名", path=str(source))
    if not 20 <= args.dpi <= 600:
        raise InputError(f"分辨率 {args.dpi} 不合适：请用 20 到 600 之间的数，如 110")
    result = render_workbook(source, Path(args.output), sheets=args.sheet, dpi=args.dpi, png=not args.no_png)
    print(result.summary())
    if not args.check:
        return 0
    from xl_tools.office.render import check_print, describe_check

    checks = check_print(source, sheets=args.sheet)
    print("打印检查：")
    for check in checks:
        print(describe_check(check))
    return 1 if any(c.problems() for c in checks) else 0
