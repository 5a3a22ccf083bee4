"""Asking the user for city workbooks: Excel's own file dialog, several files at once.

``choose_city_workbooks(book)`` is looked up at call time, so a test (or another front end) replaces it with
a function returning paths. Windows: ``Application.GetOpenFilename`` with MultiSelect. macOS: AppleScript
``choose file`` run by Excel. The remote engine (tests, a browser) has no dialog: it says so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from xl_tools.excel.guard import Cancelled

PROMPT = "选择要汇总的地市绩效目标表（可按住 Ctrl 多选）"
FILTER = "Excel 工作簿 (*.xlsx;*.xlsm),*.xlsx;*.xlsm"


def choose_city_workbooks(book) -> list[Path]:
    """The files the user picked (at least one); raises Cancelled when the dialog was closed."""
    from xl_tools.errors import InputError

    engine = book.app.engine.name
    if engine == "excel" and sys.platform.startswith("win"):
        picked = book.app.api.GetOpenFilename(FileFilter=FILTER, Title=PROMPT, MultiSelect=True)
        if picked is False or picked in ("False", None):
            raise Cancelled()
        files = [picked] if isinstance(picked, str) else list(picked)
        return [Path(f) for f in files]
    if engine == "excel" and sys.platform == "darwin":
        return _choose_on_mac()
    raise InputError("当前环境无法显示选择文件的对话框：请在 Windows 或 macOS 的 Excel 中点击“汇总”，"
                     "或在命令行运行 xl-tools consolidate 文件夹 -o 广东省汇总.xlsx")


def _choose_on_mac() -> list[Path]:
    script = (
        'tell application "Microsoft Excel"\n'
        '  activate\n'
        f'  set picked to choose file with prompt "{PROMPT}" of type {{"org.openxmlformats.spreadsheetml.sheet",'
        ' "org.openxmlformats.spreadsheetml.sheet.macroenabled", "xlsx", "xlsm"}} with multiple selections allowed\n'
        'end tell\n'
        'set out to ""\n'
        'repeat with f in picked\n'
        '  set out to out & POSIX path of f & linefeed\n'
        'end repeat\n'
        'return out'
    )
    done = subprocess.run(["osascript", "-e", script], capture_output=True, text=True)
    if done.returncode != 0:          # -128: the user pressed Cancel
        raise Cancelled()
    files = [line for line in done.stdout.splitlines() if line.strip()]
    if not files:
        raise Cancelled()
    return [Path(f) for f in files]
