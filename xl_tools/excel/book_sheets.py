"""Sheet-level helpers over an ``xw.Book`` that behave the same in desktop Excel and the remote engine.

The remote engine records writes without updating what it reads back, so these helpers never read after
writing; and they keep text as text (a 指标值 like ``=100%`` must not become a formula).
"""

from __future__ import annotations

import re
from typing import Any

_HAS_DIGIT = re.compile(r"[0-9０-９]")
POINTS_PER_CHAR = 5.6      # the remote engine takes column widths in points, desktop Excel in characters


def find_sheet(book, name: str):
    """The sheet called ``name`` (case-insensitive, like Excel), else None."""
    key = name.casefold()
    for sheet in book.sheets:
        if sheet.name.casefold() == key:
            return sheet
    return None


def as_cell_value(value: Any) -> Any:
    """A value to write so that Excel stores exactly this text.

    Excel parses what is written into a cell as if typed: ``=100%`` becomes a formula, ``440100`` a number,
    ``100%`` the number 1, ``2021年12月31日`` a date (Chinese locale), ``TRUE`` a boolean. Text that holds a
    digit, starts like a formula or reads as a boolean therefore gets the text prefix ``'`` (not shown in the
    cell, and not part of the value read back). Other text and all non-text values are written as they are.
    """
    from xl_tools.workbook.celltext import is_formula_like

    if not isinstance(value, str) or not value:
        return value
    if is_formula_like(value) or value.startswith("'") or _HAS_DIGIT.search(value) \
            or value.strip().upper() in ("TRUE", "FALSE"):
        return "'" + value
    return value


def write_rows(sheet, rows: list[list[Any]], top_left: tuple[int, int] = (1, 1)) -> None:
    """Write a block of rows (padded to a rectangle) in one call."""
    if not rows:
        return
    width = max(len(r) for r in rows)
    block = [[as_cell_value(v) for v in list(r) + [None] * (width - len(r))] for r in rows]
    sheet.range(top_left).resize(len(block), width).value = block


def set_column_widths(sheet, widths: list[float] | tuple[float, ...], first_col: int = 1) -> None:
    """Column widths in characters (converted to points for the remote engine)."""
    remote = sheet.book.app.engine.name == "remote"
    for i, width in enumerate(widths):
        sheet.range((1, first_col + i)).column_width = round(width * POINTS_PER_CHAR, 1) if remote else width


def add_sheet_at_end(book, name: str):
    """A new sheet after the last one (Excel activates it)."""
    return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])


def fresh_sheet(book, name: str):
    """Sheet ``name`` emptied of values and formats (created at the end when missing)."""
    sheet = find_sheet(book, name)
    if sheet is None:
        return add_sheet_at_end(book, name)
    sheet.clear()
    return sheet


def delete_sheet(book, name: str) -> bool:
    sheet = find_sheet(book, name)
    if sheet is None:
        return False
    sheet.delete()
    return True


def engine_name(book) -> str:
    return book.app.engine.name


class screen_frozen:
    """``with screen_frozen(book):`` — no screen repaint while many cells are written (desktop Excel)."""

    def __init__(self, book):
        self.app = book.app
        self.before = True

    def __enter__(self):
        try:
            self.before = bool(self.app.screen_updating)
        except NotImplementedError:      # the remote engine can only suspend, not report
            self.before = True
        self.app.screen_updating = False
        return self

    def __exit__(self, *exc):
        self.app.screen_updating = self.before
        return False
