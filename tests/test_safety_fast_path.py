"""The pre-flight's fast path (the whole check in memory) accepts only what the step-by-step check accepts, and
measures exactly what it measures; everything else is left to the step-by-step check, which refuses with its
own message. Real workbooks (template, importer's cities, openpyxl, marked copies) take the fast path."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

import openpyxl
import pytest
from hostile_fixtures import LOL, XXE, counter_measure, rezip, seed_city_workbooks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_tools.errors import NotAFormError
from xl_tools.workbook import safety
from xl_tools.workbook.safety import InputScan, SheetExtent, _Refused, inspect_input_file

SHEET = "xl/worksheets/sheet1.xml"


def step_by_step(path: Path):
    """What the step-by-step check (_check_zip) finds: an InputScan, or its refusal message."""
    scan = InputScan(path=str(path), size=path.stat().st_size)
    try:
        safety._check_zip(path, str(path), scan)
    except NotAFormError as exc:
        return str(exc)
    return scan


def fast(path: Path):
    """The fast path's answer as an InputScan, or None when it leaves the file to the step-by-step check."""
    got = safety._fast_zip_scan(path, path.read_bytes())
    if got is None:
        return None
    macros, sheets, uncompressed, workbook_xml = got
    return InputScan(path=str(path), size=path.stat().st_size, macros=macros, sheets=sheets, uncompressed=uncompressed,
                     workbook_xml=workbook_xml)


def agrees(path: Path, *, taken: bool | None = None):
    """The fast path agrees with the step-by-step check (or declines); inspect_input_file gives the same."""
    expected = step_by_step(path)
    got = fast(path)
    if taken is not None:
        assert (got is not None) is taken, expected
    if got is not None:
        assert isinstance(expected, InputScan), f"fast path accepted a file the step-by-step check refuses: {expected}"
        assert got == expected
    try:
        assert inspect_input_file(path) == expected
    except NotAFormError as exc:
        assert str(exc) == expected
    return expected


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> list[Path]:
    return seed_city_workbooks(tmp_path_factory.mktemp("cities"))


@pytest.fixture(scope="module")
def city(cities) -> Path:
    return cities[0]


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


# --- real workbooks take the fast path ---------------------------------------------------------------------------

def test_seed_cities_and_template_take_the_fast_path(cities, tmp_path):
    from xl_tools.workbook.template import write_template

    template = write_template(tmp_path / "模板.xlsx")
    for path in [*cities, template]:
        scan = agrees(path, taken=True)
        assert scan.sheets and scan.uncompressed > 0


def test_worksheets_written_by_openpyxl_take_the_regex_path(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "项目名称"
    ws["B2"] = 12.5
    ws["C3"] = "=B2*2"
    ws["D4"] = "a < b & c > d ]] \" '"
    ws["E9"].style = "Good"
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[4].height = 30
    ws.merge_cells("A5:D6")
    path = tmp_path / "广州.xlsx"
    wb.save(path)
    assert safety._plain_sheet(part(path, SHEET)) is not None
    scan = agrees(path, taken=True)
    assert (scan.sheets[0].cells, scan.sheets[0].max_row, scan.sheets[0].max_col) == (4, 4, 4)


def test_a_marked_copy_and_the_provincial_workbook_agree(cities, tmp_path):
    from xl_tools.cli import main

    assert main(["validate", str(cities[0]), "--annotate"]) in (0, 1)
    province = tmp_path / "全省.xlsx"
    assert main(["consolidate", *map(str, cities), "-o", str(province)]) in (0, 1)
    for path in [cities[0].with_name(f"{cities[0].stem}.校验.xlsx"), province]:
        agrees(path)


# --- damaged and hostile files: the fast path declines, the step-by-step check refuses as before ------------------

def _replace(city: Path, dst: Path, name: str, fn) -> Path:
    return rezip(city, dst, {name: fn(part(city, name))})


SHEET_DAMAGE = {
    "mismatched end tag": lambda x: x.replace(b"</row>", b"</rox>", 1),
    "extra end tag": lambda x: x.replace(b"</row>", b"</row></row>", 1),
    "missing cell end": lambda x: x.replace(b"</is></c>", b"</is>", 1),
    "control character": lambda x: x.replace(b"<t>", b"<t>\x01", 1),
    "NUL": lambda x: x.replace(b"<t>", b"<t>\x00", 1),
    "U+FFFE": lambda x: x.replace(b"<t>", "<t>\ufffe".encode(), 1),
    "invalid UTF-8": lambda x: x.replace(b"<t>", b"<t>\xff\xfe", 1),
    "duplicate attribute": lambda x: x.replace(b'<c r="', b'<c s="1" s="1" r="', 1),
    "duplicate row attribute": lambda x: x.replace(b"<row ", b'<row ht="1" ht="2" ', 1),
    "< in text": lambda x: x.replace(b"<t>", b"<t>a<b", 1),
    "& in text": lambda x: x.replace(b"<t>", b"<t>a&b", 1),
    "unknown entity": lambda x: x.replace(b"<t>", b"<t>&nbsp;", 1),
    "reference to a control character": lambda x: x.replace(b"<t>", b"<t>&#1;", 1),
    "]]> in text": lambda x: x.replace(b"<t>", b"<t>]]>", 1),
    "junk after the root": lambda x: x + b"<x/>",
    "no root end": lambda x: x.replace(b"</worksheet>", b""),
    "cut after sheetData": lambda x: x[: x.index(b"</sheetData>") + 12],
    "cut inside sheetData": lambda x: x[: x.index(b"</row>") + 6],
    "empty": lambda x: b"",
    "late declaration": lambda x: x.replace(b"<sheetData>", b"<sheetData><?xml version='1.0'?>", 1),
    "DOCTYPE": lambda x: x.replace(b"<worksheet", LOL + b"<worksheet", 1),
    "external entity": lambda x: x.replace(b"<worksheet", XXE + b"<worksheet", 1),
    "sheetData inside a comment": lambda x: x.replace(b"<sheetData>", b"<!--<sheetData>", 1)
    .replace(b"</sheetData>", b"</sheetData>-->", 1),
    "sheetData inside an attribute": lambda x: x.replace(b"<sheetData>", b'<x a="<sheetData>', 1)
    .replace(b"</sheetData>", b'</sheetData>"/>', 1),
    "UTF-16": lambda x: x.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    "a cell outside sheetData": lambda x: x.replace(b"</sheetData>", b'</sheetData><c r="Z999"><v>1</v></c>', 1),
    "far value": lambda x: x.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                                     b"</sheetData>", 1),
    "overlapping merges": lambda x: x.replace(b"</worksheet>", b'<mergeCells><mergeCell ref="A1:B2"/>'
                                              b'<mergeCell ref="B2:C3"/></mergeCells></worksheet>'),
    "comment in the rest": lambda x: x.replace(b"</sheetData>", b"</sheetData><!-- note -->", 1),
}


@pytest.mark.parametrize("damage", sorted(SHEET_DAMAGE))
def test_damaged_worksheets(city, tmp_path, damage):
    path = _replace(city, tmp_path / "坏.xlsx", SHEET, SHEET_DAMAGE[damage])
    expected = agrees(path)
    if damage in ("comment in the rest", "far value", "UTF-16", "a cell outside sheetData",
                  "sheetData inside a comment"):                                          # well-formed
        assert isinstance(expected, InputScan)
    else:
        assert isinstance(expected, str) and "请" in expected


def test_a_cell_outside_sheetdata_is_measured(city, tmp_path):
    path = _replace(city, tmp_path / "外.xlsx", SHEET, SHEET_DAMAGE["a cell outside sheetData"])
    scan = agrees(path)
    assert isinstance(scan, InputScan) and scan.sheets[0].max_row == 999


@pytest.mark.parametrize("name", ["xl/theme/theme1.xml", "docProps/core.xml", "xl/styles.xml", "xl/workbook.xml",
                                  "[Content_Types].xml", "_rels/.rels"])
@pytest.mark.parametrize("damage", ["DOCTYPE", "broken", "comment", "cp037"])
def test_damaged_other_parts(city, tmp_path, name, damage):
    def fn(x: bytes) -> bytes:
        if damage == "DOCTYPE":
            return x.replace(b"?>", b"?>" + XXE, 1) if x.startswith(b"<?xml") else XXE + x
        if damage == "broken":
            return x[: len(x) // 2]
        if damage == "comment":
            return x + b"<!-- x -->"
        return ('<?xml version="1.0" encoding="cp037"?>'.encode("ascii")
                + '<!DOCTYPE x [<!ENTITY a "b">]><x/>'.encode("cp037"))
    expected = agrees(rezip(city, tmp_path / "坏.xlsx", {name: fn(part(city, name))}))
    if damage == "DOCTYPE":
        assert isinstance(expected, str)


def test_corrupt_and_forged_entries(city, tmp_path):
    data = city.read_bytes()
    with zipfile.ZipFile(city) as zf:
        info = zf.getinfo(SHEET)
    body = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    flipped = bytearray(data)
    flipped[body + info.compress_size // 2] ^= 0x55                    # corrupt deflate data
    (tmp_path / "坏1.xlsx").write_bytes(bytes(flipped))
    agrees(tmp_path / "坏1.xlsx", taken=False)
    cut = data[: body + info.compress_size // 2]                      # truncated
    (tmp_path / "坏2.xlsx").write_bytes(cut)
    agrees(tmp_path / "坏2.xlsx", taken=False)
    bomb = rezip(city, tmp_path / "炸弹.xlsx", {SHEET: part(city, SHEET) + b" " * 5000})
    raw = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as zf:                                 # declare a smaller size than it inflates to
        info = zf.getinfo(SHEET)
    for offset in (info.header_offset + 22, raw.rfind(b"PK\x01\x02" + raw[info.header_offset + 4:
                                                                          info.header_offset + 6]) + 24):
        raw[offset: offset + 4] = (info.file_size - 5000).to_bytes(4, "little")
    (tmp_path / "炸弹.xlsx").write_bytes(bytes(raw))
    assert isinstance(agrees(tmp_path / "炸弹.xlsx", taken=False), str)


def test_stored_entries_and_crc(city, tmp_path):
    stored = rezip(city, tmp_path / "存储.xlsx", compression=zipfile.ZIP_STORED)
    agrees(stored, taken=True)
    raw = bytearray(stored.read_bytes())
    i = raw.find(b"<sheetData>")
    raw[i + 1] = ord("S")                                             # CRC no longer matches
    (tmp_path / "坏.xlsx").write_bytes(bytes(raw))
    assert isinstance(agrees(tmp_path / "坏.xlsx", taken=False), str)


def test_limits_are_read_when_checking(city, tmp_path, monkeypatch):
    agrees(city, taken=True)
    monkeypatch.setattr(safety, "MAX_CELLS", 10)
    assert "单元格过多" in agrees(city, taken=False)
    monkeypatch.setattr(safety, "MAX_CELLS", 500_000)
    monkeypatch.setattr(safety, "MAX_MERGED_CELLS", 3)
    assert "合并单元格" in agrees(city, taken=False)


# --- the <sheetData> regex: what it accepts is well-formed and measured as _SheetCounter measures ------------------

def doc(rows: str, rest: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{rows}</sheetData>{rest}</worksheet>").encode("utf-8")


def plain_agrees(data: bytes):
    """When _plain_sheet accepts ``data``, expat finds it well-formed without DOCTYPE and the measure agrees."""
    safety._plain_last = (None, None)
    plain = safety._plain_sheet(data)
    if plain is None:
        return None
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = lambda *a: pytest.fail("DOCTYPE accepted")
    parser.Parse(data, True)                            # raises if the regex accepted broken XML
    extent = SheetExtent("p")
    try:
        safety._measure_plain(plain, extent)
    except _Refused as exc:
        assert exc.message == counter_measure(data)
        return exc.message
    assert extent == counter_measure(data)
    return extent


_TEXTS = ["", "文本", "a > b", "]]", "]>", "]]>", "&amp;&lt;&gt;&quot;&apos;", "&#10;&#x9;&#32;&#x20;&#9999;", "&#0;",
          "&#1;", "&#x1;", "&#xD800;", "&#65535;", "&nbsp;", "&", "<", "\x01", "\x0b", "\t\r\n", "\ufffe", "\u00a0",
          "'\""]
_CELL_HEADS = ['<c r="A1"', '<c r="B2" s="1"', '<c r="AB7" s="2" t="n"', '<c r="XFD1048576"', '<c r="A0"',
               '<c r="A01"', '<c r="a1"', '<c r="A1" t="s" s="1"', '<c r="A1" s="1" s="2"', '<c r="A1" r="B1"',
               '<c  r="A1"', '<c r="$A$1"', "<c", '<c r="A1" cm="1" vm="2" ph="1"', '<c r="A1"\ts="1"']
_CONTENTS = [None, "", " ", "<v>{t}</v>", "<v/>", "<v />", "<is><t>{t}</t></is>",
             '<is><t xml:space="preserve">{t}</t></is>',
             "<is><t/></is>", '<f t="shared" ref="A1:A2" si="0"/>', "<f>{t}</f><v>{t}</v>", "<f>{t}</f>",
             "<is><r><t>{t}</t></r></is>", "<v>{t}</v><v>1</v>", "<x/>", "<v>{t}</x>", "{t}", "<is><t>{t}</is></t>"]
_ROW_HEADS = ['<row r="1"', '<row r="2" ht="27" customHeight="1"', '<row r="3" hidden="1" ht="9"',
              '<row r="4" spans="1:5" x14ac:dyDescent="0.25"', '<row r="5" ht="1" ht="2"', "<row", '<row r="x"',
              '<row r="6" s="1" customFormat="1"', '<row r="7" ht="27" s="1"']


@st.composite
def _rows(draw):
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        cells = []
        for _ in range(draw(st.integers(0, 4))):
            head = draw(st.sampled_from(_CELL_HEADS))
            content = draw(st.sampled_from(_CONTENTS))
            text = draw(st.sampled_from(_TEXTS))
            cells.append(head + (draw(st.sampled_from(["/>", " />"])) if content is None
                                 else ">" + content.format(t=text) + "</c>"))
        sep = draw(st.sampled_from(["", "", "\n  "]))
        head = draw(st.sampled_from(_ROW_HEADS))
        rows.append(head + ("/>" if not cells and draw(st.booleans()) else ">" + sep.join(cells) + "</row>"))
    return "".join(rows)


_RESTS = ["", '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>', '<mergeCells><mergeCell ref="A1:B2"/>'
          '<mergeCell ref="B2:C3"/></mergeCells>', "<!-- x -->", "<?pi x?>", '<x:mergeCell xmlns:x="u" ref="A1:A2"/>',
          '<c r="Z9"><v>1</v></c>', "<pageMargins left=\"0.7\"/>", "<x>&undefined;</x>", "<x></y>", "\x01"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows(), st.sampled_from(_RESTS))
def test_random_sheets_accepted_by_the_regex_are_well_formed_and_measured_alike(rows, rest):
    plain_agrees(doc(rows, rest))


@pytest.mark.parametrize("rows", [
    '<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c><c r="B1" s="2" t="n" /></row>',
    '<row r="1" ht="27" customHeight="1"><c r="C7"><f t="shared" ref="C7:C9" si="0"/></c></row><row r="9"/>',
    '<row r="2"><c r="D9" s="3"><v>1.5</v></c></row>\n<row r="3"></row>',
])
def test_usual_sheets_are_accepted(rows):
    assert isinstance(plain_agrees(doc(rows, '<mergeCells><mergeCell ref="A1:C1"/></mergeCells>')), SheetExtent)


@pytest.mark.parametrize("rows", [
    '<row r="1"><c r="A1"><v>1</v></c></row></sheetData><sheetData><row r="2"><c r="B2"><v>1</v></c></row>',
    '<row r="1"><c r="A1"><v>1</v></c></row>',
])
def test_only_the_first_sheetdata_is_read_by_the_regex_and_the_rest_is_checked(rows):
    got = plain_agrees(doc(rows))
    if "B2" in rows:
        assert got is None                               # the second <sheetData> holds cells: not a plain rest


# --- remembered verdicts --------------------------------------------------------------------------------------------

def test_remembered_results_are_immutable_and_bounded(monkeypatch):
    monkeypatch.setattr(safety, "_remembered_results", {})
    monkeypatch.setattr(safety, "_remembered_bytes", 0)
    monkeypatch.setattr(safety, "_REMEMBER_MAX_BYTES", 100)
    calls = []

    def compute(data: bytes):
        calls.append(data)
        return (len(data),)

    assert safety._remembered("k", b"x" * 40, compute) == (40,)
    assert safety._remembered("k", b"x" * 40, compute) == (40,)          # remembered: computed once
    assert safety._remembered("other", b"x" * 40, compute) == (40,)      # another kind: computed again
    assert len(calls) == 2
    safety._remembered("k", b"y" * 40, compute)                          # over 100 bytes: the oldest is forgotten
    assert ("k", b"x" * 40) not in safety._remembered_results and safety._remembered_bytes <= 100
    safety._remembered("k", b"z" * 1000, compute)                        # larger than the bound: never kept
    assert ("k", b"z" * 1000) not in safety._remembered_results


def test_a_remembered_verdict_does_not_hide_a_changed_part(city, tmp_path):
    good = part(city, SHEET)
    agrees(city, taken=True)                            # remembers the rest of the sheet and the other parts
    bad = rezip(city, tmp_path / "坏.xlsx", {SHEET: good.replace(b"</sheetData>", b"</sheetData><x>", 1)})
    assert isinstance(agrees(bad, taken=False), str)
    assert zlib.crc32(part(city, SHEET)) == zlib.crc32(good)


# --- files seen before ------------------------------------------------------------------------------------------

def test_a_file_seen_before_gives_a_fresh_equal_result(city, tmp_path):
    first = inspect_input_file(city)
    first.sheets[0].max_row = 10 ** 9                    # a caller changing its result changes nothing remembered
    first.sheets.clear()
    copy = tmp_path / "同一文件.xlsx"
    copy.write_bytes(city.read_bytes())
    again = inspect_input_file(copy)
    assert again == step_by_step(copy) and again.path == str(copy)
    assert inspect_input_file(city) == step_by_step(city)


def test_a_file_seen_before_is_checked_again_under_other_limits_or_name(city, tmp_path, monkeypatch):
    assert isinstance(inspect_input_file(city), InputScan)
    monkeypatch.setattr(safety, "MAX_CELLS", 10)
    with pytest.raises(NotAFormError, match="单元格过多"):
        inspect_input_file(city)
    monkeypatch.undo()
    renamed = tmp_path / "广州.zip"
    renamed.write_bytes(city.read_bytes())
    with pytest.raises(NotAFormError, match="扩展名"):
        inspect_input_file(renamed)


# --- the shared strings regex: what it accepts is well-formed ------------------------------------------------

_RUNS = ["<t>{t}</t>", '<t xml:space="preserve">{t}</t>', "<t/>", "<r><t>{t}</t></r>",
         '<r><rPr><b val="true"/><sz val="16"/><color rgb="FF9C5700"/><rFont val="宋体"/><family val="2"/></rPr>'
         "<t>{t}</t></r>", '<r><rPr><color theme="1" tint="0.5"/></rPr><t>{t}</t></r>',
         '<r><rPr><color theme="1" theme="2"/></rPr><t>{t}</t></r>', '<r><rPr><b val="1" val="2"/></rPr><t>{t}</t></r>',
         '<r><rPr><rFont val="a&amp;b"/></rPr><t>{t}</t></r>', "<r><rPr><x/></rPr><t>{t}</t></r>", "<r><t>{t}</r></t>",
         '<t>{t}</t><phoneticPr fontId="1" type="noConversion"/>', "<t>{t}</t><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh>",
         "<t>{t}</s>", "<t>{t}"]


@st.composite
def _shared_strings(draw):
    items = []
    for _ in range(draw(st.integers(0, 5))):
        runs = "".join(draw(st.sampled_from(_RUNS)).format(t=draw(st.sampled_from(_TEXTS)))
                       for _ in range(draw(st.integers(1, 2))))
        items.append(draw(st.sampled_from(["<si>{}</si>", "<si>{}</si>", "<si/>", "<si>{}"])).format(runs))
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', "",
                                 "<?xml version='1.0' encoding='utf-8'?>", '<?xml version="1.0" encoding="GBK"?>',
                                 "<!DOCTYPE sst>", " ", "\ufeff"]))
    root = draw(st.sampled_from(['<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" '
                                 'uniqueCount="2">', '<sst xmlns="u">', '<sst count="1" count="2">']))
    tail = draw(st.sampled_from(["</sst>", "</sst>\n", "</sst><x/>", "", "</sst><!-- x -->"]))
    return (head + root + "".join(items) + tail).encode("utf-8")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shared_strings())
def test_shared_strings_accepted_by_the_regex_are_well_formed(data):
    if safety._plain_shared_strings(data):
        assert safety._well_formed(data)


def test_shared_strings_of_office_programs_are_accepted():
    data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>项目名称</t></si><si><r><rPr><b/><sz val="11"/>'
            '<color theme="1"/><rFont val="宋体"/><family val="3"/><charset val="134"/><scheme val="minor"/></rPr>'
            '<t>粗</t></r><r><t xml:space="preserve"> 体</t></r></si><si><t>≥90%</t><phoneticPr fontId="1" '
            'type="noConversion"/></si></sst>').encode("utf-8")
    assert safety._plain_shared_strings(data) and safety._well_formed(data)
    for broken in (data.replace(b"</t></si>", b"</si>", 1), data.replace("项目".encode(), b"\x01", 1),
                   data.replace(b"<sst ", XXE + b"<sst ", 1), data[:-3]):
        assert not safety._plain_shared_strings(broken)


@pytest.mark.parametrize("broken", [False, True])
def test_a_shared_strings_part_in_a_workbook(city, tmp_path, broken):
    data = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>项目名称</t></si></sst>').encode("utf-8")
    if broken:
        data = data.replace(b"</t>", b"</x>")
    path = rezip(city, tmp_path / "共享.xlsx", add={"xl/sharedStrings.xml": data})
    expected = agrees(path, taken=not broken)
    assert isinstance(expected, str) is broken
