"""``xl-tools addin``: build the Excel ribbon add-in from macros/, or install it into Excel."""

from __future__ import annotations

from pathlib import Path

NAME = "addin"
HELP = "生成或安装 Excel 功能区加载项（“绩效目标”选项卡：新建、校验、清除标记、汇总、生成汇总表、帮助）"
EXAMPLES = [
    "xl-tools addin build -o xl_tools.xlam      在任意电脑上生成加载项文件",
    "xl-tools addin install                     安装到本机 Excel（Windows/macOS），重启 Excel 后生效",
    "xl-tools addin install --interpreter C:\\Python311\\python.exe   指定按钮调用的 Python",
]


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="addin_command", title="子命令", metavar="子命令", required=True,
                                help="build 生成加载项文件；install 安装到 Excel")
    build = sub.add_parser("build", help="根据 macros/ 生成加载项（.xlam），两次生成的文件完全相同",
                           description="根据 macros/ 中的功能区 XML 和 VBA 源码，加上已安装 xlwings 的 VBA 运行库，"
                                       "生成加载项文件。",
                           epilog="示例：\n  xl-tools addin build -o xl_tools.xlam")
    build.add_argument("-o", "--output", default="xl_tools.xlam",
                       help="输出文件（.xlam 加载项；.xlsm 为同样内容的启用宏工作簿），默认 xl_tools.xlam")
    build.add_argument("--macros", type=Path, default=None,
                       help="macros 源文件夹，默认用源码仓库中的 macros/")
    build.add_argument("--interpreter-win", default="", metavar="路径",
                       help="写入加载项配置的 Windows Python 解释器路径（如 C:\\Python311\\python.exe），默认不写")
    build.add_argument("--interpreter-mac", default="", metavar="路径",
                       help="写入加载项配置的 macOS Python 解释器路径，默认不写")
    build.add_argument("--pythonpath", default="", metavar="文件夹",
                       help="写入加载项配置的 PYTHONPATH（多个用分号分隔），默认不写")
    install = sub.add_parser("install", help="安装到本机 Excel 的启动文件夹（Windows/macOS）",
                             description="为当前 Python 生成加载项，复制到 Excel 启动文件夹；重启 Excel 后出现“绩效目标”选项卡。",
                             epilog="示例：\n  xl-tools addin install")
    install.add_argument("--dir", type=Path, default=None, metavar="文件夹",
                         help="安装到指定文件夹（默认 Excel 的启动文件夹 XLSTART）")
    install.add_argument("--interpreter", default=None, metavar="路径",
                         help="按钮调用的 Python 解释器，默认是运行本命令的 Python")


def run(args) -> int:
    if args.addin_command == "build":
        from xl_tools.addin.build import build_addin

        settings = {"interpreter_win": args.interpreter_win, "interpreter_mac": args.interpreter_mac,
                    "pythonpath": args.pythonpath}
        path = build_addin(args.output, macros=args.macros, settings=settings)
        print(f"已生成加载项：{path}")
        return 0
    from xl_tools.addin.install import install

    done = install(folder=args.dir, interpreter=args.interpreter)
    print(f"已安装加载项：{done.addin}")
    print(f"按钮将使用的 Python：{done.interpreter}")
    for extra in done.extra:
        print(f"已复制 RunPython 所需文件：{extra}")
    print("请完全退出并重新启动 Excel，功能区会出现“绩效目标”选项卡。")
    return 0
