"""校验: checks over Form records, each a small function in one registry (see registry.py, docs/rules.md).

Public API: ``validate_form(form) -> FormReport``, ``validate_forms(forms) -> Report``, ``Finding``,
``unreadable_report(path, reason)``, ``RULES`` / ``load_rules()``.
"""

from __future__ import annotations

from xl_tools.rules.engine import findings_for, validate_form, validate_forms
from xl_tools.rules.files import unreadable_report
from xl_tools.rules.findings import Finding, FormReport, Report
from xl_tools.rules.registry import RULES, Rule, get_rule, load_rules

load_rules()

__all__ = ["Finding", "FormReport", "Report", "Rule", "RULES", "get_rule", "load_rules", "validate_form",
           "validate_forms", "findings_for", "unreadable_report"]
