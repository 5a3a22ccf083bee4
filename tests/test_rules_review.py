"""审核 (reviewer checks) on real workbooks: forms written with the project's writer, read back, validated.

The seed annex (广州, 深圳, 珠海, 佛山) and the other annex of the tests (东莞, 中山, 汕头) are imported as the
users get them; a table whose prose and indicators agree raises nothing, and each change of it raises exactly
the finding it should, at the cell to fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_rules import hcell, make_form, rcell

from xl_tools.annex import read_annex, write_city_workbooks
from xl_tools.rules import validate_form
from xl_tools.workbook.reader import read_forms
from xl_tools.workbook.writer import write_forms

REVIEW_CODES = {"goal-target-missing", "goal-target-weaker", "goal-target-unit", "expenditure-exceeds-funding",
                "cost-sum-exceeds-funding", "total-cost-below-funding", "value-kind-mismatch",
                "missing-cost-indicator", "cost-exceeds-funding"}
OTHER_ANNEX = Path(__file__).parent / "data" / "annex_other.txt"


def _imported(annex: Path, out: Path) -> dict[str, object]:
    write_city_workbooks(read_annex(annex), out)
    found = {}
    for path in sorted(out.glob("*.xlsx")):
        for form in read_forms(path):
            found[form.city] = (form, validate_form(form))
    return found


def _review(report) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in report.findings if f.code in REVIEW_CODES]


@pytest.fixture(scope="module")
def seed(seed_path, tmp_path_factory):
    return _imported(seed_path, tmp_path_factory.mktemp("seed"))


def test_what_the_reviewer_checks_find_on_each_seed_city(seed):
    found = {city: _review(report) for city, (_, report) in seed.items()}
    assert found == {
        # 广州 promises 15 experts in its prose and has no indicator for them (its 500 participants and
        # 3 sub-forums are covered by 活动参与人员数量 ≥500人 and 举办论坛活动 ≥4场).
        "广州": [("goal-target-missing", "B10"), ("missing-cost-indicator", "D26")],
        # 深圳, 珠海, 佛山: every number of the prose is in the table (深圳's in the shifted 三级 sentences);
        # only the 成本 rows are placeholders, which 101号 does not allow to be dropped.
        "深圳": [("missing-cost-indicator", "D24")],
        "珠海": [("missing-cost-indicator", "D25")],
        "佛山": [("missing-cost-indicator", "D25")],
    }
    gz = next(f for f in seed["广州"][1].findings if f.code == "goal-target-missing")
    assert "邀请行业内专家15人以上参与主旨演讲" in gz.message and "≥15人" in gz.message and gz.suggestion is None


def test_the_other_annex_dongguan_counts_its_navigations_in_another_unit(tmp_path):
    found = _imported(OTHER_ANNEX, tmp_path)
    assert {city: _review(report) for city, (_, report) in found.items()} == {
        "东莞": [("goal-target-unit", "E12")], "中山": [], "汕头": []}
    (unit,) = [f for f in found["东莞"][1].findings if f.code == "goal-target-unit"]
    assert "“2项”" in unit.message and "“2份”" in unit.message and "B10" in unit.message


# ---- a table whose prose and indicators agree, written to a real workbook ---------------------------------

HEADER = {
    "project_name": "技术与创新支持中心(TISC)建设", "fund_type": "省级财政专项资金", "project_level": "二级项目",
    "provincial_department": "广东省市场监督管理局", "local_department": "深圳市市场监督管理局",
    "budget_year": "2020", "funding": "180万元",
    "expenditure": "1. 培训、宣讲会等活动费用60万元；2. 资料印刷费20万元；3. 专家评审劳务费30万元。",
    "policy_basis": "《广东省促进中小企业知识产权保护和利用若干政策措施》(粤办函〔2019〕79号)",
    "overall_goal": "1.举办至少2场次面向企业、高校、科技园区的培训，每场培训规模至少为50人次。"
                    "2.至少面向20个企业提供专业技术答复咨询。3.出版至少3期技术类相关刊物。"
                    "4.成功获批发行至少1支知识产权证券化产品，规模不低于3亿元。",
}
ROWS = [
    ("产出指标", "数量指标", "举办面向企业、高校、科技园区的培训", "≥2场"),
    ("", "", "每场培训规模", "≥60人次"),
    ("", "", "面向企业提供专业技术答复咨询", "≥20家"),
    ("", "", "出版技术类相关刊物", "≥3期"),
    ("", "", "发行知识产权证券化产品数量", "≥1支"),
    ("", "质量指标", "培训学员考核合格率", "≥95%"),
    ("", "", "刊物内容", "符合出版规范"),
    ("", "时效指标", "项目完成时间", "2021年6月30日前"),
    ("", "成本指标", "培训成本", "≤60万元"),
    ("", "", "项目总成本", "≤180万元"),
    ("效益指标", "经济效益指标", "知识产权证券化产品规模", "≥3亿元"),
    ("", "社会效益指标", "接受答复咨询的企业中形成专利布局方案的", "≥10家"),
    ("满意度指标", "服务对象满意度指标", "参训企业满意度", "≥90%"),
]


def _round_trip(tmp_path, form, name="深圳.xlsx"):
    (back,) = read_forms(write_forms([form], tmp_path / name))
    return back, validate_form(back)


def _form(rows=ROWS, **header):
    return make_form({**HEADER, **header}, rows, sheet="深圳")


def _with_value(index, value, rows=ROWS):
    rows = list(rows)
    rows[index] = (*rows[index][:3], value)
    return rows


def test_prose_and_table_that_agree_raise_nothing(tmp_path):
    back, report = _round_trip(tmp_path, _form())
    assert back.get("overall_goal").cell == hcell("overall_goal")
    assert report.findings == []


@pytest.mark.parametrize("change, code, cell, suggestion", [
    (dict(rows=_with_value(0, "≥1场")), "goal-target-weaker", rcell(0, "value"), "≥2场"),
    (dict(rows=_with_value(3, "≤3期")), "goal-target-weaker", rcell(3, "value"), "≥3期"),
    (dict(rows=ROWS[:3] + ROWS[4:]), "goal-target-missing", hcell("overall_goal"), None),
    (dict(rows=_with_value(3, "≥3本")), "goal-target-unit", rcell(3, "value"), None),
    (dict(expenditure="1. 培训费用120万元；2. 印刷费80万元。"), "expenditure-exceeds-funding", hcell("expenditure"),
     None),
    (dict(rows=_with_value(9, "≤150万元")), "total-cost-below-funding", rcell(9, "value"), None),
    (dict(rows=_with_value(8, "培训成本不超过200万元")), "cost-exceeds-funding", rcell(8, "value"), None),
    (dict(rows=_with_value(7, "按计划完成")), "value-kind-mismatch", rcell(7, "value"), None),
    (dict(rows=_with_value(12, "满意")), "value-kind-mismatch", rcell(12, "value"), None),
    (dict(rows=_with_value(5, "≥2场")), "value-kind-mismatch", rcell(5, "value"), None),
])
def test_each_change_raises_its_finding_at_the_cell_to_fix(tmp_path, change, code, cell, suggestion):
    _, report = _round_trip(tmp_path, _form(**change))
    assert [(f.code, f.cell, f.suggestion) for f in report.findings if f.code in REVIEW_CODES] == [
        (code, cell, suggestion)]
    (finding,) = [f for f in report.findings if f.code == code]
    assert finding.severity == "warning" and finding.message.count("：") >= 1 and "请" in finding.message


def test_cost_parts_adding_up_above_the_funding(tmp_path):
    rows = _with_value(9, "≤100万元")
    rows[9] = ("", "", "专家评审劳务费", "≤100万元")          # two parts, 60 + 100 > 150
    _, report = _round_trip(tmp_path, _form(rows=rows, funding="150万元",
                                            expenditure="1. 培训、宣讲会等活动费用；2. 专家评审劳务费。"))
    (finding,) = [f for f in report.findings if f.code in REVIEW_CODES]
    assert (finding.code, finding.cell) == ("cost-sum-exceeds-funding", rcell(8, "value"))
    assert "合计 160万元" in finding.message and rcell(9, "value") in finding.message
    assert "资金需求（B7）150万元" in finding.message


def test_a_reviewer_finding_is_the_same_for_the_importer_form_and_its_workbook(seed_path, tmp_path):
    form = next(f for f in read_annex(seed_path) if f.city == "广州")
    direct = [f for f in validate_form(form).findings if f.code == "goal-target-missing"]
    (back,) = read_forms(write_forms([form], tmp_path / "广州.xlsx"))
    via_book = [f for f in validate_form(back).findings if f.code == "goal-target-missing"]
    assert [f.message for f in direct] == [f.message.replace("（B10）", "") for f in via_book]
    assert direct[0].cell is None and via_book[0].cell == hcell("overall_goal")


# ---- the forbidden vague wording: one list, as data --------------------------------------------------------

def test_every_listed_vague_phrase_is_flagged_and_listed_in_the_catalogue(tmp_path):
    from xl_tools.domain.data_files import load_json
    from xl_tools.rules.catalogue import render

    data = load_json("vague_wording.json")
    rows = [("产出指标", "数量指标", "举办培训", "≥2场"), ("", "质量指标", "合格率", "100%"),
            ("", "时效指标", "完成时间", "2021年"), ("", "成本指标", "总成本", "≤180万元")]
    rows += [("效益指标" if i == 0 else "", "社会效益指标" if i == 0 else "", f"社会影响{i}", phrase)
             for i, phrase in enumerate(data["phrases"])]
    rows.append(("满意度指标", "服务对象满意度指标", "满意度", "≥90%"))
    _, report = _round_trip(tmp_path, _form(rows=rows, overall_goal="建设技术与创新支持中心。"))
    vague = {f.cell for f in report.findings if f.code == "vague-value"}
    assert vague == {rcell(4 + i, "value") for i in range(len(data["phrases"]))}
    catalogue = render()
    assert "## 禁用的笼统表述" in catalogue
    for word in (*data["phrases"], *data["degree_words"], *data["change_verbs"], *data["bare_words"]):
        assert word in catalogue.split("## 禁用的笼统表述")[1], word


def test_the_parser_reads_its_vague_wording_from_the_same_list():
    from xl_tools.domain.data_files import load_json
    from xl_tools.domain.values import parse_value

    data = load_json("vague_wording.json")
    for degree in data["degree_words"]:
        for verb in data["change_verbs"][:3]:
            assert parse_value(f"服务能力{degree}{verb}").vague, degree + verb
    assert all(parse_value(word).vague for word in data["bare_words"])
    assert not parse_value("形成可复制可推广模式").vague
