"""Cross-city totals over hand-built Forms: like with like, operators combined, nothing dropped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from consolidate_fixtures import COMPANIES, LAUNCHES, PRODUCTS, REPORTS, SIZE, make_form, q, seed_forms

from xl_tools.consolidate import consolidate
from xl_tools.consolidate.totals import combine_operators, format_total, funding_wan


def rows_of(cons, name):
    return {r.unit: r for r in cons.indicator(name)}


def test_seed_facts_add_up():
    cons = consolidate(seed_forms())
    assert cons.total_funding_wan == 790
    assert [c.city for c in cons.cities] == ["广州", "深圳", "珠海", "佛山"]
    assert [c.code for c in cons.cities] == ["440100", "440300", "440400", "440600"]

    (reports,) = cons.indicator(REPORTS)
    assert (reports.total, reports.unit, reports.operator, reports.total_text) == (12, "份", "=", "12份")
    assert {c: v.number for c, v in reports.by_city.items()} == {"广州": 9, "深圳": 2, "珠海": 1}
    (launches,) = cons.indicator(LAUNCHES)
    assert launches.total_text == "12场" and list(launches.by_city) == ["广州", "深圳", "珠海"]
    assert [cons.indicator(n)[0].total_text for n in (PRODUCTS, COMPANIES, SIZE)] == ["≥2支", "≥20家", "≥6亿元"]
    (size,) = cons.indicator(SIZE)
    assert size.total == 6 and size.unit == "亿元" and list(size.by_city) == ["广州", "佛山"]
    assert cons.year == "2020"          # 深圳 and 佛山 leave it blank: not a mixed-years error
    assert not cons.crosscity


def test_money_in_any_unit_adds_and_shows_in_the_library_unit():
    cons = consolidate([
        make_form("广州", [q(SIZE, "≥1亿元", "经济效益指标", "效益指标")]),
        make_form("深圳", [q(SIZE, "不少于5000万元", "经济效益指标", "效益指标")]),
        make_form("珠海", [q("证券化产品规模", "≥20,000,000元", "经济效益指标", "效益指标")]),   # a synonym
    ])
    (size,) = cons.indicator(SIZE)
    assert size.total == Decimal("1.7") and size.total_text == "≥1.7亿元"
    assert {c: v.number for c, v in size.by_city.items()} == {"广州": 1, "深圳": Decimal("0.5"), "珠海": Decimal("0.2")}


def test_money_not_in_library_shows_as_the_cities_wrote_it():
    cons = consolidate([make_form("广州", [q("培训经费", "≤20万元", "成本指标")]),
                        make_form("佛山", [q("培训经费", "≤30万元", "成本指标")])])
    (cost,) = cons.indicator("培训经费")
    assert (cost.unit, cost.total_text, cost.in_library) == ("万元", "≤50万元", False)


@pytest.mark.parametrize("ops, expected", [
    (["=", "="], "="), (["≥", "="], "≥"), (["≥", "≥"], "≥"), (["≤", "="], "≤"), (["≤", "≤"], "≤"),
    (["≥", "≤"], None), ([">", "≥"], ">"), (["<", "="], "<"), ([None, "="], "="),
])
def test_operator_combination(ops, expected):
    assert combine_operators(ops) == expected


def test_lower_and_upper_bounds_are_not_summed():
    cons = consolidate([make_form("广州", [q("培训场次", "≥3场")]), make_form("深圳", [q("培训场次", "≤2场")]),
                        make_form("佛山", [q("培训场次", "≥1场")])])
    (row,) = cons.indicator("培训场次")
    assert row.kind == "operator-conflict" and row.total is None and row.operator is None
    assert [f.city for f in cons.crosscity if f.code == "operator-conflict"] == ["深圳"]


def test_different_units_are_listed_on_separate_rows():
    cons = consolidate([make_form("广州", [q("宣传活动", "3场")]), make_form("深圳", [q("宣传活动", "2场")]),
                        make_form("佛山", [q("宣传活动", "5份")])])
    rows = rows_of(cons, "宣传活动")
    assert set(rows) == {"场", "份"}
    assert rows["场"].total_text == "5场" and rows["份"].total_text == "5份"
    assert rows["场"].other_units == ("份",)
    conflicts = [f for f in cons.crosscity if f.code == "unit-conflict"]
    assert [(f.city, f.severity) for f in conflicts] == [("佛山", "warning")]
    assert "场" in conflicts[0].message and conflicts[0].cell is None  # hand-built form: no cell


def test_rates_and_deadlines_are_not_summed():
    cons = consolidate([
        make_form("广州", [q("验收合格率", "≥90%", "质量指标"), q("项目完成时限", "2021年6月30日前", "时效指标")]),
        make_form("深圳", [q("验收合格率", "100%", "质量指标"), q("项目完成时限", "2021年12月底前", "时效指标")]),
    ])
    (rate,) = cons.indicator("验收合格率")
    assert rate.kind == "rate" and rate.total is None and rate.total_text == "最低 ≥90%，最高 100%"
    (deadline,) = cons.indicator("项目完成时限")
    assert deadline.kind == "deadline" and deadline.total_text == "最早 2021年6月30日前，最晚 2021年12月底前"


def test_indicator_of_one_city_and_qualitative_values_are_listed():
    cons = consolidate(seed_forms())
    (only_gz,) = cons.indicator("项目完成期限符合相关要求")
    assert list(only_gz.by_city) == ["广州"]
    qual = {r.name: r for r in cons.qualitative}
    assert qual["知识产权证券化影响力"].by_city["佛山"].text == "形成可复制可推广模式"
    assert qual["提高中小企业海外维权能力"].by_city["广州"].text == "进一步提升"   # label 指标1: stripped


def test_user_library_merges_wordings(tmp_path):
    import json

    lib = tmp_path / "lib.json"
    lib.write_text(json.dumps({"version": "1", "indicators": [
        {"name": "举办培训场次", "unit": "场次", "synonyms": ["举办培训", "培训场次"]}]}, ensure_ascii=False),
        encoding="utf-8")
    forms = [make_form("广州", [q("举办培训", "≥2场次")]), make_form("深圳", [q("指标3：培训场次", "3场次")])]
    assert len(consolidate(forms).indicators) == 2              # without the library: two indicators
    (row,) = consolidate(forms, library=lib).indicators
    assert (row.name, row.total_text, row.in_library) == ("举办培训场次", "≥5场次", True)


@pytest.mark.parametrize("text, expected", [
    ("460万元", Decimal(460)), ("460", Decimal(460)), ("4,600,000元", Decimal(460)), ("1.5亿元", Decimal(15000)),
    ("", None), ("待定", None), ("-5万元", None), ("3份", None),
])
def test_funding_in_wan(text, expected):
    assert funding_wan(text) == expected


def test_format_total():
    assert format_total("=", Decimal(12), "份") == "12份"
    assert format_total("≥", Decimal("6.0"), "亿元") == "≥6亿元"
    assert format_total("≤", Decimal("0.50"), "万元") == "≤0.5万元"


def test_sentence_values_are_qualitative_with_their_targets_listed():
    sentence = "举办至少2场次面向企业、高校、科技园区的培训,每场培训规模至少为50人次。"
    cons = consolidate([make_form("珠海", [q("培训数量要求", sentence)]),
                        make_form("佛山", [q("培训数量要求", sentence)])])
    assert not cons.indicators
    (row,) = cons.qualitative
    assert row.by_city["珠海"].text == sentence and row.by_city["佛山"].targets == ("≥2场次", "≥50人次")
