"""The fast defined-names reading gives exactly what the defusedxml ElementTree reading gives, errors included."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_tools.workbook import layout as L
from xl_tools.workbook.safety import inspect_input_file
from xl_tools.workbook.fastread import defined_names_from_xml, defined_names_tree

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def outcome(fn, data: bytes):
    try:
        return "ok", fn(data)
    except Exception as exc:  # the exception type and text are part of what the reader reports
        return type(exc).__name__, str(exc)


CASES = [
    f'<workbook {NS}><definedNames><definedName name="a">x<!-- c -->y</definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="a">x<?pi z?>y</definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="a">x<b>q</b>y</definedName>'
    f'<definedName name="b" localSheetId="1"> <![CDATA[\'a\'!$A$1]]> </definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="a">&apos;O&apos;&apos;B&amp;&lt;&#x41;&apos;!$A$1'
    f'</definedName></definedNames><definedNames><definedName name="z">S!A1</definedName></definedNames></workbook>',
    f'<x:workbook xmlns:x="{MAIN}"><x:definedNames><x:definedName name="a">S!A1</x:definedName>'
    f'<other name="o">T!B2</other></x:definedNames></x:workbook>',
    f'<workbook {NS}><sheets><definedNames><definedName name="deep">S!A1</definedName></definedNames></sheets>'
    f'</workbook>',
    '<workbook><definedNames><definedName name="no namespace">S!A1</definedName></definedNames></workbook>',
    f'<workbook {NS} xmlns:q="urn:q"><definedNames><definedName q:name="a" name="b" q:localSheetId="2">S!A1'
    f'</definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="">S!A1</definedName><definedName name="e"></definedName>'
    f'<definedName name="e2"/><definedName name="s" localSheetId="0">  </definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="d">1</definedName><definedName name="d">2</definedName>'
    f'<definedName name="d" localSheetId="3">3</definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="bad" localSheetId="x">S!A1</definedName></definedNames>'
    f'</workbook>',
    f'<!DOCTYPE workbook><workbook {NS}><definedNames><definedName name="a">S!A1</definedName></definedNames>'
    f'</workbook>',
    f'<!DOCTYPE workbook [<!ENTITY e "x">]><workbook {NS}><definedNames><definedName name="a">&e;</definedName>'
    f'</definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="a">&undefined;</definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames><definedName name="a">S!A1</definedName></definedNames>',
    f'<workbook {NS}><definedNames><definedName name="a">x\r\ny\n</definedName></definedNames></workbook>',
    f'<workbook {NS}><definedNames/></workbook>', "", "garbage", f'<workbook {NS}>\u00e9</workbook>',
]


@pytest.mark.parametrize("xml", CASES)
@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "latin-1"])
def test_fast_names_equal_tree_names(xml, codec):
    data = xml.encode(codec, "replace")
    assert outcome(defined_names_from_xml, data) == outcome(defined_names_tree, data)


PIECES = list("'!$:AB1 广州&<>\"") + ["&amp;", "&apos;", "&lt;", "&#x41;", "<![CDATA[x]]>", "<!--c-->", "<i/>"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
NAME = st.one_of(st.sampled_from(["XL_title", "XL_indicators", "a.b", "_xlnm.Print_Area", ""]), TEXT)


@st.composite
def workbook_xml(draw) -> str:
    names = []
    for _ in range(draw(st.integers(0, 6))):
        attrs = f' name="{draw(NAME)}"' if draw(st.booleans()) else ""
        if draw(st.booleans()):
            attrs += f' localSheetId="{draw(st.sampled_from(["0", "1", "7", "-1", "x", ""]))}"'
        names.append(f"<definedName{attrs}>{draw(TEXT)}</definedName>")
    block = "<definedNames>" + "".join(names) + "</definedNames>"
    wrap = draw(st.sampled_from(["{}", "<sheets>{}</sheets>", "{}{}", "<!--x-->{}"]))
    return f'<workbook {NS}><sheets/>' + wrap.replace("{}", block) + "</workbook>"


@settings(max_examples=300, deadline=None)
@given(workbook_xml())
def test_fast_names_equal_tree_names_generated(xml):
    data = xml.encode("utf-8")
    assert outcome(defined_names_from_xml, data) == outcome(defined_names_tree, data)


def test_template_workbook_names(tmp_path):
    """A real template workbook: sheet-scoped names per sheet, list names on the hidden sheet."""
    from xl_tools.workbook.template import build_template

    path = tmp_path / "模板.xlsx"
    build_template().save(path)
    book, local = defined_names_from_xml(inspect_input_file(path).workbook_xml)   # the part the pre-flight kept
    with zipfile.ZipFile(path) as zf:
        assert (book, local) == defined_names_tree(zf.read("xl/workbook.xml"))
    assert book[L.VERSION_NAME] == f"{L.quote_sheet(L.LISTS_SHEET)}!$B$1"
    sheet = L.names_for_sheet(L.FORM_SHEET_TITLE, local[0], book)
    assert sheet[L.TABLE_NAME].startswith("$B$")


def test_plain_workbook_parts_take_the_regex_path(tmp_path):
    """A template workbook's part is read by the regexes (the fast path), with ElementTree's result."""
    from xl_tools.workbook.fastread import _plain_names
    from xl_tools.workbook.template import build_template

    path = tmp_path / "模板.xlsx"
    build_template().save(path)
    with zipfile.ZipFile(path) as zf:
        data = zf.read("xl/workbook.xml")
    assert _plain_names(data) is not None and _plain_names(data) == defined_names_tree(data)
    odd = data.replace(b"<definedNames>", b"<definedNames><!-- x -->", 1)
    assert _plain_names(odd) is None and defined_names_from_xml(odd) == defined_names_tree(odd)


def test_preflight_hands_on_the_workbook_part_as_zipfile_reads_it(tmp_path):
    """One read per file: the pre-flight's scan carries xl/workbook.xml, by either way of checking."""
    from xl_tools.workbook.safety.container import check_zip
    from xl_tools.workbook.safety.limits import InputScan
    from xl_tools.workbook.template import build_template

    path = tmp_path / "模板.xlsx"
    build_template().save(path)
    with zipfile.ZipFile(path) as zf:
        expected = zf.read("xl/workbook.xml")
    assert inspect_input_file(path).workbook_xml == expected
    scan = InputScan(path=str(path), size=path.stat().st_size)
    check_zip(path, str(path), scan)                  # the zip check itself keeps it
    assert scan.workbook_xml == expected
