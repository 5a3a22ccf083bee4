"""What 校验 marks on a workbook, independent of the library that applies them (openpyxl here, xlwings in the
add-in): from findings, the cell marks (fill colour + note text) and the rows of the ``校验结果`` sheet with
their hyperlink targets; and the record of each marked cell's original look, kept in a hidden sheet so the
marks can be cleared or replaced without doubling.

No Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xl_tools.rules.findings import SEVERITIES, SEVERITY_LABELS, Finding, sort_findings
from xl_tools.workbook.layout import RESULT_SHEET, quote_sheet

# Fill colours (RGB hex): Excel's own 差 (bad) red and 中性 (neutral) yellow, readable on screen and in print.
FILLS: dict[str, str] = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
# Dark text colours matching the fills, for the 级别 column of the result sheet.
FONT_COLOURS: dict[str, str] = {"error": "9C0006", "warning": "9C5700", "info": "1F4E78"}

MARKS_SHEET = RESULT_SHEET + "_原样"       # hidden: original fill and note of every marked cell
NOTE_AUTHOR = "xl-tools 校验"
NOTE_HEAD = "【校验】"                       # every note written by 校验 starts with this

RESULT_COLUMNS: tuple[str, ...] = ("序号", "级别", "问题", "地市", "工作表", "单元格", "字段", "说明", "建议值", "代码")
RESULT_WIDTHS: tuple[float, ...] = (5, 6, 20, 7, 10, 8, 24, 50, 18, 26)   # A4 landscape, one page wide
LINK_COLUMN = RESULT_COLUMNS.index("单元格")          # 0-based column holding the hyperlink
SEVERITY_COLUMN = RESULT_COLUMNS.index("级别")
NO_FINDINGS = "未发现问题：本工作簿的绩效目标表通过校验。"

MEMORY_COLUMNS: tuple[str, ...] = ("工作表", "单元格", "原填充", "原批注", "原批注作者")


@dataclass(frozen=True)
class CellMark:
    """One flagged cell: its fill colour (worst severity wins) and the note listing every finding on it."""

    sheet: str
    cell: str
    severity: str
    fill: str
    note: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ResultRow:
    """One row of the 校验结果 sheet; ``link`` is an internal hyperlink target like ``#'广州'!E22``."""

    values: tuple[object, ...]
    severity: str
    link: str | None


@dataclass(frozen=True)
class Original:
    """A marked cell's look before marking: ``fill`` is backend-encoded text ("" = none), ``note`` its comment."""

    sheet: str
    cell: str
    fill: str = ""
    note: str = ""
    note_author: str = ""

    def as_row(self) -> tuple[str, ...]:
        return (self.sheet, self.cell, self.fill, self.note, self.note_author)

    @classmethod
    def from_row(cls, row: Sequence[object]) -> "Original | None":
        cells = [("" if v is None else str(v)) for v in list(row) + [""] * len(MEMORY_COLUMNS)]
        if not cells[0] or not cells[1]:
            return None
        return cls(*cells[: len(MEMORY_COLUMNS)])


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def note_line(f: Finding) -> str:
    line = f"{f.severity_label}：{f.message}"
    if f.suggestion:
        line += f"\n  建议值：{f.suggestion}"
    return line


def cell_marks(findings: Iterable[Finding]) -> list[CellMark]:
    """One mark per flagged (sheet, cell), in sheet order; findings without a sheet or cell mark nothing."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in sort_findings(findings):
        if f.sheet and f.cell:
            groups.setdefault((f.sheet, f.cell), []).append(f)
    marks = []
    for (sheet, cell), found in groups.items():
        severity = min((f.severity for f in found), key=_rank)
        note = NOTE_HEAD + "\n".join(note_line(f) for f in found)
        marks.append(CellMark(sheet, cell, severity, FILLS.get(severity, FILLS["info"]), note,
                              tuple(f.code for f in found)))
    return marks


def is_own_note(text: str | None) -> bool:
    """True for a note written by 校验 (so it is replaced, never kept as the cell's original note)."""
    return bool(text) and text.lstrip().startswith(NOTE_HEAD)


def note_with_original(mark_note: str, original_note: str) -> str:
    """The note to write: the marks, then the user's own note kept below them."""
    if original_note and not is_own_note(original_note):
        return f"{mark_note}\n—— 原批注 ——\n{original_note}"
    return mark_note


def link_target(sheet: str | None, cell: str | None) -> str | None:
    """An internal hyperlink target ``#'sheet'!B3`` (the sheet's A1 when the finding has no cell)."""
    if not sheet:
        return None
    return f"#{quote_sheet(sheet)}!{cell or 'A1'}"


def result_rows(findings: Iterable[Finding]) -> list[ResultRow]:
    """The rows of the 校验结果 sheet (errors first), or one 未发现问题 row."""
    from xl_tools.rules.registry import RULES, load_rules

    load_rules()
    rows = []
    for i, f in enumerate(sort_findings(findings), start=1):
        rule = RULES.get(f.code)
        values = (i, f.severity_label, rule.title if rule else f.code, f.city or "", f.sheet or "",
                  f.cell or "（整表）", f.field, f.message, f.suggestion or "", f.code)
        rows.append(ResultRow(values, f.severity, link_target(f.sheet, f.cell)))
    if not rows:
        rows.append(ResultRow(("", "", NO_FINDINGS) + ("",) * (len(RESULT_COLUMNS) - 3), "", None))
    return rows


def summary_line(findings: Sequence[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    return f"{SEVERITY_LABELS['error']} {errors} 个，{SEVERITY_LABELS['warning']} {warnings} 个"
