"""The Excel side reads the same capped form area as the file readers: a stray far-away value is not fetched."""

from __future__ import annotations

import xlwings_harness as h

from xl_tools.excel.book_reader import read_book_forms, sheet_values
from xl_tools.workbook.reader import read_forms
from xl_tools.workbook.safety import GRID_MAX_ROWS
from xl_tools.workbook.template import build_template


def test_a_value_past_the_form_area_is_not_fetched(tmp_path):
    wb = build_template("广州")
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    ws.cell(GRID_MAX_ROWS + 500, 1, "远处的内容")
    path = tmp_path / "广州.xlsx"
    wb.save(path)

    book = h.book_from_xlsx(path)
    sheet = book.sheets[ws.title]
    assert sheet.used_range.last_cell.row == GRID_MAX_ROWS + 500     # the book really reaches that far
    values = sheet_values(sheet)
    assert len(values) == GRID_MAX_ROWS
    # …and the form read from the open book equals the file reader's.
    assert [f.to_dict() | {"source": None} for f in read_book_forms(book)] == \
        [f.to_dict() | {"source": None} for f in read_forms(path)]
