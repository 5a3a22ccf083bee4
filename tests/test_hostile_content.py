"""Hostile files: XML entity expansion, zip bombs, absurd dimensions, huge cells — refused or read safely.

Refusals happen in the pre-flight, before openpyxl or calamine inflates or parses anything; what the parsers
themselves do with such files is checked too (defence in depth).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from hostile_fixtures import LOL, XXE, first_sheet_part, forge_entry, parts, rezip, seed_city_workbooks, with_prolog

from xl_tools.errors import NotAFormError
from xl_tools.workbook import safety
from xl_tools.workbook.reader import ENGINES, read_forms
from xl_tools.workbook.safety import check_input_file, inspect_input_file

ENTITY_WORDS = ("DOCTYPE", "已拒绝读取", "请")


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return seed_city_workbooks(tmp_path_factory.mktemp("cities"))[0]


def _refused(path: Path, *words: str) -> str:
    for engine in ENGINES:
        with pytest.raises(NotAFormError) as exc:
            read_forms(path, engine=engine)
        message = str(exc.value)
        assert str(path) in message and "请" in message, message
        for word in words:
            assert word in message, (word, message)
    return message


# --- XML entities -----------------------------------------------------------------------------------------------

def test_openpyxl_uses_defusedxml_here():
    import defusedxml  # noqa: F401  (a declared dependency)
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("part", ["sheet", "xl/workbook.xml", "docProps/core.xml", "[Content_Types].xml",
                                  "_rels/.rels", "xl/styles.xml", "xl/theme/theme1.xml"])
@pytest.mark.parametrize("dtd", [LOL, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused_in_every_part(tmp_path, good, part, dtd):
    name = first_sheet_part(good) if part == "sheet" else part
    xml = parts(good)[name]
    hostile = with_prolog(xml, dtd)
    if name == first_sheet_part(good):
        hostile = hostile.replace(b"<sheetData>", b'<sheetData><row r="60"><c r="A60" t="inlineStr"><is><t>'
                                  + (b"&lol4;" if dtd is LOL else b"&xxe;") + b"</t></is></c></row>", 1)
    path = rezip(good, tmp_path / "实体.xlsx", {name: hostile})
    _refused(path, *ENTITY_WORDS)


def test_utf16_part_with_a_doctype_is_refused(tmp_path, good):
    name = first_sheet_part(good)
    xml = parts(good)[name].decode("utf-8")
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    hostile = ('<?xml version="1.0" encoding="UTF-16"?>' + LOL.decode() + body).encode("utf-16")
    path = rezip(good, tmp_path / "utf16.xlsx", {name: hostile})
    _refused(path, *ENTITY_WORDS)


def test_parsers_alone_do_not_expand_entities(tmp_path, good):
    """Without the pre-flight: openpyxl (defusedxml) refuses, calamine leaves the entity unexpanded."""
    import python_calamine
    from openpyxl import load_workbook

    name = first_sheet_part(good)
    hostile = with_prolog(parts(good)[name], LOL).replace(
        b"<sheetData>", b'<sheetData><row r="60"><c r="A60" t="inlineStr"><is><t>&lol4;</t></is></c></row>', 1)
    path = rezip(good, tmp_path / "实体.xlsx", {name: hostile})
    with pytest.raises(Exception) as exc:
        load_workbook(path)
    chain, e = [], exc.value
    while e is not None:
        chain.append(type(e).__name__)
        e = e.__cause__ or e.__context__
    assert "EntitiesForbidden" in chain or "DTDForbidden" in chain, chain
    try:
        rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except Exception as err:        # calamine: "unrecognized entity"
        assert "entity" in str(err).lower()
    else:
        assert not any("lollol" in str(v) for row in rows for v in row)


# --- zip bombs --------------------------------------------------------------------------------------------------

def test_a_highly_compressed_part_is_refused_before_inflating(tmp_path, good):
    name = first_sheet_part(good)
    xml = parts(good)[name]
    bomb = xml.replace(b"</worksheet>", b" " * (8 * 1024 * 1024) + b"</worksheet>")
    path = rezip(good, tmp_path / "炸弹.xlsx", {name: bomb})
    assert path.stat().st_size < 200_000
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
        assert info.file_size / info.compress_size > safety.MAX_RATIO
    message = _refused(path, "压缩炸弹", "已拒绝")
    assert name in message
    scan_bytes = []
    try:
        inspect_input_file(path)
    except NotAFormError:
        scan_bytes.append(True)
    assert scan_bytes == [True]


def test_many_parts_adding_up_past_the_limit_are_refused(tmp_path, good):
    chunk = b"<x>" + b"0" * (safety.RATIO_MIN_SIZE - 10) + b"</x>"        # below the ratio rule's size
    count = safety.MAX_TOTAL_UNCOMPRESSED // len(chunk) + 2
    path = tmp_path / "总量.xlsx"
    src = zipfile.ZipFile(good)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
        for i in range(count):
            zf.writestr(f"customXml/item{i}.xml", chunk)
    _refused(path, "解压后过大", "MB")


def test_a_forged_size_is_caught_while_inflating(tmp_path, good):
    """The header claims the part's real size, its data inflates to 60 MB more: refused at the declared size."""
    name = first_sheet_part(good)
    path = tmp_path / "伪造.xlsx"
    path.write_bytes(good.read_bytes())
    xml = parts(good)[name]
    forge_entry(path, name, xml + b" " * (60 * 1024 * 1024))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(name).file_size == len(xml)
    scan = None
    with pytest.raises(NotAFormError) as exc:
        scan = inspect_input_file(path)
    assert scan is None and "超出它声明的大小" in str(exc.value)
    _refused(path, "超出它声明的大小")


def test_too_many_entries_are_refused(tmp_path, good):
    path = rezip(good, tmp_path / "碎片.xlsx", add={f"media/{i}.bin": b"" for i in range(safety.MAX_ENTRIES + 1)},
                 compression=zipfile.ZIP_STORED)
    _refused(path, "内部文件过多")


def test_more_cells_than_the_limit_are_refused(tmp_path, good, monkeypatch):
    from openpyxl import load_workbook

    wb = load_workbook(good)
    ws = wb.create_sheet("数据")
    for r in range(1, 61):
        for c in range(1, 11):
            ws.cell(row=r, column=c, value=r * c)
    path = tmp_path / "很多.xlsx"
    wb.save(path)
    assert inspect_input_file(path).cells > 600
    monkeypatch.setattr(safety.limits, "MAX_CELLS", 500)
    _refused(path, "单元格过多", "只保留绩效目标表")


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A1:A1048576"])
def test_a_huge_merged_range_is_refused(tmp_path, good, ref):
    """openpyxl makes one object per merged cell: A1:XFD1048576 would never finish loading."""
    import re

    name = first_sheet_part(good)
    xml = re.sub(r'<mergeCell ref="[^"]*"', f'<mergeCell ref="{ref}"', parts(good)[name].decode(), count=1)
    path = rezip(good, tmp_path / "大合并.xlsx", {name: xml.encode()})
    message = _refused(path, "合并单元格", "取消合并")
    assert ref in message


def test_overlapping_merged_ranges_are_refused(tmp_path, good):
    """Excel never writes them (it repairs such a file); openpyxl's merge binding becomes very slow on them."""
    name = first_sheet_part(good)
    xml = parts(good)[name].decode()
    xml = re.sub(r"(<mergeCells\b[^>]*>)", r'\1<mergeCell ref="A1:Z100"/>', xml, count=1)
    path = rezip(good, tmp_path / "重叠.xlsx", {name: xml.encode()})
    _refused(path, "互相重叠", "A1:Z100", "另存为")


# --- absurd dimensions --------------------------------------------------------------------------------------------

def _read_in_a_subprocess(path: Path, engine: str) -> subprocess.CompletedProcess:
    """Read in a child process capped at 1.5 GB of address space: a regression fails, it cannot eat the machine."""
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))
        from xl_tools.workbook.reader import read_forms
        forms = read_forms(sys.argv[1], engine={engine!r})
        print(len(forms), forms[0].city, len(forms[0].rows))
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["value", "styled", "declared"])
def test_a_cell_in_xfd1048576_does_not_allocate_the_grid(tmp_path, good, engine, kind):
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    expected = read_forms(good)[0]
    path = tmp_path / f"{kind}.xlsx"
    if kind == "declared":
        name = first_sheet_part(good)
        import re

        xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', parts(good)[name])
        assert b"XFD1048576" in xml
        rezip(good, path, {name: xml})
    else:
        wb = load_workbook(good)
        ws = wb.worksheets[0]
        if kind == "value":
            ws["XFD1048576"] = "远处的值"
        else:
            ws["XFD1048576"].font = Font(bold=True)
        wb.save(path)
    scan = inspect_input_file(path)
    if kind == "value":
        assert scan.sheets[0].max_row == 1048576 and scan.sheets[0].max_col == 16384
        assert not scan.dense_ok and scan.beyond_grid
    else:                                   # formatting and a declared dimension are not content
        assert scan.dense_ok and not scan.beyond_grid
    done = _read_in_a_subprocess(path, engine)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "广州", str(len(expected.rows))]


def test_annotate_a_workbook_with_a_value_in_xfd1048576(tmp_path, good):
    """`validate --annotate` once walked every cell of the grid up to the last used one (MemoryError, a hang):
    marking, and marking the marked copy again (clearing the old marks), stay bounded and keep the far value."""
    from openpyxl import load_workbook

    wb = load_workbook(good)
    wb.worksheets[0]["XFD1048576"] = "远处的值"
    path = tmp_path / "远处.xlsx"
    wb.save(path)
    before = path.read_bytes()
    code = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))
        from xl_tools.cli import main
        sys.exit(main(["validate", "--annotate", sys.argv[1]]))
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    marked = tmp_path / "远处.校验.xlsx"
    for source in (path, marked):            # the second run clears the first run's marks on the marked copy
        done = subprocess.run([sys.executable, "-c", code, str(source)], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode in (0, 1), done.stderr[-2000:]
        assert "带标记的副本" in done.stdout and "Traceback" not in done.stderr
    assert path.read_bytes() == before
    again = tmp_path / "远处.校验(2).xlsx"      # a marked copy is never overwritten
    for out in (marked, again):
        ws = load_workbook(out).worksheets[0]
        assert ws["XFD1048576"].value == "远处的值"
        assert "校验结果" in load_workbook(out).sheetnames


@pytest.mark.parametrize("ref", ["A99999999", "A4294967297", "ZZZZ1", "AAAAAAAAAAAAAA1", "$A$1", "B", "XFE1"])
def test_cell_references_outside_excels_grid(tmp_path, good, ref):
    """calamine sizes its grid from such references (A99999999 asks for 22 GB and aborts the process): the
    pre-flight measures them or, when it cannot, keeps calamine away; every engine then gives Forms or a message."""
    name = first_sheet_part(good)
    xml = parts(good)[name].decode().replace(
        "<sheetData>", f'<sheetData><row r="1"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>', 1)
    path = rezip(good, tmp_path / "引用.xlsx", {name: xml.encode()})
    scan = inspect_input_file(path)
    if ref in ("A99999999", "ZZZZ1", "AAAAAAAAAAAAAA1", "$A$1", "B"):
        assert not scan.dense_ok
    for engine in ENGINES:
        code = textwrap.dedent(f"""
            import resource, sys
            resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))
            from xl_tools.errors import NotAFormError
            from xl_tools.workbook.reader import read_forms
            try:
                print(read_forms(sys.argv[1], engine={engine!r})[0].city)
            except NotAFormError as exc:
                print("NOT-A-FORM", exc)
        """)
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-1500:]
        assert done.stdout.strip() == "广州" or (done.stdout.startswith("NOT-A-FORM") and "请" in done.stdout)


def test_far_values_inside_the_dense_limit_read_equal_on_both_engines(tmp_path, good):
    from openpyxl import load_workbook

    wb = load_workbook(good)
    wb.worksheets[0]["IV20000"] = "远处"
    wb.worksheets[0]["A30000"] = "更远"
    path = tmp_path / "远.xlsx"
    wb.save(path)
    a, b = (read_forms(path, engine=e) for e in ENGINES)
    assert a == b and a[0].city == "广州"


# --- huge cells ---------------------------------------------------------------------------------------------------

def huge_cell_workbook(good: Path, path: Path) -> Path:
    """The seed workbook with 100,000 characters in 项目名称 and in the first 三级指标 (written into the XML:
    openpyxl itself cuts a value to 32,767 characters when it is set, Excel never writes more)."""
    import re

    from xl_tools.workbook import layout as L

    form = read_forms(good)[0]
    name = first_sheet_part(good)
    xml = parts(good)[name].decode("utf-8")
    for ref, text in ((form.get("project_name").cell, HUGE), (form.rows[0].level3.cell, HUGE_L3)):
        m = re.search(rf'<c r="{ref}"[^>]*><is><t[^>]*>(.*?)</t>', xml)
        assert m, ref
        xml = xml[: m.start(1)] + text + xml[m.end(1):]
    assert L.parse_a1(form.get("project_name").cell)
    return rezip(good, path, {name: xml.encode("utf-8")})


HUGE = "知识产权" * 25_000
HUGE_L3 = "指标" * 50_000


def test_100000_character_cells_pass_through_reading_and_validation(tmp_path, good):
    from xl_tools.rules import validate_forms

    path = huge_cell_workbook(good, tmp_path / "超长.xlsx")
    forms = {e: read_forms(path, engine=e) for e in ENGINES}
    assert forms["openpyxl"] == forms["calamine"]
    form = forms["openpyxl"][0]
    assert form.get("project_name").text == HUGE and form.rows[0].level3.text == HUGE_L3
    report = validate_forms(forms["openpyxl"])
    assert report.tasks and all(t.readable for t in report.tasks)


def test_fit_cell_text_cuts_at_excels_limit_with_a_note():
    from xl_tools.workbook.celltext import EXCEL_CELL_MAX_CHARS, fit_cell_text

    assert fit_cell_text("短") == "短"
    exact = "字" * EXCEL_CELL_MAX_CHARS
    assert fit_cell_text(exact) == exact
    cut = fit_cell_text("知" * 100_000)
    assert len(cut) == EXCEL_CELL_MAX_CHARS
    assert cut.startswith("知" * 1000) and "100000 字" in cut and "已截断" in cut and "原文件" in cut


def _long_cells(path: Path) -> list[tuple[str, str, str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and len(c.value) > 30_000]


def test_100000_character_cells_are_cut_with_a_note_in_every_output(tmp_path, good, capsys):
    """Policy: an output cell never exceeds Excel's 32,767 characters; the cut text ends with a note saying how
    long the original was and that the city's own file (unchanged) holds it all. Nothing is refused."""
    from hostile_fixtures import seed_city_workbooks, sha256

    from xl_tools.cli import main

    folder = tmp_path / "各地市"
    cities = seed_city_workbooks(folder)
    huge_cell_workbook(good, folder / "广州.xlsx.tmp")
    (folder / "广州.xlsx.tmp").replace(cities[0])
    before = {p: sha256(p) for p in cities}
    assert main(["validate", str(cities[0]), "--annotate"]) == 1
    assert main(["consolidate", *map(str, cities), "-o", str(tmp_path / "全省.xlsx")]) in (0, 1)
    capsys.readouterr()
    assert {p: sha256(p) for p in cities} == before
    for output in (folder / "广州.校验.xlsx", tmp_path / "全省.xlsx"):
        check_input_file(output)                                   # a well-formed workbook
        long = _long_cells(output)
        assert long, output
        for sheet, cell, text in long:
            assert len(text) == 32767 and "100000 字" in text and "已截断" in text and "原文件" in text, (sheet, cell)


def test_characters_xml_cannot_hold_never_break_an_output(tmp_path, good, capsys):
    """A cell holding _xFFFE_ (how Excel stores U+FFFE) is read as U+FFFE; written raw, no program could open the
    output. Every output stays a well-formed workbook."""
    from hostile_fixtures import seed_city_workbooks

    from xl_tools.cli import main
    from xl_tools.workbook.writer import write_forms

    folder = tmp_path / "各地市"
    cities = seed_city_workbooks(folder)
    name = first_sheet_part(good)
    form = read_forms(good)[0]
    xml = parts(good)[name].decode()
    m = re.search(rf'<c r="{form.get("project_name").cell}"[^>]*><is><t[^>]*>(.*?)</t>', xml)
    xml = xml[: m.start(1)] + "项目_xFFFE_名称_x0001__xFFFF_" + xml[m.end(1):]
    rezip(good, cities[0], {name: xml.encode()})
    read = read_forms(cities[0])[0]
    assert "\ufffe" in read.get("project_name").text
    assert main(["validate", str(cities[0]), "--annotate"]) in (0, 1)
    assert main(["consolidate", *map(str, cities), "-o", str(tmp_path / "全省.xlsx")]) in (0, 1)
    capsys.readouterr()
    written = write_forms([read], tmp_path / "导出.xlsx")
    for output in (folder / "广州.校验.xlsx", tmp_path / "全省.xlsx", written):
        check_input_file(output)
        for engine in ENGINES:
            assert read_forms(output, engine=engine)
