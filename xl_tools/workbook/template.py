"""The 绩效目标表 template workbook, drawn from code (geometry from ``layout``), saved byte-deterministically."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xl_tools.domain.form import FIELD_BY_KEY, HEADER_FIELDS, form_title
from xl_tools.workbook import layout as L

TEMPLATE_VERSION = "2020.1"
CREATOR = "xl_tools"
FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)

FONT_NAME = "宋体"
BODY_FONT = Font(name=FONT_NAME, size=11)
LABEL_FONT = Font(name=FONT_NAME, size=11, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=10, color="9C5700")
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
NO_BORDER = Border()
LABEL_FILL = PatternFill(fill_type="solid", start_color="F2F2F2", end_color="F2F2F2")
NOTE_FILL = PatternFill(fill_type="solid", start_color="FFF2CC", end_color="FFF2CC")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)
TEXT_FORMAT = "@"

ROW_HEIGHTS = {"title": 36.0, "header": 27.0, "long": 75.0, "table_header": 24.0, "data": 24.0}

VALUE_HINT = "运算符+数值+单位，如 ≥2场；比率如 =100%；时限如 2021年12月底前"
PROMPTS: dict[str, tuple[str, str]] = {
    "title": ("标题", "把 XX 改为地市名称，如 省财政专项转移支付绩效目标表(二级项目-广州)"),
    "level1": ("一级指标", "从下拉列表选择：产出指标、效益指标 或 满意度指标"),
    "level2": ("二级指标", "先填一级指标，再从下拉列表选择它下面的二级指标，如 数量指标"),
    "level3": ("三级指标", "填写具体指标名称，如 举办知识产权培训班场次；一行只写一个指标"),
    "value": ("指标值", VALUE_HINT),
}


# ---------------------------------------------------------------------------------------------------------------
# Styling helpers
# ---------------------------------------------------------------------------------------------------------------

_STYLE_MEMO = "_xl_tools_style_memo"


def _style_range(ws: Worksheet, ref: str, *, font=BODY_FONT, alignment=LEFT, protection=UNLOCKED,
                 fill=None, border=BORDER, number_format: str | None = None) -> None:
    """Style every cell of ``ref``.

    Setting a style attribute makes openpyxl hash the style objects into the workbook's lists, which made
    drawing a form sheet slow (≈15 ms a sheet, most of a consolidation). The result of applying these
    arguments to a cell with a given style is memoised per workbook, so each combination is computed once and
    later cells get a copy of the resulting style array.
    """
    from openpyxl.styles.cell_style import StyleArray

    r1, c1, r2, c2 = L.parse_range(ref)
    wb = ws.parent
    memo = getattr(wb, _STYLE_MEMO, None)
    if memo is None:
        memo = {}
        setattr(wb, _STYLE_MEMO, memo)
    args = (font, alignment, protection, border, fill)
    key = tuple(map(id, args)) + (number_format,)
    for row in range(r1, r2 + 1):
        for col in range(c1, c2 + 1):
            cell = ws.cell(row=row, column=col)
            before = None if cell._style is None else tuple(cell._style)
            done = memo.get((before, key))
            if done is not None:
                cell._style = StyleArray(done[0])
                continue
            cell.font = font
            cell.alignment = alignment
            cell.protection = protection
            cell.border = border
            if fill is not None:
                cell.fill = fill
            if number_format:
                cell.number_format = number_format
            memo[(before, key)] = (tuple(cell._style), args)    # the objects kept alive: their ids stay theirs


def style_input(ws: Worksheet, ref: str, *, alignment=LEFT) -> None:
    """An editable cell (or merged range): unlocked, text format, wrapped, bordered."""
    _style_range(ws, ref, alignment=alignment, protection=UNLOCKED, number_format=TEXT_FORMAT)


def style_label(ws: Worksheet, ref: str) -> None:
    _style_range(ws, ref, font=LABEL_FONT, alignment=CENTER, protection=LOCKED, fill=LABEL_FILL)


def style_data_row(ws: Worksheet, row: int) -> None:
    """One indicator row: the band cell and the four input cells, all unlocked so rows can be inserted/deleted."""
    _style_range(ws, L.a1(row, L.BAND_COL), font=LABEL_FONT, alignment=CENTER, protection=UNLOCKED,
                 fill=LABEL_FILL)
    for key, col in L.INDICATOR_COLS.items():
        align = CENTER if key in ("level1", "level2") else LEFT
        style_input(ws, L.a1(row, col), alignment=align)
    dim = ws.row_dimensions[row]
    dim.height = ROW_HEIGHTS["data"]


def _dv(kind: str | None, formula: str | None, title: str, prompt: str, *, strict: bool = True,
        error: str | None = None) -> DataValidation:
    dv = DataValidation(type=kind, formula1=formula, allow_blank=True)
    dv.showInputMessage = True
    dv.promptTitle = title[:32]
    dv.prompt = prompt[:255]
    if kind == "list":
        dv.showDropDown = False          # False = show the in-cell arrow (the XML attribute is inverted)
        dv.showErrorMessage = strict
        dv.errorStyle = "stop"
        dv.errorTitle = f"{title}填写有误"[:32]
        dv.error = (error or prompt)[:255]
    return dv


# ---------------------------------------------------------------------------------------------------------------
# The hidden lists sheet (template version + dropdown lists, one workbook name per list)
# ---------------------------------------------------------------------------------------------------------------

def ensure_lists(wb: Workbook) -> Worksheet:
    """The hidden lists sheet of ``wb``, created with its workbook names when missing."""
    if L.LISTS_SHEET in wb.sheetnames:
        return wb[L.LISTS_SHEET]
    ws = wb.create_sheet(L.LISTS_SHEET)
    ws.sheet_state = "hidden"
    ws[L.VERSION_LABEL_CELL] = L.VERSION_LABEL
    ws[L.VERSION_CELL] = TEMPLATE_VERSION
    ws[L.VERSION_CELL].number_format = TEXT_FORMAT
    _add_book_name(wb, L.VERSION_NAME, L.sheet_ref(L.LISTS_SHEET, L.VERSION_CELL))
    for col in L.lists_plan():
        ws.cell(row=L.LISTS_HEADER_ROW, column=col.col, value=col.header).font = LABEL_FONT
        for i, value in enumerate(col.values):
            ws.cell(row=L.LISTS_HEADER_ROW + 1 + i, column=col.col, value=value)
        ws.column_dimensions[L.col_letter(col.col)].width = 24
        _add_book_name(wb, col.name, L.sheet_ref(L.LISTS_SHEET, col.ref))
    ws.protection.sheet = True
    return ws


def _add_book_name(wb: Workbook, name: str, ref: str) -> None:
    if name in wb.defined_names:
        del wb.defined_names[name]
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _add_sheet_name(ws: Worksheet, name: str, cells: str) -> None:
    if name in ws.defined_names:
        del ws.defined_names[name]
    ws.defined_names[name] = DefinedName(name, attr_text=L.sheet_ref(ws.title, cells))


# ---------------------------------------------------------------------------------------------------------------
# The form sheet
# ---------------------------------------------------------------------------------------------------------------

def draw_form_sheet(ws: Worksheet, rows: int = L.TEMPLATE_DATA_ROWS, *, title: str | None = None) -> None:
    """Draw an empty form on ``ws`` (a fresh sheet): labels, inputs, names, dropdowns, protection, print setup."""
    first, last = L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + rows - 1
    ws.sheet_view.showGridLines = False
    for letter, width in L.COLUMN_WIDTHS.items():
        ws.column_dimensions[letter].width = width

    # Title row.
    ws.merge_cells(L.TITLE_RANGE)
    title_cell = ws.cell(row=L.TITLE_ROW, column=L.FIRST_COL, value=title or form_title(None))
    _style_range(ws, L.TITLE_RANGE, font=TITLE_FONT, alignment=CENTER, protection=UNLOCKED, border=NO_BORDER)
    title_cell.number_format = TEXT_FORMAT
    ws.row_dimensions[L.TITLE_ROW].height = ROW_HEIGHTS["title"]
    _add_sheet_name(ws, L.TITLE_NAME, L.TITLE_RANGE.split(":")[0])

    validations: list[DataValidation] = []
    t, p = PROMPTS["title"]
    dv = _dv(None, None, t, p)
    dv.add(L.TITLE_RANGE)
    validations.append(dv)

    # Header block.
    lists = {c.name: c for c in L.lists_plan()}
    for h in L.HEADER_CELLS:
        f = FIELD_BY_KEY[h.key]
        ws.cell(row=h.row, column=L.parse_a1(h.label_cell)[1], value=h.label)
        style_label(ws, h.label_cell)
        if ":" in h.value_range and h.value_range.split(":")[0] != h.value_range.split(":")[1]:
            ws.merge_cells(h.value_range)
        style_input(ws, h.value_range)
        _add_sheet_name(ws, L.header_name(h.key), h.value_cell)
        height = ROW_HEIGHTS["long"] if h.key in L.LONG_TEXT_KEYS else ROW_HEIGHTS["header"]
        ws.row_dimensions[h.row].height = height
        if h.key == "fund_type":
            dv = _dv("list", L.FUND_TYPES_NAME, f.label, f.hint,
                     error="请从下拉列表选择：" + "、".join(lists[L.FUND_TYPES_NAME].values))
        elif h.key == "project_level":
            dv = _dv("list", L.PROJECT_LEVELS_NAME, f.label, f.hint,
                     error="请从下拉列表选择：" + "、".join(lists[L.PROJECT_LEVELS_NAME].values))
        elif h.key == "local_department":
            dv = _dv("list", L.DEPARTMENTS_NAME, f.label, f.hint + "；可从下拉列表选择本市，也可直接输入",
                     strict=False)
        else:
            dv = _dv(None, None, f.label, f.hint)
        dv.add(h.value_range)
        validations.append(dv)

    # Indicator table header.
    hr = L.TABLE_HEADER_ROW
    ws.cell(row=hr, column=L.BAND_COL, value=L.BAND_LABEL)
    style_label(ws, L.a1(hr, L.BAND_COL))
    for key, col in L.INDICATOR_COLS.items():
        ws.cell(row=hr, column=col, value=L.INDICATOR_LABELS[key])
        style_label(ws, L.a1(hr, col))
    ws.row_dimensions[hr].height = ROW_HEIGHTS["table_header"]
    c1, c2 = min(L.INDICATOR_COLS.values()), max(L.INDICATOR_COLS.values())
    _add_sheet_name(ws, L.TABLE_HEADER_NAME, f"{L.a1(hr, c1)}:{L.a1(hr, c2)}")

    # Indicator rows.
    for row in range(first, last + 1):
        style_data_row(ws, row)
    _add_sheet_name(ws, L.TABLE_NAME, f"{L.a1(first, c1)}:{L.a1(last, c2)}")

    def column_range(key: str) -> str:
        col = L.INDICATOR_COLS[key]
        return f"{L.a1(first, col)}:{L.a1(last, col)}"

    level1_cell = "$" + L.col_letter(L.INDICATOR_COLS["level1"]) + str(first)
    tax_error = "请从下拉列表选择"
    for key, kind, formula, error in (
        ("level1", "list", L.LEVEL1_NAME, tax_error + "：" + "、".join(lists[L.LEVEL1_NAME].values)),
        ("level2", "list", L.level2_formula(level1_cell), tax_error + "与一级指标对应的二级指标；先填一级指标"),
        ("level3", None, None, None),
        ("value", None, None, None),
    ):
        t, p = PROMPTS[key]
        dv = _dv(kind, formula, t, p, error=error)
        dv.add(column_range(key))
        validations.append(dv)
    for dv in validations:
        ws.add_data_validation(dv)

    # Print setup: A4 portrait, one page wide, the table header repeated on every page.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75      # room for the footer between it and the table
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_title_rows = L.PRINT_TITLE_ROWS
    ws.print_area = f"{L.a1(1, L.FIRST_COL)}:{L.a1(last, L.LAST_COL)}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = L.FREEZE_CELL

    # Labels locked, inputs editable, no password; rows may be inserted/deleted and resized.
    prot = ws.protection
    prot.sheet = True
    prot.formatRows = False
    prot.formatColumns = False
    prot.insertRows = False
    prot.deleteRows = False
    prot.selectLockedCells = False
    prot.selectUnlockedCells = False


def add_template_sheet(wb: Workbook, title: str | None = None, *, rows: int = L.TEMPLATE_DATA_ROWS,
                       taken: set[str] | None = None) -> Worksheet:
    """Add an empty form sheet to ``wb`` (before the hidden lists sheet, which is created when missing).

    ``taken``: for a caller adding many sheets, the casefolded titles already used in ``wb`` (kept up to date
    here), so the new title is made unique without scanning every sheet of the workbook each time.
    """
    if taken is None:
        ensure_lists(wb)
        title = L.safe_sheet_title(title or L.FORM_SHEET_TITLE, set(wb.sheetnames))
        index = wb.sheetnames.index(L.LISTS_SHEET)
    else:
        if L.LISTS_SHEET.casefold() not in taken:
            ensure_lists(wb)
            taken.add(L.LISTS_SHEET.casefold())
        title = unique_sheet_title(title or L.FORM_SHEET_TITLE, taken)
        sheets = wb.worksheets
        index = (len(sheets) - 1 if sheets and sheets[-1].title == L.LISTS_SHEET
                 else wb.sheetnames.index(L.LISTS_SHEET))
    ws = wb.create_sheet(title, index)
    draw_form_sheet(ws, rows)
    return ws


def unique_sheet_title(text: str, taken: set[str]) -> str:
    """A valid sheet title from ``text`` not in ``taken`` (casefolded titles), added to it: ``广州``, ``广州(2)``."""
    base = L.safe_sheet_title(text)
    title, n = base, 1
    while title.casefold() in taken or title in L.RESERVED_SHEETS:
        n += 1
        suffix = f"({n})"
        title = base[:L.SHEET_TITLE_MAX - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def set_fixed_properties(wb: Workbook) -> None:
    """Fixed document properties, so two runs give the same file."""
    props = wb.properties
    props.creator = CREATOR
    props.lastModifiedBy = CREATOR
    props.title = "省财政专项转移支付绩效目标表"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME


def build_template(city: str | None = None) -> Workbook:
    """The template workbook: one empty form sheet (title for ``city`` when given) and the hidden lists sheet."""
    from xl_tools.domain.cities import by_name

    wb = Workbook()
    wb.remove(wb.active)
    ws = add_template_sheet(wb, L.FORM_SHEET_TITLE)
    if city:
        rec = by_name(city)
        ws[L.TITLE_RANGE.split(":")[0]] = form_title(rec.name if rec else city)
    wb.active = 0
    set_fixed_properties(wb)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of ``wb``, byte-deterministic: fixed properties and zip timestamps, stable entry order."""
    from xl_tools.workbook.serialise import write_package

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        write_package(wb, archive)           # (unlike Workbook.save, keeps properties.modified as set)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save ``wb`` atomically and deterministically."""
    from xl_tools.fileio import atomic_write

    data = workbook_bytes(wb)
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def load_for_copy(source: Path, doing: str) -> Workbook:
    """Open the workbook at ``source`` with openpyxl to write a changed copy of it (.xlsm keeps its VBA as
    data); a file openpyxl cannot open is a NotAFormError saying what could not be done (``doing``)."""
    import warnings

    from openpyxl import load_workbook

    from xl_tools.errors import NotAFormError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    except Exception as exc:
        raise NotAFormError(f"无法打开工作簿来{doing}（{type(exc).__name__}）：请在 Excel/WPS 中另存为 .xlsx 后再试",
                            path=str(source)) from exc


def write_template(path: str | Path, city: str | None = None) -> Path:
    """Write the template to ``path`` (atomic)."""
    return save_workbook(build_template(city), path)


__all__ = ["TEMPLATE_VERSION", "HEADER_FIELDS", "add_template_sheet", "build_template", "draw_form_sheet",
           "ensure_lists", "load_for_copy", "save_workbook", "workbook_bytes", "write_template"]
