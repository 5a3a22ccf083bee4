"""The fast reading path: python-calamine for values and merges, the workbook XML for defined names."""

from __future__ import annotations

import zipfile
from pathlib import Path

from xl_tools.errors import NotAFormError
from xl_tools.workbook import layout as L

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def defined_names(path: Path) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """(workbook names, {sheet index: sheet-scoped names}) from ``xl/workbook.xml``: name → ref text."""
    from defusedxml import ElementTree

    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    book: dict[str, str] = {}
    local: dict[int, dict[str, str]] = {}
    names = root.find(f"{_NS}definedNames")
    for dn in names if names is not None else ():
        name, text = dn.get("name"), (dn.text or "").strip()
        if not name or not text:
            continue
        scope = dn.get("localSheetId")
        if scope is None:
            book[name] = text
        else:
            local.setdefault(int(scope), {})[name] = text
    return book, local


def read_grids(p: Path, name: str) -> tuple[list[L.Grid], str | None]:
    """Every worksheet of the workbook as a Grid, and the template version (None for hand-made workbooks)."""
    import python_calamine

    from xl_tools.workbook.safety import GRID_MAX_COLS, GRID_MAX_ROWS

    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(p))
        book_names, local_names = defined_names(p)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise NotAFormError(f"工作簿已损坏或格式不受支持，无法打开（{type(exc).__name__}）："
                            "请在 Excel/WPS 中打开并“另存为” .xlsx 后再试", path=name) from exc
    grids: list[L.Grid] = []
    version = None
    try:
        for index, meta in enumerate(wb.sheets_metadata):
            if "WorkSheet" not in str(meta.typ):
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            rows = [r[:GRID_MAX_COLS] for r in sheet.to_python(skip_empty_area=False)[:GRID_MAX_ROWS]]
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                      for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or ())]
            names = L.names_for_sheet(meta.name, local_names.get(index, {}), book_names)
            grid = L.Grid(rows=rows, names=names, merged=merged, title=meta.name,
                          hidden="Visible" not in str(meta.visible))
            if meta.name == L.LISTS_SHEET:
                r, c = L.parse_a1(L.VERSION_CELL)
                version = grid.text(r, c) or None
            grids.append(grid)
    except Exception as exc:  # a sheet calamine cannot load (missing part, broken XML): the file is broken
        raise NotAFormError(f"工作簿已损坏，其中的工作表无法读取（{type(exc).__name__}）："
                            "请在 Excel/WPS 中打开并“另存为” .xlsx 后再试", path=name) from exc
    finally:
        wb.close()
    return grids, version
