"""The ``xl-tools`` command line: thin argument parsing over the library.

Each command lives in ``xl_tools/cli/cmd_<name>.py`` and defines NAME, HELP, EXAMPLES,
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import the library lazily
(inside ``run``), so ``xl-tools --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from xl_tools import __version__

# Order shown in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "template",
    "import_annex",
    "validate",
    "consolidate",
    "export",
    "render",
    "serve",
    "addin",
)


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：参数错误（{message}）。运行 {self.prog} --help 查看用法和示例\n")


def load_commands() -> list:
    """The command modules that exist, in COMMAND_MODULES order."""
    found = []
    for name in COMMAND_MODULES:
        try:
            found.append(importlib.import_module(f"xl_tools.cli.cmd_{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"xl_tools.cli.cmd_{name}":
                raise
    return found


def build_parser() -> Parser:
    parser = Parser(
        prog="xl-tools",
        description="省财政专项转移支付绩效目标表工具：生成模板、导入附件、校验、汇总。\n"
                    "每个命令都有自己的帮助，例如：xl-tools validate --help",
        epilog="示例：\n  xl-tools demo            导入内置附件，校验并汇总四个地市\n"
               "  xl-tools validate 广州.xlsx   校验一个地市的绩效目标表",
    )
    parser.add_argument("--version", action="version", version=f"xl-tools {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=Parser)
    for module in load_commands():
        p = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.HELP,
            epilog="示例：\n" + "\n".join(f"  {line}" for line in module.EXAMPLES),
            formatter_class=ChineseHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from xl_tools.errors import XlToolsError

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except XlToolsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head/more that closed early
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
