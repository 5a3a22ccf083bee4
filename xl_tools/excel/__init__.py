"""The ribbon's Python side: one entry point per button, called by RunPython.

The add-in's VBA runs e.g. ``RunPython "import xl_tools.excel as x; x.validate()"``. Each entry point takes
``book`` (an ``xw.Book``; default: the workbook the click is about, see ``guard.caller_book``), never raises
(failures end in a Chinese alert and a log entry, see ``guard.entry_point``) and returns what it did, for
tests. Importing this package is light (stdlib only): xlwings, openpyxl and pandas are imported inside the
functions that need them.
"""

from __future__ import annotations

from xl_tools.excel.guard import entry_point

__all__ = ["new_form", "validate", "clear_marks", "apply_fixes", "undo_fixes", "consolidate", "build_summary",
           "show_help"]


@entry_point("新建")
def new_form(book=None):
    """新建: a new 绩效目标表 from the template, saved in the user's folder and opened in Excel."""
    from xl_tools.excel import entry

    return entry.new_form(book)


@entry_point("校验")
def validate(book=None):
    """校验: check every form sheet of the workbook and mark the problems in place."""
    from xl_tools.excel import entry

    return entry.validate(book)


@entry_point("清除标记")
def clear_marks(book=None):
    """清除标记: remove every mark a previous 校验 left (fills, notes, the 校验结果 sheet)."""
    from xl_tools.excel import entry

    return entry.clear_marks(book)


@entry_point("采纳建议")
def apply_fixes(book=None):
    """采纳建议: write every exact 建议值 into its cell, mark and list the changes, validate again."""
    from xl_tools.excel import entry

    return entry.apply_fixes(book)


@entry_point("撤销采纳")
def undo_fixes(book=None):
    """撤销采纳: restore every value (and look) 采纳建议 changed; Excel's own undo cannot undo a macro."""
    from xl_tools.excel import entry

    return entry.undo_fixes(book)


@entry_point("汇总")
def consolidate(book=None):
    """汇总: pick city workbooks, consolidate them, save the provincial workbook next to them and open it."""
    from xl_tools.excel import entry

    return entry.consolidate(book)


@entry_point("生成汇总表")
def build_summary(book=None):
    """生成汇总表: rebuild the summary sheets of a consolidated workbook from the city sheets it holds."""
    from xl_tools.excel import entry

    return entry.build_summary(book)


@entry_point("帮助")
def show_help(book=None):
    """帮助: what each button does, and where the log file is."""
    from xl_tools.excel import entry

    return entry.show_help(book)
