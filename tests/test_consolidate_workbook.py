"""The provincial workbook: cached values on live formulas, text never a formula, rebuilding the summary
sheets inside an existing consolidated workbook (生成汇总表), atomic output."""

from __future__ import annotations

import re
import zipfile

import pytest
from consolidate_fixtures import REPORTS, make_form, q, seed_forms

from xl_tools.consolidate import consolidate, write_consolidation, write_summary_sheets
from xl_tools.consolidate.saving import patch_sheet, save_workbook
from xl_tools.consolidate.workbook import SUMMARY_SHEET_NAMES
from xl_tools.errors import OutputError

INJECTIONS = ["=HYPERLINK(\"http://example.com\",\"点我\")", "+1+1", "-2+3", "@SUM(A1:A2)"]


def sheet_xml(path, title):
    from xl_tools.consolidate.saving import sheet_paths

    with zipfile.ZipFile(path) as z:
        return z.read(sheet_paths(z)[title]).decode()


def test_city_text_that_looks_like_a_formula_stays_text(tmp_path):
    from openpyxl import load_workbook

    forms = [make_form("广州", [q(INJECTIONS[1], "=1+1"), q(REPORTS, INJECTIONS[2])], project=INJECTIONS[0]),
             make_form("深圳", [q(INJECTIONS[1], "@x")], project=INJECTIONS[3])]
    path = write_consolidation(consolidate(forms), tmp_path / "out.xlsx")
    wb = load_workbook(path)
    summary = wb["汇总表"]
    # Every city of 广东省 has a row (广州 4, 韶关 5 未报送, 深圳 6).
    assert [summary["C4"].value, summary["C5"].value, summary["C6"].value] == [INJECTIONS[0], "未报送", INJECTIONS[3]]
    assert summary["C4"].data_type == "s" and summary["C4"].quotePrefix
    for name in SUMMARY_SHEET_NAMES:
        formulas = re.findall(r"<f>([^<]*)</f>", sheet_xml(path, name))
        assert all(re.fullmatch(r"(SUM|COUNTA)\([A-Z]+\d+:[A-Z]+\d+\)", f) for f in formulas), formulas
    qual = wb["定性指标"]
    texts = {c.value for row in qual.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("+1+1", "=1+1", "@x"):
        assert any(t.startswith(text) for t in texts), text


def test_a_project_name_with_u_fffe_gives_a_workbook_that_reopens(tmp_path):
    """A city's form holding U+FFFE (Excel hands such text over through the ribbon; openpyxl lets it through):
    the provincial workbook leaves the character out and openpyxl opens it again."""
    from openpyxl import load_workbook

    city = make_form("广州", [q(REPORTS, "≥2份")], project="知识产权\ufffe保护项目\uffff")
    path = write_consolidation(consolidate([city]), tmp_path / "全省.xlsx")
    wb = load_workbook(path)
    assert wb["汇总表"]["C4"].value == "知识产权保护项目"
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and not any("\ufffe" in t or "\uffff" in t for t in texts)


def test_summary_text_cells_drop_characters_xml_cannot_hold(tmp_path):
    """Every text the provincial workbook writes goes through celltext: U+FFFE/U+FFFF (which openpyxl's
    ILLEGAL_CHARACTERS_RE lets through and lxml refuses to save) are left out, the rest is kept."""
    from openpyxl import Workbook, load_workbook

    from xl_tools.consolidate.sheet_writer import SheetWriter

    wb = Workbook()
    sheet = SheetWriter(wb.active, {})
    sheet.text(1, 1, "知识产权\ufffe保护项目\uffff")
    sheet.text(2, 1, "=不是公式\x01")
    path = save_workbook(wb, tmp_path / "全省.xlsx")
    ws = load_workbook(path).active
    assert ws["A1"].value == "知识产权保护项目"
    assert ws["A2"].value == "=不是公式" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix


def test_formula_cells_carry_their_values_in_the_xml(tmp_path):
    path = write_consolidation(consolidate(seed_forms()), tmp_path / "out.xlsx")
    xml = sheet_xml(path, "汇总表")
    # 21 city rows (4..24, 未报送 ones blank) and the 合计 row 25.
    assert re.search(r'<c r="E25"[^>]*><f>SUM\(E4:E24\)</f><v>790</v></c>', xml)
    assert "<v />" not in xml and "<v/>" not in xml
    totals = sheet_xml(path, "指标汇总")
    assert re.search(r"<f>SUM\([A-Z]+\d+:[A-Z]+\d+\)</f><v>12</v>", totals)


def test_patch_only_touches_formula_cells_it_knows():
    xml = ('<row r="2"><c r="A2" t="n"><v>1</v></c><c r="B2" s="3"><f>SUM(A1:A2)</f><v /></c>'
           '<c r="C2"><f>A1</f><v></v></c><c r="D2"><f>A2</f><v/></c></row>')
    out = patch_sheet(xml, {"B2": 3, "C2": "文字", "D2": None})
    assert '<c r="B2" s="3"><f>SUM(A1:A2)</f><v>3</v></c>' in out
    assert '<c r="C2" t="str"><f>A1</f><v>文字</v></c>' in out
    assert '<c r="D2"><f>A2</f><v/></c>' in out and '<c r="A2" t="n"><v>1</v></c>' in out


def test_rebuild_summary_sheets_inside_a_consolidated_workbook(tmp_path):
    """What 生成汇总表 does: read the city sheets back, change one, rewrite the four summary sheets."""
    from dataclasses import replace

    from openpyxl import load_workbook

    from xl_tools.domain.form import Located
    from xl_tools.workbook.reader import read_forms

    first = write_consolidation(consolidate(seed_forms()), tmp_path / "汇总.xlsx")
    forms = read_forms(first)
    assert [f.city for f in forms] == ["广州", "深圳", "珠海", "佛山"]       # summary sheets are not forms
    # the user corrects 深圳's funding on its sheet, then rebuilds
    shenzhen = next(f for f in forms if f.city == "深圳")
    wb = load_workbook(first)
    wb["深圳"][shenzhen.get("funding").cell] = "200万元"
    forms = [replace(f, header={**f.header, "funding": Located("200万元", f.get("funding").cell)})
             if f.city == "深圳" else f for f in forms]
    cons = consolidate(forms)
    write_summary_sheets(wb, cons)
    write_summary_sheets(wb, cons)                                       # twice: replaced, not duplicated
    assert wb.sheetnames[:8] == [*SUMMARY_SHEET_NAMES, "广州", "深圳", "珠海", "佛山"]
    rebuilt = save_workbook(wb, tmp_path / "重建.xlsx", inputs=[first])
    import pandas as pd

    summary = pd.read_excel(rebuilt, sheet_name="汇总表", header=2, engine="calamine")
    assert list(summary["资金需求(万元)"].dropna()) == [460, 200, 50, 100, 810]        # 未报送 rows are blank
    links = {c.hyperlink.location for row in load_workbook(rebuilt)["校验结果"].iter_rows() for c in row
             if c.hyperlink}
    assert any(link.startswith("'深圳'!") for link in links)


def test_write_refuses_an_input_and_leaves_no_partial_file(tmp_path):
    from xl_tools.workbook.writer import write_forms

    source = write_forms(seed_forms()[:1], tmp_path / "广州.xlsx")
    before = source.read_bytes()
    cons = consolidate([source])
    with pytest.raises(OutputError, match="拒绝覆盖"):
        write_consolidation(cons, source)
    assert source.read_bytes() == before
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OutputError):
        write_consolidation(cons, tmp_path / "a-file" / "out.xlsx")      # cannot create a folder there
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []


def test_summary_of_one_city_and_unreadable_file_note(tmp_path):
    from openpyxl import load_workbook

    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"x")
    from xl_tools.workbook.writer import write_forms

    good = write_forms([make_form("东莞", [q(REPORTS, "3份")], funding="30万元")], tmp_path / "东莞.xlsx")
    path = write_consolidation(consolidate([good, bad]), tmp_path / "out.xlsx")
    wb = load_workbook(path)
    assert "1 个文件无法读取" in wb["汇总表"]["A2"].value
    results = wb["校验结果"]
    codes = [r[3].value for r in results.iter_rows(min_row=4)]
    assert codes[0] == "not-a-form"


def test_rebuild_from_the_workbook_itself(tmp_path):
    from openpyxl import load_workbook

    from xl_tools.consolidate import rebuild_summary_sheets
    from xl_tools.errors import InputError

    first = write_consolidation(consolidate(seed_forms()), tmp_path / "汇总.xlsx")
    wb = load_workbook(first)
    wb.remove(wb["佛山"])                                   # the user drops a city and rebuilds
    cons = rebuild_summary_sheets(wb, source=str(first))
    assert [c.city for c in cons.cities] == ["广州", "深圳", "珠海"] and cons.total_funding_wan == 690
    out = save_workbook(wb, tmp_path / "重建.xlsx", inputs=[first])
    import pandas as pd

    summary = pd.read_excel(out, sheet_name="汇总表", header=2, engine="calamine")
    assert list(summary["资金需求(万元)"].dropna()) == [460, 180, 50, 690]
    assert summary.set_index("地市").loc["佛山", "项目名称"] == "未报送"             # the dropped city
    (size,) = cons.indicator("发行知识产权证券化产品规模")
    assert size.total_text == "≥3亿元"

    from openpyxl import Workbook

    with pytest.raises(InputError, match="没有地市的绩效目标表"):
        rebuild_summary_sheets(Workbook())


def _summary_chart(path) -> tuple[str, str, str]:
    """(chart XML, drawing XML, 汇总表 sheet XML) of the provincial workbook at ``path``."""
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        drawings = [n for n in z.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
        assert len(charts) == len(drawings) == 1, z.namelist()
        return z.read(charts[0]).decode(), z.read(drawings[0]).decode(), sheet_xml(path, "汇总表")


@pytest.mark.parametrize("count", [4, 21])
def test_funding_chart_prints_whole_on_its_own_page_naming_every_city(tmp_path, count):
    """The 资金需求 chart starts a page of its own (a manual break after the 合计 row), so no page break cuts
    it; every city is named on its axis; the data labels show 460, not 460.00; it widens with the cities."""
    from xl_tools.domain.cities import cities
    from xl_tools.workbook.printsetup import body_size_points

    names = [c.name for c in cities()[:count]]
    fundings = ["460万元", "180万元", "50万元", "100万元"]
    forms = [make_form(name, [q(REPORTS, "2份")], funding=fundings[i % 4]) for i, name in enumerate(names)]
    path = write_consolidation(consolidate(forms), tmp_path / "汇总.xlsx")
    chart, drawing, sheet = _summary_chart(path)
    total_row = 3 + 21 + 1              # title, subtitle, header, every city of 广东省 (未报送 too), 合计
    assert re.search(rf'<rowBreaks[^>]*><brk id="{total_row}"[^>]*man="1"', sheet), "no page break before the chart"
    anchor_row = int(re.search(r"<(?:xdr:)?from>.*?<(?:xdr:)?row>(\d+)<", drawing).group(1))       # 0-based
    assert anchor_row + 1 > total_row
    assert f"<cat><strRef><f>'汇总表'!$A$4:$A$24</f></strRef></cat>" in chart
    assert f"<val><numRef><f>'汇总表'!$E$4:$E$24</f></numRef></val>" in chart          # not the 合计 row
    assert re.search(r'<tickLblSkip val="1" ?/>', chart)
    labels = re.search(r"<dLbls>(.*?)</dLbls>", chart).group(1)
    assert re.search(r'<numFmt formatCode="#,##0" sourceLinked="0" ?/>', labels)
    assert re.search(r'<showVal val="1" ?/>', labels) and re.search(r'<showSerName val="0" ?/>', labels)
    width_emu, height_emu = map(int, re.search(r'<(?:xdr:)?ext cx="(\d+)" cy="(\d+)"', drawing).groups())
    page_width, page_height = body_size_points()
    emu_per_point = 12700
    assert width_emu <= page_width * emu_per_point and height_emu < page_height * emu_per_point * 0.85
    if count == 21:
        assert width_emu / 360000 >= 21 * 0.9, "21 cities' names do not fit under their columns"


def test_funding_chart_labels_keep_decimals_when_an_amount_has_them(tmp_path):
    forms = [make_form("广州", [q(REPORTS, "2份")], funding="12.5万元"),
             make_form("深圳", [q(REPORTS, "2份")], funding="100万元")]
    chart, _, _ = _summary_chart(write_consolidation(consolidate(forms), tmp_path / "汇总.xlsx"))
    assert re.search(r'<dLbls><numFmt formatCode="#,##0.00" sourceLinked="0" ?/>', chart)
