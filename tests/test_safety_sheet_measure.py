"""The plain worksheet measure (regexes over the inflated part) gives exactly what the element-by-element
expat counter gives, or declines and leaves the part to it; real workbooks are measured by it (it saves
~2-3 ms a workbook, see bench/preflight.py)."""

from __future__ import annotations

import zipfile
from xml.parsers import expat

import openpyxl
import pytest
from hostile_fixtures import counter_measure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_tools.workbook.safety import SheetExtent, inspect_input_file, limits, parts
from xl_tools.workbook.safety.sheets import Refused, measure_plain_sheet

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_X = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def fast(data: bytes):
    """(taken, extent or refusal message) of the fast measure."""
    extent = SheetExtent("p")
    try:
        taken = measure_plain_sheet(data, extent)
    except Refused as exc:
        return True, exc.message
    if not taken:
        assert extent == SheetExtent("p"), "a declined part must leave the extent untouched"
    return taken, extent


def sheet(cells: str, merges: str = "", root_attrs: str = NS, prefix: str = "") -> bytes:
    p = prefix
    merge_xml = f"<{p}mergeCells>{merges}</{p}mergeCells>" if merges else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {root_attrs}>'
            f"<{p}sheetData>{cells}</{p}sheetData>{merge_xml}</{p}worksheet>").encode("utf-8")


def same(data: bytes, *, taken: bool | None = None):
    was_taken, got = fast(data)
    if taken is not None:
        assert was_taken is taken
    if was_taken:
        assert got == counter_measure(data)
    return got


# --- the usual writers' forms take the fast path and agree ------------------------------------------------------

def test_plain_cells_values_inline_strings_formulas_and_empty_cells():
    data = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c><c r="B1" s="2"/>'
                 '<c r="C1" s="1" t="n"></c></row>'
                 '<row r="7"><c r="B7"><v>3</v></c><c r="AB7"><f>SUM(B1:B6)</f><v>3</v></c>'
                 '<c r="C7" t="inlineStr"><is><r><rPr><b/></rPr><t>粗</t></r><r><t>体</t></r></is></c></row>'
                 '<row r="9"><c r="D9" s="3"/></row>',
                 merges='<mergeCell ref="A1:C1"/><mergeCell ref="A7:A8"/>')
    got = same(data, taken=True)
    assert (got.cells, got.elements, got.max_row, got.max_col, got.merged_cells) == (4, 7, 7, 28, 5)


def test_self_closing_and_empty_cells_are_not_filled():
    got = same(sheet('<row r="1"><c r="Z50" s="1"/><c r="A2"></c><c r="A3">  </c><c r="A1"><v>1</v></c></row>'),
               taken=True)
    assert (got.cells, got.elements, got.max_row, got.max_col) == (1, 4, 1, 1)


def test_a_shared_formula_without_value_is_filled():
    got = same(sheet('<row r="1"><c r="C4"><f t="shared" ref="C4:C9" si="0"/></c></row>'), taken=True)
    assert (got.cells, got.max_row, got.max_col) == (1, 4, 3)


def test_far_value_is_measured():
    got = same(sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), taken=True)
    assert (got.max_row, got.max_col) == (1048576, 16384)


def test_an_openpyxl_workbook_takes_the_fast_path(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "项目名称"
    ws["B2"] = 12.5
    ws["C3"] = "=B2*2"
    ws["E9"].style = "Good"
    ws.merge_cells("A5:D6")
    path = tmp_path / "广州.xlsx"
    wb.save(path)
    calls = []
    real = parts.measure_plain_sheet
    monkeypatch.setattr(parts, "measure_plain_sheet", lambda data, extent: calls.append(real(data, extent)) or calls[-1])
    scan = inspect_input_file(path)
    assert calls == [True]
    (extent,) = scan.sheets
    with zipfile.ZipFile(path) as zf:
        measured = counter_measure(zf.read(extent.part))
    measured.part = extent.part
    assert extent == measured
    assert (extent.cells, extent.max_row, extent.max_col, extent.merged_cells) == (3, 3, 3, 8)
    assert scan.dense_ok


# --- anything unusual is declined (the exact counter measures it) or agrees --------------------------------------

@pytest.mark.parametrize("cells", [
    '<row r="1"><c s="1" r="B3"><v>1</v></c></row>',                    # r not first
    '<row r="1"><c r=\'B3\'><v>1</v></c></row>',                        # single quotes
    '<row r="2"><c><v>1</v></c><c><v>2</v></c></row>',                   # no r: counted by position
    '<row r="2"><c r=""><v>1</v></c></row>',                             # empty r
    '<row r="2"><c r="$B$3"><v>1</v></c></row>',                         # odd reference
    '<row r="2"><c r="B"><v>1</v></c></row>',
    '<row r="2"><c r="&#66;3"><v>1</v></c></row>',                       # character reference
    '<row r="1"><c r="A1"><!-- <c r="Z99"><v>1</v></c> --><v>1</v></c></row>',
    '<row r="1"><c r="A1"><v><![CDATA[<c r="Z99">]]></v></c></row>',
    '<row r="1"><c r="A1"><?pi <c r="Z99"><v>1</v></c> ?><v>1</v></c></row>',
    '<row r="1"><c r="A1"><c r="B1"/><v>1</v></c></row>',               # nested c
    '<row r="1"><c r="A1"><v>1</v><c r="Z9"><v>2</v></c></c></row>',
    '<row r="1"><c r="A1"><row r="9"/><v>1</v></c></row>',              # row inside a cell
    '<row r="1"><c r="A1"><extLst><v>1</v></extLst></c></row>',         # value not the first child
    '<row r="1"><c r="A1">text<v>1</v></c></row>',
    '<row r="1"><c r="A1" a="x/>"><v>1</v></c></row>',                   # "/>" and ">" inside a value
    '<row r="1"><c r="A1" a="x>y"><v>1</v></c></row>',
    '<row r="1"><c r="A1" a=\'x/>\'><v>1</v></c></row>',
    '<row r="1"><c r="A1"><v>1</v></c ></row>',
    '<row r="1"><c\nr="A1"\n><v>1</v></c></row>',
    '<row r="1"><c r="A1"><x:v xmlns:x="u">1</x:v></c></row>',
])
def test_unusual_cells_agree_or_decline(cells):
    same(sheet(cells))


@pytest.mark.parametrize("cells", [
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"/></row>',
    '<row r="1"><c><v>1</v></c></row>',
    '<row><c r="$A$1"><v>1</v></c></row>',
])
def test_prefixed_elements_are_declined_and_measured_exactly(cells):
    data = sheet(cells.replace("<c", "<x:c").replace("</c", "</x:c").replace("<v", "<x:v").replace("</v", "</x:v")
                 .replace("<row", "<x:row").replace("</row", "</x:row"), root_attrs=NS_X, prefix="x:")
    taken, _ = fast(data)
    assert not taken
    assert isinstance(counter_measure(data), SheetExtent) and counter_measure(data).elements >= 1


def test_other_encodings_are_declined():
    text = '<?xml version="1.0" encoding="UTF-16"?><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>' \
           '</sheetData></worksheet>'
    assert fast(text.encode("utf-16"))[0] is False
    latin = text.replace("UTF-16", "ISO-8859-1").encode("latin-1")
    assert fast(latin)[0] is False


@pytest.mark.parametrize("merges", [
    '<mergeCell ref="A1:B2"/><mergeCell ref="B2:C3"/>',                  # overlap: refused with the same message
    '<mergeCell ref="A1:XFD1"/>',                                        # too many merged cells
    '<mergeCell ref="$A$1:$B$2"/>',
    '<mergeCell ref="A1"/>',
    '<mergeCell ref="bogus"/>',
    '<mergeCell ref=""/>',
    '<mergeCell ref="A1:B2:C3\n"/>',
    '<mergeCell ref="A1\n:B2"/>',
    '<mergeCell ref="A1:B2&#10;"/>',
    '<mergeCell ref=\'A1:B2\'/>',
    '<mergeCell/>',
    '<mergeCell ref="A1:B2"></mergeCell>',
])
def test_merged_ranges_agree_or_decline(merges):
    same(sheet('<row r="1"><c r="A1"><v>1</v></c></row>', merges=merges))


def test_overlap_refusal_through_inspect_matches(tmp_path):
    got = same(sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                     merges='<mergeCell ref="A1:B2"/><mergeCell ref="B2:C3"/>'), taken=True)
    assert "互相重叠（B2:C3 与 A1:B2）" in got


def test_too_many_cell_elements_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 5)
    data = sheet('<row r="1">' + "".join(f'<c r="A{i}"/>' for i in range(1, 8)) + "</row>")
    taken, got = fast(data)
    assert taken and "单元格过多" in got


# --- random sheets: fast and exact always agree when the fast path is taken --------------------------------------

_REFS = st.one_of(
    st.builds(lambda c, r: f"{c}{r}", st.sampled_from(["A", "b", "Z", "AA", "xfd", "IV", "IW"]),
              st.integers(0, 30000)),
    st.sampled_from(["", "$A$1", "A", "1", "A1:B2", "&#65;1", "A 1", "Ａ1"]),
)
_CONTENT = st.sampled_from([
    None, "", " ", "<v>1</v>", "<v/>", '<f t="shared" si="0"/>', "<f>A1</f><v>2</v>", "<is><t>文</t></is>",
    '<is><t xml:space="preserve"> a </t></is>', "<is><r><t>a</t></r></is>", "<extLst/>", '<c r="Q5"/>',
    '<row r="3"/>', "<!-- x -->", "x",
])


@st.composite
def _cell(draw):
    ref = draw(st.one_of(st.none(), _REFS))
    attrs = []
    if draw(st.booleans()):
        attrs.append('s="1"')
    if ref is not None:
        quote = draw(st.sampled_from(['"', '"', "'"]))
        attrs.insert(draw(st.integers(0, len(attrs))), f"r={quote}{ref}{quote}")
    if draw(st.booleans()):
        attrs.append('t="n"')
    sep = draw(st.sampled_from([" ", " ", "\n", "  "]))
    head = "<c" + "".join(sep + a for a in attrs)
    content = draw(_CONTENT)
    return head + "/>" if content is None else f"{head}>{content}</c>"


@st.composite
def _sheet(draw):
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.one_of(st.none(), st.integers(1, 40).map(str), st.just("x")))
        cells = "".join(draw(st.lists(_cell(), max_size=5)))
        row_attr = "" if r is None else f' r="{r}"'
        rows.append(f"<row{row_attr}>{cells}</row>")
    merges = "".join(f'<mergeCell ref="{m}"/>' for m in draw(st.lists(
        st.sampled_from(["A1:B2", "C3:D4", "B2:C3", "E1:E1", "A1:XFD1", "$A$1:$B$2", "zz", ""]), max_size=3)))
    return sheet("".join(rows), merges=merges)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sheet())
def test_random_sheets_agree(data):
    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError:
        return                                  # broken XML is refused before any measure
    same(data)
