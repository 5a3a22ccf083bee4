"""What the checks look at: a Form with each indicator row's effective 一级/二级 and its parsed 指标值.

The annex merges the 一级/二级 cells over many rows, so a row often leaves them blank: a row inherits the
category of the row above. A row is ``real`` (a 三级指标 with text), ``placeholder`` (``指标4:``, ``....``,
or no 三级指标 but a value) or ``slot`` (only the category columns filled, as in a blank template).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from xl_tools.domain.form import Form, Indicator, Located
from xl_tools.domain.taxonomy import Taxonomy, taxonomy
from xl_tools.domain.text import squash
from xl_tools.rules.header_values import parse_funding, parse_year

_LABEL = re.compile(r"^指标\s*\d*\s*[:：.、]?")
_TRAILING = re.compile(r"[\s.。…·,，;；:：、]+$")


def kind_name(kind: Any) -> str:
    """A Kind member or string as its plain value (``quantitative`` …)."""
    return str(getattr(kind, "value", kind) or "")


@lru_cache(maxsize=4096)      # asked for every real row; the same 三级指标 texts recur across a batch
def indicator_key(text: str) -> str:
    """A comparison key for 三级指标 text: no ``指标N:`` label, no spaces, no trailing dots/punctuation."""
    key = _LABEL.sub("", squash(text))
    return _TRAILING.sub("", key)


@dataclass(frozen=True)
class LevelProblem:
    """A 一级/二级 cell whose text is not in the taxonomy, or not under its 一级."""

    column: str                 # level1 | level2
    at: Located
    text: str
    level1: str | None          # the 一级 in force (for level2 problems)
    reason: str                 # unknown | wrong-parent | empty | is-level2
    suggestion: str | None = None
    shifted: bool = False       # the row sits one column left: heading in 二级, sentence in 三级, no 指标值


@dataclass
class Row:
    index: int
    indicator: Indicator
    level1: str | None          # effective taxonomy 一级 (None when unknown)
    level2: str | None          # effective taxonomy 二级 (None when unknown)
    status: str                 # real | placeholder | slot
    shifted: bool = False       # see LevelProblem.shifted: its invalid-level2 finding says how to move it

    def __post_init__(self) -> None:
        # Nearly every check asks these of every row, so they are worked out once when the row is made (plain
        # attributes are much cheaper to read than cached properties). Not dataclass fields, so equality and
        # repr are unchanged and importing the rules builds no extra generated code:
        #   parsed         the 指标值 parsed (None when empty)
        #   kind           its kind's value ("quantitative", …; "" when empty)
        #   value_missing  the value is empty or only a placeholder (....)
        text = self.indicator.value.text
        if not text:
            self.parsed, self.kind, self.value_missing = None, "", True
        elif type(text) is str:
            self.parsed, self.kind, self.value_missing = _value_facts(text)
        else:
            self.parsed, self.kind, self.value_missing = _value_facts.__wrapped__(text)

    @property
    def level3(self) -> Located:
        return self.indicator.level3

    @property
    def value(self) -> Located:
        return self.indicator.value

    @property
    def name(self) -> str:
        """The 三级指标 text as shown in findings (one line)."""
        return " ".join(self.level3.text.split())


# Both below are asked for every indicator row of every form, and a batch repeats the same few hundred
# texts (cities copy the template's wording): remembered by text. What they return is immutable (a frozen
# ParsedValue, str, bool), so sharing it between rows and forms is safe.
@lru_cache(maxsize=4096)
def _value_facts(text: str) -> tuple[Any, str, bool]:
    """(parsed, kind, value_missing) of a non-empty 指标值 text."""
    from xl_tools.domain.values import parse_value

    parsed = parse_value(text)
    kind = kind_name(parsed.kind)
    return parsed, kind, kind == "placeholder"


@lru_cache(maxsize=4096)
def _is_placeholder_key(text: str) -> bool:
    from xl_tools.domain.values import is_placeholder_text

    return not text.strip() or bool(is_placeholder_text(text))


def _is_placeholder(text: str) -> bool:
    return _is_placeholder_key(text) if type(text) is str else _is_placeholder_key.__wrapped__(text)


@dataclass
class FormContext:
    form: Form
    taxonomy: Taxonomy = field(default_factory=taxonomy)
    rows: list[Row] = field(default_factory=list)
    level_problems: list[LevelProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._walk()
        self._sort_rows()

    @property
    def city(self) -> str | None:
        return self.form.city

    @cached_property
    def budget_year(self) -> int | None:
        return parse_year(self.form.get("budget_year").text)

    @cached_property
    def funding(self) -> Decimal | None:
        """资金需求 in 万元 when valid."""
        return parse_funding(self.form.get("funding").text)

    def rows_with(self, *statuses: str) -> list[Row]:
        if len(statuses) == 1:
            return list(self._by_status.get(statuses[0], ()))
        return [r for r in self.rows if r.status in statuses]

    @property
    def real_rows(self) -> list[Row]:
        return list(self._by_status.get("real", ()))

    @property
    def valued_rows(self) -> tuple[Row, ...]:
        """Real rows that have a value (not empty, not a placeholder): what most value checks look at."""
        return self._valued

    def _sort_rows(self) -> None:
        # The rows are final once the walk is done; most checks ask for the same subsets, so they are cut once.
        by_status: dict[str, list[Row]] = {}
        for row in self.rows:
            by_status.setdefault(row.status, []).append(row)
        self._by_status = {status: tuple(rows) for status, rows in by_status.items()}
        self._valued = tuple(r for r in self._by_status.get("real", ()) if not r.value_missing)

    def _walk(self) -> None:
        tax = self.taxonomy
        cur1: str | None = None
        cur2: str | None = None
        seen1 = seen2 = False          # some 一级 / 二级 text was written (valid or not) for the current block
        for index, ind in enumerate(self.form.indicators):
            t1, t2 = ind.level1.text, ind.level2.text
            t3, tv = ind.level3.text, ind.value.text
            if not (t1 or t2 or t3 or tv):     # Indicator.empty, without its per-column getattr loop
                continue
            implied2: str | None = None
            if t1:
                c1 = tax.canonical_level1(t1)
                if c1 is None:
                    implied2 = tax.canonical_level2(t1)
                    if implied2:
                        c1 = tax.parent_of(implied2)
                        self.level_problems.append(LevelProblem("level1", ind.level1, t1, None, "is-level2", c1))
                    else:
                        self.level_problems.append(LevelProblem("level1", ind.level1, t1, None, "unknown", None))
                if c1 != cur1 or not seen1:
                    cur2, seen2 = None, False
                cur1, seen1 = c1, True
            if t2:
                c2 = tax.canonical_level2(t2)
                if c2 is None:
                    from xl_tools.rules.suggest import level2_for

                    allowed = tax.level2_of(cur1) if cur1 else tax.level2_names
                    shifted = bool(ind.level3.text) and not ind.value.text
                    self.level_problems.append(LevelProblem("level2", ind.level2, t2, cur1, "unknown",
                                                            level2_for(t2, allowed), shifted))
                else:
                    parent = tax.parent_of(c2)
                    if parent != cur1 and t1 and cur1 is not None:
                        self.level_problems.append(LevelProblem(
                            "level2", ind.level2, t2, cur1, "wrong-parent", None))
                        c2 = None                      # its dimension is unknown until it is fixed
                    elif parent != cur1:
                        cur1, seen1 = parent, True     # 一级 left blank: the 二级 tells it
                cur2, seen2 = c2, True
            elif implied2:
                cur2, seen2 = implied2, True
            if not t3 and not tv:
                status = "slot"
            elif _is_placeholder(t3):
                status = "placeholder"
            else:
                status = "real"
            if status == "real" and not seen1:
                self.level_problems.append(LevelProblem("level1", ind.level1, "", None, "empty", None))
                seen1 = True
            elif status == "real" and not seen2 and cur1 is not None:
                self.level_problems.append(LevelProblem("level2", ind.level2, "", cur1, "empty", None))
                seen2 = True
            shifted = bool(t2) and cur2 is None and status == "real" and not tv \
                and tax.canonical_level2(t2) is None
            self.rows.append(Row(index, ind, cur1, cur2, status, shifted))
