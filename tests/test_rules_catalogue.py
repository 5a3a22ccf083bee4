"""The registry is the one source: every contract code is registered, documented and has a fixture."""

from __future__ import annotations

import re
from pathlib import Path

from fixtures_rules import CASES
from xl_tools.rules import RULES, load_rules
from xl_tools.rules.catalogue import default_path, render
from xl_tools.rules.registry import rules_in

ROOT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u4e00-\u9fff]")

# The header and indicator codes of design/rules.md, plus not-a-form (validate reports unreadable files).
CONTRACT_CODES = {
    "missing-field", "missing-provincial-department", "invalid-choice", "invalid-year", "invalid-amount",
    "unknown-city", "invalid-level1", "invalid-level2", "placeholder-indicator", "missing-value",
    "missing-category", "missing-satisfaction", "missing-output-dimension", "not-quantitative",
    "value-without-unit", "value-in-sentence", "vague-value", "percent-out-of-range", "deadline-before-year",
    "duplicate-indicator", "cost-exceeds-funding", "not-a-form",
}
DESIGN_RULES = ROOT.parent / "shared" / "design" / "rules.md"


def test_every_contract_code_is_registered():
    assert CONTRACT_CODES <= set(load_rules())


def test_contract_matches_the_design_catalogue_when_present():
    if not DESIGN_RULES.exists():
        return
    text = DESIGN_RULES.read_text(encoding="utf-8")
    header_and_indicators = text.split("## Across cities")[0]
    design = set(re.findall(r"^\| ([a-z]+(?:-[a-z0-9]+)+) \|", header_and_indicators, re.M))
    assert design | {"not-a-form"} == CONTRACT_CODES
    for code in CONTRACT_CODES:
        severity = re.search(rf"^\| {code} \| (\w+) \|", text, re.M).group(1)
        assert RULES[code].severity == severity, code


def test_cross_city_codes_are_documented_too():
    cross = {r.code for r in rules_in("cross")}
    assert cross == {"duplicate-city", "mixed-years", "unit-conflict", "operator-conflict"}
    assert all(RULES[c].check is None and RULES[c].section == "跨地市" for c in cross)


def test_every_form_rule_has_a_fixture_that_raises_it_alone():
    covered = {c.expected[0][0] for c in CASES if len({row[0] for row in c.expected}) == 1}
    missing = {r.code for r in rules_in("form")} - covered
    assert not missing, f"codes without a fixture in tests/fixtures_rules.py: {sorted(missing)}"


def test_every_file_rule_has_a_fixture():
    # not-a-form is raised by reading files: tests/test_validate_cli.py holds its fixtures.
    text = (ROOT / "tests" / "test_validate_cli.py").read_text(encoding="utf-8")
    for r in rules_in("file"):
        assert f'"{r.code}"' in text, r.code


def test_docs_catalogue_is_generated_from_the_registry():
    path = default_path()
    assert path == ROOT / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == render(), \
        "docs/rules.md is stale: run `python -m xl_tools.rules.catalogue`"
    text = path.read_text(encoding="utf-8")
    for code in load_rules():
        assert f"| `{code}` |" in text, f"{code} has no doc entry"


def test_every_rule_speaks_chinese_and_its_example_renders():
    for r in load_rules().values():
        assert HAN.search(r.title) and HAN.search(r.when), r.code
        message = r.example_message()
        assert HAN.search(message) and "：" in message and "{" not in message, (r.code, message)
        assert r.code == r.code.lower() and " " not in r.code
