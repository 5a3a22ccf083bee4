"""Insert rows into an openpyxl worksheet the way Excel does.

openpyxl's ``insert_rows`` moves cell values and styles only. Excel also moves or grows merged ranges, data
validations, defined names, the print area and titles, row heights and frozen panes; this module does the same
so a sheet stays consistent (dropdowns and names cover the new rows) after the writer or a test inserts rows.
"""

from __future__ import annotations

from copy import copy

from openpyxl.formula.translate import Translator
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

from xl_tools.workbook import layout as L


def _shift(r1: int, r2: int, idx: int, amount: int) -> tuple[int, int]:
    """New (min_row, max_row) of a row span after inserting ``amount`` rows before row ``idx``."""
    if r1 >= idx:
        return r1 + amount, r2 + amount
    if r2 >= idx:
        return r1, r2 + amount
    return r1, r2


def _shift_cells(cells: str, idx: int, amount: int) -> str:
    """Shift an A1 cell/range text (``$B$12:$E$51``), keeping its ``$`` style; whole-row refs (``$11:$11``) too."""
    parts = cells.split(":")
    if all(p.replace("$", "").isdigit() for p in parts):
        rows = [int(p.replace("$", "")) for p in parts]
        a, b = _shift(min(rows), max(rows), idx, amount)
        return ":".join(f"{'$' if p.startswith('$') else ''}{n}" for p, n in zip(parts, (a, b)))
    r1, c1, r2, c2 = L.parse_range(cells)
    n1, n2 = _shift(r1, r2, idx, amount)
    absolute = "$" in cells
    d = "$" if absolute else ""

    def ref(r: int, c: int) -> str:
        return f"{d}{L.col_letter(c)}{d}{r}"

    if len(parts) == 1:
        return ref(n1, c1)
    return f"{ref(n1, c1)}:{ref(n2, c2)}"


def _shift_ref(text: str, title: str, idx: int, amount: int, *, bare_means_here: bool) -> str:
    """Shift a defined-name value (``'表'!$B$2``) when it points at ``title``; other values are kept."""
    sheet, cells = L.split_sheet_ref(text)
    if sheet is None and not bare_means_here:
        return text
    if sheet not in (None, title) or "," in cells:
        return text
    try:
        shifted = _shift_cells(cells, idx, amount)
    except ValueError:
        return text
    return f"{L.quote_sheet(sheet)}!{shifted}" if sheet else shifted


def insert_rows(ws: Worksheet, idx: int, amount: int = 1, *, style_from: int | None = None) -> None:
    """Insert ``amount`` empty rows before row ``idx`` and keep the sheet consistent.

    New rows take the styles and height of row ``style_from`` (default: the row above ``idx``), like Excel's
    "format same as above". Ranges that span ``idx`` grow; ranges at or below it move down.
    """
    if amount <= 0:
        return
    style_row = style_from if style_from is not None else max(idx - 1, 1)
    if style_row >= idx:
        style_row += amount
    max_col = max(ws.max_column, L.LAST_COL)

    merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.merged_cells.remove(m)
    heights = {r: copy(dim) for r, dim in ws.row_dimensions.items()}

    ws.insert_rows(idx, amount)

    # Row dimensions (height, row style) move with their rows.
    ws.row_dimensions.clear()
    for r, dim in sorted(heights.items()):
        new_r = r + amount if r >= idx else r
        dim.index = new_r
        ws.row_dimensions[new_r] = dim
    src_dim = heights.get(style_row - amount if style_row >= idx + amount else style_row)

    # Styles of the new rows.
    for row in range(idx, idx + amount):
        for col in range(1, max_col + 1):
            src = ws.cell(row=style_row, column=col)
            if src.has_style:
                ws.cell(row=row, column=col)._style = copy(src._style)
        if src_dim is not None:
            dim = copy(src_dim)
            dim.index = row
            ws.row_dimensions[row] = dim

    # Merged ranges move or grow.
    for r1, c1, r2, c2 in merged:
        n1, n2 = _shift(r1, r2, idx, amount)
        top = ws.cell(row=n1, column=c1)
        keep = copy(top._style) if top.has_style else None
        ws.merge_cells(start_row=n1, start_column=c1, end_row=n2, end_column=c2)
        if keep is not None:
            for row in ws.iter_rows(min_row=n1, max_row=n2, min_col=c1, max_col=c2):
                for cell in row:
                    cell._style = copy(keep)

    # Data validations: ranges move or grow; relative formulas follow their top-left cell.
    for dv in ws.data_validations.dataValidation:
        old_ranges = list(dv.sqref.ranges)
        if not old_ranges:
            continue
        first_old = old_ranges[0]
        new_ranges = []
        for cr in old_ranges:
            n1, n2 = _shift(cr.min_row, cr.max_row, idx, amount)
            new_ranges.append(CellRange(min_col=cr.min_col, min_row=n1, max_col=cr.max_col, max_row=n2))
        dv.sqref = MultiCellRange(new_ranges)
        if new_ranges[0].min_row != first_old.min_row:
            origin = L.a1(first_old.min_row, first_old.min_col)
            dest = L.a1(new_ranges[0].min_row, new_ranges[0].min_col)
            for attr in ("formula1", "formula2"):
                formula = getattr(dv, attr)
                if formula:
                    moved = Translator("=" + formula, origin=origin).translate_formula(dest)
                    setattr(dv, attr, moved[1:])

    # Defined names: this sheet's own, and workbook names pointing at it.
    for name, dn in list(ws.defined_names.items()):
        if dn.attr_text:
            dn.attr_text = _shift_ref(dn.attr_text, ws.title, idx, amount, bare_means_here=True)
    wb = ws.parent
    if wb is not None:
        for name, dn in list(wb.defined_names.items()):
            if dn.attr_text:
                dn.attr_text = _shift_ref(dn.attr_text, ws.title, idx, amount, bare_means_here=False)

    # Print area and print titles.
    if ws.print_area:
        areas = []
        for area in str(ws.print_area).split(","):
            _, cells = L.split_sheet_ref(area)
            areas.append(_shift_cells(cells, idx, amount).replace("$", ""))
        ws.print_area = areas
    if ws.print_title_rows:
        ws.print_title_rows = _shift_cells(ws.print_title_rows, idx, amount).replace("$", "")

    # Frozen panes below the insertion point move down.
    if ws.freeze_panes:
        fr, fc = L.parse_a1(ws.freeze_panes)
        if fr > idx:
            ws.freeze_panes = L.a1(fr + amount, fc)
