"""生成汇总表: rebuild 汇总表/指标汇总/定性指标/校验结果 inside the open consolidated workbook.

The city sheets are read through the layout module (``book_reader``), consolidated by the library
(``consolidate_forms``), drawn by the library's own sheet writers into an in-memory openpyxl workbook and
copied onto the open workbook (``sheet_copy``), as the first four sheets — the order ``xl-tools consolidate``
writes them. City sheets are never written.
"""

from __future__ import annotations

from xl_tools.excel import book_sheets as S


def _place_sheet(book, name: str, position: int):
    """A new empty sheet ``name`` at 0-based ``position`` (an existing one of that name is deleted first)."""
    S.delete_sheet(book, name)
    sheets = book.sheets
    if position == 0:
        return sheets.add(name, before=sheets[0])
    return sheets.add(name, after=sheets[min(position, len(sheets)) - 1])


def rebuild_summary(book):
    """Rebuild the four summary sheets from the city sheets; returns the Consolidation."""
    from openpyxl import Workbook

    from xl_tools.consolidate.library import load_library
    from xl_tools.consolidate.model import consolidate_forms
    from xl_tools.consolidate.workbook import SUMMARY, SUMMARY_SHEET_NAMES, write_summary_sheets
    from xl_tools.errors import InputError
    from xl_tools.excel.book_reader import read_book_forms
    from xl_tools.excel.sheet_copy import copy_sheet

    forms = read_book_forms(book)
    if S.find_sheet(book, SUMMARY) is None and len(forms) < 2:
        raise InputError("当前工作簿不是汇总工作簿（没有“汇总表”，且只有一张绩效目标表）：请先点击“汇总”选择各地市的表，"
                         "生成全省汇总工作簿，再在其中点击“生成汇总表”", path=book.name)
    cons = consolidate_forms(forms, library=load_library(None))
    drawn = Workbook()
    drawn.remove(drawn.active)
    for form in forms:                  # the result sheet links only to sheets that exist
        if form.sheet and form.sheet not in drawn.sheetnames:
            drawn.create_sheet(form.sheet)
    write_summary_sheets(drawn, cons)
    with S.screen_frozen(book):
        for position, name in enumerate(SUMMARY_SHEET_NAMES):
            sheet = _place_sheet(book, name, position)
            copy_sheet(drawn[name], sheet)
    first = S.find_sheet(book, SUMMARY)
    if first is not None:
        first.activate()
    return cons
