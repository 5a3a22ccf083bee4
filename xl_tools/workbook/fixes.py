"""采纳建议: write every exact 建议值 (``Finding.fix_value``) into its cell, and undo it.

What to change is worked out here once, for both backends (openpyxl for ``xl-tools validate --fix``, xlwings for
the ribbon): :func:`plan_fixes` validates the forms, takes the exact suggestions, puts them into the forms in
memory and validates again until no exact suggestion is left (a value taken from a sentence may then be raised
to the 总体绩效目标 by goal-target-weaker), so applying the plan a second time changes nothing. Each changed cell
is remembered in the hidden sheet ``FIX_SHEET`` with its original value, fill and note — the same way 校验 keeps
the original look of the cells it marks — so 撤销采纳 restores values and looks. The change list is shown in
校验结果 below the findings (:func:`change_rows`).

The library-free part (plan, records, note and row texts) comes first; the openpyxl part imports openpyxl
inside its functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from xl_tools.domain.form import Form, Indicator, Located
from xl_tools.domain.text import clean
from xl_tools.rules.findings import Report, cell_position
from xl_tools.workbook.layout import RESULT_SHEET
from xl_tools.workbook.marks import ResultRow, RESULT_COLUMNS, link_target

FIX_SHEET = RESULT_SHEET + "_采纳"         # hidden; reserved like every sheet whose name starts with 校验结果
FIX_FILL = "C6EFCE"                        # Excel's 好 (good) green: not the red/yellow/blue of 校验's marks
NOTE_AUTHOR = "xl-tools 采纳建议"
NOTE_HEAD = "【采纳建议】"                  # every note written by 采纳建议 starts with this
FIX_LABEL = "已采纳"                        # the 级别 column of a change row in 校验结果
MAX_ROUNDS = 5                             # validate → take exact suggestions → validate …, at most this often

FIX_COLUMNS: tuple[str, ...] = ("工作表", "单元格", "原值", "新值", "代码", "地市", "字段", "原填充", "原批注",
                                "原批注作者")


@dataclass(frozen=True)
class Change:
    """One cell 采纳建议 changed: ``old`` is the cell's original value as the cell held it (a number stays a
    number), ``new`` the text written; ``fill``/``note``/``note_author`` its original look (backend-encoded fill,
    "" = none), as ``marks.Original`` keeps it."""

    sheet: str
    cell: str
    old: object
    new: str
    code: str
    city: str = ""
    field: str = ""
    fill: str = ""
    note: str = ""
    note_author: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.sheet, self.cell)

    @property
    def old_text(self) -> str:
        return clean(self.old)

    def as_row(self) -> tuple[object, ...]:
        return (self.sheet, self.cell, self.old, self.new, self.code, self.city, self.field, self.fill, self.note,
                self.note_author)

    @classmethod
    def from_row(cls, row: Sequence[object]) -> "Change | None":
        cells = list(row) + [None] * len(FIX_COLUMNS)
        sheet, cell = (clean(v) for v in cells[:2])
        if not sheet or not cell:
            return None
        old = None if cells[2] == "" else cells[2]
        texts = [("" if v is None else str(v)) for v in cells[3:len(FIX_COLUMNS)]]
        return cls(sheet, cell, old, *texts)


@dataclass
class FixPlan:
    """What 采纳建议 does to a workbook's forms: the cells to change (in sheet order), the forms as they will read
    after it, their 校验 report, and the report before."""

    changes: list[Change]
    forms: list[Form]
    report: Report
    before: Report


# --------------------------------------------------------------------------------------------- plan

def located_at(forms: Iterable[Form], sheet: str, cell: str) -> Located | None:
    """The Located a form read from ``sheet``!``cell`` (header field or indicator column), else None."""
    for form in forms:
        if form.sheet != sheet:
            continue
        for at in form.header.values():
            if at.cell == cell:
                return at
        for ind in form.indicators:
            for at in (ind.level1, ind.level2, ind.level3, ind.value):
                if at.cell == cell:
                    return at
    return None


def with_values(form: Form, values: dict[str, str]) -> Form:
    """``form`` as it reads once the cells ``values`` names (A1 → text) hold those texts."""
    if not values:
        return form

    def put(at: Located) -> Located:
        return Located(values[at.cell], at.cell) if at.cell in values else at

    header = {k: put(at) for k, at in form.header.items()}
    indicators = tuple(Indicator(put(i.level1), put(i.level2), put(i.level3), put(i.value)) for i in form.indicators)
    return replace(form, header=header, indicators=indicators)


def plan_fixes(forms: Sequence[Form], rounds: int = MAX_ROUNDS) -> FixPlan:
    """The exact suggestions of ``forms``' findings, taken until none is left (see the module docstring)."""
    from xl_tools.rules import validate_forms

    current = list(forms)
    before = report = validate_forms(current)
    changes: dict[tuple[str, str], Change] = {}
    for _ in range(rounds):
        todo: dict[tuple[str, str], Change] = {}
        for f in report.findings:                        # errors first: the first suggestion for a cell wins
            value = f.fix_value
            if value is None or (f.sheet, f.cell) in todo:
                continue
            at = located_at(current, f.sheet, f.cell)
            new = clean(value)
            if at is None or at.text == new:
                continue
            first = changes.get((f.sheet, f.cell))
            todo[(f.sheet, f.cell)] = Change(f.sheet, f.cell, first.old if first else at.text, new, f.code,
                                             f.city or "", f.field)
        if not todo:
            break
        changes.update(todo)
        current = [with_values(form, {c: ch.new for (s, c), ch in todo.items() if s == form.sheet})
                   for form in current]
        report = validate_forms(current)
    order = sorted(changes.values(), key=lambda ch: (ch.sheet, cell_position(ch.cell)))
    return FixPlan(order, current, report, before)


def merge_changes(previous: Iterable[Change], new: Iterable[Change]) -> list[Change]:
    """The memory after another 采纳建议: a cell changed before keeps its first original value and look."""
    merged = {ch.key: ch for ch in previous}
    for ch in new:
        first = merged.get(ch.key)
        merged[ch.key] = ch if first is None else replace(ch, old=first.old, fill=first.fill, note=first.note,
                                                            note_author=first.note_author)
    return sorted(merged.values(), key=lambda ch: (ch.sheet, cell_position(ch.cell)))


# --------------------------------------------------------------------------------------------- texts

def is_fix_note(text: object) -> bool:
    return isinstance(text, str) and text.lstrip().startswith(NOTE_HEAD)


def _rule_title(code: str) -> str:
    from xl_tools.rules.registry import load_rules

    rule = load_rules().get(code)
    return rule.title if rule else code


def fix_note(change: Change) -> str:
    """The note of a changed cell: old → new, why, how to undo; the user's own note kept below."""
    text = (f"{NOTE_HEAD}原值：{change.old_text or '（空）'} → 新值：{change.new}\n"
            f"依据：{_rule_title(change.code)}（{change.code}）\n"
            "要恢复原值，请点“绩效目标”选项卡的“撤销采纳”。")
    if change.note:
        text += f"\n—— 原批注 ——\n{change.note}"
    return text


def change_line(change: Change) -> str:
    """One line for the terminal: ``广州!E19  “…”：“…” → “≥1个”（指标值是一句话）``."""
    return (f"{change.sheet}!{change.cell}  {change.field}：“{change.old_text}” → “{change.new}”"
            f"（{_rule_title(change.code)}）")


def change_rows(changes: Sequence[Change]) -> list[ResultRow]:
    """The rows listing the changes, for 校验结果 below the findings (none without changes)."""
    if not changes:
        return []
    blank = ("",) * len(RESULT_COLUMNS)
    head = ("", "", f"已采纳的建议（{len(changes)} 处）", "", "", "", "",
            "下列单元格已改为建议值，改动的单元格标为绿色，批注中写明原值；要恢复原值，请点“撤销采纳”", "", "")
    rows = [ResultRow(blank, "", None), ResultRow(head, "", None)]
    for i, ch in enumerate(changes, start=1):
        values = (i, FIX_LABEL, _rule_title(ch.code), ch.city, ch.sheet, ch.cell, ch.field,
                  f"原值：{ch.old_text or '（空）'} → 新值：{ch.new}", ch.new, ch.code)
        rows.append(ResultRow(values, "", link_target(ch.sheet, ch.cell)))
    return rows


# --------------------------------------------------------------------------------------------- openpyxl

def read_changes(wb) -> list[Change]:
    """The changes an earlier 采纳建议 remembered in ``wb`` (openpyxl), in order."""
    if FIX_SHEET not in wb.sheetnames:
        return []
    found = []
    for row in wb[FIX_SHEET].iter_rows(min_row=2, values_only=True):
        change = Change.from_row(row)
        if change:
            found.append(change)
    return found


def _note(text: str, author: str):
    from openpyxl.comments import Comment

    lines = sum(max(1, len(line) // 24 + 1) for line in text.split("\n"))
    return Comment(text, author, height=min(600, 24 + 16 * lines), width=340)


def _write_memory(wb, changes: list[Change]) -> None:
    from xl_tools.workbook.annotate import _keep_text

    if FIX_SHEET in wb.sheetnames:
        del wb[FIX_SHEET]
    if not changes:
        return
    ws = wb.create_sheet(FIX_SHEET)
    ws.sheet_state = "hidden"
    ws.append(list(FIX_COLUMNS))
    for change in changes:
        ws.append(list(change.as_row()))
        _keep_text(ws[ws.max_row])


def apply_fixes(wb, planned: Iterable[Change]) -> list[Change]:
    """Write the planned changes into ``wb`` (openpyxl, its 校验 marks cleared first): value, green fill, note;
    remember each cell's original value and look. Returns the changes as remembered (all so far)."""
    from openpyxl.styles import PatternFill

    from xl_tools.workbook.annotate import _encode_fill, _top_left
    from xl_tools.workbook.writer import set_text

    previous = read_changes(wb)
    seen = {ch.key for ch in previous}
    captured, cells = [], []
    for change in planned:
        if change.sheet not in wb.sheetnames:
            continue
        ws = wb[change.sheet]
        cell = ws[_top_left(ws, change.cell)]
        if change.key not in seen:                   # a cell changed before keeps its first original (merge_changes)
            comment = cell.comment
            own = comment is not None and is_fix_note(comment.text)
            change = replace(change, old=cell.value, fill=_encode_fill(cell.fill),
                             note="" if comment is None or own else comment.text,
                             note_author="" if comment is None or own else (comment.author or ""))
        captured.append(change)
        cells.append(cell)
    merged = merge_changes(previous, captured)
    remembered = {ch.key: ch for ch in merged}
    for change, cell in zip(captured, cells):
        set_text(cell, change.new)
        cell.fill = PatternFill("solid", fgColor="FF" + FIX_FILL, bgColor="FF" + FIX_FILL)
        cell.comment = _note(fix_note(remembered[change.key]), NOTE_AUTHOR)
    _write_memory(wb, merged)
    return merged


def undo_fixes(wb) -> tuple[list[Change], list[Change]]:
    """撤销采纳 on ``wb`` (openpyxl): clear 校验's marks, put every changed cell's value and look back, drop the
    memory. A cell edited since (no longer holding the new value) keeps the user's value; only its look is
    restored. Returns (restored, kept)."""
    from openpyxl.comments import Comment

    from xl_tools.workbook.annotate import _decode_fill, _top_left, clear_marks
    from xl_tools.workbook.celltext import write_text_cell

    changes = read_changes(wb)
    clear_marks(wb)
    restored, kept = [], []
    for change in changes:
        if change.sheet not in wb.sheetnames:
            continue
        ws = wb[change.sheet]
        cell = ws[_top_left(ws, change.cell)]
        if clean(cell.value) == change.new:
            write_text_cell(cell, change.old)
            restored.append(change)
        else:
            kept.append(change)
        cell.fill = _decode_fill(change.fill)
        cell.comment = Comment(change.note, change.note_author) if change.note else None
    _write_memory(wb, [])
    return restored, kept


def fix_workbook(wb, forms: Sequence[Form], plan: FixPlan | None = None) -> tuple[FixPlan, list[Change]]:
    """采纳建议 on an openpyxl workbook whose forms are ``forms`` (``plan``: their plan, when already made): old
    marks cleared, the plan applied, the result re-validated and marked, the changes listed in 校验结果.
    Returns the plan and every change remembered."""
    from xl_tools.workbook.annotate import apply_marks, clear_marks

    plan = plan if plan is not None else plan_fixes(forms)
    clear_marks(wb)
    remembered = apply_fixes(wb, plan.changes)
    apply_marks(wb, plan.report.findings, extra_rows=change_rows(remembered))
    return plan, remembered


__all__ = ["Change", "FixPlan", "FIX_SHEET", "FIX_FILL", "FIX_COLUMNS", "NOTE_HEAD", "plan_fixes", "with_values",
           "located_at", "merge_changes", "fix_note", "change_rows", "change_line", "is_fix_note", "read_changes",
           "apply_fixes", "undo_fixes", "fix_workbook"]
