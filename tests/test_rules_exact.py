"""Which 建议值 are exact (采纳建议 / ``validate --fix`` writes them into the cell as they are): on the rule
fixtures and on the published annex's four cities."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fixtures_rules import CASES
from xl_tools.annex import read_annex, write_city_workbooks
from xl_tools.rules import RULES, load_rules, validate_form
from xl_tools.rules.catalogue import render
from xl_tools.workbook.reader import read_forms

EXACT_CODES = {"invalid-choice", "invalid-year", "invalid-amount", "missing-value", "not-quantitative",
               "value-without-unit", "value-in-sentence", "goal-target-weaker"}

# Fixture case → the exact value its finding carries (None: a suggestion that is only a hint, or none).
FIXTURE_FIX = {
    "invalid-choice 项目等级": "二级项目",
    "invalid-choice 资金类型": None,
    "invalid-year 20年": None,
    "invalid-year 二〇二〇年": "2020",
    "invalid-amount 元": "460",
    "missing-value": None,
    "missing-value with the target in the 三级 text": "≥2场次",
    "value-without-unit 报告": None,            # 1份? : the unit is a guess to check
    "value-without-unit 发布会": None,
    "value-without-unit unknown unit": None,
    "value-without-unit year": "2021年",
    "value-in-sentence": None,                  # two targets: split into rows by hand
    "goal-target-weaker": "≥2份",
    "goal-target-weaker, table operator reversed": "≥1场",
}


def _case(name):
    return next(c for c in CASES if c.name == name)


def test_the_fixable_rules_are_the_ones_with_exact_values():
    assert {r.code for r in load_rules().values() if r.fixable} == EXACT_CODES
    for code in EXACT_CODES:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in RULES[code].fix_when), code


@pytest.mark.parametrize("name", sorted(FIXTURE_FIX))
def test_fixture_findings(name):
    (finding,) = validate_form(_case(name).form).findings
    assert finding.fix_value == FIXTURE_FIX[name]
    if FIXTURE_FIX[name] is not None:
        assert finding.fix_value == finding.suggestion


def test_every_suggestion_outside_the_exact_codes_is_not_exact():
    seen = 0
    for case in CASES:
        for f in validate_form(case.form).findings:
            if f.suggestion and f.code not in EXACT_CODES:
                seen += 1
                assert f.fix_value is None, (case.name, f.code, f.suggestion)
    assert seen        # invalid-level1/invalid-level2 give a taxonomy name that belongs in another column


def test_no_cell_no_fix():
    (finding,) = validate_form(_case("invalid-year 二〇二〇年").form).findings
    assert replace(finding, cell=None).fix_value is None
    assert replace(finding, sheet=None).fix_value is None
    assert replace(finding, suggestion=None).fix_value is None


@pytest.fixture(scope="module")
def seed_reports(tmp_path_factory, seed_path):
    out = tmp_path_factory.mktemp("seed")
    write_city_workbooks(read_annex(seed_path), out)
    return {city: validate_form(read_forms(out / f"{city}.xlsx")[0]) for city in ("广州", "深圳", "珠海", "佛山")}


def test_seed_exact_fixes(seed_reports):
    fixes = {city: {f.cell: (f.code, f.fix_value) for f in r.findings if f.fix_value}
             for city, r in seed_reports.items()}
    assert fixes == {
        "广州": {},
        "深圳": {"E19": ("value-in-sentence", "≥1个")},
        "珠海": {"E17": ("value-in-sentence", "≥3期"), "E19": ("value-in-sentence", "≥1个")},
        "佛山": {"E15": ("value-in-sentence", "≥3期"), "E17": ("value-in-sentence", "≥1个")},
    }
    hints = [(f.code, f.suggestion) for r in seed_reports.values() for f in r.findings
             if f.suggestion and not f.fix_value]
    assert ("invalid-level2", "数量指标") in hints          # the shifted 深圳 rows must be moved by hand
    assert ("value-without-unit", "1?") in hints
    assert ("value-in-sentence", "≥2场次；≥50人次") in hints


def test_catalogue_lists_the_exact_codes():
    text = render().split("## 可直接采纳的建议值")[1].split("\n## ")[0]
    listed = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert listed == EXACT_CODES
