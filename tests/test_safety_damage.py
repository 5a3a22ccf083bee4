"""The pre-flight on real workbooks and on damaged ones: well-formed parts pass and are measured, damage is
refused with a message saying what to do (the zip and XML checks of xl_tools.workbook.safety)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile_fixtures import LOL, XXE, counter_measure, rezip, seed_city_workbooks

from xl_tools.errors import NotAFormError
from xl_tools.workbook.safety import InputScan, inspect_input_file, limits

SHEET = "xl/worksheets/sheet1.xml"


def agrees(path: Path):
    """What the pre-flight says of ``path``: an InputScan whose worksheets are measured as the element-by-element
    counter measures them, or its refusal message."""
    try:
        scan = inspect_input_file(path)
    except NotAFormError as exc:
        return str(exc)
    with zipfile.ZipFile(path) as zf:
        for extent in scan.sheets:
            expected = counter_measure(zf.read(extent.part))
            expected.part = extent.part
            assert extent == expected
    return scan


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> list[Path]:
    return seed_city_workbooks(tmp_path_factory.mktemp("cities"))


@pytest.fixture(scope="module")
def city(cities) -> Path:
    return cities[0]


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


# --- real workbooks pass and are measured ------------------------------------------------------------------------

def test_seed_cities_and_template_pass_and_are_measured(cities, tmp_path):
    from xl_tools.workbook.template import write_template

    template = write_template(tmp_path / "模板.xlsx")
    for path in [*cities, template]:
        scan = agrees(path)
        assert scan.sheets and scan.uncompressed > 0


def test_worksheets_written_by_openpyxl_are_measured(tmp_path):
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
    scan = agrees(path)
    assert (scan.sheets[0].cells, scan.sheets[0].max_row, scan.sheets[0].max_col) == (4, 4, 4)


def test_a_marked_copy_and_the_provincial_workbook_agree(cities, tmp_path):
    from xl_tools.cli import main

    assert main(["validate", str(cities[0]), "--annotate"]) in (0, 1)
    province = tmp_path / "全省.xlsx"
    assert main(["consolidate", *map(str, cities), "-o", str(province)]) in (0, 1)
    for path in [cities[0].with_name(f"{cities[0].stem}.校验.xlsx"), province]:
        agrees(path)


# --- damaged and hostile files: refused with a message ---------------------------------------------------------

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
    agrees(tmp_path / "坏1.xlsx")
    cut = data[: body + info.compress_size // 2]                      # truncated
    (tmp_path / "坏2.xlsx").write_bytes(cut)
    agrees(tmp_path / "坏2.xlsx")
    bomb = rezip(city, tmp_path / "炸弹.xlsx", {SHEET: part(city, SHEET) + b" " * 5000})
    raw = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as zf:                                 # declare a smaller size than it inflates to
        info = zf.getinfo(SHEET)
    for offset in (info.header_offset + 22, raw.rfind(b"PK\x01\x02" + raw[info.header_offset + 4:
                                                                          info.header_offset + 6]) + 24):
        raw[offset: offset + 4] = (info.file_size - 5000).to_bytes(4, "little")
    (tmp_path / "炸弹.xlsx").write_bytes(bytes(raw))
    assert isinstance(agrees(tmp_path / "炸弹.xlsx"), str)


def test_stored_entries_and_crc(city, tmp_path):
    stored = rezip(city, tmp_path / "存储.xlsx", compression=zipfile.ZIP_STORED)
    agrees(stored)
    raw = bytearray(stored.read_bytes())
    i = raw.find(b"<sheetData>")
    raw[i + 1] = ord("S")                                             # CRC no longer matches
    (tmp_path / "坏.xlsx").write_bytes(bytes(raw))
    assert isinstance(agrees(tmp_path / "坏.xlsx"), str)


def test_limits_are_read_when_checking(city, tmp_path, monkeypatch):
    assert isinstance(agrees(city), InputScan)
    monkeypatch.setattr(limits, "MAX_CELLS", 10)
    assert "单元格过多" in agrees(city)
    monkeypatch.setattr(limits, "MAX_CELLS", 500_000)
    monkeypatch.setattr(limits, "MAX_MERGED_CELLS", 3)
    assert "合并单元格" in agrees(city)
