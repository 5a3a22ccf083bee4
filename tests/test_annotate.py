"""Marked copies: red/yellow fills with notes, a 校验结果 sheet with internal links, original looks restored,
and marks that never double when a marked copy is marked again."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from fixtures_rules import base, hcell, rcell, set_value, with_rows
from xl_tools.errors import OutputError
from xl_tools.rules import Finding, validate_form
from xl_tools.workbook import marks as M
from xl_tools.workbook.annotate import annotate_file, marked_copy_path
from xl_tools.workbook.layout import RESULT_SHEET
from xl_tools.workbook.reader import read_forms
from xl_tools.jobs.validate import validate_files
from xl_tools.workbook.writer import write_forms

pytest_plugins = ("libreoffice",)

SHEET = "广州"
BLUE = "FF9BC2E6"


def _findings(path: Path) -> list[Finding]:
    return validate_files([path]).findings


def _annotate(path: Path) -> Path:
    return annotate_file(path, _findings(path))


def _looks(path: Path) -> dict[str, tuple]:
    """cell → (fill rgb or None, note text or None) for every cell of the form sheet."""
    ws = load_workbook(path)[SHEET]
    return {cell.coordinate: (cell.fill.fgColor.rgb if cell.fill.patternType == "solid" else None,
                              cell.comment.text if cell.comment else None)
            for row in ws.iter_rows() for cell in row}


def _marks_of(path: Path, original: Path | None = None) -> dict[str, tuple]:
    """The cells of ``path`` that look different from the unmarked ``original`` (default: the 广州.xlsx)."""
    original = original or path.with_name("广州.xlsx")
    before, after = _looks(original), _looks(path)
    return {ref: look for ref, look in after.items() if before.get(ref) != look}


def _results(path: Path) -> list[list]:
    ws = load_workbook(path)[RESULT_SHEET]
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.fixture()
def form_file(tmp_path: Path) -> Path:
    """广州: 预算年度 empty (error, B6), a vague value (warning), 1 without unit (warning); B6 has a user
    fill and a user note before any 校验."""
    path = tmp_path / "广州.xlsx"
    write_forms([with_rows(set_value(0, "1", set_value(5, "进一步提升")), budget_year="")], path)
    wb = load_workbook(path)
    cell = wb[SHEET][hcell("budget_year")]
    cell.fill = PatternFill("solid", fgColor=BLUE)
    cell.comment = Comment("请财务科确认年度", "张三")
    wb.save(path)
    return path


def test_marked_copy_path_never_stacks_and_never_is_the_input(tmp_path):
    assert marked_copy_path(tmp_path / "广州.xlsx") == tmp_path / "广州.校验.xlsx"
    assert marked_copy_path(tmp_path / "广州.校验.xlsx") == tmp_path / "广州.校验(2).xlsx"
    assert marked_copy_path(tmp_path / "广州.校验(2).xlsx") == tmp_path / "广州.校验.xlsx"
    assert marked_copy_path(tmp_path / "报表.xlsm") == tmp_path / "报表.校验.xlsm"


def test_refuses_to_write_over_its_input(form_file):
    with pytest.raises(OutputError):
        annotate_file(form_file, [], output=form_file)


def test_flagged_cells_are_filled_and_noted(form_file):
    before = form_file.read_bytes()
    marked = _annotate(form_file)
    assert marked.name == "广州.校验.xlsx" and form_file.read_bytes() == before
    marks = _marks_of(marked)
    fill, note = marks[hcell("budget_year")]
    assert fill == "FF" + M.FILLS["error"]
    assert note.startswith("【校验】错误：预算年度为空：请填写四位年份，如 2020")
    assert "—— 原批注 ——\n请财务科确认年度" in note          # the user's own note is kept below
    fill, note = marks[rcell(0, "value")]
    assert fill == "FF" + M.FILLS["warning"] and "建议值：1份?" in note
    fill, note = marks[rcell(5, "value")]
    assert fill == "FF" + M.FILLS["warning"] and "进一步提升" in note
    assert set(marks) == {hcell("budget_year"), rcell(0, "value"), rcell(5, "value")}


def test_result_sheet_lists_every_finding_with_an_internal_link(form_file):
    findings = _findings(form_file)
    marked = _annotate(form_file)
    wb = load_workbook(marked)
    assert wb.active.title == RESULT_SHEET
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [RESULT_SHEET]
    ws = wb[RESULT_SHEET]
    rows = list(ws.iter_rows(min_row=2))
    assert [c.value for c in ws[1]] == list(M.RESULT_COLUMNS)
    assert len(rows) == len(findings) == 3
    for row, finding in zip(rows, findings):
        values = {M.RESULT_COLUMNS[i]: c.value for i, c in enumerate(row)}
        assert (values["代码"], values["单元格"], values["说明"]) == (finding.code, finding.cell, finding.message)
        link = row[M.LINK_COLUMN].hyperlink
        assert link.location == f"'{SHEET}'!{finding.cell}" and not link.target
    assert [r[1].value for r in rows] == ["错误", "警告", "警告"]
    # Only internal links: no hyperlink relationship (external target) anywhere in the package.
    with zipfile.ZipFile(marked) as zf:
        rels = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".rels"))
    assert "relationships/hyperlink" not in rels


def test_result_sheet_prints_one_a4_page_wide_with_its_header_on_every_page(form_file):
    """校验结果 is set up for printing like the provincial workbook's: A4 landscape, one page wide, row 1
    repeated, the footer clear of the bottom margin, page numbers; rows tall enough for their wrapped 说明."""
    from xl_tools.workbook.annotate import LINE_HEIGHT
    from xl_tools.workbook.writer import estimate_lines

    ws = load_workbook(_annotate(form_file))[RESULT_SHEET]
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "landscape")              # 9: A4
    assert (setup.fitToWidth, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_margins.bottom - ws.page_margins.footer >= 0.25
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    notes = M.RESULT_COLUMNS.index("说明")
    width = ws.column_dimensions[get_column_letter(notes + 1)].width
    tall = 0
    for row in ws.iter_rows(min_row=2):
        lines = estimate_lines(row[notes].value, width)
        height = ws.row_dimensions[row[0].row].height
        assert lines == 1 and height is None or height >= lines * LINE_HEIGHT, (row[notes].value, height)
        tall += lines > 1
    assert tall, "no 说明 long enough to wrap: the row heights were not exercised"


def test_original_look_is_kept_in_a_hidden_sheet(form_file):
    wb = load_workbook(_annotate(form_file))
    memory = wb[M.MARKS_SHEET]
    assert memory.sheet_state == "hidden"
    rows = {r[1]: r for r in memory.iter_rows(min_row=2, values_only=True)}
    sheet, cell, fill, note, author = rows[hcell("budget_year")]
    assert (sheet, note, author) == (SHEET, "请财务科确认年度", "张三")
    assert BLUE[2:] in fill and M.FILLS["error"] not in fill


def test_marking_a_marked_copy_gives_the_same_marks_not_doubled(form_file):
    first = _annotate(form_file)
    second = _annotate(first)
    assert second.name == "广州.校验(2).xlsx"
    assert _marks_of(second) == _marks_of(first)
    assert _results(second) == _results(first)
    wb = load_workbook(second)
    assert wb.sheetnames.count(RESULT_SHEET) == 1 and wb.sheetnames.count(M.MARKS_SHEET) == 1
    memory_fill = {r[1]: r[2] for r in wb[M.MARKS_SHEET].iter_rows(min_row=2, values_only=True)}
    assert M.FILLS["error"] not in (memory_fill[hcell("budget_year")] or "")   # remembers blue, not our red
    note = wb[SHEET][hcell("budget_year")].comment.text
    assert note.count("【校验】") == 1 and note.count("原批注") == 1
    # And once more on the original: the same file, byte for byte.
    first_bytes = first.read_bytes()
    again = _annotate(form_file)
    assert again == first and again.read_bytes() == first_bytes


def test_fixed_cells_get_their_original_look_back(form_file):
    marked = _annotate(form_file)
    wb = load_workbook(marked)
    wb[SHEET][hcell("budget_year")] = "2020年"           # the user fixes the marked copy
    wb.save(marked)
    remarked = _annotate(marked)
    marks = _marks_of(remarked)
    assert _looks(remarked)[hcell("budget_year")] == (BLUE, "请财务科确认年度")
    assert set(marks) == {rcell(0, "value"), rcell(5, "value")}        # B6 looks as before marking
    assert [r[-1] for r in _results(remarked)[1:]] == ["value-without-unit", "vague-value"]


def test_a_clean_form_gets_no_marks_and_says_so(tmp_path):
    path = tmp_path / "广州.xlsx"
    write_forms([base()], path)
    marked = _annotate(path)
    assert _marks_of(marked) == {}
    assert _results(marked)[1][2] == M.NO_FINDINGS


def test_marked_copy_reads_back_as_the_same_forms(form_file):
    marked = _annotate(form_file)
    (original,) = read_forms(form_file)
    (copy,) = read_forms(marked)
    assert copy.header == original.header and copy.indicators == original.indicators
    assert validate_form(copy).flatten(["code", "cell"]) == validate_form(original).flatten(["code", "cell"])


# ----------------------------------------------------------------------------- backend-neutral marks

def _f(code: str, severity: str, cell: str | None, message: str, sheet: str = "O'Brien") -> Finding:
    return Finding(code, severity, "广州", sheet, cell, "字段", message, None)


def test_two_findings_on_one_cell_make_one_mark_of_the_worst_severity():
    marks = M.cell_marks([_f("vague-value", "warning", "E12", "甲：改"), _f("missing-value", "error", "E12", "乙：改"),
                          _f("missing-category", "error", None, "丙：改")])
    (mark,) = marks
    assert (mark.cell, mark.severity, mark.fill) == ("E12", "error", M.FILLS["error"])
    assert mark.note == "【校验】错误：乙：改\n警告：甲：改"


def test_result_rows_link_inside_the_workbook_and_quote_sheet_names():
    rows = M.result_rows([_f("missing-category", "error", None, "丙：改"), _f("vague-value", "warning", "E3", "甲：改")])
    assert [r.link for r in rows] == ["#'O''Brien'!A1", "#'O''Brien'!E3"]
    assert rows[0].values[M.LINK_COLUMN] == "（整表）"
    assert M.result_rows([])[0].values[2] == M.NO_FINDINGS


def test_marks_module_imports_no_excel_library():
    import subprocess
    import sys

    code = "import sys, xl_tools.workbook.marks; print('openpyxl' in sys.modules, 'xlwings' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"], done.stderr


# ----------------------------------------------------------------------------- a real spreadsheet program


@pytest.mark.libreoffice
def test_libreoffice_opens_the_marked_copy_with_marks_links_and_results(form_file, office):
    marked = _annotate(form_file)
    (saved,) = office.xlsx([marked])           # opened, recalculated and saved again by LibreOffice
    wb = load_workbook(saved)
    assert RESULT_SHEET in wb.sheetnames and wb[M.MARKS_SHEET].sheet_state == "hidden"
    cell = wb[SHEET][hcell("budget_year")]
    assert cell.fill.fgColor.rgb.endswith(M.FILLS["error"])
    assert cell.comment is not None and "预算年度为空" in cell.comment.text
    ws = wb[RESULT_SHEET]
    links = [c.hyperlink for c in ws[get_column_letter(M.LINK_COLUMN + 1)][1:]]
    assert [link.location for link in links] == \
        [f"'{SHEET}'!{c}" for c in (hcell("budget_year"), rcell(0, "value"), rcell(5, "value"))]
    assert [c.value for c in ws["J"][1:]] == ["missing-field", "value-without-unit", "vague-value"]
