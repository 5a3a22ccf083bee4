"""Our package writer (``xl_tools.workbook.serialise``) writes exactly what openpyxl's own ExcelWriter writes.

Every part of every package is compared byte for byte: the template, the provincial workbook of the seed cities,
a city workbook read back, and a workbook of every kind of cell openpyxl can hold (the ones the fast path writes
as text and the ones it leaves to openpyxl).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hostile_fixtures import seed_inputs_folder
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from xl_tools.workbook import serialise

_WHEN = datetime.datetime(2020, 1, 1)


def _parts(wb, *, ours: bool) -> list[tuple[str, bytes]]:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
        if ours:
            serialise.write_package(wb, archive)
        else:
            ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(raw) as done:
        return [(info.filename, done.read(info.filename)) for info in done.infolist()]


def _same_package(make) -> list[tuple[str, bytes]]:
    """Write two equal workbooks from ``make`` (writing changes a workbook: style ids, hyperlink lists) with
    openpyxl's writer and with ours; they must be equal part for part."""
    def made():
        wb = make()
        wb.properties.created = wb.properties.modified = _WHEN     # not the clock: both must be equal
        return wb

    theirs = _parts(made(), ours=False)
    ours = _parts(made(), ours=True)
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    for (name, mine), (_, expected) in zip(ours, theirs):
        assert mine == expected, name
    return ours


def _every_kind_of_cell():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "各种单元格"
    bold = Font(name="宋体", bold=True)
    ws["A1"] = "纯文本"
    ws["A2"] = "  前后有空格  "
    ws["A3"] = "a < b & c > d \"引号\" 'x'"
    ws["A4"] = "第一行\n第二行"
    ws["A5"] = ""
    ws["A6"] = "   "
    ws["B1"] = 0
    ws["B2"] = -12
    ws["B3"] = 3.14159265358979
    ws["B4"] = 1e-7
    ws["B5"] = 123456789012345678
    ws["B6"] = float("nan")
    ws["B7"] = float("inf")
    ws["B8"] = 2.5
    ws["B8"].number_format = "#,##0.00"
    ws["C1"] = "=SUM(B1:B5)"
    ws["C2"] = '=IF(A1="x","<&>","")'
    ws["C3"] = ArrayFormula("C3:C4", "=B1:B2*2")
    ws["C5"] = "="                                                          # text, not a formula
    ws["C6"].value, ws["C6"].data_type = "=", "f"                           # an empty formula: openpyxl's writer
    ws["D1"] = True
    ws["D2"] = False
    ws["D3"] = datetime.datetime(2020, 5, 17, 8, 30)
    ws["D4"] = datetime.date(2021, 1, 1)
    ws["D5"] = datetime.time(12, 0)
    ws["D6"] = "#N/A"
    ws["D7"] = CellRichText([TextBlock(InlineFont(b=True), "加粗"), "普通"])
    ws["E1"] = "带批注"
    ws["E1"].comment = Comment("请填写年份", "xl_tools")
    ws["E2"].comment = Comment("空单元格上的批注", "xl_tools")
    ws["F1"] = "外部链接"
    ws["F1"].hyperlink = "https://example.org/"
    ws["F2"] = "内部链接"
    ws["F2"].hyperlink = Hyperlink(ref="F2", location="'各种单元格'!A1", display="内部链接")
    ws["F3"].hyperlink = Hyperlink(ref="F3", location="'各种单元格'!B1")      # a link on an empty cell
    ws["G1"].fill = PatternFill("solid", fgColor="FFC7CE")                  # styled, empty
    ws["G2"].font = bold
    ws["G2"].alignment = Alignment(wrap_text=True)
    ws["G3"] = "x"
    ws["G3"].value = None                                                   # emptied again
    ws["G4"] = Decimal("12.50")                                             # a Decimal: openpyxl's writer
    ws.merge_cells("H1:J2")
    ws["H1"] = "合并"
    ws["H1"].font = bold
    ws.row_dimensions[3].height = 30
    ws.row_dimensions[9].hidden = True                                      # a styled row without cells
    ws.row_dimensions[10].height = 12.75
    ws.column_dimensions["A"].width = 30
    second = wb.create_sheet("第二张")
    for row in range(1, 60):
        second.append([f"指标{row}", row, row / 7, f"=B{row}*2", None, "≥95%"])
    return wb


def test_every_kind_of_cell_is_written_as_openpyxl_writes_it():
    parts = dict(_same_package(_every_kind_of_cell))
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    # What the comparison covered: text, numbers, formulas, a preserved space, a styled blank, links, comments.
    assert '<t xml:space="preserve">  前后有空格  </t>' in sheet
    assert "a &lt; b &amp; c &gt; d" in sheet
    assert "<f>SUM(B1:B5)</f><v />" in sheet
    assert '<hyperlink ref="F2" location="\'各种单元格\'!A1"' in sheet
    assert any(name.startswith("xl/comments") for name in parts)


def test_plain_cells_take_the_text_path_and_the_rest_openpyxls():
    wb = _every_kind_of_cell()
    ws = wb["各种单元格"]
    for ref in ("A1", "A2", "A3", "A5", "B1", "B3", "B5", "C1", "C2", "G1", "G3"):
        assert serialise.cell_xml(ws[ref], ws[ref].has_style) is not None, ref
    for ref in ("B6", "B7", "C3", "C6", "D1", "D3", "D6", "D7", "G4"):
        assert serialise.cell_xml(ws[ref], ws[ref].has_style) is None, ref


def test_template_package_is_openpyxls():
    from xl_tools.workbook.template import build_template

    _same_package(lambda: build_template("广州"))


def test_provincial_workbook_package_is_openpyxls(tmp_path):
    from xl_tools.jobs.consolidate import check_and_consolidate
    from xl_tools.consolidate.workbook import build_workbook

    inputs = seed_inputs_folder(tmp_path, resubmitted=("深圳",), broken=b"not a zip file at all")
    _report, cons = check_and_consolidate([inputs])
    parts = _same_package(lambda: build_workbook(cons)[0])
    assert len([name for name, _ in parts if name.startswith("xl/worksheets/sheet")]) >= 8


def test_a_city_workbook_read_back_is_written_as_openpyxl_writes_it(tmp_path):
    paths = seed_inputs_folder(tmp_path)
    first = sorted(paths.glob("*.xlsx"))[0]
    _same_package(lambda: openpyxl.load_workbook(first))
    _same_package(lambda: openpyxl.load_workbook(first, rich_text=True))


def test_openpyxl_through_lxml_keeps_its_own_writer(monkeypatch):
    """openpyxl's lxml writer has no text channel: with it, our writer hands the whole package to openpyxl."""
    used = []

    class Recording(ExcelWriter):
        def save(self):
            used.append(True)
            super().save()

    monkeypatch.setattr(openpyxl, "LXML", True)
    monkeypatch.setattr("openpyxl.writer.excel.ExcelWriter", Recording)
    wb = _every_kind_of_cell()
    with zipfile.ZipFile(io.BytesIO(), "w") as archive:
        serialise.write_package(wb, archive)
    assert used == [True]


@pytest.mark.parametrize("value", ["=A1", "普通文本", 7])
def test_saved_values_read_back(tmp_path, value):
    """A package from our writer opens in openpyxl with the values written."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = value
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        serialise.write_package(wb, archive)
    path = tmp_path / "回读.xlsx"
    path.write_bytes(raw.getvalue())
    assert openpyxl.load_workbook(path).active["A1"].value == value


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(" \t\n&<>\"'"), max_size=12)
_VALUE = st.one_of(
    st.none(), _TEXT, st.integers(-10**18, 10**18), st.floats(allow_nan=True, allow_infinity=True),
    _TEXT.map(lambda t: "=" + t), st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 4), _VALUE, st.booleans()), max_size=24))
def test_any_cells_are_written_as_openpyxl_writes_them(cells):
    """Random text (spaces, markup characters, any script), numbers, formulas, blanks, styled or not."""
    def make():
        wb = openpyxl.Workbook()
        ws = wb.active
        for row, col, value, styled in cells:
            cell = ws.cell(row=row, column=col)
            try:
                cell.value = value
            except Exception:       # what openpyxl itself refuses (illegal characters) is not written at all
                continue
            if styled:
                cell.font = Font(bold=True)
        return wb

    _same_package(make)
