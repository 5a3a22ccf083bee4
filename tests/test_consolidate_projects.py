"""A city's projects (several form sheets in one workbook) versus duplicate-city (the city in two workbooks)."""

from __future__ import annotations

from openpyxl import load_workbook

from consolidate_fixtures import COMPANIES, PRODUCTS, REPORTS, make_form, q

from xl_tools.consolidate import consolidate, write_consolidation
from xl_tools.jobs.consolidate import consolidate_paths
from xl_tools.workbook.writer import write_forms

QUAL = "指标1: 提高中小企业海外维权能力"


def guangzhou_projects():
    """Two 广州 projects: the first form writes 9份 / ≥1支, the second 5份 / ≥2支 / ≥10家."""
    first = make_form("广州", [q(REPORTS, "9份"), q(PRODUCTS, "≥1支"),
                              q(QUAL, "进一步提升", "社会效益指标", "效益指标")],
                      funding="460万元", project="专利预警项目")
    second = make_form("广州", [q(REPORTS, "5份"), q(PRODUCTS, "≥2支"), q(COMPANIES, "≥10家"),
                               q(QUAL, "明显提升", "社会效益指标", "效益指标")],
                       funding="120万元", project="知识产权证券化项目")
    return first, second


def test_two_project_sheets_of_one_workbook_are_both_counted(tmp_path):
    book = write_forms(list(guangzhou_projects()), tmp_path / "广州.xlsx")
    shenzhen = write_forms([make_form("深圳", [q(REPORTS, "2份")], funding="180万元")], tmp_path / "深圳.xlsx")
    assert load_workbook(book).sheetnames[:2] == ["广州", "广州(2)"]

    cons = consolidate([book, shenzhen])

    assert [f.code for f in cons.crosscity if f.code == "duplicate-city"] == []
    assert cons.counted == (True, True, True)
    assert [c.city for c in cons.cities] == ["广州", "深圳"]
    gz = cons.cities[0]
    assert gz.funding_wan == 580 and gz.project_name == "专利预警项目；知识产权证券化项目"
    assert gz.year == "2020" and gz.indicator_count == 3 + 4
    assert cons.total_funding_wan == 760
    # Within 广州 the projects add up like cities do; across cities as before.
    (reports,) = cons.indicator(REPORTS)
    assert reports.by_city["广州"].number == 14 and reports.total == 16 and reports.total_text == "16份"
    (products,) = cons.indicator(PRODUCTS)
    assert products.by_city["广州"].number == 3 and products.total_text == "≥3支"
    (companies,) = cons.indicator(COMPANIES)
    assert companies.total_text == "≥10家"
    (qual,) = [r for r in cons.qualitative if r.by_city.get("广州")]
    assert qual.by_city["广州"].text == "进一步提升；明显提升"
    doc = cons.to_json()
    assert doc["total_funding_wan"] == 760 and doc["cities"][0]["funding_wan"] == 580


def test_the_provincial_workbook_has_a_sheet_per_project_and_one_row_per_city(tmp_path):
    book = write_forms(list(guangzhou_projects()), tmp_path / "广州.xlsx")
    cons, out = consolidate_paths([book], tmp_path / "out" / "广东省汇总.xlsx")
    assert not cons.has_crosscity_error
    wb = load_workbook(out)
    assert [n for n in wb.sheetnames if n.startswith("广州")] == ["广州", "广州(2)"]
    summary = wb["汇总表"]
    rows = [[c.value for c in r] for r in summary.iter_rows(min_row=4, max_col=5)]
    assert rows[0][0] == "广州" and rows[0][4] == 580
    assert [r[2] for r in rows[1:21]] == ["未报送"] * 20 and rows[21][0] == "合计"
    results = [r[3] for r in wb["校验结果"].iter_rows(min_row=4, values_only=True)]
    assert "duplicate-city" not in results

    # 生成汇总表 on that workbook: its 广州 sheets are the city's projects, not duplicates.
    from xl_tools.consolidate import rebuild_summary_sheets

    rebuilt = rebuild_summary_sheets(wb)          # no source: the sheets of one workbook
    assert not [f for f in rebuilt.crosscity if f.code == "duplicate-city"]
    assert rebuilt.total_funding_wan == 580 and len(rebuilt.cities) == 1


def test_the_same_city_in_two_workbooks_is_duplicate_city(tmp_path):
    first, second = guangzhou_projects()
    kept = write_forms([first, second], tmp_path / "a_广州.xlsx")
    other = write_forms([make_form("广州", [q(REPORTS, "7份")], funding="300万元"),
                         make_form("广州", [q(REPORTS, "1份")], funding="10万元")], tmp_path / "b_广州-修改.xlsx")

    cons = consolidate([kept, other])

    dups = [f for f in cons.crosscity if f.code == "duplicate-city"]
    assert len(dups) == 2 and {f.severity for f in dups} == {"error"} and cons.has_crosscity_error
    for f in dups:
        assert f.city == "广州" and f.cell is None and f.sheet is None
        assert "b_广州-修改.xlsx" in f.message and "a_广州.xlsx" in f.message and "删除" in f.message
    assert "工作表“广州”" in dups[0].message and "工作表“广州(2)”" in dups[1].message
    assert cons.counted == (True, True, False, False)
    assert [len(f.indicators) for f in cons.forms] == [3, 4, 0, 0]     # not counted: rows not kept
    assert cons.total_funding_wan == 580 and cons.indicator(REPORTS)[0].total == 14

    out = write_consolidation(cons, tmp_path / "out.xlsx")
    wb = load_workbook(out)
    assert [n for n in wb.sheetnames if n.startswith("广州")] == ["广州", "广州(2)"]     # no sheet for b_…
    ws = wb["校验结果"]
    dup_rows = [r for r in ws.iter_rows(min_row=4) if r[3].value == "duplicate-city"]
    assert len(dup_rows) == 2
    for r in dup_rows:
        assert r[4].value is None and r[4].hyperlink is None      # nothing in this workbook to point at
        assert "b_广州-修改.xlsx" in r[6].value


def test_in_memory_forms_without_a_file_are_each_a_workbook_of_their_own():
    one = make_form("广州", [q(REPORTS, "9份")], funding="460万元")
    two = make_form("广州", [q(REPORTS, "5份")], funding="300万元")
    cons = consolidate([one, two])
    assert [f.code for f in cons.crosscity] == ["duplicate-city"]
    assert cons.total_funding_wan == 460


def test_many_sheet_titles_are_made_unique_from_a_set(tmp_path):
    from openpyxl import Workbook

    from xl_tools.workbook.template import add_template_sheet, unique_sheet_title

    taken = {"汇总表"}
    assert [unique_sheet_title("广州", taken) for _ in range(3)] == ["广州", "广州(2)", "广州(3)"]
    assert unique_sheet_title("汇总表", taken) != "汇总表"
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    titles = [add_template_sheet(wb, "深圳", rows=3, taken=used).title for _ in range(3)]
    assert titles == ["深圳", "深圳(2)", "深圳(3)"]
    assert wb.sheetnames == ["深圳", "深圳(2)", "深圳(3)", "xl_lists"]
    assert used == {t.casefold() for t in wb.sheetnames}


def test_one_citys_projects_with_opposite_bounds_are_not_summed(tmp_path):
    """广州's first project writes ≥3场, its second ≤2场: a lower and an upper bound, within one city.

    Adding them as if they were one direction would report ≥6场 for the province; the row is an
    operator-conflict like opposite bounds in two cities, and 广州 is told where to look.
    """
    first = make_form("广州", [q("培训场次", "≥3场")], project="专利预警项目")
    second = make_form("广州", [q("培训场次", "≤2场")], project="知识产权证券化项目")
    book = write_forms([first, second], tmp_path / "广州.xlsx")
    shenzhen = write_forms([make_form("深圳", [q("培训场次", "≥1场")])], tmp_path / "深圳.xlsx")

    cons, out = consolidate_paths([book, shenzhen], tmp_path / "out" / "广东省汇总.xlsx")

    (row,) = cons.indicator("培训场次")
    assert row.kind == "operator-conflict" and row.total is None and row.operator is None
    assert row.by_city["广州"].conflict and not row.by_city["深圳"].conflict
    (finding,) = [f for f in cons.crosscity if f.code == "operator-conflict"]
    assert (finding.city, finding.severity, finding.field) == ("广州", "warning", "培训场次")
    assert "≥3场" in finding.message and "≤2场" in finding.message and "统一" in finding.message
    wb = load_workbook(out)
    assert finding.sheet == "广州" and finding.cell and wb[finding.sheet][finding.cell].value == "≥3场"
    indicators = [r for r in wb["指标汇总"].iter_rows(min_row=4, values_only=True) if r[2] == "培训场次"]
    assert len(indicators) == 1 and "不能相加" in str(indicators[0])
    assert "≥6场" not in str(indicators[0]) and "≥4场" not in str(indicators[0])


def test_one_citys_projects_in_the_same_direction_still_add_up(tmp_path):
    first = make_form("广州", [q("培训场次", "≥3场")], project="专利预警项目")
    second = make_form("广州", [q("培训场次", "2场")], project="知识产权证券化项目")
    book = write_forms([first, second], tmp_path / "广州.xlsx")
    cons = consolidate([book, make_form("深圳", [q("培训场次", "≥1场")])])
    (row,) = cons.indicator("培训场次")
    assert (row.kind, row.total_text) == ("sum", "≥6场")
    assert not [f for f in cons.crosscity if f.code == "operator-conflict"]


SATISFACTION = ("服务对象满意度指标", "满意度指标")


def test_one_citys_rates_are_ranged_by_project_never_added(tmp_path):
    """广州's two projects promise ≥50% and ≥60%, 深圳 ≥95%: the range is 50%–95%.

    Adding 广州's rates (110%) made 广州 the highest and 深圳 the lowest."""
    book = write_forms([make_form("广州", [q("服务对象满意度", "≥50%", *SATISFACTION)], project="甲"),
                        make_form("广州", [q("服务对象满意度", "≥60%", *SATISFACTION)], project="乙")],
                       tmp_path / "广州.xlsx")
    shenzhen = write_forms([make_form("深圳", [q("服务对象满意度", "≥95%", *SATISFACTION)])], tmp_path / "深圳.xlsx")

    cons, out = consolidate_paths([book, shenzhen], tmp_path / "out" / "广东省汇总.xlsx")

    (row,) = cons.indicator("服务对象满意度")
    assert (row.kind, row.total_text) == ("rate", "最低 ≥50%，最高 ≥95%")
    assert row.by_city["广州"].number is None and row.by_city["广州"].text == "≥50%；≥60%"
    listed = [r for r in load_workbook(out)["指标汇总"].iter_rows(min_row=4, values_only=True)
              if r[2] == "服务对象满意度"]
    assert len(listed) == 1 and "最低 ≥50%，最高 ≥95%" in listed[0] and "≥50%；≥60%" in listed[0]


def test_one_citys_numbers_without_unit_get_no_made_up_suggestion(tmp_path):
    """广州 writes 1 and 2 (no unit) in two projects, 深圳 3份: the unit-conflict warning must not suggest
    3份 for the cell that holds 1."""
    book = write_forms([make_form("广州", [q("专利预警分析报告", "1")], project="甲"),
                        make_form("广州", [q("专利预警分析报告", "2")], project="乙")], tmp_path / "广州.xlsx")
    shenzhen = write_forms([make_form("深圳", [q("专利预警分析报告", "3份")])], tmp_path / "深圳.xlsx")
    alone = write_forms([make_form("珠海", [q("专利预警分析报告", "4")])], tmp_path / "珠海.xlsx")

    cons = consolidate([book, shenzhen, alone])

    conflicts = {f.city: f for f in cons.crosscity if f.code == "unit-conflict"}
    assert set(conflicts) == {"广州", "珠海"}
    assert conflicts["广州"].suggestion is None and "1；2" in conflicts["广州"].message
    assert conflicts["珠海"].suggestion == "4份"          # one number in one cell: the suggestion stands
