"""Arguments several commands share, worded once: the input files or folders, -o, --json and -j/--jobs."""

from __future__ import annotations

JOBS_HELP = ("同时读取文件的进程数：默认 0 = 自动（文件达 500 个时按 CPU 核数并行，最多 8 个）；"
             "1 = 不并行。结果与进程数无关")


def add_inputs(parser, help: str) -> None:
    """``paths``: one or more workbooks or folders of them."""
    parser.add_argument("paths", nargs="+", metavar="文件或文件夹", help=help)


def add_output(parser, metavar: str, help: str, **kwargs) -> None:
    """``-o/--output``: where the command writes (``required=True`` or a ``default``)."""
    parser.add_argument("-o", "--output", metavar=metavar, help=help, **kwargs)


def add_json(parser, help: str) -> None:
    """``--json``: machine-readable output on stdout."""
    parser.add_argument("--json", action="store_true", help=help)


def add_jobs(parser) -> None:
    """``-j/--jobs``: worker processes for reading (0 = automatic)."""
    parser.add_argument("-j", "--jobs", type=int, default=0, metavar="进程数", help=JOBS_HELP)
