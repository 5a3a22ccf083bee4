"""Formula injection and links: a city's text is text in every output, and links only point inside the workbook.

Cities' forms carry texts starting with ``=``, ``+``, ``-`` and ``@`` (a HYPERLINK to an outside address, a DDE
``cmd|`` call, sums). They go through the template-filled city workbooks, the marked copy (validate --annotate)
and the provincial workbook (consolidate); the XML of every output is read back: no such text is in a ``<f>``
element, every one is stored as a string, and no relationship targets anything outside the workbook.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hostile_fixtures import annex_path

from xl_tools.workbook.reader import ENGINES, read_forms
from xl_tools.excel.book_sheets import as_cell_value
from xl_tools.workbook.celltext import is_formula_like, write_text_cell

pytest_plugins = ("libreoffice",)

MARK = "XINJ"
PAYLOADS = [
    f'=HYPERLINK("http://evil.example/{MARK}","点这里")',
    f"=cmd|' /C calc'!A0{MARK}",
    f"+1+2{MARK}",
    f"-3+4{MARK}",
    f"@SUM(1,2){MARK}",
    f"=1+1{MARK}",
    f"'={MARK}",
]
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def injected_forms():
    """The four seed cities with payloads in header fields, 三级指标, 指标值 and an extra row."""
    from xl_tools.annex import read_annex
    from xl_tools.domain.form import Indicator, Located

    forms = []
    for i, form in enumerate(read_annex(annex_path())):
        p = PAYLOADS[i % len(PAYLOADS)]
        header = dict(form.header)
        header["project_name"] = Located(p)
        header["spending"] = Located(PAYLOADS[(i + 1) % len(PAYLOADS)])
        header["goals"] = Located(PAYLOADS[(i + 2) % len(PAYLOADS)])
        rows = list(form.indicators)
        rows[0] = replace(rows[0], level3=Located(f"={MARK}{i}+1"), value=Located(f"@{MARK}"))
        rows[1] = replace(rows[1], value=Located(f"=SUM(1,2){MARK}"))
        rows.append(Indicator(Located("产出指标"), Located("数量指标"), Located(f"+{MARK}新增"), Located(f"-5{MARK}")))
        forms.append(replace(form, header=header, indicators=tuple(rows), source=None,
                             notes=form.notes + (f"={MARK}说明",)))
    return forms


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """{kind: [paths]}: template-filled city workbooks, marked copies, the provincial workbook, the template."""
    from xl_tools.cli import main
    from xl_tools.workbook.template import write_template
    from xl_tools.workbook.writer import write_forms

    root = tmp_path_factory.mktemp("injection")
    cities = []
    for form in injected_forms():
        cities.append(write_forms([form], root / f"{form.city}.xlsx"))
    assert main(["validate", *map(str, cities), "--annotate"]) in (0, 1)
    marked = sorted(root.glob("*.校验.xlsx"))
    assert len(marked) == len(cities)
    province = root / "out" / "全省汇总.xlsx"
    assert main(["consolidate", *map(str, cities), "-o", str(province)]) in (0, 1)
    template = write_template(root / "模板.xlsx")
    return {"cities": cities, "marked": marked, "province": [province], "template": [template]}


def _cells(path: Path):
    """(part, ref, type, formula text or None, inline text) of every cell in every worksheet part."""
    from defusedxml import ElementTree

    out = []
    with zipfile.ZipFile(path) as zf:
        shared = []
        if "xl/sharedStrings.xml" in zf.namelist():
            root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{NS}t")) for si in root.iter(f"{NS}si")]
        for name in zf.namelist():
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            root = ElementTree.fromstring(zf.read(name))
            for c in root.iter(f"{NS}c"):
                f = c.find(f"{NS}f")
                v = c.find(f"{NS}v")
                text = "".join(t.text or "" for t in c.iter(f"{NS}t"))
                if c.get("t") == "s" and v is not None and v.text is not None:
                    text = shared[int(v.text)]
                out.append((name, c.get("r"), c.get("t"), None if f is None else (f.text or ""), text))
    return out


@pytest.mark.parametrize("kind", ["cities", "marked", "province"])
def test_injected_texts_are_stored_as_text_never_as_formulas(outputs, kind):
    for path in outputs[kind]:
        cells = _cells(path)
        formulas = [(n, r, f) for n, r, _t, f, _x in cells if f is not None]
        assert not [x for x in formulas if MARK in x[2] or "evil" in x[2] or "cmd" in x[2]], (path, formulas)
        texts = [(n, r, t, x) for n, r, t, f, x in cells if MARK in x]
        assert texts, path                                     # the payloads are there ...
        assert all(t in ("s", "inlineStr") for _n, _r, t, _x in texts), texts   # ... as strings
        if kind != "province":                                 # only the provincial workbook has own formulas
            assert formulas == [], (path, formulas[:5])
        else:
            assert all(re.fullmatch(r"[A-Z]+\(.*\)|[-+*/()A-Z0-9:$!'., \u4e00-\u9fff]+", f) for _n, _r, f in formulas)


def test_city_workbooks_read_back_the_exact_texts_on_both_engines(outputs):
    expected = {f.city: f for f in injected_forms()}
    for path in outputs["cities"]:
        for engine in ENGINES:
            (form,) = read_forms(path, engine=engine)
            want = expected[form.city]
            assert form.get("project_name").text == want.get("project_name").text
            assert [r.level3.text for r in form.rows] == [r.level3.text for r in want.rows]
            assert [r.value.text for r in form.rows] == [r.value.text for r in want.rows]


def test_the_quote_prefix_is_set_on_formula_like_text(outputs):
    from openpyxl import load_workbook

    wb = load_workbook(outputs["cities"][0])
    ws = wb.worksheets[0]
    found = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and is_formula_like(c.value)]
    assert found and all(c.data_type == "s" and c.quotePrefix for c in found)


@pytest.mark.parametrize("kind", ["cities", "marked", "province", "template"])
def test_links_only_point_inside_the_workbook(outputs, kind):
    from defusedxml import ElementTree

    for path in outputs[kind]:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            assert not [n for n in names if "externalLink" in n], names
            for name in names:
                data = zf.read(name)
                if name.endswith(".rels"):
                    root = ElementTree.fromstring(data)
                    for rel in root:
                        assert rel.get("TargetMode") != "External", (path, name, rel.attrib)
                        target = rel.get("Target", "")
                        assert "://" not in target and not target.startswith(("\\\\", "file:")), (name, target)
                if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                    root = ElementTree.fromstring(data)
                    for link in root.iter(f"{NS}hyperlink"):
                        rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
                        assert link.get(rid) is None and link.get("location"), (path, name, link.attrib)


def test_outputs_have_internal_links_to_check_at_all(outputs):
    """The link test above is not vacuous: the marked copy and the provincial workbook do carry links."""
    for kind in ("marked", "province"):
        with zipfile.ZipFile(outputs[kind][0]) as zf:
            assert any(b"<hyperlink " in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.libreoffice
def test_a_spreadsheet_program_shows_the_texts_not_their_results(outputs, office):
    """LibreOffice opens, recalculates and saves the provincial workbook: the payloads are still plain text."""
    from openpyxl import load_workbook

    again = office.xlsx(outputs["province"])[0]
    wb = load_workbook(again, data_only=False)
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and MARK in c.value:
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    seen.append(c.value)
    assert any(v.startswith("=") for v in seen) and any(v.startswith("+") for v in seen)


def test_as_cell_value_for_excel_and_write_text_cell_for_openpyxl(tmp_path):
    from openpyxl import Workbook, load_workbook

    assert as_cell_value("=1+1") == "'=1+1" and as_cell_value("+86") == "'+86" and as_cell_value("-5") == "'-5"
    assert as_cell_value("@x") == "'@x" and as_cell_value("'a") == "''a"
    assert as_cell_value("广州") == "广州" and as_cell_value(5) == 5 and as_cell_value(None) is None
    wb = Workbook()
    ws = wb.active
    texts = ["=1+1", "+1", "-1", "@A1", "=", "普通", "a\x00b\ufffe", "长" * 40_000]
    for i, text in enumerate(texts, start=1):
        write_text_cell(ws.cell(row=i, column=1), text)
    write_text_cell(ws.cell(row=20, column=1), "")
    write_text_cell(ws.cell(row=21, column=1), 3.5)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    cells = {r: (t, f, x) for _n, r, t, f, x in _cells(path)}
    assert all(f is None for _t, f, _x in cells.values())
    back = load_workbook(path).active
    assert [back.cell(row=i, column=1).value for i in range(1, 7)] == texts[:6]
    assert back["A7"].value == "ab"                       # characters XML cannot hold are dropped
    assert len(back["A8"].value) == 32767 and "已截断" in back["A8"].value
    assert back["A20"].value is None and back["A21"].value == 3.5
