"""校验's marks on an open workbook through xlwings: fills, notes, the 校验结果 sheet and the memory sheet.

What to mark comes from ``xl_tools.workbook.marks`` (shared with ``xl-tools validate --annotate``); this
module only applies it with xlwings. Formats cannot be read back reliably (the remote engine refuses, and a
marked cell's fill is ours, not the user's), so every marked cell's original look is kept in the hidden
memory sheet ``marks.MARKS_SHEET`` in the same format the openpyxl annotator writes: a workbook marked by
the CLI can be cleared in Excel and the other way round.

- ``apply_marks(book, findings)``: first put back every cell the memory lists that is no longer flagged, then
  mark the flagged cells (keeping the original look already remembered for cells marked before), rewrite the
  memory and the 校验结果 sheet. A second click therefore never doubles a mark, and a fixed cell is unmarked.
- ``clear_marks(book)``: put every remembered cell back, delete 校验结果 and the memory sheet.

Values are never written on form sheets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from xl_tools.excel import book_sheets as S

_SOLID = re.compile(r'patternType="solid"')
_RGB = re.compile(r'<fgColor[^>]*\brgb="([0-9A-Fa-f]{8})"')


# --------------------------------------------------------------------------------------------- fill encoding

def encode_fill(rgb: tuple[int, int, int] | None) -> str:
    """A cell colour in the memory sheet's format (the openpyxl fill XML the annotator writes; "" = none)."""
    if rgb is None:
        return ""
    r, g, b = (int(x) for x in rgb[:3])
    return f'<fill><patternFill patternType="solid"><fgColor rgb="FF{r:02X}{g:02X}{b:02X}" /></patternFill></fill>'


def decode_fill(text: str) -> str | None:
    """``#RRGGBB`` of a remembered solid fill; None for no fill (or a fill xlwings cannot set: theme, pattern)."""
    if not text or not _SOLID.search(text):
        return None
    m = _RGB.search(text)
    return "#" + m.group(1)[-6:].upper() if m else None


def read_fill(rng) -> str:
    """The cell's current fill, encoded; "" when it has none or the engine cannot tell (remote)."""
    try:
        return encode_fill(rng.color)
    except NotImplementedError:
        return ""


# --------------------------------------------------------------------------------------------- notes

UNREADABLE = object()


def note_text(rng):
    """The cell's note text, None without a note, UNREADABLE when the engine cannot read it (remote)."""
    note = rng.note
    if note is None:
        return None
    try:
        return note.text
    except NotImplementedError:
        return UNREADABLE


def delete_note(rng) -> None:
    note = rng.note
    if note is not None:
        note.delete()


# --------------------------------------------------------------------------------------------- memory sheet

def read_memory(book) -> list:
    """The originals remembered by an earlier 校验 (CLI or add-in), in order."""
    from xl_tools.workbook import marks as M

    sheet = S.find_sheet(book, M.MARKS_SHEET)
    if sheet is None:
        return []
    from xl_tools.excel.book_reader import sheet_values

    found = []
    for row in sheet_values(sheet)[1:]:
        original = M.Original.from_row([_as_text(v) for v in row])
        if original:
            found.append(original)
    return found


def _as_text(value) -> str:
    from xl_tools.domain.text import clean

    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return clean(value)


def write_memory(book, originals: list) -> None:
    from xl_tools.workbook import marks as M

    existed = S.find_sheet(book, M.MARKS_SHEET) is not None
    sheet = S.fresh_sheet(book, M.MARKS_SHEET)
    rows = [list(M.MEMORY_COLUMNS)] + [list(o.as_row()) for o in originals]
    S.write_rows(sheet, rows)
    if not existed:
        sheet.visible = False


# --------------------------------------------------------------------------------------------- marks

@dataclass
class MarkOutcome:
    """What a 校验 click did to the workbook (for tests and the log)."""

    marked: list = field(default_factory=list)          # CellMark applied
    restored: list = field(default_factory=list)        # (sheet, cell) put back because no longer flagged
    notes_skipped: list = field(default_factory=list)   # (sheet, cell) whose foreign note could not be read
    missing_sheets: list = field(default_factory=list)  # remembered/flagged sheets no longer in the book


def _cell(book, sheet_name: str, cell: str):
    sheet = S.find_sheet(book, sheet_name)
    if sheet is None:
        return None
    rng = sheet.range(cell)
    try:                                   # a merged cell is marked on its top-left cell, as the annotator does
        if rng.merge_cells:
            rng = rng.merge_area[0, 0]
    except NotImplementedError:
        pass
    return rng


def _restore(rng, original) -> None:
    """Put a marked cell back: its fill, and its own note instead of ours (校验's or 采纳建议's)."""
    from xl_tools.workbook import marks as M
    from xl_tools.workbook.fixes import is_fix_note

    rng.color = decode_fill(original.fill)
    text = note_text(rng)
    if text is not None and (text is UNREADABLE or M.is_own_note(text) or is_fix_note(text) or original.note):
        delete_note(rng)
    if original.note:
        rng.add_note(original.note)


def _sheets(book, names) -> list:
    found = []
    for name in dict.fromkeys(names):
        sheet = S.find_sheet(book, name)
        if sheet is not None:
            found.append(sheet)
    return found


def apply_marks(book, findings: Iterable, looks: Iterable = (), extra_rows: Iterable = ()) -> MarkOutcome:
    """Replace the previous marks by the marks of ``findings``; rewrite 校验结果 (with ``extra_rows`` below the
    findings) and the memory sheet. ``looks`` (marks.Original) override what the memory says a cell looks
    like without marks: 采纳建议 changed those cells' look (values and looks cannot be read back remotely)."""
    from xl_tools.excel.protection import unprotected
    from xl_tools.workbook import marks as M

    findings = list(findings)
    outcome = MarkOutcome()
    previous = {(o.sheet, o.cell): o for o in read_memory(book)}
    previous.update({(o.sheet, o.cell): o for o in looks})
    marks = M.cell_marks(findings)
    touched = _sheets(book, [k[0] for k in previous] + [m.sheet for m in marks])
    with unprotected(touched):
        originals = _mark(book, previous, marks, outcome)
    write_memory(book, originals)
    write_results(book, findings, list(extra_rows))
    return outcome


def _mark(book, previous: dict, marks: list, outcome: MarkOutcome) -> list:
    from xl_tools.workbook import marks as M

    flagged = {(m.sheet, m.cell) for m in marks}
    for key, original in previous.items():
        if key in flagged:
            continue
        rng = _cell(book, *key)
        if rng is None:
            outcome.missing_sheets.append(key[0])
            continue
        _restore(rng, original)
        outcome.restored.append(key)

    originals = []
    for mark in marks:
        rng = _cell(book, mark.sheet, mark.cell)
        if rng is None:
            outcome.missing_sheets.append(mark.sheet)
            continue
        key = (mark.sheet, mark.cell)
        text = note_text(rng)
        if key in previous:
            original = previous[key]                      # the look before the first 校验, not our red
            if text is not None:
                delete_note(rng)
            write_note = True
        else:
            own = isinstance(text, str) and M.is_own_note(text)
            foreign = "" if text is None or own else text
            original = M.Original(mark.sheet, mark.cell, read_fill(rng),
                                  "" if foreign is UNREADABLE else foreign, "")
            write_note = foreign is not UNREADABLE
            if text is not None and write_note:
                delete_note(rng)
            if not write_note:
                outcome.notes_skipped.append(key)
        rng.color = "#" + mark.fill
        if write_note:
            rng.add_note(M.note_with_original(mark.note, original.note))
        originals.append(original)
        outcome.marked.append(mark)
    return originals


def clear_marks(book) -> MarkOutcome:
    """Put back every remembered cell; delete the memory sheet and 校验's 校验结果; drop stray notes of ours."""
    from xl_tools.workbook import marks as M
    from xl_tools.workbook.layout import RESULT_SHEET

    from xl_tools.excel.protection import unprotected

    outcome = MarkOutcome()
    memory = read_memory(book)
    sheets = list(book.sheets)
    with unprotected(_sheets(book, [o.sheet for o in memory])):
        for original in memory:
            rng = _cell(book, original.sheet, original.cell)
            if rng is None:
                outcome.missing_sheets.append(original.sheet)
                continue
            _restore(rng, original)
            outcome.restored.append((original.sheet, original.cell))
    for sheet in sheets:
        own = []
        for note in list(sheet.notes):
            try:
                text = note.text
            except NotImplementedError:
                continue
            if M.is_own_note(text):
                own.append(note)
        if own:
            with unprotected([sheet]):
                for note in own:
                    note.delete()
    if S.delete_sheet(book, M.MARKS_SHEET):
        # Only a 校验结果 that 校验 wrote goes (the memory sheet says so); a consolidated workbook's own
        # 校验结果 (written by 汇总 / 生成汇总表) stays.
        S.delete_sheet(book, RESULT_SHEET)
    return outcome


# --------------------------------------------------------------------------------------------- 校验结果

LINK_TIP = "单击跳转到该单元格"
HEAD_FILL = "#D9E1F2"
LINK_FONT = "#0563C1"


def write_results(book, findings: list, extra_rows: list = ()) -> object:
    """(Re)write the 校验结果 sheet: one row per finding, a hyperlink to its cell, errors first."""
    from xl_tools.workbook import marks as M
    from xl_tools.workbook.layout import RESULT_SHEET

    sheet = S.fresh_sheet(book, RESULT_SHEET)
    rows = M.result_rows(findings) + list(extra_rows)
    S.write_rows(sheet, [list(M.RESULT_COLUMNS)] + [list(r.values) for r in rows])
    width = len(M.RESULT_COLUMNS)
    head = sheet.range((1, 1)).resize(1, width)
    head.font.bold = True
    head.color = HEAD_FILL
    body = sheet.range((2, 1)).resize(len(rows), width)
    body.wrap_text = True
    for i, row in enumerate(rows, start=2):
        if row.severity:
            level = sheet.range((i, M.SEVERITY_COLUMN + 1))
            level.color = "#" + M.FILLS[row.severity]
            level.font.bold = True
            level.font.color = "#" + M.FONT_COLOURS[row.severity]
        if row.link:
            link = sheet.range((i, M.LINK_COLUMN + 1))
            link.add_hyperlink(row.link, str(row.values[M.LINK_COLUMN]), LINK_TIP)
    S.set_column_widths(sheet, M.RESULT_WIDTHS)
    return sheet
