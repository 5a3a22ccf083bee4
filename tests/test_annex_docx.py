"""Word annexes (.docx/.docm) built with python-docx from the seed: the same Forms as the text import.

The documents have real merged cells (gridSpan across header rows, vMerge down 绩效指标/一级/二级), cells with
several paragraphs or with line breaks, a table split over two Word tables at a page break, a title written
as the table's first row; text boxes and nested tables must be reported, never dropped.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from annex_word import Layout, build_docx, docx_texts, form_digest, seed_tables
from test_annex_import import workbook_texts

from xl_tools.annex import import_annex, parse_annex, read_annex
from xl_tools.annex.docx_reader import read_docx
from xl_tools.domain.text import squash


@pytest.fixture(scope="module")
def seed_text(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text_forms(seed_text):
    return parse_annex(seed_text, source="附件3.txt")


@pytest.fixture(scope="module")
def word_annex(tmp_path_factory, seed_text) -> Path:
    return build_docx(seed_tables(seed_text), tmp_path_factory.mktemp("word") / "附件3.docx")


def _xml(path: Path) -> str:
    return zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")


def test_the_built_annex_really_has_merged_cells_breaks_and_a_split_table(word_annex):
    xml = _xml(word_annex)
    assert xml.count('<w:gridSpan w:val="4"/>') >= 20            # header values spanning the rest of the row
    assert xml.count('<w:vMerge w:val="restart"/>') >= 12        # 绩效指标 / 一级 / 二级 merged down
    assert xml.count("<w:vMerge/>") >= 60
    assert xml.count("<w:br/>") >= 10                            # line breaks inside cells
    assert xml.count("<w:tbl>") == 5                             # four forms, one of them split in two
    assert xml.count("<w:tblHeader/>") == 5                      # the continuation repeats the heading row


def test_word_annex_gives_the_same_forms_as_the_text_annex(word_annex, text_forms):
    forms = read_annex(word_annex)
    assert [f.city for f in forms] == ["广州", "深圳", "珠海", "佛山"]
    assert [form_digest(f) for f in forms] == [form_digest(f) for f in text_forms]
    gz = forms[0]
    assert [r.value.text for r in gz.rows if r.level2.text == "数量指标"] == \
        ["9份", "9场", "≥1支", "≥10家", "≥1个", "≥4场", "≥500人", "1份", "1场", "1份"]


@pytest.mark.parametrize("layout", [
    Layout(wide=True),                                     # cells spanning 2 of 7 grid columns
    Layout(repeat_heading=False, split_after=3),           # the continuation starts straight with indicators
    Layout(split=1, split_after=12, breaks=False, title_row=None),
], ids=["irregular-grid", "continuation-without-heading", "split-in-a-kept-level-run"])
def test_other_word_layouts_give_the_same_forms(tmp_path, seed_text, text_forms, layout):
    path = build_docx(seed_tables(seed_text), tmp_path / "附件3.docx", layout)
    if layout.wide:
        assert '<w:gridSpan w:val="2"/>' in _xml(path) and _xml(path).count("<w:gridCol ") == 7 * 5
    assert [form_digest(f) for f in read_annex(path)] == [form_digest(f) for f in text_forms]


def test_notes_name_the_word_table_and_row(word_annex):
    forms = read_annex(word_annex)
    notes = [n for f in forms for n in f.notes]
    assert any(n.startswith("文档第1张表第11行：“数量指标”的三级指标一格有10段") for n in notes)
    assert not any("附件第" in n for n in notes)                  # no text-dump line numbers in a Word import
    foshan = forms[3]
    assert any("跨页续表" in n for n in foshan.notes)              # the split table was joined, and said so
    assert foshan.notes[0].startswith("本表导入自附件“附件3.docx”（附件3）")


def test_grid_is_rebuilt_from_gridspan_and_vmerge(word_annex):
    doc = read_docx(word_annex)
    by_place = {doc.places[line.number]: line for line in doc.lines}
    header = by_place["文档第1张表第1行"]                          # 项目名称 | value spanning 4 grid columns
    assert [c.col for c in header.filled] == [0, 1] and len(header.cells) == 5
    heading = by_place["文档第1张表第10行"]
    assert [c.text for c in heading.filled] == ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"]
    first = by_place["文档第1张表第11行"]                           # 产出/数量 start their merges here
    assert [c.col for c in first.filled] == [1, 2, 3, 4] and len(first.cells[3].paragraphs) == 10
    below = by_place["文档第1张表第12行"]                           # merged over: empty slots, as in the dump
    assert [c.col for c in below.filled] == [2, 3]                    # 质量指标 starts; 绩效指标/产出指标 continue
    assert below.cells[0].empty and below.cells[1].empty


def test_title_row_and_heading_paragraph_both_give_the_city(tmp_path, seed_text):
    tables = seed_tables(seed_text)
    path = build_docx(tables, tmp_path / "a.docx", Layout(split=None, title_row=0, breaks=False))
    forms = read_annex(path)
    assert [f.title.text for f in forms] == [t.title for t in tables]
    assert [f.city for f in forms] == ["广州", "深圳", "珠海", "佛山"]


def test_city_from_a_plain_city_paragraph_before_the_table(tmp_path, seed_text):
    tables = seed_tables(seed_text)[:1]
    tables[0].title = "广州市"
    path = build_docx(tables, tmp_path / "a.docx", Layout(split=None, title_row=None))
    xml = _xml(path).replace('<w:pStyle w:val="Heading2"/>', "")   # not a heading style: a plain paragraph
    _rewrite(path, xml)
    [form] = read_annex(path)
    assert form.title.text == "广州市" and form.city == "广州"


def _rewrite(path: Path, xml: str, *, extra: dict[str, bytes] | None = None,
             content_types=None) -> None:
    src = zipfile.ZipFile(path)
    items = {i.filename: src.read(i.filename) for i in src.infolist()}
    src.close()
    items["word/document.xml"] = xml.encode("utf-8")
    if content_types:
        items["[Content_Types].xml"] = content_types(items["[Content_Types].xml"].decode("utf-8")).encode("utf-8")
    items.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items.items():
            out.writestr(name, data)


def test_every_character_lands_in_a_workbook_and_on_screen(tmp_path, seed_text):
    """Fidelity: each piece of text of the .docx is in a workbook (cells or 导入说明); notes are printed too."""
    import docx

    path = build_docx(seed_tables(seed_text), tmp_path / "附件3.docx",
                      Layout(text_box="另附：联系人张三", nested="备注|分两年拨付"))
    d = docx.Document(path)
    d.sections[0].header.paragraphs[0].text = "广东省市场监督管理局文件"
    d.sections[0].footer.paragraphs[0].text = "第1页"
    d.save(path)
    texts = docx_texts(path)
    assert {"另附：联系人张三", "备注", "分两年拨付", "广东省市场监督管理局文件", "第1页"} <= set(texts)
    out = tmp_path / "各地市"
    done = subprocess.run([sys.executable, "-m", "xl_tools", "import-annex", str(path), "-o", str(out)],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    hay = "\n".join(workbook_texts(sorted(out.glob("*.xlsx"))))   # cells, rows and the 导入说明
    labels = {"绩效指标", "一级指标", "二级指标", "三级指标", "指标值"}
    missing = [t for t in texts if squash(t) not in hay and squash(t) not in labels]
    assert missing == []
    for text in ("另附：联系人张三", "备注 / 分两年拨付", "页眉中的文字“广东省市场监督管理局文件”", "页脚中的文字“第1页”"):
        assert text in done.stdout                                  # on screen
    assert "文本框" in done.stdout and "嵌有一张小表格" in done.stdout


def test_text_hidden_under_a_vertical_merge_is_kept(tmp_path, seed_text):
    path = build_docx(seed_tables(seed_text)[:1], tmp_path / "a.docx", Layout(split=None))
    xml = _xml(path)
    cont = "<w:vMerge/></w:tcPr><w:p/>"
    at = xml.index(cont)
    xml = xml[:at] + "<w:vMerge/></w:tcPr><w:p><w:r><w:t>遮住的字</w:t></w:r></w:p>" + xml[at + len(cont):]
    _rewrite(path, xml)
    [form] = read_annex(path)
    assert any("遮住的文字“遮住的字”" in n for n in form.notes)


def test_docm_is_read_as_data_and_its_macros_never_run(tmp_path, seed_text):
    path = build_docx(seed_tables(seed_text)[:1], tmp_path / "附件3.docm", Layout(split=None))
    macro_ct = "application/vnd.ms-word.document.macroEnabled.main+xml"
    _rewrite(path, _xml(path), extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0not run"},
             content_types=lambda ct: ct.replace(
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", macro_ct))
    assert macro_ct in zipfile.ZipFile(path).read("[Content_Types].xml").decode()
    [form] = read_annex(path)
    assert form.city == "广州" and len(form.rows) == 27
    assert form.notes[1] == "附件是含宏的 Word 文档（.docm）：宏没有运行，只读取了其中的文字和表格"


def test_paragraphs_and_sdt_wrappers_are_read(tmp_path, seed_text):
    """A table inside a content control (w:sdt) is read like any other."""
    path = build_docx(seed_tables(seed_text)[:1], tmp_path / "a.docx", Layout(split=None))
    xml = _xml(path)
    start, end = xml.index("<w:tbl>"), xml.index("</w:tbl>") + len("</w:tbl>")
    xml = xml[:start] + "<w:sdt><w:sdtContent>" + xml[start:end] + "</w:sdtContent></w:sdt>" + xml[end:]
    _rewrite(path, xml)
    [form] = read_annex(path)
    assert len(form.rows) == 27 and form.city == "广州"


def test_import_annex_writes_the_city_workbooks_from_word(tmp_path, word_annex):
    paths = import_annex(word_annex, tmp_path / "各地市")
    assert [p.name for p in paths] == ["广州.xlsx", "深圳.xlsx", "珠海.xlsx", "佛山.xlsx"]


def test_demo_accepts_a_word_annex_and_gives_the_text_annex_results(tmp_path, word_annex):
    """``xl-tools demo --annex 附件3.docx``: import, 校验 and 汇总 unchanged — the same total as the text annex."""
    out = tmp_path / "结果"
    done = subprocess.run([sys.executable, "-m", "xl_tools", "demo", "--annex", str(word_annex), "-o", str(out)],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert f"① 导入附件：{word_annex}" in done.stdout
    assert "资金需求合计 790 万元" in done.stdout
    for city in ("广州", "深圳", "珠海", "佛山"):
        assert (out / "地市" / f"{city}.校验.xlsx").is_file()
    assert (out / "广东省汇总.xlsx").is_file()


def test_validation_of_the_word_import_equals_that_of_the_text_import(tmp_path, word_annex, seed_path):
    import json

    def findings(annex: Path, folder: Path) -> dict:
        import_annex(annex, folder)
        done = subprocess.run([sys.executable, "-m", "xl_tools", "validate", str(folder), "--json"],
                              capture_output=True, text=True, encoding="utf-8")
        report = json.loads(done.stdout)
        return {Path(f["path"]).name: [(x["code"], x["cell"], x["message"]) for x in f["findings"]]
                for f in report["files"]}

    from_text = findings(seed_path, tmp_path / "文本")
    from_word = findings(word_annex, tmp_path / "Word")
    assert from_word == from_text and sum(map(len, from_text.values())) > 10


def test_embedded_objects_are_reported_not_silently_skipped(tmp_path, seed_text):
    path = build_docx(seed_tables(seed_text)[:1], tmp_path / "a.docx", Layout(split=None))
    xml = _xml(path)
    obj = '<w:p><w:r><w:object><v:shape xmlns:v="urn:schemas-microsoft-com:vml"/></w:object></w:r></w:p>'
    at = xml.index("<w:tbl>")
    _rewrite(path, xml[:at] + obj + xml[at:])
    [form] = read_annex(path)
    assert any("1 个嵌入的对象" in n for n in form.notes)


def test_strict_open_xml_is_named(tmp_path, seed_text):
    path = build_docx(seed_tables(seed_text)[:1], tmp_path / "严格.docx", Layout(split=None))
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    _rewrite(path, _xml(path).replace("http://schemas.openxmlformats.org/wordprocessingml/2006/main", strict))
    from xl_tools.errors import InputError

    with pytest.raises(InputError, match="Strict Open XML"):
        read_annex(path)


def test_a_nested_table_does_not_widen_the_outer_grid(tmp_path, seed_text):
    path = build_docx(seed_tables(seed_text)[:1], tmp_path / "a.docx", Layout(split=None, nested="甲|乙"))
    assert _xml(path).count("<w:gridCol ") == 7                     # 5 of the form, 2 of the nested table
    doc = read_docx(path)
    assert {len(line.cells) for line in doc.lines if "张表" in doc.places[line.number]} <= {1, 5}


def test_an_untitled_table_right_after_another_is_a_new_form_not_a_continuation(tmp_path, seed_text):
    tables = seed_tables(seed_text)[:2]
    tables[1].title = ""                                             # 深圳's table follows 广州's with no heading
    path = build_docx(tables, tmp_path / "a.docx", Layout(split=None, title_row=None))
    forms = read_annex(path)
    assert [f.city for f in forms] == ["广州", "深圳"]
    assert not any("跨页续表" in n for f in forms for n in f.notes)
    assert any("没有标题" in n for n in forms[1].notes)
