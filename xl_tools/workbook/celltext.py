"""Text written into cells: never taken for a formula, only characters XML can hold, cut to Excel's limit.

For openpyxl cells :func:`write_text_cell`; for Excel itself (xlwings) ``excel.book_sheets.as_cell_value``.
"""

from __future__ import annotations

import re

EXCEL_CELL_MAX_CHARS = 32767                    # Excel's limit for the text of one cell


def is_formula_like(text: object) -> bool:
    """True when a spreadsheet program would take ``text`` as a formula if typed or set as a value."""
    return isinstance(text, str) and text.startswith(("=", "+", "-", "@"))


def write_text_cell(cell, value: object) -> None:
    """Set an openpyxl cell to ``value`` as text: a string starting with ``=`` is stored as text, not a formula.

    openpyxl turns any string starting with ``=`` into a formula (data_type ``f``); this writes it as a string
    (``t="s"``) with the quote prefix style so Excel shows and keeps it as text. Illegal XML control
    characters are dropped; over-long text is cut to Excel's limit (see :func:`fit_cell_text`).
    """
    if value is None or value == "":
        cell.value = None
        return
    if not isinstance(value, str):
        cell.value = value
        return
    text = fit_cell_text(xml_safe_text(value))
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF).

    openpyxl drops only the control characters; a U+FFFE written as is makes a workbook nobody can open.
    """
    return _XML_ILLEGAL.sub("", text)


def fit_cell_text(text: str, limit: int = EXCEL_CELL_MAX_CHARS) -> str:
    """``text`` cut to Excel's cell limit, ending with a Chinese note saying it was cut and how long it was.

    Inputs are never changed: the full text stays in the city's own file, which the note points to.
    """
    if len(text) <= limit:
        return text
    note = f"……（内容共 {len(text)} 字，超过 Excel 单元格上限 {limit} 字，以上已截断；完整内容见原文件）"
    return text[: limit - len(note)] + note


def fit_long_cells(wb) -> list[tuple[str, str]]:
    """Cut every text cell of an openpyxl workbook that exceeds Excel's limit (:func:`fit_cell_text`).

    For copies of a city's workbook (the marked copy): Excel refuses such a cell ("发现不可读取的内容") and
    openpyxl keeps whatever a file held. Returns (sheet, cell) of the cells cut.
    """
    cut = []
    for ws in wb.worksheets:
        for cell in list(getattr(ws, "_cells", {}).values()):
            value = cell.value
            if isinstance(value, str) and len(value) > EXCEL_CELL_MAX_CHARS:
                text = fit_cell_text(value)
                if cell.data_type == "f":
                    write_text_cell(cell, text)
                else:
                    cell._value = text
                cut.append((ws.title, cell.coordinate))
    return cut
