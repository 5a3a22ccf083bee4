"""Form → workbook → Form round trips, label-search reading of hand-made forms, both engines, bad files."""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from xl_tools.domain.form import HEADER_KEYS, INDICATOR_COLUMNS, Form, Indicator, Located
from xl_tools.domain.schema import check_form
from xl_tools.errors import InputError, NotAFormError
from xl_tools.workbook import layout as L
from xl_tools.workbook.reader import read_forms
from xl_tools.workbook.rows import insert_rows
from xl_tools.workbook.template import TEMPLATE_VERSION, build_template, save_workbook
from xl_tools.workbook.writer import add_form_sheet, fill_form_sheet, write_forms, write_forms_located

ENGINES = ("openpyxl", "calamine")

LONG_GOAL = "\n".join(
    f"{i}. 本年度粤港澳大湾区知识产权人才发展大会暨知识产权人才供需对接系列活动以“线上+线下”形式组织，"
    f"邀请行业内专家15人以上参与主旨演讲，活动规模500人以上；第{i}段。" for i in range(1, 9))


def rich_form(city: str = "广州", n: int = 45) -> Form:
    """A form with Chinese text, multi-paragraph cells, n indicator rows and values that look like formulas."""
    form = Form.blank(
        project_name="地市知识产权证券化推进引导项目、广东知识产权发展实力研究",
        fund_type="省级财政专项资金", project_level="二级项目", provincial_department="",
        local_department=f"{city}市市场监管局", budget_year="2020年", funding="460万元",
        expenditure="1. 知识产权证券化组织、企业贴息。\n2. 开展粤港澳大湾区知识产权人才发展大会。\n\n3. 研究制定评价维度。",
        policy_basis="=《国务院关于新形势下加快知识产权强国建设的若干意见》（国发〔2015〕71号）",
        overall_goal=LONG_GOAL,
    )
    rows = []
    for i in range(n):
        l1, l2 = [("产出指标", "数量指标"), ("产出指标", "时效指标"), ("效益指标", "社会效益指标"),
                  ("满意度指标", "服务对象满意度指标")][i % 4]
        value = ["≥2场", "2021年12月底前", "+5%", "-", "@提升", "=100%"][i % 6]
        rows.append(Indicator.of(l1, l2, f"指标{i + 1}：举办知识产权培训班场次（第{i + 1}行）", value))
    if n > 8:
        rows[7] = Indicator()      # an empty row in the middle stays in place
    return replace(form, indicators=tuple(rows), notes=("数量指标单元格含 10 个指标，已拆分为多行", "=不是公式"))


def texts(form: Form) -> dict:
    """The user-visible content of a Form (no cells, source or sheet)."""
    return {
        "header": {k: form.get(k).text for k in HEADER_KEYS},
        "rows": [tuple(getattr(r, k).text for k, _ in INDICATOR_COLUMNS) for r in form.indicators],
        "notes": form.notes,
    }


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("io") / "三市.xlsx"
    forms = [rich_form("广州"), rich_form("深圳", 3), rich_form("广州", 1)]
    return path, forms, write_forms_located(forms, path)


@pytest.mark.parametrize("engine", ENGINES)
def test_round_trip_equals_the_written_forms(written, engine):
    path, originals, located = written
    got = read_forms(path, engine=engine)
    assert got == located
    for original, form in zip(originals, got):
        assert texts(form) == texts(original)
        assert form.template_version == TEMPLATE_VERSION and form.source == str(path)
        check_form(form)
    assert [f.sheet for f in got] == ["广州", "深圳", "广州(2)"]
    assert [f.city for f in got] == ["广州", "深圳", "广州"]
    assert got[0].title.text == "省财政专项转移支付绩效目标表(二级项目-广州)" and got[0].title.cell == "A1"


def test_every_value_keeps_its_cell(written):
    path, _, located = written
    form = read_forms(path)[0]
    assert form.get("project_name").cell == "B2" and form.get("local_department").cell == "E5"
    assert [r.level3.cell for r in form.indicators[:2]] == ["D12", "D13"]
    assert len(form.indicators) == 45 and form.indicators[44].value.cell == "E56"
    assert all(getattr(r, k).cell for r in form.indicators for k, _ in INDICATOR_COLUMNS)
    assert form.indicators[7].empty and len(form.rows) == 44


def test_formula_like_values_are_stored_as_text(written):
    path, _, _ = written
    ws = load_workbook(path)["广州"]
    cell = ws[L.HEADER_CELL_BY_KEY["policy_basis"].value_cell]
    assert cell.data_type == "s" and cell.value.startswith("=《国务院")
    assert cell.quotePrefix
    with zipfile.ZipFile(path) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml, "no cell may be written as a formula"


def test_more_indicators_than_template_rows_grow_the_table_and_its_dropdowns(written):
    path, _, _ = written
    ws = load_workbook(path)["广州"]
    ref = ws.defined_names[L.TABLE_NAME].attr_text
    r1, _, r2, _ = L.parse_range(L.split_sheet_ref(ref)[1])
    assert r2 - r1 + 1 >= 45 + L.SPARE_ROWS
    dv = next(d for d in ws.data_validations.dataValidation if d.type == "list" and "INDIRECT" in d.formula1)
    assert f"C{r2}" in dv.sqref and "$B12" in dv.formula1
    assert ws[f"D{r2}"].protection.locked is False


def test_engines_agree_on_the_committed_template():
    root = Path(__file__).resolve().parent.parent
    path = root / "workbook_templates" / "绩效目标表模板.xlsx"
    a, b = (read_forms(path, engine=e) for e in ENGINES)
    assert a == b and len(a) == 1
    assert a[0].rows == () and a[0].template_version == TEMPLATE_VERSION
    assert a[0].get("budget_year").cell == "B6"


# ---------------------------------------------------------------------------------------------------------------
# Rows inserted by the user
# ---------------------------------------------------------------------------------------------------------------

def _five_rows(tmp_path) -> tuple[Path, Form]:
    form = replace(rich_form("珠海", 5), notes=())
    path = tmp_path / "珠海.xlsx"
    write_forms([form], path)
    return path, form


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_inserted_in_the_middle_are_read_in_place(tmp_path, engine):
    path, form = _five_rows(tmp_path)
    wb = load_workbook(path)
    ws = wb["珠海"]
    insert_rows(ws, 14, 2)        # between the 2nd and 3rd indicator, like Excel's Insert Row
    for col, text in zip("BCDE", ("产出指标", "质量指标", "专利预警报告采纳率", "≥90%")):
        ws[f"{col}14"] = text
    ws["A3"] = "this label cell is not read"     # labels are never data
    edited = tmp_path / "珠海-插行.xlsx"
    wb.save(edited)

    got = read_forms(edited, engine=engine)[0]
    rows = [r.level3.text for r in got.indicators]
    assert rows[:5] == [form.indicators[0].level3.text, form.indicators[1].level3.text, "专利预警报告采纳率", "",
                        form.indicators[2].level3.text]
    assert got.indicators[2].value == Located("≥90%", "E14")
    assert got.indicators[4].level3.cell == "D16"
    assert got.get("overall_goal").text == LONG_GOAL
    # The sheet stayed consistent: names, dropdowns, print area grew with the table.
    ws2 = load_workbook(edited)["珠海"]
    assert ws2.defined_names[L.TABLE_NAME].attr_text == "'珠海'!$B$12:$E$53"
    dv = next(d for d in ws2.data_validations.dataValidation if d.formula1 == L.LEVEL1_NAME)
    assert "B14" in dv.sqref and "B53" in dv.sqref
    assert ws2.print_area == "'珠海'!$A$1:$E$53"
    assert ws2["D14"].protection.locked is False and ws2["D14"].alignment.wrap_text


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_inserted_with_plain_openpyxl_and_names_fixed_by_hand(tmp_path, engine):
    """What Excel leaves behind: cells moved down and the names grown, nothing else assumed."""
    path, form = _five_rows(tmp_path)
    wb = load_workbook(path)
    ws = wb["珠海"]
    ws.insert_rows(13, 1)
    ws["D13"] = "手工插入的指标"
    ws["E13"] = "≥1份"
    ws.defined_names[L.TABLE_NAME].attr_text = "'珠海'!$B$12:$E$52"
    edited = tmp_path / "手工.xlsx"
    wb.save(edited)
    got = read_forms(edited, engine=engine)[0]
    assert [r.level3.text for r in got.rows][:3] == [form.indicators[0].level3.text, "手工插入的指标",
                                                    form.indicators[1].level3.text]
    assert got.rows[1].value.cell == "E13" and len(got.rows) == 6


# ---------------------------------------------------------------------------------------------------------------
# Hand-made forms in the annex layout (no defined names): label search
# ---------------------------------------------------------------------------------------------------------------

def hand_made(path: Path) -> Path:
    """A form typed by hand the way the annex prints it: no names, labels with markup, merged 一级 cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "附件3"
    ws["A2"] = "省财政专项转移支付绩效目标表(二级项目-深圳)"
    rows = [("项目名称", "深圳知识产权保护项目"), ("资金类型", "省级财政专项资金"), ("项目等级", "二级项目")]
    r = 3
    for label, value in rows:
        ws.cell(row=r, column=1, value=label)
        ws.cell(row=r, column=2, value=value)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
        r += 1
    ws.cell(row=r, column=1, value="省级主管部门")        # value left blank, like every seed table
    ws.cell(row=r, column=3, value="地方主管部门")
    ws.cell(row=r, column=4, value="深圳市场监管局")
    r += 1
    for label, value in (("预算年度", 2020), ("资金需求（万元）", 180), ("支出内容", "1. 培训。\n2. 宣传。"),
                         ("政策依据：", "粤府〔2016〕56号"), ("<p>总体绩效目标</p>", "<p>举办至少2场培训</p>")):
        ws.cell(row=r, column=1, value=label)
        ws.cell(row=r, column=2, value=value)
        r += 1
    header = r + 1                                      # a blank row before the table
    for col, text in zip("BCDE", ("一级指标", "二级指标", "三级指标", "指标值")):
        ws[f"{col}{header}"] = text
    ws[f"A{header + 1}"] = "<p>绩效指标</p>"
    ws.merge_cells(f"A{header + 1}:A{header + 6}")
    ws[f"B{header + 1}"] = "产出指标"
    ws.merge_cells(f"B{header + 1}:B{header + 3}")      # 一级 written once for three rows
    data = [("数量指标", "培训场次", "≥2场"), ("质量指标", "培训满意度", "≥90%"), ("时效指标", "完成时间", "2020年12月底前")]
    for i, (l2, l3, v) in enumerate(data):
        ws.cell(row=header + 1 + i, column=3, value=l2)
        ws.cell(row=header + 1 + i, column=4, value=l3)
        ws.cell(row=header + 1 + i, column=5, value=v)
    # A page break that repeats the table header, then more rows.
    for col, text in zip("BCDE", ("一级指标", "二级指标", "三级指标", "指标值")):
        ws[f"{col}{header + 4}"] = text
    for col, text in zip("BCDE", ("效益指标", "社会效益指标", "企业知识产权意识", "进一步提升")):
        ws[f"{col}{header + 5}"] = text
    ws[f"A{header + 8}"] = "填表说明：本表一式两份"
    wb.save(path)
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_hand_made_form_is_read_by_label_search(tmp_path, engine):
    path = hand_made(tmp_path / "深圳-手工.xlsx")
    (form,) = read_forms(path, engine=engine)
    assert form.template_version is None and form.city == "深圳" and form.sheet == "Sheet1"
    assert form.title == Located("省财政专项转移支付绩效目标表(二级项目-深圳)", "A2")
    h = {k: form.get(k) for k in HEADER_KEYS}
    assert h["project_name"] == Located("深圳知识产权保护项目", "B3")
    assert h["provincial_department"] == Located("", "B6")
    assert h["local_department"] == Located("深圳市场监管局", "D6")
    assert h["budget_year"] == Located("2020", "B7")
    assert h["funding"] == Located("180", "B8")
    assert h["policy_basis"].text == "粤府〔2016〕56号"
    assert h["overall_goal"] == Located("举办至少2场培训", "B11")
    rows = form.rows
    assert [(r.level1.text, r.level2.text, r.level3.text, r.value.text) for r in rows] == [
        ("产出指标", "数量指标", "培训场次", "≥2场"),
        ("产出指标", "质量指标", "培训满意度", "≥90%"),
        ("产出指标", "时效指标", "完成时间", "2020年12月底前"),
        ("效益指标", "社会效益指标", "企业知识产权意识", "进一步提升"),
    ]
    header = 13
    assert rows[1].level1.cell == f"B{header + 1}", "a merged 一级 points at the merged cell's top-left"
    assert rows[1].level2.cell == f"C{header + 2}" and rows[3].value.cell == f"E{header + 5}"


def test_engines_agree_on_the_hand_made_form(tmp_path):
    path = hand_made(tmp_path / "手工.xlsx")
    assert read_forms(path, engine="openpyxl") == read_forms(path, engine="calamine")


def test_grid_from_xlwings_style_values_with_an_offset_used_range(tmp_path):
    """xlwings gives ``used_range.value`` starting at the used range's first cell: addresses stay true."""
    path = hand_made(tmp_path / "h.xlsx")
    ws = load_workbook(path).active
    values = [list(r) for r in ws.iter_rows(min_row=2, min_col=1, values_only=True)]
    grid = L.grid_from_values(values, title="Sheet1", origin=(2, 1))
    lay = L.locate(grid)
    assert lay.header["local_department"] == "D6" and lay.title == "A2"
    assert L.is_form_sheet(grid)
    assert L.locate(ws).header == lay.header


# ---------------------------------------------------------------------------------------------------------------
# Writing into existing workbooks; which sheets are forms
# ---------------------------------------------------------------------------------------------------------------

def test_fill_form_sheet_returns_every_cell(tmp_path):
    wb = build_template()
    ws = wb[L.FORM_SHEET_TITLE]
    form = rich_form("佛山", 4)
    got = fill_form_sheet(ws, form)
    assert all(got.get(k).cell for k in HEADER_KEYS)
    assert all(getattr(r, k).cell for r in got.indicators for k, _ in INDICATOR_COLUMNS)
    assert texts(got) == texts(form) and got.sheet == L.FORM_SHEET_TITLE
    assert ws[got.indicators[3].level3.cell].value == form.indicators[3].level3.text
    # Filling again with fewer rows clears the rest.
    again = fill_form_sheet(ws, replace(form, indicators=form.indicators[:1], notes=()))
    assert ws["D13"].value is None and len(again.indicators) == 1
    assert ws.cell(row=L.TITLE_ROW, column=L.NOTES_COL).value is None


def test_add_form_sheet_into_a_consolidation_workbook(tmp_path):
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总表"
    for col, text in zip("ABCD", ("一级指标", "二级指标", "三级指标", "指标值")):   # looks like a table, is not a form
        summary[f"{col}3"] = text
    summary["A1"], summary["B1"], summary["C1"] = "项目名称", "资金类型", "预算年度"
    a = add_form_sheet(wb, rich_form("广州", 2), "广州")
    b = add_form_sheet(wb, rich_form("佛山", 2), "佛山")
    assert wb.sheetnames == ["汇总表", "广州", "佛山", L.LISTS_SHEET]
    path = save_workbook(wb, tmp_path / "汇总.xlsx")
    got = read_forms(path)
    assert [f.sheet for f in got] == ["广州", "佛山"] and got == [replace(a, source=str(path)),
                                                                replace(b, source=str(path))]
    assert not L.is_form_sheet(load_workbook(path)["汇总表"])


def test_reserved_sheets_are_never_forms(tmp_path):
    wb = build_template()
    for title in (L.RESULT_SHEET, "汇总表", "指标汇总", "定性指标", L.LISTS_SHEET):
        assert L.is_reserved_sheet(title)
    ws = wb[L.FORM_SHEET_TITLE]
    assert L.is_form_sheet(ws)
    ws.title = L.RESULT_SHEET
    assert not L.is_form_sheet(ws)


def test_write_refuses_nothing_partial(tmp_path):
    from xl_tools.errors import OutputError

    target = tmp_path / "x.xlsx"
    with pytest.raises(OutputError):
        write_forms([], target)
    assert not target.exists() and not list(tmp_path.iterdir())
    # Text past Excel's 32,767-character cell limit is cut with a note (issue 11's policy), never refused.
    huge = Form.blank(project_name="字" * 40000)
    write_forms([huge], target)
    text = read_forms(target)[0].get("project_name").text
    assert len(text) == 32767 and text.startswith("字" * 1000) and "40000 字" in text and "已截断" in text


def test_writing_over_the_file_a_form_was_read_from_is_refused(tmp_path):
    from xl_tools.errors import OutputError

    path = tmp_path / "广州.xlsx"
    write_forms([rich_form("广州", 2)], path)
    before = path.read_bytes()
    forms = read_forms(path)
    with pytest.raises(OutputError, match="拒绝覆盖"):
        write_forms(forms, path)
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------------------------
# Files that are not forms
# ---------------------------------------------------------------------------------------------------------------

def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    files = {}
    p = tmp / "记事本.xlsx"
    p.write_text("项目名称,资金类型\n", encoding="utf-8")
    files["text"] = (p, "另存为")
    p = tmp / "旧格式.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    files["xls"] = (p, "另存为")
    p = tmp / "改了扩展名.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    files["xls-renamed"] = (p, ".xls")
    p = tmp / "加密.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le"))
    files["encrypted"] = (p, "密码")
    p = tmp / "文档.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    files["docx"] = (p, "不是 Excel 工作簿")
    p = tmp / "截断.xlsx"
    good = tmp / "good.xlsx"
    write_forms([rich_form("广州", 2)], good)
    p.write_bytes(good.read_bytes()[:3000])
    files["truncated"] = (p, "另存为")
    p = tmp / "数据表.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "金额"])
    wb.active.append(["张三", 100])
    wb.save(p)
    files["no-form"] = (p, "没有找到绩效目标表")
    return files


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", ["text", "xls", "xls-renamed", "encrypted", "docx", "truncated", "no-form"])
def test_not_a_form_errors_name_the_file_and_the_fix(tmp_path, engine, case):
    path, words = _bad_files(tmp_path)[case]
    with pytest.raises(NotAFormError) as exc:
        read_forms(path, engine=engine)
    message = str(exc.value)
    assert str(path) in message and words in message and "请" in message
    assert exc.value.code == "not-a-form" and exc.value.exit_code == 2


def test_missing_file_and_unknown_engine(tmp_path):
    with pytest.raises(InputError, match="文件不存在"):
        read_forms(tmp_path / "无.xlsx")
    good = tmp_path / "g.xlsx"
    write_forms([rich_form("广州", 1)], good)
    with pytest.raises(InputError, match="读取引擎"):
        read_forms(good, engine="pandas")


# ---------------------------------------------------------------------------------------------------------------
# Any text survives: property test over both engines
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_any_text_round_trips_identically_through_both_engines(tmp_path):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from xl_tools.domain.text import clean

    tricky = st.sampled_from(["_x0041_", "_x005F_", "=1+1", "+", "-", "@", "\r", "\r\n", "\n", "\t", "\x1b",
                              "\u3000", "〔2016〕", "≥", "'", "<p>", "0001", "1.50", "TRUE", "#N/A", " "])
    chunk = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6), tricky)
    text = st.lists(chunk, max_size=5).map("".join).map(clean)

    # No shrinking: each example writes a workbook, and shrinking one took minutes.
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              phases=(Phase.explicit, Phase.generate))
    @given(st.lists(text, min_size=len(HEADER_KEYS), max_size=len(HEADER_KEYS)),
           st.lists(st.tuples(text, text, text, text), max_size=4), st.lists(text, max_size=2))
    def check(header, rows, notes):
        form = Form(header={k: Located(v) for k, v in zip(HEADER_KEYS, header)},
                    indicators=tuple(Indicator(*(Located(x) for x in r)) for r in rows),
                    notes=tuple(n for n in notes if n))
        path = tmp_path / "p.xlsx"
        (expected,) = write_forms_located([form], path)
        a = read_forms(path)[0]
        b = read_forms(path, engine="calamine")[0]
        assert a == b
        assert a.header == expected.header and a.notes == expected.notes
        assert [r for r in a.indicators if not r.empty] == [r for r in expected.indicators if not r.empty]
        # What changed on the way in is only what a cell cannot hold (control characters, bare CR).
        for key in HEADER_KEYS:
            original = form.get(key).text
            if not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r]", original):
                assert expected.get(key).text == original

    check()


# ---------------------------------------------------------------------------------------------------------------
# A real spreadsheet program opens, recalculates and re-saves our workbook: nothing is lost
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_resaved_workbook_reads_back_the_same(tmp_path):
    from xl_tools.office import to_recalculated_xlsx

    form = replace(rich_form("湛江", 45), notes=("导入说明一",))
    src = tmp_path / "湛江.xlsx"
    (expected,) = write_forms_located([form], src)
    (resaved,) = to_recalculated_xlsx([src], tmp_path / "lo")
    for engine in ENGINES:
        (got,) = read_forms(resaved, engine=engine)
        assert texts(got) == texts(expected), engine
        assert got.get("policy_basis").text.startswith("="), "formula-like text stayed text"
        assert [r.value.cell for r in got.indicators] == [r.value.cell for r in expected.indicators]
    from xl_tools.office import to_pdf
    from xl_tools.office.printcheck import clipped_text

    (pdf,) = to_pdf([src], tmp_path / "pdf")
    assert clipped_text(pdf) == {}, "rows are high enough for their wrapped text; the footer fits"
    ws = load_workbook(resaved)["湛江"]
    lay = L.locate(ws)
    assert lay.is_template and lay.capacity >= 45
    kinds = {(dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert ("list", L.LEVEL1_NAME) in kinds and ("list", L.FUND_TYPES_NAME) in kinds
    assert ws.protection.sheet and ws["D12"].protection.locked is False


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_inserted_above_the_table_move_names_dropdowns_and_print_titles(tmp_path, engine):
    path, form = _five_rows(tmp_path)
    wb = load_workbook(path)
    ws = wb["珠海"]
    insert_rows(ws, 3, 2)            # two rows inside the header block, below 项目名称
    ws["A3"] = "备用"
    edited = tmp_path / "上方插行.xlsx"
    wb.save(edited)
    got = read_forms(edited, engine=engine)[0]
    assert texts(got) == texts(replace(form, indicators=tuple(form.indicators)))
    assert got.get("project_name").cell == "B2" and got.get("fund_type").cell == "B5"
    assert got.indicators[0].level1.cell == f"B{L.FIRST_DATA_ROW + 2}"
    ws2 = load_workbook(edited)["珠海"]
    level2 = next(d for d in ws2.data_validations.dataValidation if d.formula1 and "INDIRECT" in d.formula1)
    assert f"$B{L.FIRST_DATA_ROW + 2}," in level2.formula1 and f"C{L.FIRST_DATA_ROW + 2}" in level2.sqref
    assert ws2.print_title_rows == f"$13:$13"
    assert {str(m) for m in ws2.merged_cells.ranges} >= {"A1:E1", "B2:E2", "B5:E5", "B7:C7"}


def test_openpyxl_writes_through_elementtree_even_where_lxml_is_installed():
    """Our workbooks are the same bytes with or without lxml (python-docx installs it)."""
    import subprocess
    import sys

    code = ("import os; os.environ.pop('OPENPYXL_LXML', None); import xl_tools, openpyxl.xml; "
            "print(openpyxl.xml.LXML)")
    env = {k: v for k, v in os.environ.items() if k != "OPENPYXL_LXML"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "False"
