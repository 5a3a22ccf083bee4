"""Run the registered checks over Forms: ``validate_form(form) -> FormReport``, ``validate_forms(forms) -> Report``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xl_tools.domain.form import Form
from xl_tools.rules.context import FormContext
from xl_tools.rules.findings import Finding, FormReport, Report
from xl_tools.rules.registry import rules_in


def _with_city(form: Form) -> Form:
    """The form with its city told from 地方主管部门, the title, the sheet name or the file name."""
    if form.city is not None:
        return form
    hints = [h for h in (form.sheet, Path(form.source).stem if form.source else None) if h]
    return form.with_city_detected(*hints)


def findings_for(form: Form) -> list[Finding]:
    """Every finding of every form-scope rule on ``form`` (unsorted, without duplicates)."""
    form = _with_city(form)
    ctx = FormContext(form)
    found: list[Finding] = []
    seen: set[tuple] = set()
    for rule in rules_in("form"):
        for h in rule.check(ctx):
            message = rule.message(field=h.field, **h.params)
            if h.cell is not None:
                key = (rule.code, h.cell, message)
                if key in seen:
                    continue        # a merged cell read once per row reports once
                seen.add(key)
            found.append(Finding(rule.code, rule.severity, form.city, form.sheet, h.cell, h.field, message,
                                 h.suggestion))
    return found


def validate_form(form: Form) -> FormReport:
    """Check one form: one task with its findings (errors first)."""
    form = _with_city(form)
    return FormReport(path=form.source, sheet=form.sheet, city=form.city, findings=findings_for(form))


def validate_forms(forms: Iterable[Form]) -> Report:
    """Check each form on its own (cross-city checks belong to consolidation)."""
    return Report([validate_form(f) for f in forms])
