"""The rules engine over Form records: one tiny fixture per finding, clean forms stay clean."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from fixtures_rules import CASES, NO_FALSE_ALARMS, base, clean_forms, hcell, rcell, set_value, with_rows
from xl_tools.rules import Finding, Report, validate_form, validate_forms
from xl_tools.rules.findings import FINDING_FIELDS

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_raises_exactly_its_finding(case):
    report = validate_form(case.form)
    assert report.flatten(list(case.fields)) == case.expected
    for text in case.message_has:
        assert any(text in f.message for f in report.findings), (text, [f.message for f in report.findings])
    for f in report.findings:
        assert HAN.search(f.message) and "：" in f.message, f.message   # says what is wrong: what to do
        assert f.city == case.form.city and f.sheet == case.form.sheet


@pytest.mark.parametrize("form", clean_forms(), ids=lambda f: f.city)
def test_clean_forms_get_no_error_and_no_warning(form):
    report = validate_form(form)
    assert report.findings == []
    assert (report.errors, report.warnings, report.valid) == (0, 0, True)


@pytest.mark.parametrize("name, form", NO_FALSE_ALARMS, ids=[n for n, _ in NO_FALSE_ALARMS])
def test_no_false_alarm(name, form):
    assert validate_form(form).flatten(["code", "cell", "message"]) == []


def test_missing_field_message_names_the_field_and_says_what_to_write():
    report = validate_form(base(budget_year=""))
    (finding,) = report.findings
    assert finding == Finding("missing-field", "error", "广州", "绩效目标表", hcell("budget_year"), "预算年度",
                              "预算年度为空：请填写四位年份，如 2020", None)


def test_placeholder_rows_are_reported_once_per_row_not_also_as_missing_value():
    rows = with_rows([*set_value(6, "")[:6], ("满意度指标", "服务对象满意度指标", "指标9: ....", ""),
                      ("", "", ".....", "")])
    report = validate_form(rows)
    assert report.flatten(["code", "cell"]) == [["placeholder-indicator", rcell(6, "level3")],
                                                ["placeholder-indicator", rcell(7, "level3")]]


def test_errors_come_before_warnings_and_counts_add_up():
    form = with_rows(set_value(5, "进一步提升", set_value(1, "")), budget_year="")
    report = validate_form(form)
    assert [f.severity for f in report.findings] == ["error", "error", "warning"]
    assert report.flatten(["code"]) == [["missing-field"], ["missing-value"], ["vague-value"]]
    assert (report.errors, report.warnings, report.valid) == (2, 1, False)


def test_report_has_one_task_per_form_and_flattens_across_them():
    forms = clean_forms() + [base(budget_year="")]
    report = validate_forms(forms)
    assert isinstance(report, Report) and len(report.tasks) == 4
    assert [t.city for t in report.tasks] == ["广州", "深圳", "佛山", "广州"]
    assert report.flatten(["city", "code"]) == [["广州", "missing-field"]]
    assert (report.errors, report.warnings, report.valid) == (1, 0, False)


def test_json_document_shape():
    forms = [replace(base(budget_year="", provincial_department=""), source="广州.xlsx")]
    doc = validate_forms(forms).to_json_dict()
    assert list(doc) == ["files"]
    (entry,) = doc["files"]
    assert list(entry) == ["path", "city", "errors", "warnings", "findings"]
    assert (entry["path"], entry["city"], entry["errors"], entry["warnings"]) == ("广州.xlsx", "广州", 1, 1)
    assert [list(f) for f in entry["findings"]] == [list(FINDING_FIELDS)] * 2
    assert [f["code"] for f in entry["findings"]] == ["missing-field", "missing-provincial-department"]


def test_flatten_rejects_unknown_fields():
    with pytest.raises(ValueError):
        validate_form(base()).flatten(["code", "row"])
