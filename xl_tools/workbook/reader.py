"""Workbook → Forms: one Form per form sheet, each value with its cell. Engines: openpyxl (default) or calamine."""

from __future__ import annotations

from dataclasses import fields
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Iterable

from xl_tools.domain.form import HEADER_KEYS, INDICATOR_COLUMNS, Form, Indicator, Located, detect_city
from xl_tools.errors import FormSchemaError, InputError, NotAFormError
from xl_tools.workbook import layout as L

ENGINES = ("openpyxl", "calamine")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
FIX_TEMPLATE = "请用 xl-tools template 生成的模板（或附件格式的表格）填写后再试"


_COLUMN_KEYS: tuple[str, ...] = tuple(key for key, _ in INDICATOR_COLUMNS)
# form_from_grid builds Indicator positionally: its fields must be the table's columns, in order.
assert _COLUMN_KEYS == tuple(f.name for f in fields(Indicator)), "Indicator fields != INDICATOR_COLUMNS"


def _located(grid: L.Grid, row: int, col: int, *, fill_down: bool = False) -> Located:
    if fill_down:
        top = grid.merge_top(row, col)
        if top and top[1] == col:
            row, col = top
    return Located(grid.text(row, col), L.a1(row, col))


def _indicators(grid: L.Grid, rows: tuple[int, ...], columns: dict[str, int]) -> tuple[Indicator, ...]:
    """The indicator rows, each cell with fill-down through vertical merges (as ``_located(fill_down=True)``).

    Every form spends most of its reading time here (160 cells a form). When no data row holds a merged cell
    and every row is in the grid (the usual case), each column is read by one comprehension; otherwise cell by
    cell, as before.
    """
    lines, r0, c0 = grid.rows, grid.origin[0], grid.origin[1]
    first, last = rows[0] - r0, rows[-1] - r0
    cols = [(columns[key], columns[key] - c0) for key in _COLUMN_KEYS]
    tops = grid.merge_tops
    plain = (0 <= first and last < len(lines) and not (tops and not {r for r, _ in tops}.isdisjoint(rows))
             and all(j >= 0 for _, j in cols))
    if plain:
        picked = [lines[row - r0] for row in rows]
        widest = max(j for _, j in cols)
        plain = min(map(len, picked)) > widest
    if not plain:
        return tuple(Indicator(*(_located(grid, row, col, fill_down=True) for col, _ in cols)) for row in rows)
    by_column = []
    for col, j in cols:
        texts = _column_texts(list(map(itemgetter(j), picked)))
        by_column.append(Located.many(texts, _addresses(col, rows)))
    return tuple(Indicator.many(*by_column))


@lru_cache(maxsize=64)
def _addresses(col: int, rows: tuple[int, ...]) -> tuple[str, ...]:
    """The A1 addresses of ``rows`` in column ``col`` (forms from the template share them: B12…B51)."""
    return tuple(map(L.col_letter(col).__add__, map(str, rows)))


def _column_texts(values: list) -> list[str]:
    """``[L.cell_text(v) for v in values]``; a column of plain strings without ``<`` or CR (the usual case)
    only needs trimming, done by C calls over the whole column."""
    if set(map(type, values)) == {str}:
        joined = "".join(values)
        if "<" not in joined and "\r" not in joined:
            return list(map(str.strip, values))
    return list(map(L.cell_text, values))


def form_from_grid(grid: L.Grid, *, source: str | None = None, template_version: str | None = None,
                   hints: Iterable[object] = (), layout: L.SheetLayout | None = None) -> Form:
    """The Form on one located sheet (any backend: openpyxl, calamine, xlwings values)."""
    lay = layout or L.locate(grid)
    header: dict[str, Located] = {}
    for key in HEADER_KEYS:
        ref = lay.header.get(key)
        header[key] = _located(grid, *L.parse_a1(ref)) if ref else Located()
    title = _located(grid, *L.parse_a1(lay.title)) if lay.title else Located()
    indicators = _indicators(grid, lay.data_rows, lay.columns) if lay.data_rows else ()
    notes: list[str] = []
    if lay.notes_cell:
        nr, nc = L.parse_a1(lay.notes_cell)
        for row in range(nr + 1, grid.max_row + 1):
            text = grid.text(row, nc)
            if text:
                notes.append(text)
    # As Form(...).with_city_detected(grid.title, *hints), without making the Form twice.
    city = detect_city(header["local_department"].text, title.text, *(h for h in (grid.title, *hints) if h))
    return Form(header=header, indicators=indicators, city=city, title=title, source=source, sheet=grid.title,
                template_version=template_version, notes=tuple(notes))


def forms_from_grids(grids: Iterable[L.Grid], *, source: str | None = None,
                     template_version: str | None = None, hints: Iterable[object] = ()) -> list[Form]:
    """Forms from every form sheet among ``grids`` (reserved sheets and non-forms skipped)."""
    from xl_tools.domain.schema import check_form

    hints = tuple(hints)
    forms = []
    for grid in grids:
        if L.is_reserved_sheet(grid.title):
            continue
        lay = L.locate(grid)
        if not L.is_form_layout(lay):
            continue
        form = form_from_grid(grid, source=source, template_version=template_version, hints=hints, layout=lay)
        check_form(form)
        forms.append(form)
    return forms


# ---------------------------------------------------------------------------------------------------------------
# File checks shared by both engines
# ---------------------------------------------------------------------------------------------------------------

def check_workbook_file(path: str | Path) -> Path:
    """Raise a clear error for files no engine can read: missing, a folder, then the safety pre-flight.

    The pre-flight (:func:`xl_tools.workbook.safety.check_input_file`) refuses .xls, encrypted, non-zip,
    corrupt and hostile files (zip bombs, XML entities) before any parser touches them.
    """
    return _preflight(path)[0]


def _preflight(path: str | Path):
    from xl_tools.workbook.safety import inspect_input_file

    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError("文件不存在：请检查文件名和路径", path=name)
    if p.is_dir():
        raise InputError("这是一个文件夹，不是工作簿：请给出 .xlsx 文件", path=name)
    return p, inspect_input_file(p)


def _no_form(path: str, sheets: list[str]) -> NotAFormError:
    listed = "、".join(f"“{s}”" for s in sheets if s != L.LISTS_SHEET) or "（无）"
    return NotAFormError(f"没有找到绩效目标表：工作表 {listed} 中都没有“项目名称”等栏目和“一级指标/二级指标/三级指标/指标值”"
                         f"表头。{FIX_TEMPLATE}", path=path)


# ---------------------------------------------------------------------------------------------------------------
# openpyxl engine
# ---------------------------------------------------------------------------------------------------------------

def grids_from_openpyxl(wb) -> list[L.Grid]:
    return [L.grid_from_openpyxl(ws) for ws in wb.worksheets]


def _read_openpyxl(p: Path, name: str) -> tuple[list[L.Grid], str | None]:
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(p, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise NotAFormError(f"工作簿已损坏或格式不受支持，无法打开（{type(exc).__name__}）："
                            "请在 Excel/WPS 中打开并“另存为” .xlsx 后再试", path=name) from exc
    try:
        version = None
        if L.LISTS_SHEET in wb.sheetnames:
            version = L.cell_text(wb[L.LISTS_SHEET][L.VERSION_CELL].value) or None
        return grids_from_openpyxl(wb), version
    finally:
        wb.close()


def read_forms(path: str | Path, *, engine: str = "openpyxl") -> list[Form]:
    """Every form sheet of the workbook at ``path`` as a Form (schema-checked), in sheet order.

    ``engine="calamine"`` is the fast path for batch reading; both engines give equal Forms.
    Raises NotAFormError for unreadable files (.xls, encrypted, corrupt) and workbooks without a form sheet.
    """
    if engine not in ENGINES:
        raise InputError(f"未知的读取引擎“{engine}”：请用 openpyxl 或 calamine")
    from xl_tools.workbook.safety import check_template_version

    name = str(path)
    p, scan = _preflight(path)
    if engine == "calamine" and not scan.dense_ok:
        engine = "openpyxl"     # calamine allocates every sheet's full rectangle (a value in XFD1048576)
    if engine == "calamine":
        from xl_tools.workbook.fastread import read_grids

        grids, version = read_grids(p, name, scan.workbook_xml)
    else:
        grids, version = _read_openpyxl(p, name)
    check_template_version(version, name)
    try:
        forms = forms_from_grids(grids, source=name, template_version=version, hints=(p.stem,))
    except FormSchemaError as exc:      # what the file holds cannot make a valid Form: the file is not readable
        raise NotAFormError(f"工作簿内容无法整理成绩效目标表（{exc.message}）", path=name) from exc
    if not forms:
        raise _no_form(name, [g.title or "" for g in grids])
    return forms


def read_form(path: str | Path, *, engine: str = "openpyxl") -> Form:
    """The first form of the workbook (convenience for one-form files)."""
    return read_forms(path, engine=engine)[0]
