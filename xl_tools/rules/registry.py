"""The one registry of 校验 rules: code → severity, Chinese title, message template, check function.

A check is a small function ``check(ctx) -> Iterable[Hit]`` registered with ``@rule(...)``; the engine turns
each Hit into a Finding carrying the rule's code and severity and a message formatted from its template
(``{field}`` and the Hit's params). Rules without a check (``not-a-form``) are raised elsewhere but live here
so the catalogue and the docs list them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

SECTIONS: tuple[str, ...] = ("表头", "绩效指标", "审核", "文件", "跨地市")
SCOPES: tuple[str, ...] = ("form", "file", "cross")

# Modules that register rules; missing ones (another issue's, not written yet) are skipped.
RULE_MODULES: tuple[str, ...] = (
    "xl_tools.rules.header",
    "xl_tools.rules.indicators",
    "xl_tools.rules.review_goals",
    "xl_tools.rules.review_funding",
    "xl_tools.rules.review_targets",
    "xl_tools.rules.files",
    "xl_tools.rules.cross_city",
)


@dataclass(frozen=True)
class Hit:
    """What a check found: the cell to fix, the field it is about, template params, a suggested value."""

    cell: str | None
    field: str
    params: dict[str, Any] = field(default_factory=dict)
    suggestion: str | None = None


def hit(at: Any, field: str, suggestion: str | None = None, **params: Any) -> Hit:
    """A Hit at ``at`` (a Located, an A1 string or None)."""
    cell = at if isinstance(at, str) or at is None else getattr(at, "cell", None)
    return Hit(cell, field, params, suggestion)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str           # error | warning | info
    title: str              # Chinese, short (shown in the 校验结果 sheet and the docs)
    template: str           # Chinese message: names the field, says what to write instead
    when: str               # Chinese: when the rule fires (the docs' catalogue)
    section: str            # one of SECTIONS
    scope: str = "form"     # form: run on each Form; file: raised while reading; cross: across cities
    example: dict[str, Any] = field(default_factory=dict)   # params that render an example message
    check: Callable[[Any], Iterable[Hit]] | None = None
    # Chinese: when this rule's 建议值 is an exact value that 采纳建议 / ``validate --fix`` may write into the
    # cell as it is ("" = never: its suggestions are examples, or need more than one cell changed).
    fix_when: str = ""

    @property
    def fixable(self) -> bool:
        return bool(self.fix_when)

    def message(self, field: str = "", **params: Any) -> str:
        return self.template.format(field=field, **params)

    def example_message(self) -> str:
        return self.message(**self.example)


RULES: dict[str, Rule] = {}


def register(code: str, *, severity: str, title: str, template: str, when: str, section: str,
             scope: str = "form", example: dict[str, Any] | None = None,
             check: Callable[[Any], Iterable[Hit]] | None = None, fix_when: str = "") -> Rule:
    """Add a rule; a code is registered once (re-importing the same module re-registers the same check)."""
    if severity not in ("error", "warning", "info"):
        raise ValueError(f"{code}: bad severity {severity!r}")
    if section not in SECTIONS or scope not in SCOPES:
        raise ValueError(f"{code}: bad section/scope {section!r}/{scope!r}")
    old = RULES.get(code)
    if old is not None and old.check is not None and check is not None \
            and getattr(old.check, "__qualname__", None) != getattr(check, "__qualname__", None):
        raise ValueError(f"rule code {code!r} registered twice")
    new = Rule(code, severity, title, template, when, section, scope, dict(example or {}), check, fix_when)
    RULES[code] = new
    return new


def rule(code: str, **meta: Any) -> Callable[[Callable], Callable]:
    """Decorator form of :func:`register` for a check function."""
    def deco(fn: Callable) -> Callable:
        register(code, check=fn, **meta)
        return fn
    return deco


def load_rules() -> dict[str, Rule]:
    """Import every rule module (once) and return the registry."""
    for name in RULE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return RULES


def get_rule(code: str) -> Rule:
    return load_rules()[code]


def rules_in(scope: str) -> list[Rule]:
    return [r for r in load_rules().values() if r.scope == scope]
