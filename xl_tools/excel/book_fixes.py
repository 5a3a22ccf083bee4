"""采纳建议 and 撤销采纳 on an open workbook through xlwings.

What to change, the notes and the change list come from ``xl_tools.workbook.fixes`` (shared with
``xl-tools validate --fix``); this module only writes them with xlwings. The remote engine cannot read back what
a click wrote, so a click reads everything first (forms, the memory sheets, the cells' current looks) and then
writes: the values, the memory sheet ``fixes.FIX_SHEET`` (same format as the CLI's, so either side can undo the
other's), and — through ``book_marks.apply_marks`` — the marks of the re-validated forms, the cells' fix look
(green, note 原值 → 新值) where no finding is left on them, and 校验结果 with the change list below.

Importing this module imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass
class FixOutcome:
    """What a click did: the changes it made (or restored), the cells it left alone, the re-validated report."""

    changes: list = field(default_factory=list)
    kept: list = field(default_factory=list)          # 撤销采纳: cells the user changed since (value kept)
    report: object = None
    marks: object = None                              # book_marks.MarkOutcome


def read_fix_memory(book) -> list:
    """The changes an earlier 采纳建议 (CLI or add-in) remembered, in order."""
    from xl_tools.excel import book_sheets as S
    from xl_tools.excel.book_reader import sheet_values
    from xl_tools.workbook import fixes as F

    sheet = S.find_sheet(book, F.FIX_SHEET)
    if sheet is None:
        return []
    found = []
    for row in sheet_values(sheet)[1:]:
        change = F.Change.from_row(row)
        if change:
            found.append(change)
    return found


def _write_fix_memory(book, changes: list) -> None:
    from xl_tools.excel import book_sheets as S
    from xl_tools.workbook import fixes as F

    if not changes:
        S.delete_sheet(book, F.FIX_SHEET)
        return
    existed = S.find_sheet(book, F.FIX_SHEET) is not None
    sheet = S.fresh_sheet(book, F.FIX_SHEET)
    S.write_rows(sheet, [list(F.FIX_COLUMNS)] + [list(ch.as_row()) for ch in changes])
    if not existed:
        sheet.visible = False


def _original_look(rng, key, marked: dict) -> tuple[str, str]:
    """(fill, note) of the cell before any mark: from 校验's memory when it marked the cell, else as it is now."""
    from xl_tools.excel.book_marks import UNREADABLE, note_text, read_fill
    from xl_tools.workbook import fixes as F
    from xl_tools.workbook import marks as M

    if key in marked:
        return marked[key].fill, marked[key].note
    text = note_text(rng)
    own = text is None or text is UNREADABLE or M.is_own_note(text) or F.is_fix_note(text)
    return read_fill(rng), "" if own else text


def _fix_look(change):
    """What the marks layer puts back on a changed cell that has no finding left: green, note 原值 → 新值."""
    from xl_tools.excel.book_marks import encode_fill
    from xl_tools.workbook import fixes as F
    from xl_tools.workbook import marks as M

    rgb = tuple(int(F.FIX_FILL[i:i + 2], 16) for i in (0, 2, 4))
    return M.Original(change.sheet, change.cell, encode_fill(rgb), F.fix_note(change), F.NOTE_AUTHOR)


def apply_fixes(book) -> FixOutcome:
    """采纳建议: write every exact 建议值, remember the originals, re-validate and mark, list the changes."""
    from xl_tools.excel.book_marks import _cell, _sheets, apply_marks, read_memory
    from xl_tools.excel.book_reader import read_book_forms
    from xl_tools.excel.book_sheets import as_cell_value
    from xl_tools.excel.protection import unprotected
    from xl_tools.workbook import fixes as F

    plan = F.plan_fixes(read_book_forms(book))
    outcome = FixOutcome(report=plan.report)
    if not plan.changes:
        outcome.report = plan.before
        return outcome
    marked = {(o.sheet, o.cell): o for o in read_memory(book)}
    previous = {ch.key: ch for ch in read_fix_memory(book)}
    cells = [(change, _cell(book, change.sheet, change.cell)) for change in plan.changes]
    captured = []
    for change, rng in cells:                          # read every original before the first write
        if rng is None:
            continue
        if change.key not in previous:                 # a cell changed before keeps its first original (merge_changes)
            fill, note = _original_look(rng, change.key, marked)
            change = replace(change, old=rng.value, fill=fill, note=note)
        captured.append(change)
    with unprotected(_sheets(book, [ch.sheet for ch in captured])):
        for change in captured:
            _cell(book, change.sheet, change.cell).value = as_cell_value(change.new)
    remembered = F.merge_changes(previous.values(), captured)
    _write_fix_memory(book, remembered)
    first = {ch.key: ch for ch in remembered}
    outcome.changes = [first[ch.key] for ch in captured]
    outcome.marks = apply_marks(book, plan.report.findings, looks=[_fix_look(ch) for ch in remembered],
                                extra_rows=F.change_rows(remembered))
    return outcome


def undo_fixes(book) -> FixOutcome:
    """撤销采纳: every changed cell gets its original value and look back (a cell the user changed since keeps the
    user's value), the memory goes, and the workbook is validated and marked again as it now reads."""
    from xl_tools.domain.text import clean
    from xl_tools.excel.book_marks import _cell, _sheets, apply_marks
    from xl_tools.excel.book_reader import read_book_forms
    from xl_tools.excel.book_sheets import as_cell_value
    from xl_tools.excel.protection import unprotected
    from xl_tools.rules import validate_forms
    from xl_tools.workbook import fixes as F
    from xl_tools.workbook import marks as M

    memory = read_fix_memory(book)
    outcome = FixOutcome()
    if not memory:
        return outcome
    forms = read_book_forms(book)
    present = [(ch, _cell(book, ch.sheet, ch.cell)) for ch in memory]
    present = [(ch, rng) for ch, rng in present if rng is not None]
    for change, rng in present:
        (outcome.changes if clean(rng.value) == change.new else outcome.kept).append(change)
    with unprotected(_sheets(book, [ch.sheet for ch in outcome.changes])):
        for change in outcome.changes:
            _cell(book, change.sheet, change.cell).value = as_cell_value(change.old)
    _write_fix_memory(book, [])
    restored = [F.with_values(form, {ch.cell: ch.old_text for ch in outcome.changes if ch.sheet == form.sheet})
                for form in forms]
    outcome.report = validate_forms(restored)
    looks = [M.Original(ch.sheet, ch.cell, ch.fill, ch.note, ch.note_author) for ch, _ in present]
    outcome.marks = apply_marks(book, outcome.report.findings, looks=looks)
    return outcome
