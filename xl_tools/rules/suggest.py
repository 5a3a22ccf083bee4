"""Suggested values for findings: a unit for a bare number, targets out of a sentence, a 二级指标 for a heading."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from xl_tools.domain.text import squash


@lru_cache(maxsize=None)
def _hints(name: str) -> tuple[tuple[str, str], ...]:
    text = resources.files("xl_tools.rules").joinpath("data", name).read_text(encoding="utf-8")
    return tuple((word, value) for word, value in json.loads(text)["hints"])


def vague_wording() -> dict:
    """The one list of forbidden vague wording (xl_tools/domain/data/vague_wording.json)."""
    from xl_tools.domain.data_files import load_json

    return load_json("vague_wording.json")


@lru_cache(maxsize=1)
def vague_phrases() -> tuple[str, ...]:
    """The vague phrases of that list, as comparison keys."""
    return tuple(squash(p) for p in vague_wording()["phrases"])


@lru_cache(maxsize=4096)        # asked for every qualitative 指标值; a batch repeats the same few texts
def is_vague(text: str) -> bool:
    """True when ``text`` holds one of the listed vague phrases."""
    key = squash(text)
    return any(p in key for p in vague_phrases())


def unit_for(level3: str) -> str | None:
    """The unit a bare number under this 三级指标 probably has (报告 → 份, 发布会/活动 → 场), else None."""
    key = squash(level3)
    return next((unit for word, unit in _hints("unit_hints.json") if word in key), None)


def with_unit(number_text: str, level3: str) -> str:
    """``1`` under ``…研究报告`` → ``1份?``; ``?`` stands for the unit when it cannot be told."""
    return f"{number_text}{unit_for(level3) or ''}?"


def level2_for(heading: str, allowed: Iterable[str] = ()) -> str | None:
    """The taxonomy 二级指标 a heading like 培训数量要求 belongs to, restricted to ``allowed`` when given."""
    allowed = tuple(allowed)
    key = squash(heading)
    for word, level2 in _hints("level2_hints.json"):
        if word in key and (not allowed or level2 in allowed):
            return level2
    return None


def join_targets(targets: Iterable[object]) -> str | None:
    """Targets formatted and joined with ``；`` (``≥2场次；≥50人次``), None when there are none."""
    parts = [t.format() for t in targets]
    return "；".join(parts) if parts else None


# A 建议值 that still asks the user something is not a value to write: ``1份?`` (check the unit) or
# ``≥2场次；≥50人次`` (several targets, to be split into one row each).
NOT_EXACT_MARKS: tuple[str, ...] = ("?", "？", "；")


def exact_fix(finding) -> str | None:
    """The finding's 建议值 when 采纳建议 may write it into the finding's cell as it is, else None.

    Exact means: the rule says its suggestions can be taken as they are (``Rule.fix_when``, listed in
    docs/rules.md), the finding names a sheet and a cell, and the suggestion is one complete value (no ``?``
    left for the user to check, not several targets joined with ``；``).
    """
    suggestion = finding.suggestion
    if not suggestion or not finding.sheet or not finding.cell:
        return None
    from xl_tools.rules.registry import load_rules

    rule = load_rules().get(finding.code)
    if rule is None or not rule.fixable or any(mark in suggestion for mark in NOT_EXACT_MARKS):
        return None
    return suggestion
