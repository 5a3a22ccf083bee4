"""Cross-city rules (rules.md, 汇总): duplicate-city, mixed-years, unit-conflict, operator-conflict, not-a-form."""

from __future__ import annotations

from consolidate_fixtures import REPORTS, make_form, q, write_city_files

from xl_tools.consolidate import consolidate
from xl_tools.rules import Finding


def codes(cons):
    return [(f.code, f.severity, f.city) for f in cons.crosscity]


def test_duplicate_city_counts_the_first_form_only(tmp_path):
    first = make_form("广州", [q(REPORTS, "9份")], funding="460万元", source="甲/广州.xlsx")
    second = make_form("广州", [q(REPORTS, "5份")], funding="300万元", source="乙/广州-修改.xlsx")
    cons = consolidate([first, make_form("深圳", [q(REPORTS, "2份")], funding="180万元"), second])
    assert codes(cons) == [("duplicate-city", "error", "广州")]
    finding = cons.crosscity[0]
    assert isinstance(finding, Finding) and finding.field == "地方主管部门"
    assert "广州-修改.xlsx" in finding.message and "广州.xlsx" in finding.message and "删除" in finding.message
    assert cons.total_funding_wan == 640 and [c.city for c in cons.cities] == ["广州", "深圳"]
    assert cons.indicator(REPORTS)[0].total == 11
    assert cons.has_crosscity_error
    assert cons.counted == (True, True, False) and cons.forms[2] is not None


def test_mixed_years_points_at_the_odd_city_with_a_suggestion(tmp_path):
    paths = write_city_files([
        make_form("广州", [], year="2020年"), make_form("深圳", [], year="2021"), make_form("珠海", [], year="2020"),
        make_form("佛山", [], year=""),                 # blank: a per-city missing-field, not mixed-years
    ], tmp_path)
    cons = consolidate(paths)
    assert cons.year == "2020"
    assert codes(cons) == [("mixed-years", "error", "深圳")]
    finding = cons.crosscity[0]
    assert finding.sheet == "深圳" and finding.cell and finding.suggestion == "2020年"
    assert "2021年" in finding.message and "2020年" in finding.message


def test_same_year_written_differently_is_not_mixed():
    cons = consolidate([make_form("广州", [], year="2020年"), make_form("深圳", [], year="2020")])
    assert not cons.crosscity


def test_unit_conflict_cell_points_at_the_value_on_the_city_sheet(tmp_path):
    paths = write_city_files([make_form("广州", [q(REPORTS, "9份")]), make_form("深圳", [q(REPORTS, "2份")]),
                              make_form("珠海", [q(REPORTS, "1场")])], tmp_path)
    cons = consolidate(paths)
    (finding,) = cons.crosscity
    assert (finding.code, finding.city, finding.sheet) == ("unit-conflict", "珠海", "珠海")
    from openpyxl import load_workbook

    assert load_workbook(paths[2])["珠海"][finding.cell].value == "1场"
    # the library's unit (份) is the intended one, named in the message
    assert "“份”" in finding.message


def test_unitless_value_gets_a_suggestion():
    cons = consolidate([make_form("广州", [q(REPORTS, "9")]), make_form("深圳", [q(REPORTS, "2份")])])
    (finding,) = cons.crosscity
    assert finding.city == "广州" and finding.suggestion == "9份"


def test_operator_conflict_names_the_minority_city():
    cons = consolidate([make_form("广州", [q("培训场次", "≤3场")]), make_form("深圳", [q("培训场次", "≥2场")]),
                        make_form("佛山", [q("培训场次", "不少于1场")])])
    assert codes(cons) == [("operator-conflict", "warning", "广州")]
    assert "≥" in cons.crosscity[0].message


def test_unreadable_files_are_findings_and_the_rest_is_consolidated(tmp_path):
    (good,) = write_city_files([make_form("广州", [q(REPORTS, "9份")], funding="460万元")], tmp_path)
    broken = tmp_path / "损坏.xlsx"
    broken.write_bytes(b"this is not a workbook")
    old = tmp_path / "旧格式.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    (tmp_path / "~$广州.xlsx").write_bytes(b"lock")            # Office lock file: skipped silently
    (tmp_path / "说明.txt").write_text("不是工作簿", encoding="utf-8")  # not a workbook suffix: ignored in a folder
    cons = consolidate([tmp_path])
    assert [c.city for c in cons.cities] == ["广州"] and cons.total_funding_wan == 460
    bad = [f for f in cons.crosscity if f.code == "not-a-form"]
    assert sorted(f.field for f in bad) == ["损坏.xlsx", "旧格式.xls"]
    assert all(f.severity == "error" and f.city is None and "未汇总" in f.message for f in bad)
    assert cons.has_crosscity_error
    assert str(tmp_path / "~$广州.xlsx") not in cons.sources and str(good) in cons.sources
    assert str(tmp_path / "说明.txt") not in cons.sources


def test_unknown_city_is_kept_and_listed_last():
    nowhere = make_form("某地", [q(REPORTS, "3份")], department="某某局", funding="10万元")
    cons = consolidate([nowhere, make_form("广州", [q(REPORTS, "9份")])])
    assert [c.code for c in cons.cities] == ["440100", ""]
    assert cons.cities[1].city.startswith("未识别地市")
    assert cons.indicator(REPORTS)[0].total == 12
