"""Copy an openpyxl worksheet (built in memory by the library) onto a sheet of the open workbook via xlwings.

The library draws the summary sheets with openpyxl (``consolidate.workbook.write_summary_sheets``); the add-in
rebuilds them inside the workbook open in Excel, so it copies what openpyxl drew: values (text stays text),
live formulas, merges, bold / font colour / fill / number format / wrap / centring as few rectangles as
possible, thin borders, internal hyperlinks, column widths, row heights and the frozen header. Charts,
print settings and autofilters are not copied (the 汇总 file written by ``xl-tools consolidate`` has them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from xl_tools.excel import book_sheets as S

Rect = tuple[int, int, int, int]          # min_row, min_col, max_row, max_col (1-based)


def rectangles(cells: dict[tuple[int, int], Any]) -> Iterator[tuple[Any, Rect]]:
    """Group cells with equal values into rectangles: runs along each row, then equal runs stacked vertically."""
    by_row: dict[int, list[tuple[int, Any]]] = {}
    for (r, c), v in cells.items():
        by_row.setdefault(r, []).append((c, v))
    runs: dict[tuple[int, int, Any], list[int]] = {}
    for r in sorted(by_row):
        line = sorted(by_row[r], key=lambda t: t[0])
        i = 0
        while i < len(line):
            c1, value = line[i]
            c2, j = c1, i + 1
            while j < len(line) and line[j][0] == c2 + 1 and line[j][1] == value:
                c2, j = c2 + 1, j + 1
            runs.setdefault((c1, c2, value), []).append(r)
            i = j
    for (c1, c2, value), rows in runs.items():
        top = last = rows[0]
        for r in rows[1:]:
            if r == last + 1:
                last = r
                continue
            yield value, (top, c1, last, c2)
            top = last = r
        yield value, (top, c1, last, c2)


def _rng(sheet, rect: Rect):
    r1, c1, r2, c2 = rect
    return sheet.range((r1, c1), (r2, c2))


def _rgb(color) -> str | None:
    rgb = getattr(color, "rgb", None) if color is not None else None
    if isinstance(rgb, str) and len(rgb) >= 6 and getattr(color, "type", "rgb") == "rgb":
        return "#" + rgb[-6:].upper()
    return None


def _fill(cell) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return None
    return _rgb(fill.start_color)


def _collect(ws, get: Callable[[Any], Any], *, skip: Any = None) -> dict[tuple[int, int], Any]:
    found = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.__class__.__name__ == "MergedCell":
                continue
            value = get(cell)
            if value != skip and value is not None:
                found[(cell.row, cell.column)] = value
    return found


def copy_values(ws, sheet) -> list[tuple[str, str]]:
    """Write every value in one block; returns the formula cells (address, formula) written after it."""
    formulas = []
    rows = []
    for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column):
        line = []
        for cell in row:
            value = cell.value
            if cell.__class__.__name__ == "MergedCell":
                value = None
            elif cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")
                                          and cell.data_type != "s"):
                formulas.append((cell.coordinate, str(value)))
                value = None
            line.append(value)
        rows.append(line)
    S.write_rows(sheet, rows)
    for address, formula in formulas:
        sheet.range(address).formula = formula
    return formulas


def copy_formats(ws, sheet) -> None:
    from openpyxl.utils import range_boundaries

    for rng in ws.merged_cells.ranges:
        c1, r1, c2, r2 = range_boundaries(str(rng))
        _rng(sheet, (r1, c1, r2, c2)).merge()
    for value, rect in rectangles(_collect(ws, lambda c: True if c.font is not None and c.font.b else None)):
        _rng(sheet, rect).font.bold = True
    for value, rect in rectangles(_collect(ws, lambda c: _rgb(c.font.color) if c.font is not None else None,
                                           skip="#000000")):
        _rng(sheet, rect).font.color = value
    for value, rect in rectangles(_collect(ws, _fill)):
        _rng(sheet, rect).color = value
    for value, rect in rectangles(_collect(ws, lambda c: c.number_format, skip="General")):
        _rng(sheet, rect).number_format = value
    for value, rect in rectangles(_collect(ws, lambda c: True if c.alignment.wrap_text else None)):
        _rng(sheet, rect).wrap_text = True
    for value, rect in rectangles(_collect(ws, lambda c: c.alignment.horizontal, skip="general")):
        if value in ("left", "center", "right"):
            _set_horizontal(_rng(sheet, rect), value)
    _copy_borders(ws, sheet)
    for row in ws.iter_rows():
        for cell in row:
            link = cell.hyperlink
            if link is not None and link.location:
                sheet.range(cell.coordinate).add_hyperlink("#" + link.location, str(cell.value or ""),
                                                           "单击跳转到该单元格")
    widths = []
    for col in range(1, ws.max_column + 1):
        from openpyxl.utils import get_column_letter

        dim = ws.column_dimensions.get(get_column_letter(col))
        widths.append(dim.width if dim is not None and dim.width else 8.43)
    S.set_column_widths(sheet, widths)
    heights = {(r, 1): dim.height for r, dim in ws.row_dimensions.items() if dim.height}
    for value, (r1, _, r2, _) in rectangles(heights):
        sheet.range((r1, 1), (r2, 1)).row_height = value
    if ws.freeze_panes:
        from openpyxl.utils.cell import coordinate_from_string

        _col, row = coordinate_from_string(ws.freeze_panes)
        if row > 1:
            _freeze_rows(sheet, row - 1)


def _set_horizontal(rng, value: str) -> None:
    try:
        rng.horizontal_alignment = value
    except NotImplementedError:        # a remote client other than Office.js
        pass


def _copy_borders(ws, sheet) -> None:
    cells = _collect(ws, lambda c: True if c.border is not None and c.border.left is not None
                     and c.border.left.style else None)
    for _value, rect in rectangles(cells):
        borders = getattr(_rng(sheet, rect), "borders", None)     # xlwings >= 0.37.1
        if borders is None:
            return
        borders.line_style = "continuous"
        borders.weight = "thin"


def _freeze_rows(sheet, rows: int) -> None:
    """Freeze the top ``rows`` rows (desktop Excel freezes in the active window: activate the sheet first)."""
    if S.engine_name(sheet.book) != "remote":
        sheet.activate()
    sheet.freeze_panes.freeze_at(f"1:{rows}")


def copy_sheet(ws, sheet) -> list[tuple[str, str]]:
    """Values, formulas and formats of openpyxl ``ws`` onto the (empty) xlwings ``sheet``."""
    formulas = copy_values(ws, sheet)
    copy_formats(ws, sheet)
    return formulas
