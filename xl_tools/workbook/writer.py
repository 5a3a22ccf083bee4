"""Form → filled template sheet(s). Every value is written as text, never as a formula."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xl_tools.domain.form import HEADER_KEYS, INDICATOR_COLUMNS, Form, Indicator, Located, form_title
from xl_tools.domain.text import clean
from xl_tools.errors import OutputError
from xl_tools.fileio import refuse_input_overwrite
from xl_tools.workbook import layout as L

LINE_HEIGHT = 14.5                     # points per wrapped line at 11pt


def set_text(cell, text: str) -> str:
    """Write ``text`` as a text cell: blank → None; ``=…``, ``+…``, ``-…``, ``@…`` stay text (quote prefix).

    Characters a workbook cannot hold are dropped (control characters, U+FFFE/U+FFFF); text past Excel's cell
    limit is cut with a note (:func:`xl_tools.workbook.celltext.fit_cell_text`); returns the text as a reader will
    see it.
    """
    from xl_tools.workbook.celltext import fit_cell_text, is_formula_like, xml_safe_text

    text = xml_safe_text(text or "").replace("\r\n", "\n").replace("\r", "\n")
    # Past Excel's 32,767 characters: cut, ending with a note that says so (the city's own file keeps it all).
    text = fit_cell_text(text)
    if not text:
        cell.value = None
        return ""
    cell.value = L.escape_ooxml(text)
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return clean(text)


_WIDE = re.compile("[\u2e80-\U0010ffff]")


def _display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters (from U+2E80 up) count twice."""
    return len(text) + len(_WIDE.findall(text))       # counted in C: 校验结果 sizes ~50,000 cells


def estimate_lines(text: str, width_chars: float) -> int:
    """How many wrapped lines ``text`` takes in a column ``width_chars`` wide."""
    usable = max(width_chars - 1.5, 4)
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in (text or "").split("\n"))


def _width_of(ws: Worksheet, c1: int, c2: int) -> float:
    total = 0.0
    for col in range(c1, c2 + 1):
        dim = ws.column_dimensions.get(L.col_letter(col))
        total += dim.width if dim is not None and dim.width else 8.43
    return total


def fit_row_height(ws: Worksheet, row: int, minimum: float) -> None:
    """Grow a row so its wrapped text shows (Excel does not auto-fit merged cells)."""
    lines = 1
    spans = {(m.min_col, m.max_col) for m in ws.merged_cells.ranges if m.min_row == row == m.max_row}
    merged_cols = {c for a, b in spans for c in range(a + 1, b + 1)}
    for col in range(1, L.LAST_COL + 1):
        if col in merged_cols:
            continue
        value = ws.cell(row=row, column=col).value
        if value is None:
            continue
        c2 = next((b for a, b in spans if a == col), col)
        lines = max(lines, estimate_lines(str(value), _width_of(ws, col, c2)))
    height = min(max(minimum, lines * LINE_HEIGHT + 6), 409)
    ws.row_dimensions[row].height = height


def _trimmed(indicators: Iterable[Indicator]) -> list[Indicator]:
    rows = list(indicators)
    while rows and rows[-1].empty:
        rows.pop()
    return rows


def fill_form_sheet(ws: Worksheet, form: Form) -> Form:
    """Fill a template form sheet with ``form``; return the Form with every Located.cell set on ``ws``.

    Inserts rows (keeping names, dropdowns and styles) when the form has more indicators than the sheet's
    empty rows; clears table rows it does not use. Import notes go to the 导入说明 column.
    """
    from xl_tools.workbook.rows import insert_rows
    from xl_tools.workbook.template import ROW_HEIGHTS

    lay = L.locate(ws)
    missing = [k for k in HEADER_KEYS if not lay.header.get(k)]
    if not lay.found or missing:
        raise OutputError("该工作表不是绩效目标表模板，无法填写：请用 xl-tools template 生成的模板",
                          sheet=ws.title)
    rows = _trimmed(form.indicators)
    need = len(rows)
    if need > lay.capacity:
        insert_rows(ws, lay.last_row, need - lay.capacity + L.SPARE_ROWS)
        lay = L.locate(ws)

    title_text = form.title.text or form_title(form.city)
    title_cell = lay.title or L.TITLE_RANGE.split(":")[0]
    title_text = set_text(ws[title_cell], title_text)

    header: dict[str, Located] = {}
    for key in HEADER_KEYS:
        cell = lay.header[key]
        text = set_text(ws[cell], form.get(key).text)
        header[key] = Located(text, cell)
        row = L.parse_a1(cell)[0]
        minimum = ROW_HEIGHTS["long"] if key in L.LONG_TEXT_KEYS else ROW_HEIGHTS["header"]
        fit_row_height(ws, row, minimum)

    indicators: list[Indicator] = []
    for i in range(lay.capacity):
        row = lay.first_row + i
        item = rows[i] if i < len(rows) else Indicator()
        located = {}
        for key, _ in INDICATOR_COLUMNS:
            col = lay.columns[key]
            text = set_text(ws.cell(row=row, column=col), getattr(item, key).text)
            located[key] = Located(text, L.a1(row, col))
        if i < len(rows):
            indicators.append(Indicator(**located))
            fit_row_height(ws, row, ROW_HEIGHTS["data"])
        else:
            ws.row_dimensions[row].height = ROW_HEIGHTS["data"]

    notes = write_notes(ws, form.notes)
    version = form.template_version
    wb = ws.parent
    if wb is not None and L.LISTS_SHEET in wb.sheetnames:
        version = L.cell_text(wb[L.LISTS_SHEET][L.VERSION_CELL].value) or version
    return replace(form, header=header, indicators=tuple(indicators), title=Located(title_text, title_cell),
                   sheet=ws.title, template_version=version, notes=notes)


def write_notes(ws: Worksheet, notes: Iterable[str]) -> tuple[str, ...]:
    """Write import notes right of the printed form: a 导入说明 label on the title row, one note per cell below.

    Returns the notes as a reader will see them."""
    from xl_tools.workbook.template import LABEL_FONT, NOTE_FILL, NOTE_FONT, TOP_LEFT, UNLOCKED

    notes = [n for n in notes if n]
    col = L.NOTES_COL
    for (row, c), cell in list(ws._cells.items()):       # clear old notes
        if c == col and row > L.TITLE_ROW and cell.value is not None:
            cell.value = None
    if not notes:
        if ws.cell(row=L.TITLE_ROW, column=col).value == L.NOTES_LABEL:
            ws.cell(row=L.TITLE_ROW, column=col).value = None
        return ()
    label = ws.cell(row=L.TITLE_ROW, column=col)
    label.value = L.NOTES_LABEL
    label.font = LABEL_FONT
    ws.column_dimensions[L.col_letter(col)].width = L.NOTES_WIDTH
    written = []
    for note in notes:
        cell = ws.cell(row=L.TITLE_ROW + 1 + len(written), column=col)
        text = set_text(cell, note)
        if not text:
            continue
        written.append(text)
        cell.font = NOTE_FONT
        cell.fill = NOTE_FILL
        cell.alignment = TOP_LEFT
        cell.protection = UNLOCKED
    if not written:
        label.value = None
    return tuple(written)


def add_form_sheet(wb: Workbook, form: Form, title: str | None = None, *, taken: set[str] | None = None) -> Form:
    """Add a filled form sheet to ``wb`` (sheet title: ``title``, else the city, else 绩效目标表; made unique).

    ``taken``: the casefolded titles used in ``wb``, kept by a caller adding many sheets (see add_template_sheet).
    """
    from xl_tools.workbook.template import add_template_sheet

    if not form.city:
        form = form.with_city_detected()
    rows = max(L.TEMPLATE_DATA_ROWS, len(_trimmed(form.indicators)) + L.SPARE_ROWS)
    ws = add_template_sheet(wb, title or form.city or L.FORM_SHEET_TITLE, rows=rows, taken=taken)
    return fill_form_sheet(ws, form)


def build_forms_workbook(forms: Iterable[Form]) -> tuple[Workbook, list[Form]]:
    """A new workbook with one filled form sheet per Form; returns it and the Forms with cells located."""
    from xl_tools.workbook.template import ensure_lists, set_fixed_properties

    wb = Workbook()
    wb.remove(wb.active)
    ensure_lists(wb)
    written = [add_form_sheet(wb, form) for form in forms]
    if not written:
        raise OutputError("没有可写入的绩效目标表：请先导入或读取至少一张表")
    wb.active = 0
    set_fixed_properties(wb)
    return wb, written


def write_forms(forms: Iterable[Form], path: str | Path) -> Path:
    """Write the Forms to a new workbook at ``path`` (atomic, deterministic); one sheet per Form."""
    from xl_tools.workbook.template import save_workbook

    forms = list(forms)
    refuse_input_overwrite(path, [f.source for f in forms if f.source])
    wb, _ = build_forms_workbook(forms)
    return save_workbook(wb, path)


def write_forms_located(forms: Iterable[Form], path: str | Path) -> list[Form]:
    """Like :func:`write_forms`, returning the Forms as written (every Located.cell set, source = path)."""
    from xl_tools.workbook.template import save_workbook

    forms = list(forms)
    refuse_input_overwrite(path, [f.source for f in forms if f.source])
    wb, written = build_forms_workbook(forms)
    out = save_workbook(wb, path)
    return [replace(f, source=str(out)) for f in written]
