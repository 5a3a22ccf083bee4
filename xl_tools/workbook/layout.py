"""Where everything lives on a 绩效目标表 sheet: the ONLY module that knows cell addresses and defined names.

Two ways to find a field, tried in this order:

1. Defined names written by the template (sheet-scoped ``XL_<key>``, ``XL_title``, ``XL_indicators``). Excel and
   WPS move them when the user inserts rows, so they stay right.
2. Label search, for hand-made forms in the annex's layout: find the label cell (项目名称 … 总体绩效目标) and
   take the value to its right; find the header row 一级指标/二级指标/三级指标/指标值 and read the rows below.

Everything works on a :class:`Grid` (a plain ``list[list[value]]`` plus the defined names and merged ranges of
one sheet), so openpyxl, python-calamine and xlwings readers share the same logic through thin adapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from xl_tools.domain.form import HEADER_FIELDS, HEADER_KEYS, INDICATOR_COLUMNS
from xl_tools.domain.text import clean, squash
from xl_tools.workbook.addresses import (  # noqa: F401  (re-exported: L.a1, L.parse_a1, … as before)
    a1, col_index, col_letter, parse_a1, parse_range, quote_sheet, sheet_ref, split_sheet_ref,
)

# ---------------------------------------------------------------------------------------------------------------
# Sheet names
# ---------------------------------------------------------------------------------------------------------------

FORM_SHEET_TITLE = "绩效目标表"          # default title of a form sheet
LISTS_SHEET = "xl_lists"                # hidden sheet: template version + dropdown lists
RESULT_SHEET = "校验结果"                # reserved for the validation report (issue 5)
SUMMARY_SHEETS = ("汇总表", "指标汇总", "定性指标")
RESERVED_SHEETS: frozenset[str] = frozenset((LISTS_SHEET, RESULT_SHEET, *SUMMARY_SHEETS))
SHEET_TITLE_MAX = 31
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")

# ---------------------------------------------------------------------------------------------------------------
# The template's geometry (1-based rows/columns). Columns A..E mirror the annex:
#   A = labels / the 绩效指标 band, B = 一级指标, C = 二级指标, D = 三级指标, E = 指标值.
# ---------------------------------------------------------------------------------------------------------------

FIRST_COL, LAST_COL = 1, 5
COLUMN_WIDTHS: dict[str, float] = {"A": 12, "B": 14, "C": 20, "D": 46, "E": 24}
TITLE_ROW = 1
TITLE_RANGE = "A1:E1"


@dataclass(frozen=True)
class HeaderCell:
    """Where one header field sits in the template: its label cell and its (merged) value range."""

    key: str
    label: str
    label_cell: str
    value_range: str       # e.g. "B2:E2"; the value is in its top-left cell
    row: int

    @property
    def value_cell(self) -> str:
        return self.value_range.split(":")[0]


def _header_cells() -> tuple[HeaderCell, ...]:
    out = []
    row = 2
    for f in HEADER_FIELDS:
        if f.key == "provincial_department":
            out.append(HeaderCell(f.key, f.label, f"A{row}", f"B{row}:C{row}", row))
        elif f.key == "local_department":
            # The annex puts 省级主管部门 and 地方主管部门 on one row: label, value, label, value.
            out.append(HeaderCell(f.key, f.label, f"D{row}", f"E{row}:E{row}", row))
            row += 1
        else:
            out.append(HeaderCell(f.key, f.label, f"A{row}", f"B{row}:E{row}", row))
            row += 1
    return tuple(out)


HEADER_CELLS: tuple[HeaderCell, ...] = _header_cells()
HEADER_CELL_BY_KEY: dict[str, HeaderCell] = {h.key: h for h in HEADER_CELLS}
LONG_TEXT_KEYS: tuple[str, ...] = ("expenditure", "policy_basis", "overall_goal")

TABLE_HEADER_ROW = max(h.row for h in HEADER_CELLS) + 1          # 11
FIRST_DATA_ROW = TABLE_HEADER_ROW + 1                              # 12
TEMPLATE_DATA_ROWS = 40                                            # empty indicator rows in the template
SPARE_ROWS = 5                                                     # empty rows the writer leaves after inserting
BAND_COL = 1                                                       # "绩效指标" band (column A)
BAND_LABEL = "绩效指标"
INDICATOR_COLS: dict[str, int] = {"level1": 2, "level2": 3, "level3": 4, "value": 5}
INDICATOR_LABELS: dict[str, str] = dict(INDICATOR_COLUMNS)
PRINT_TITLE_ROWS = f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW}"
FREEZE_CELL = "A2"

# Import notes (Form.notes): a column right of the printed form, label on the title row, one note per cell below.
NOTES_COL = 7                                                      # column G
NOTES_LABEL = "导入说明"
NOTES_WIDTH = 60

# Hidden lists sheet.
VERSION_LABEL_CELL = "A1"
VERSION_CELL = "B1"
VERSION_LABEL = "模板版本"

# ---------------------------------------------------------------------------------------------------------------
# Defined names (ASCII, so VBA / xlwings / every Excel locale accept them)
# ---------------------------------------------------------------------------------------------------------------

NAME_PREFIX = "XL_"
TITLE_NAME = "XL_title"
TABLE_NAME = "XL_indicators"              # the indicator data rows, columns 一级..指标值
TABLE_HEADER_NAME = "XL_indicator_header"


def header_name(key: str) -> str:
    """Sheet-scoped defined name of a header value cell: ``XL_project_name``."""
    return f"{NAME_PREFIX}{key}"


_HEADER_NAMES: dict[str, str] = {key: header_name(key) for key in HEADER_KEYS}


# Workbook-scoped names on the hidden lists sheet.
VERSION_NAME = "XL_template_version"
FUND_TYPES_NAME = "XL_fund_types"
PROJECT_LEVELS_NAME = "XL_project_levels"
LEVEL1_NAME = "XL_level1"
DEPARTMENTS_NAME = "XL_departments"


def level2_name(index: int) -> str:
    """Workbook name of the 二级 list under the ``index``-th (1-based) 一级 of the taxonomy."""
    return f"XL_level2_{index}"


def level2_formula(level1_cell: str) -> str:
    """Dependent-dropdown source for 二级指标: the list named after the position of its 一级 in XL_level1."""
    return f'INDIRECT("XL_level2_"&MATCH({level1_cell},{LEVEL1_NAME},0))'


def safe_sheet_title(text: str, taken: set[str] | None = None) -> str:
    """A valid, unique sheet title from ``text`` (Excel forbids []:*?/\\ and more than 31 characters)."""
    base = _BAD_TITLE_CHARS.sub("", clean(text)).strip("'") or FORM_SHEET_TITLE
    base = base[:SHEET_TITLE_MAX]
    taken_keys = {t.casefold() for t in (taken or set())}
    title, n = base, 1
    while title.casefold() in taken_keys or title in RESERVED_SHEETS:
        n += 1
        suffix = f"({n})"
        title = base[:SHEET_TITLE_MAX - len(suffix)] + suffix
    return title


# ---------------------------------------------------------------------------------------------------------------
# The grid: one sheet's values, names and merges, whatever library read it
# ---------------------------------------------------------------------------------------------------------------

_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_OOXML_UNDERSCORE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def escape_ooxml(text: str) -> str:
    """Protect a literal ``_x0041_`` in cell text: Excel reads ``_xHHHH_`` as an escaped character."""
    return _OOXML_UNDERSCORE.sub("_x005F_", text)


def unescape_ooxml(text: str) -> str:
    """Decode ``_xHHHH_`` escapes the way Excel and calamine do (openpyxl leaves them as stored)."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def cell_text(value: Any) -> str:
    """A cell value as text, equal for openpyxl, calamine and xlwings (dates without a midnight time)."""
    if value.__class__ is str:          # most cells: clean() for a plain str, without its type tests
        if "<" in value:
            return clean(value)
        return value.replace("\r\n", "\n").strip()
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean(value)


@dataclass
class Grid:
    """The values of one sheet as rows (``rows[0][0]`` is the cell at ``origin``, 1-based (row, col)).

    ``names`` maps the defined names that point at this sheet to their cell/range ref (no sheet part);
    ``merged`` lists merged ranges as (min_row, min_col, max_row, max_col), 1-based.
    """

    rows: list[list[Any]]
    names: dict[str, str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    title: str | None = None
    origin: tuple[int, int] = (1, 1)
    hidden: bool = False

    def __post_init__(self) -> None:
        self._merge_top: dict[tuple[int, int], tuple[int, int]] = {}
        for r1, c1, r2, c2 in self.merged:
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
                continue
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self._merge_top[(r, c)] = (r1, c1)

    @property
    def max_row(self) -> int:
        return self.origin[0] + len(self.rows) - 1

    @property
    def max_col(self) -> int:
        width = max((len(r) for r in self.rows), default=0)
        return self.origin[1] + width - 1

    def value(self, row: int, col: int) -> Any:
        r, c = row - self.origin[0], col - self.origin[1]
        if r < 0 or c < 0 or r >= len(self.rows):
            return None
        line = self.rows[r]
        return line[c] if c < len(line) else None

    def text(self, row: int, col: int) -> str:
        # value() inlined: this runs for every cell of every form read.
        r, c = row - self.origin[0], col - self.origin[1]
        if r < 0 or c < 0 or r >= len(self.rows):
            return ""
        line = self.rows[r]
        return cell_text(line[c]) if c < len(line) else ""

    def merge_top(self, row: int, col: int) -> tuple[int, int] | None:
        """The top-left cell of the merged range holding (row, col), when it is not that cell itself."""
        return self._merge_top.get((row, col))

    @property
    def merge_tops(self) -> dict[tuple[int, int], tuple[int, int]]:
        """Every cell covered by a merged range (not its top-left) → that top-left cell. Read-only by contract."""
        return self._merge_top

    def merge_end_col(self, row: int, col: int) -> int:
        """The last column of the merged range starting at (row, col), else ``col``."""
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 == col:
                return c2
        return col


def grid_from_values(values: Any, *, names: dict[str, str] | None = None,
                     merged: list[tuple[int, int, int, int]] | None = None, title: str | None = None,
                     origin: tuple[int, int] = (1, 1)) -> Grid:
    """A Grid from a plain value block: ``list[list]`` (calamine rows, ``xlwings sheet.used_range.value``).

    xlwings gives a bare value for a 1x1 range and a flat list for a single row: both are accepted.
    """
    if values is None:
        rows: list[list[Any]] = []
    elif not isinstance(values, (list, tuple)):
        rows = [[values]]
    elif values and not isinstance(values[0], (list, tuple)):
        rows = [list(values)]
    else:
        rows = [list(r) for r in values]
    return Grid(rows=rows, names=dict(names or {}), merged=list(merged or []), title=title, origin=origin)


def names_for_sheet(title: str, sheet_names: dict[str, str], book_names: dict[str, str]) -> dict[str, str]:
    """The defined names that point at sheet ``title``: its sheet-scoped names, then workbook names on it.

    Values are full refs as stored (``'表'!$B$2``); the result maps name → ref without the sheet part.
    Refs that are errors (#REF!) or point at several areas are skipped.
    """
    out: dict[str, str] = {}
    for name, ref in book_names.items():
        sheet, cells = split_sheet_ref(ref)
        if sheet == title and _usable_ref(cells):
            out[name] = cells
    for name, ref in sheet_names.items():
        sheet, cells = split_sheet_ref(ref)
        if (sheet is None or sheet == title) and _usable_ref(cells):
            out[name] = cells
    return out


def _usable_ref(cells: str) -> bool:
    try:
        parse_range(cells)
    except ValueError:
        return False
    return "," not in cells


def grid_from_openpyxl(ws) -> Grid:
    """A Grid from an openpyxl worksheet (values as stored; formulas as cached when loaded with data_only)."""
    wb = ws.parent
    book_names = {}
    for name, dn in getattr(wb, "defined_names", {}).items():
        if dn.localSheetId is None and dn.attr_text:
            book_names[name] = dn.attr_text
    sheet_names = {name: dn.attr_text for name, dn in ws.defined_names.items() if dn.attr_text}
    merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    # Sized by the cells holding values, not by stray formatting (a styled cell at row 1048576); values
    # beyond the form area (a stray value in XFD1048576) are ignored, never allocated.
    from xl_tools.workbook.safety.limits import GRID_MAX_COLS, GRID_MAX_ROWS

    values: dict[tuple[int, int], Any] = {}
    max_r = max_c = 0
    for (r, c), cell in ws._cells.items():
        v = cell.value
        if v is None or v == "" or r > GRID_MAX_ROWS or c > GRID_MAX_COLS:
            continue
        if isinstance(v, str):
            v = unescape_ooxml(v)
        values[(r, c)] = v
        max_r, max_c = max(max_r, r), max(max_c, c)
    rows: list[list[Any]] = [[None] * max_c for _ in range(max_r)]
    for (r, c), v in values.items():
        rows[r - 1][c - 1] = v
    return Grid(rows=rows, names=names_for_sheet(ws.title, sheet_names, book_names), merged=merged,
                title=ws.title, hidden=ws.sheet_state != "visible")


def as_grid(obj: Any) -> Grid:
    """Accept a Grid, an openpyxl worksheet or a plain list of rows."""
    if isinstance(obj, Grid):
        return obj
    if hasattr(obj, "iter_rows") and hasattr(obj, "merged_cells"):
        return grid_from_openpyxl(obj)
    return grid_from_values(obj)


# ---------------------------------------------------------------------------------------------------------------
# Locating fields
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetLayout:
    """Where a sheet's fields are (1-based rows/columns; cells as A1 on the sheet)."""

    sheet: str | None
    title: str | None                       # A1 of the title cell, None when not found
    header: dict[str, str | None]           # header key → A1 of its value cell (None: label not found)
    header_row: int | None                  # row of 一级指标/二级指标/三级指标/指标值
    columns: dict[str, int]                 # level1/level2/level3/value → column
    first_row: int                          # first indicator data row
    last_row: int                           # last row of the table area (template capacity or last data row)
    data_rows: tuple[int, ...]              # rows holding indicators (repeated header rows skipped), trimmed
    notes_cell: str | None = None           # A1 of the 导入说明 label, None when absent
    by_name: frozenset[str] = frozenset()   # which parts were found through defined names

    @property
    def found(self) -> bool:
        return self.header_row is not None

    @property
    def capacity(self) -> int:
        return self.last_row - self.first_row + 1

    @property
    def is_template(self) -> bool:
        """True when the sheet carries the template's defined names for the table and every header field."""
        return "table" in self.by_name and all(k in self.by_name for k in HEADER_KEYS)


_LABEL_KEYS = {squash(f.label): f.key for f in HEADER_FIELDS}
_TABLE_KEYS = {squash(label): key for key, label in INDICATOR_COLUMNS}
_STOP_PREFIXES = tuple(squash(s) for s in ("填表说明", "填报说明", "备注", "注：", "说明：", NOTES_LABEL,
                                             "填表人", "填报人", "审核人", "联系人"))
_LABEL_TRIM = re.compile(r"^[*＊\s]+|[:：\s]+$")


def label_key(value: Any) -> str | None:
    """The header key a label cell names (``项目名称``, ``资金需求（万元）``, ``*预算年度：``), else None."""
    key = _LABEL_TRIM.sub("", squash(value))
    if not key:
        return None
    if key in _LABEL_KEYS:
        return _LABEL_KEYS[key]
    for label, hkey in _LABEL_KEYS.items():
        if key.startswith(label) and key[len(label):][:1] in ("(", "["):
            return hkey
    return None


def _table_key(value: Any) -> str | None:
    return _TABLE_KEYS.get(squash(value))


def find_table_header(grid: Grid, *, max_scan: int = 200) -> tuple[int, dict[str, int]] | None:
    """The first row holding 一级指标, 二级指标, 三级指标 and 指标值, with their columns."""
    last = min(grid.max_row, grid.origin[0] + max_scan)
    for row in range(grid.origin[0], last + 1):
        cols: dict[str, int] = {}
        for col in range(grid.origin[1], grid.max_col + 1):
            key = _table_key(grid.value(row, col))
            if key and key not in cols:
                cols[key] = col
        if len(cols) == len(INDICATOR_COLUMNS):
            return row, cols
    return None


def find_labels(grid: Grid, *, below: int | None = None) -> dict[str, tuple[int, int]]:
    """Header key → (row, col) of its label cell (first occurrence above row ``below``)."""
    found: dict[str, tuple[int, int]] = {}
    last = grid.max_row if below is None else min(grid.max_row, below - 1)
    for row in range(grid.origin[0], last + 1):
        for col in range(grid.origin[1], grid.max_col + 1):
            v = grid.value(row, col)
            if v is None or v == "":
                continue
            key = label_key(v)
            if key and key not in found:
                found[key] = (row, col)
    return found


def value_cell_right_of(grid: Grid, row: int, col: int) -> tuple[int, int]:
    """The value cell for a label at (row, col): the first filled cell to its right that is not another label,
    else the cell right after the label (after its merged range)."""
    start = grid.merge_end_col(row, col) + 1
    for c in range(start, grid.max_col + 1):
        if grid.merge_top(row, c):
            continue
        v = grid.value(row, c)
        if v is None or cell_text(v) == "":
            continue
        if label_key(v) is not None:
            break
        return row, c
    return row, start


def _find_title(grid: Grid, stop_row: int) -> tuple[int, int] | None:
    from xl_tools.domain.form import TITLE_PREFIX

    prefix = squash(TITLE_PREFIX)
    for row in range(grid.origin[0], min(stop_row, grid.max_row + 1)):
        for col in range(grid.origin[1], grid.max_col + 1):
            if squash(grid.value(row, col)).startswith(prefix):
                return row, col
    return None


_NOTES_KEY = squash(NOTES_LABEL)


def _find_notes(grid: Grid) -> tuple[int, int] | None:
    # The first six rows, row by row, straight from the row lists (cells past a row's end are blank).
    r0, c0 = grid.origin
    for i, line in enumerate(grid.rows[:6]):
        for j, value in enumerate(line):
            if value is not None and squash(value) == _NOTES_KEY:
                return r0 + i, c0 + j
    return None


def _is_repeated_header(grid: Grid, row: int, columns: dict[str, int]) -> bool:
    for key, col in columns.items():        # a data row fails on its first column: stop there
        if _table_key(grid.value(row, col)) != key:
            return False
    return True


def _row_text(grid: Grid, row: int, columns: dict[str, int]) -> bool:
    for col in columns.values():
        top = grid.merge_top(row, col)
        if top and top[1] == col:      # continuation of a vertical merge: not new content
            continue
        if grid.text(row, col):
            return True
    return False


def _is_stop_row(grid: Grid, row: int, columns: dict[str, int]) -> bool:
    for col in (BAND_COL, *columns.values()):
        text = squash(grid.value(row, col))
        if text and text.startswith(_STOP_PREFIXES):
            return True
    return False


def locate(sheet: Any) -> SheetLayout:
    """Find the fields of one sheet (openpyxl worksheet, Grid, or list of rows): names first, labels second."""
    grid = as_grid(sheet)
    names = grid.names
    by_name: set[str] = set()

    # Indicator table.
    header_row: int | None = None
    columns: dict[str, int] = {}
    first_row = last_row = 0
    table_ref = names.get(TABLE_NAME)
    if table_ref:
        r1, c1, r2, c2 = parse_range(table_ref)
        if c2 - c1 + 1 == len(INDICATOR_COLUMNS):
            columns = {key: c1 + i for i, (key, _) in enumerate(INDICATOR_COLUMNS)}
            header_row, first_row, last_row = r1 - 1, r1, r2
            by_name.add("table")
    if header_row is None:
        hit = find_table_header(grid)
        if hit:
            header_row, columns = hit
            first_row = header_row + 1
            last_row = header_row     # grown below from the data

    # Header fields.
    header: dict[str, str | None] = {k: None for k in HEADER_KEYS}
    for key in HEADER_KEYS:
        ref = names.get(_HEADER_NAMES[key])
        if ref:
            r, c, _, _ = parse_range(ref)
            header[key] = a1(r, c)
            by_name.add(key)
    missing = [k for k in HEADER_KEYS if header[k] is None]
    if missing:
        labels = find_labels(grid, below=header_row)
        for key in missing:
            if key in labels:
                header[key] = a1(*value_cell_right_of(grid, *labels[key]))

    # Title.
    title: str | None = None
    ref = names.get(TITLE_NAME)
    if ref:
        r, c, _, _ = parse_range(ref)
        title = a1(r, c)
        by_name.add("title")
    else:
        hit_title = _find_title(grid, header_row or grid.max_row + 1)
        if hit_title:
            title = a1(*hit_title)

    # Data rows: from the first data row down to the last row with content, stopping at a footer.
    data_rows: list[int] = []
    if header_row is not None:
        row = first_row
        end = grid.max_row
        first_key, first_col = next(iter(columns.items()))
        while row <= end:
            if row > last_row and _is_stop_row(grid, row, columns):
                break
            # A data row is told by its first column alone (what _is_repeated_header looks at first).
            value = grid.value(row, first_col)
            if value is None or _table_key(value) != first_key or not _is_repeated_header(grid, row, columns):
                data_rows.append(row)
            row += 1
        while data_rows and not _row_text(grid, data_rows[-1], columns):
            data_rows.pop()
        if "table" not in by_name:
            last_row = max(data_rows[-1] if data_rows else first_row, first_row)

    notes = _find_notes(grid)
    return SheetLayout(
        sheet=grid.title, title=title, header=header, header_row=header_row, columns=columns,
        first_row=first_row, last_row=last_row, data_rows=tuple(data_rows),
        notes_cell=a1(*notes) if notes else None, by_name=frozenset(by_name),
    )


def is_reserved_sheet(title: str | None) -> bool:
    """Sheets that are never forms: the hidden lists sheet, 校验结果 and the summary sheets."""
    return bool(title) and (title in RESERVED_SHEETS or title.startswith(RESULT_SHEET))


def is_form_layout(layout: SheetLayout) -> bool:
    """A located sheet is a form when the template names are there, or the table header and 3+ labels are."""
    if "table" in layout.by_name or "project_name" in layout.by_name:
        return True
    labels = sum(1 for v in layout.header.values() if v)
    return layout.found and labels >= 3


def is_form_sheet(sheet: Any, title: str | None = None) -> bool:
    """True when ``sheet`` (openpyxl worksheet, Grid or rows) is a 绩效目标表 sheet.

    Reserved sheets (hidden lists, 校验结果, 汇总表, 指标汇总, 定性指标) never are.
    """
    grid = as_grid(sheet)
    name = title if title is not None else grid.title
    if is_reserved_sheet(name):
        return False
    return is_form_layout(locate(grid))


# ---------------------------------------------------------------------------------------------------------------
# The hidden lists sheet: version in A1/B1, then one column per dropdown list (header in row 3, values below)
# ---------------------------------------------------------------------------------------------------------------

LISTS_HEADER_ROW = 3


@dataclass(frozen=True)
class ListColumn:
    """One dropdown list on the hidden sheet: its workbook name, header text, column and values."""

    name: str
    header: str
    col: int
    values: tuple[str, ...]

    @property
    def ref(self) -> str:
        first = LISTS_HEADER_ROW + 1
        last = first + max(len(self.values), 1) - 1
        return f"{col_letter(self.col)}{first}:{col_letter(self.col)}{last}"


def lists_plan() -> tuple[ListColumn, ...]:
    """The dropdown lists, from the domain data (taxonomy, fund types, project levels, the 21 cities)."""
    from xl_tools.domain.cities import cities
    from xl_tools.domain.form import FUND_TYPES, PROJECT_LEVELS
    from xl_tools.domain.taxonomy import taxonomy

    tax = taxonomy()
    plan = [
        ListColumn(FUND_TYPES_NAME, "资金类型", 1, FUND_TYPES),
        ListColumn(PROJECT_LEVELS_NAME, "项目等级", 2, PROJECT_LEVELS),
        ListColumn(DEPARTMENTS_NAME, "地方主管部门", 3, tuple(f"{c.full_name}市场监督管理局" for c in cities())),
        ListColumn(LEVEL1_NAME, "一级指标", 4, tax.level1_names),
    ]
    for i, l1 in enumerate(tax.level1, start=1):
        plan.append(ListColumn(level2_name(i), l1.name, 4 + i, l1.level2))
    return tuple(plan)
