"""Mark a copy of a workbook with openpyxl: flagged cells filled red/yellow with a note, a 校验结果 sheet
listing every finding with a link to its cell, and the cells' original look kept in a hidden sheet.

Annotating a marked copy first puts every previously marked cell back as it was, so marks never double.
What to mark comes from xl_tools.workbook.marks (shared with the xlwings binding).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xl_tools.errors import InputError
from xl_tools.rules.findings import Finding
from xl_tools.workbook import marks as M
from xl_tools.workbook.inputs import MARKED_STEM as _MARKED_STEM
from xl_tools.workbook.inputs import MARKED_SUFFIX
from xl_tools.workbook.layout import RESULT_SHEET

LINE_HEIGHT = 15                       # points per wrapped line of 校验结果's 11 pt text


def marked_copy_path(path: str | Path) -> Path:
    """Where the marked copy of ``path`` goes: ``广州.xlsx`` → ``广州.校验.xlsx``.

    A marked copy given again (``广州.校验.xlsx``) is not stacked (``.校验.校验``): its new copy is
    ``广州.校验(2).xlsx``, and a copy of that one is ``广州.校验.xlsx`` again — never the input itself.
    """
    from xl_tools.fileio import same_file

    p = Path(path)
    base = _MARKED_STEM.sub("", p.stem)
    target = p.with_name(f"{base}{MARKED_SUFFIX}{p.suffix}")
    if same_file(target, p):
        target = p.with_name(f"{base}{MARKED_SUFFIX}(2){p.suffix}")
    return target


# --------------------------------------------------------------------------------------------- fills and notes

def _encode_fill(fill) -> str:
    from openpyxl.xml.functions import tostring

    if fill is None or (getattr(fill, "tagname", "") == "patternFill" and fill.patternType is None):
        return ""
    return tostring(fill.to_tree()).decode("utf-8")


def _decode_fill(text: str):
    from openpyxl.styles import PatternFill
    from openpyxl.styles.fills import Fill
    from openpyxl.xml.functions import fromstring

    if not text:
        return PatternFill()
    try:
        return Fill.from_tree(fromstring(text.encode("utf-8")))
    except Exception:          # a memory row edited by hand: fall back to no fill
        return PatternFill()


def _top_left(ws, ref: str) -> str:
    """The cell to mark: the top-left cell of the merged range holding ``ref``, else ``ref``."""
    for rng in ws.merged_cells.ranges:
        if ref in rng:
            return rng.start_cell.coordinate
    return ref


def _note(text: str):
    from openpyxl.comments import Comment

    lines = sum(max(1, len(line) // 24 + 1) for line in text.split("\n"))
    return Comment(text, M.NOTE_AUTHOR, height=min(600, 24 + 16 * lines), width=340)


# --------------------------------------------------------------------------------------------- clear / apply

def read_originals(wb) -> list[M.Original]:
    if M.MARKS_SHEET not in wb.sheetnames:
        return []
    ws = wb[M.MARKS_SHEET]
    found = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        original = M.Original.from_row(row)
        if original:
            found.append(original)
    return found


def clear_marks(wb) -> int:
    """Put every cell marked by an earlier 校验 back as it was; drop 校验结果 and the memory sheet.

    Returns how many cells were restored.
    """
    restored = 0
    for original in read_originals(wb):
        if original.sheet not in wb.sheetnames:
            continue
        cell = wb[original.sheet][original.cell]
        cell.fill = _decode_fill(original.fill)
        if original.note:
            from openpyxl.comments import Comment

            cell.comment = Comment(original.note, original.note_author or "")
        else:
            cell.comment = None
        restored += 1
    for name in (M.MARKS_SHEET, RESULT_SHEET):
        if name in wb.sheetnames:
            del wb[name]
    # Notes of ours whose memory was lost (the hidden sheet deleted by hand) are removed too.
    # Only the cells the file holds are visited: iter_rows() would build the whole rectangle up to the
    # sheet's last used cell, and one value in XFD1048576 makes that 17 billion cells (MemoryError).
    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):
            if cell.comment is not None and M.is_own_note(cell.comment.text):
                cell.comment = None
    return restored


def apply_marks(wb, findings: Iterable[Finding], extra_rows: Iterable[M.ResultRow] = ()) -> list[M.CellMark]:
    """Fill and annotate every flagged cell (remembering its original look); add the 校验结果 sheet, with
    ``extra_rows`` (采纳建议's change list) below the findings."""
    from openpyxl.styles import PatternFill

    findings = list(findings)
    originals: list[M.Original] = []
    applied = []
    for mark in M.cell_marks(findings):
        if mark.sheet not in wb.sheetnames:
            continue
        ws = wb[mark.sheet]
        ref = _top_left(ws, mark.cell)
        cell = ws[ref]
        own = cell.comment is not None and M.is_own_note(cell.comment.text)
        old_note = "" if cell.comment is None or own else cell.comment.text
        old_author = "" if cell.comment is None or own else (cell.comment.author or "")
        originals.append(M.Original(mark.sheet, ref, _encode_fill(cell.fill), old_note, old_author))
        cell.fill = PatternFill("solid", fgColor="FF" + mark.fill, bgColor="FF" + mark.fill)
        cell.comment = _note(M.note_with_original(mark.note, old_note))
        applied.append(mark)
    _write_memory(wb, originals)
    _write_results(wb, findings, list(extra_rows))
    return applied


def _keep_text(cells) -> None:
    """A city's text starting with ``=`` (a 三级指标, a note) stays text: ws.append would make it a formula."""
    from xl_tools.workbook.celltext import write_text_cell

    for cell in cells:
        if cell.data_type == "f":
            write_text_cell(cell, cell.value)


def _write_memory(wb, originals: list[M.Original]) -> None:
    ws = wb.create_sheet(M.MARKS_SHEET)
    ws.sheet_state = "hidden"
    ws.append(list(M.MEMORY_COLUMNS))
    for original in originals:
        ws.append(list(original.as_row()))
        _keep_text(ws[ws.max_row])


def _write_results(wb, findings: list[Finding], extra_rows: list[M.ResultRow] = ()) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from xl_tools.workbook.addresses import col_letter
    from xl_tools.workbook.printsetup import fit_row_heights, print_one_page_wide

    ws = wb.create_sheet(RESULT_SHEET)
    ws.append(list(M.RESULT_COLUMNS))
    head_fill = PatternFill("solid", fgColor="FFD9E1F2")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(vertical="center", horizontal="center")
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(M.result_rows(findings) + list(extra_rows), start=2):
        ws.append(list(row.values))
        for cell in ws[r]:
            cell.alignment = wrap
        _keep_text(ws[r])
        if row.severity:
            sev = ws.cell(r, M.SEVERITY_COLUMN + 1)
            sev.fill = PatternFill("solid", fgColor="FF" + M.FILLS[row.severity])
            sev.font = Font(bold=True, color="FF" + M.FONT_COLOURS[row.severity])
        if row.link:
            link = ws.cell(r, M.LINK_COLUMN + 1)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=row.link.lstrip("#"),
                                       tooltip="跳转到该单元格")
            link.font = Font(color="FF0563C1", underline="single")
    for i, width in enumerate(M.RESULT_WIDTHS, start=1):
        ws.column_dimensions[col_letter(i)].width = width
    fit_row_heights(ws, 2, ws.max_row, line_height=LINE_HEIGHT)
    print_one_page_wide(ws, title_rows=(1, 1))      # A4 landscape, one page wide, header on every page
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{col_letter(len(M.RESULT_COLUMNS))}{ws.max_row}"
    # Open on the result list; exactly one selected tab (several would group the sheets in Excel).
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = wb.worksheets.index(ws)


# --------------------------------------------------------------------------------------------- files

def annotate_file(path: str | Path, findings: Iterable[Finding], output: str | Path | None = None) -> Path:
    """Write a marked copy of the workbook at ``path`` (default :func:`marked_copy_path`); never ``path``."""
    from xl_tools.fileio import refuse_input_overwrite
    from xl_tools.workbook.celltext import fit_long_cells
    from xl_tools.workbook.template import load_for_copy, save_workbook

    source = Path(path)
    target = Path(output) if output else marked_copy_path(source)
    refuse_input_overwrite(target, [source])
    if not source.is_file():
        raise InputError("文件不存在：请检查文件名和路径", path=str(source))
    wb = load_for_copy(source, "标记")
    clear_marks(wb)
    apply_marks(wb, findings)
    fit_long_cells(wb)          # a cell past Excel's 32,767 characters is cut, with a note (the input keeps it)
    return save_workbook(wb, target)
