"""Reading targets out of prose for the reviewer checks: numbered items, clauses, their targets and context.

A 总体绩效目标 or 支出内容 cell is numbered prose (``1.举办至少2场次…培训,每场…至少为50人次。2.…``). It is cut
into clauses (at , ; 。 and at item numbers) and each clause's targets are read with the 指标值 grammar
(:func:`xl_tools.domain.values.extract_targets`), so prose and table are read by the same parser. An item
number counts only when it is the next one expected (``4支持中小企业…`` after item 3 is item 4, not 4支).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from xl_tools.domain.values import Target, extract_targets, normalise

_ITEM = re.compile(r"(?:^|(?<=[。;；!?！？\s]))[(（]?(\d{1,2})\s*(?:[.、．)）]\s*|(?=[^\d.,%]))")
_STOP = re.compile(r"[,，;；。!！?？\n]")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Clause:
    text: str                   # the clause as written (normalised spaces)
    targets: tuple[Target, ...]
    context: frozenset[str]     # character bigrams of its words, its targets' own text left out


def _without_item_numbers(text: str) -> str:
    out, last, expected = [], 0, 1
    for match in _ITEM.finditer(text):
        if int(match.group(1)) != expected:
            continue
        out.append(text[last:match.start()])
        out.append("\n")
        last, expected = match.end(), expected + 1
    out.append(text[last:])
    return "".join(out)


def bigrams(text: str, drop: tuple[str, ...] = ()) -> frozenset[str]:
    """Character bigrams of the Chinese words of ``text`` (each of ``drop`` cut out first)."""
    for part in drop:
        if part:
            text = text.replace(part, " ")
    grams = set()
    for run in _HAN.findall(text):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(grams)


@lru_cache(maxsize=1024)
def clauses(text: str) -> tuple[Clause, ...]:
    """The clauses of a prose cell that hold at least one target."""
    found = []
    for part in _STOP.split(_without_item_numbers(normalise(text).replace("。", "。\n"))):
        part = part.strip()
        if not part:
            continue
        targets = extract_targets(part)
        if targets:
            found.append(Clause(part, targets, bigrams(part, tuple(t.text for t in targets))))
    return tuple(found)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared bigrams over the smaller set (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def named(label: str, cell: str | None) -> str:
    """``总体绩效目标（B10）`` for a message; the label alone when the form was not read from a sheet."""
    return f"{label}（{cell}）" if cell else label
