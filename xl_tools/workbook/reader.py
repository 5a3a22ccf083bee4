"""Workbook → Forms: one Form per form sheet, each value with its cell. Engines: openpyxl (default) or calamine."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from xl_tools.domain.form import HEADER_KEYS, INDICATOR_COLUMNS, Form, Indicator, Located
from xl_tools.errors import InputError, NotAFormError
from xl_tools.workbook import layout as L

ENGINES = ("openpyxl", "calamine")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
FIX_TEMPLATE = "请用 xl-tools template 生成的模板（或附件格式的表格）填写后再试"


def _located(grid: L.Grid, row: int, col: int, *, fill_down: bool = False) -> Located:
    if fill_down:
        top = grid.merge_top(row, col)
        if top and top[1] == col:
            row, col = top
    return Located(grid.text(row, col), L.a1(row, col))


def form_from_grid(grid: L.Grid, *, source: str | None = None, template_version: str | None = None,
                   hints: Iterable[object] = (), layout: L.SheetLayout | None = None) -> Form:
    """The Form on one located sheet (any backend: openpyxl, calamine, xlwings values)."""
    lay = layout or L.locate(grid)
    header: dict[str, Located] = {}
    for key in HEADER_KEYS:
        ref = lay.header.get(key)
        header[key] = _located(grid, *L.parse_a1(ref)) if ref else Located()
    title = _located(grid, *L.parse_a1(lay.title)) if lay.title else Located()
    indicators = []
    for row in lay.data_rows:
        indicators.append(Indicator(**{key: _located(grid, row, lay.columns[key], fill_down=True)
                                       for key, _ in INDICATOR_COLUMNS}))
    notes: list[str] = []
    if lay.notes_cell:
        nr, nc = L.parse_a1(lay.notes_cell)
        for row in range(nr + 1, grid.max_row + 1):
            text = grid.text(row, nc)
            if text:
                notes.append(text)
    form = Form(header=header, indicators=tuple(indicators), title=title, source=source, sheet=grid.title,
                template_version=template_version, notes=tuple(notes))
    return form.with_city_detected(*(h for h in (grid.title, *hints) if h))


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
    """Raise a clear error for files no engine can read: missing, .xls, encrypted, not a zip, not a workbook."""
    import zipfile

    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError("文件不存在：请检查文件名和路径", path=name)
    if p.is_dir():
        raise InputError("这是一个文件夹，不是工作簿：请给出 .xlsx 文件", path=name)
    try:
        with open(p, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror or exc}）：请关闭正在使用它的程序或检查权限后重试",
                         path=name) from exc
    if head.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in head or p.suffix.lower() in (".xlsx", ".xlsm"):
            if _ENCRYPTED_MARK in head:
                raise NotAFormError("文件设置了打开密码（已加密），无法读取：请在 Excel/WPS 中取消密码后另存为 .xlsx 再试",
                                    path=name)
        raise NotAFormError("这是旧版 .xls（Excel 97-2003）格式：请在 Excel/WPS 中打开，“另存为” Excel 工作簿（.xlsx）后再试",
                            path=name)
    if p.suffix.lower() in (".xls", ".et"):
        raise NotAFormError("这是旧版 .xls 文件：请在 Excel/WPS 中打开，“另存为” Excel 工作簿（.xlsx）后再试", path=name)
    if not zipfile.is_zipfile(p):
        raise NotAFormError("不是有效的 .xlsx 工作簿（文件可能已损坏，或是其他格式改了扩展名）："
                            "请在 Excel/WPS 中打开并“另存为” .xlsx 后再试", path=name)
    try:
        with zipfile.ZipFile(p) as zf:
            members = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise NotAFormError("工作簿已损坏，无法打开：请在 Excel/WPS 中打开并“另存为” .xlsx 后再试", path=name) from exc
    if "xl/workbook.xml" not in members:
        raise NotAFormError("这不是 Excel 工作簿（可能是 Word 等其他文件）：请给出填写好的绩效目标表 .xlsx", path=name)
    return p


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
    name = str(path)
    p = check_workbook_file(path)
    if engine == "calamine":
        from xl_tools.workbook.fastread import read_grids

        grids, version = read_grids(p, name)
    else:
        grids, version = _read_openpyxl(p, name)
    forms = forms_from_grids(grids, source=name, template_version=version, hints=(p.stem,))
    if not forms:
        raise _no_form(name, [g.title or "" for g in grids])
    return forms


def read_form(path: str | Path, *, engine: str = "openpyxl") -> Form:
    """The first form of the workbook (convenience for one-form files)."""
    return read_forms(path, engine=engine)[0]
