"""An open workbook (``xw.Book``) → Forms, through the same layout module as the file reader.

Each sheet becomes a ``layout.Grid`` (values anchored at A1, the defined names pointing at it, its merged
ranges) and goes through ``reader.forms_from_grids`` — the very function ``xl-tools validate`` uses after
openpyxl or calamine — so a click and the CLI see the same Form with the same cells.
"""

from __future__ import annotations

from typing import Any


def sheet_values(sheet) -> list[list[Any]]:
    """The sheet's values from A1 to the last used cell (rows × columns, None for empty).

    Capped at the form area every reader looks at: a stray value in XFD1048576 must not make Excel
    ship 17 billion cells to Python.
    """
    from xl_tools.workbook.safety.limits import GRID_MAX_COLS, GRID_MAX_ROWS

    last = sheet.used_range.last_cell
    rows, cols = min(last.row, GRID_MAX_ROWS), min(last.column, GRID_MAX_COLS)
    values = sheet.range((1, 1), (rows, cols)).options(ndim=2).value
    return [list(row) for row in values]


def defined_names(book) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """(sheet-scoped names by sheet title, workbook-scoped names): bare name → ``refers_to`` without "="."""
    by_sheet: dict[str, dict[str, str]] = {}
    workbook: dict[str, str] = {}
    for name in book.names:
        try:
            full = name.name
            refers_to = (name.refers_to or "").lstrip("=")
        except Exception:          # a name Excel cannot describe (external, broken): not one of ours
            continue
        if not refers_to or "!" not in refers_to:
            continue
        if "!" in full:
            scope, bare = full.rsplit("!", 1)
            if scope.startswith("'") and scope.endswith("'"):
                scope = scope[1:-1].replace("''", "'")
            by_sheet.setdefault(scope, {})[bare] = refers_to
        else:
            workbook[full] = refers_to
    return by_sheet, workbook


def merged_ranges(sheet, values: list[list[Any]]) -> list[tuple[int, int, int, int]]:
    """Merged ranges as (min_row, min_col, max_row, max_col); [] where the engine cannot tell (remote).

    Only empty cells can be the continuation of a merge, so only they are asked (one call each).
    """
    found: list[tuple[int, int, int, int]] = []
    covered: set[tuple[int, int]] = set()
    try:
        if values and sheet.range((1, 1), (len(values), max(len(r) for r in values))).merge_cells is False:
            return []                       # Excel says: no merged cell in the whole range (one call)
        for r, row in enumerate(values, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None or (r, c) in covered:
                    continue
                cell = sheet.range((r, c))
                if not cell.merge_cells:
                    continue
                area = cell.merge_area
                r1, c1 = area.row, area.column
                r2, c2 = r1 + area.shape[0] - 1, c1 + area.shape[1] - 1
                found.append((r1, c1, r2, c2))
                covered.update((rr, cc) for rr in range(r1, r2 + 1) for cc in range(c1, c2 + 1))
    except NotImplementedError:
        return []
    return found


def sheet_grid(sheet, sheet_names: dict[str, str], book_names: dict[str, str]):
    from xl_tools.workbook import layout as L

    values = sheet_values(sheet)
    names = L.names_for_sheet(sheet.name, sheet_names, book_names)
    grid = L.grid_from_values(values, names=names, merged=merged_ranges(sheet, values), title=sheet.name)
    grid.hidden = not sheet.visible
    return grid


def template_version(book) -> str | None:
    from xl_tools.workbook import layout as L

    for sheet in book.sheets:
        if sheet.name == L.LISTS_SHEET:
            return L.cell_text(sheet.range(L.VERSION_CELL).value) or None
    return None


def book_stem(book) -> str:
    name = book.name
    return name.rsplit(".", 1)[0] if "." in name else name


def read_book_forms(book) -> list:
    """Every form sheet of the open workbook as a Form (schema-checked), in sheet order.

    Raises NotAFormError when no sheet is a form, with the same wording as the file reader.
    """
    from xl_tools.errors import NotAFormError
    from xl_tools.workbook import layout as L
    from xl_tools.workbook.reader import forms_from_grids

    by_sheet, workbook = defined_names(book)
    grids = []
    titles = []
    for sheet in book.sheets:
        titles.append(sheet.name)
        if L.is_reserved_sheet(sheet.name):
            continue
        grids.append(sheet_grid(sheet, by_sheet.get(sheet.name, {}), workbook))
    source = _fullname(book)
    forms = forms_from_grids(grids, source=source, template_version=template_version(book),
                             hints=(book_stem(book),))
    if not forms:
        listed = "、".join(f"“{t}”" for t in titles if t != L.LISTS_SHEET) or "（无）"
        raise NotAFormError(f"当前工作簿中没有绩效目标表：工作表 {listed} 中都没有“项目名称”等栏目和"
                            "“一级指标/二级指标/三级指标/指标值”表头。请打开地市填写的绩效目标表后再点击按钮，"
                            "或点击“新建”按模板填写", path=book.name)
    return forms


def _fullname(book) -> str:
    try:
        return str(book.fullname)
    except Exception:
        return str(book.name)
