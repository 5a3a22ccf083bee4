"""校验 on the published annex's four cities, imported by xl_tools.annex and read back from their workbooks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xl_tools.annex import read_annex, write_city_workbooks
from xl_tools.domain.values import is_placeholder_text
from xl_tools.rules import validate_form
from xl_tools.workbook.reader import read_forms
from xl_tools.jobs.validate import validate_files

CITIES = ("广州", "深圳", "珠海", "佛山")


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory, seed_path) -> Path:
    out = tmp_path_factory.mktemp("seed")
    write_city_workbooks(read_annex(seed_path), out)
    return out


@pytest.fixture(scope="module")
def seed(seed_dir):
    """city → (Form read back from its workbook, FormReport)."""
    found = {}
    for city in CITIES:
        (form,) = read_forms(seed_dir / f"{city}.xlsx")
        found[city] = (form, validate_form(form))
    return found


def _cells(report, code):
    return [f.cell for f in report.findings if f.code == code]


def test_budget_year_missing_in_shenzhen_and_foshan_only(seed):
    for city in CITIES:
        form, report = seed[city]
        expected = [form.get("budget_year").cell] if city in ("深圳", "佛山") else []
        assert [f.cell for f in report.findings if f.code == "missing-field" and f.field == "预算年度"] == expected
        assert all(f.field == "预算年度" for f in report.findings if f.code == "missing-field")


def test_guangzhou_placeholder_rows_once_each_and_nothing_else_on_them(seed):
    form, report = seed["广州"]
    placeholder_rows = [r for r in form.rows if r.level3.text and is_placeholder_text(r.level3.text)]
    assert len(placeholder_rows) == 7       # 质量 and 时效 continuation rows, 成本 ×2, 生态, 可持续, 满意度
    assert _cells(report, "placeholder-indicator") == [r.level3.cell for r in placeholder_rows]
    row_cells = {c.cell for r in placeholder_rows for c in (r.level1, r.level2, r.level3, r.value)}
    # Besides, the first 成本 placeholder says 成本指标 is required (财预〔2021〕101号), so it is not deleted.
    cost = next(r.level3.cell for r in placeholder_rows if r.level3.text.startswith("指标4"))
    assert sorted((f.code, f.cell) for f in report.findings if f.cell in row_cells) == sorted(
        [("placeholder-indicator", r.level3.cell) for r in placeholder_rows] + [("missing-cost-indicator", cost)])
    assert "missing-value" not in report.codes()


def test_guangzhou_vague_value_for_each_jinyibu_tisheng(seed):
    form, report = seed["广州"]
    further = [r.value.cell for r in form.rows if r.value.text == "进一步提升"]
    assert len(further) == 3
    vague = _cells(report, "vague-value")
    assert vague[:3] == further
    # The only other vague value is the prose target "…有力推动现代化高质量经济体系建设。"
    assert [f.field[:6] for f in report.findings if f.code == "vague-value"][3:] == ["以数据为基础"]


def test_shenzhen_sentence_values_get_targets_suggested(seed):
    _, report = seed["深圳"]
    found = {f.field: f.suggestion for f in report.findings if f.code == "value-in-sentence"}
    assert found == {"服务产出数量要求": "≥2份；≥2份；≥2份", "课题完成数量要求": "≥1个"}
    # Its sub-headings stand in the 二级 column with the sentence beside them: one error per row saying
    # how to move it (not also missing-value).
    shifted = [f for f in report.findings if f.code == "invalid-level2"]
    assert [f.suggestion for f in shifted] == ["数量指标"] * 4
    assert all("这一行错位了" in f.message for f in shifted)
    assert "missing-value" not in report.codes()


def test_zhuhai_and_foshan_sentence_values(seed):
    for city in ("珠海", "佛山"):
        _, report = seed[city]
        found = {f.field: f.suggestion for f in report.findings if f.code == "value-in-sentence"}
        assert found["培训数量要求"] == "≥2场次；≥50人次"
        assert found["出版刊物数量要求"] == "≥3期"


def test_no_false_alarms_on_the_seed(seed):
    for city, (form, report) in seed.items():
        codes = set(report.codes())
        # 时效 "2021年" with 预算年度 2020 (or none) is fine; ≥3亿 is money, not a missing unit.
        assert "deadline-before-year" not in codes, city
        assert not [f for f in report.findings if f.code == "value-without-unit" and "亿" in (f.message or "")]
        assert "unknown-city" not in codes and "invalid-level1" not in codes, city
        assert "missing-category" not in codes and "missing-satisfaction" not in codes, city
        assert "cost-exceeds-funding" not in codes and "percent-out-of-range" not in codes, city
        assert "duplicate-indicator" not in codes, city
        assert form.city == city and report.city == city


def test_the_quality_row_1_gets_a_unit_question(seed):
    for city in ("广州", "深圳", "珠海"):
        _, report = seed[city]
        (finding,) = [f for f in report.findings if f.code == "value-without-unit"]
        assert finding.suggestion == "1?" and "项目申报" in finding.field


def _without_cells(rows):
    return [[re.sub(r"（[A-Z]{1,3}[0-9]+）", "", v) if isinstance(v, str) else v for v in row] for row in rows]


def test_importer_forms_and_workbooks_give_the_same_findings(seed, seed_path):
    for form in read_annex(seed_path):
        direct = validate_form(form)
        _, via_workbook = seed[form.city]
        fields = ["code", "field", "message", "suggestion"]
        # Only cells differ: a reviewer message names its cells, "总体绩效目标（B10）", when read from a sheet.
        assert sorted(direct.flatten(fields)) == sorted(_without_cells(via_workbook.flatten(fields)))


def test_validate_files_on_the_seed_folder(seed_dir):
    report = validate_files([seed_dir])
    assert [t.city for t in report.tasks] == list(CITIES)
    assert report.readable and report.errors > 0
