"""审核: the quantified targets of 总体绩效目标 against the 三级指标 and their 指标值.

A reviewer reads the prose and looks for each promised number in the table: "举办至少2场次培训" needs an
indicator about 培训 whose 指标值 counts 场/场次 and is not weaker (≥2 or more). The prose and the table are read
with the same 指标值 grammar (review_text.clauses → values.extract_targets). A prose target is matched to the
indicator targets of the same unit family (data/unit_families.json) whose wording is closest (shared
character bigrams); none close enough → goal-target-missing, only weaker ones → goal-target-weaker, only one worded
nearly the same but counted in another unit → goal-target-unit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from xl_tools.domain.values import Target
from xl_tools.rules.registry import hit, rule
from xl_tools.rules.review_text import bigrams, clauses, named, similarity

SECTION = "审核"
UNIT_THRESHOLD = 0.5        # so close that an indicator in another unit is surely about the same thing
MATCH_THRESHOLD = 0.2       # shared bigrams / the smaller set: below this the wording is about something else
LOWER_OPS = ("≥", ">", "=")
UPPER_OPS = ("≤", "<", "=")


@lru_cache(maxsize=1)
def _families() -> tuple[frozenset[str], ...]:
    text = resources.files("xl_tools.rules").joinpath("data", "unit_families.json").read_text(encoding="utf-8")
    return tuple(frozenset(f) for f in json.loads(text)["families"])


@lru_cache(maxsize=1024)
def same_family(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return a == b or any(a in f and b in f for f in _families())


def not_weaker(table: Target, prose: Target) -> bool:
    """True when the table's target keeps the prose's promise (≥2 in prose: ≥2, =3, ≥4 in the table)."""
    if prose.op in ("≥", ">"):
        return table.op in LOWER_OPS and table.number >= prose.number
    if prose.op in ("≤", "<"):
        return table.op in UPPER_OPS and table.number <= prose.number
    return table.number == prose.number if table.op == "=" else (
        table.op in ("≥", ">") and table.number <= prose.number
        or table.op in ("≤", "<") and table.number >= prose.number)


@dataclass(frozen=True)
class Aim:
    """One target with the words around it and the cell it was read from."""

    target: Target
    context: frozenset[str]
    cell: str | None
    text: str                   # the clause (prose) or the 三级指标 (table, as written), for messages
    whole: bool = False         # the target is the whole 指标值 (so a corrected value can replace it)


@lru_cache(maxsize=4096)      # the same prose and 指标值 texts recur across a batch
def _segments(text: str) -> tuple[tuple[Target, frozenset[str], str], ...]:
    """(target, context, clause) for each target of each clause of ``text``: a target's words run from the
    previous target's end to the next one's start (…至少2份技术分析报告、至少2份产业趋势报告 → two contexts)."""
    found = []
    for clause in clauses(text):
        spans, pos = [], 0
        for t in clause.targets:
            at = clause.text.find(t.text, pos) if t.text else -1
            spans.append((at, at + len(t.text)) if at >= 0 else (pos, pos))
            pos = spans[-1][1]
        for i, t in enumerate(clause.targets):
            start = spans[i - 1][1] if i else 0
            end = spans[i + 1][0] if i + 1 < len(spans) else len(clause.text)
            words = clause.text[start:end].replace(t.text, " ") if t.text else clause.text[start:end]
            found.append((t, bigrams(words), clause.text))
    return tuple(found)


def goal_aims(ctx) -> list[Aim]:
    goal = ctx.form.get("overall_goal")
    return [Aim(t, c, goal.cell, text) for t, c, text in _segments(goal.text)] if goal.text else []


@lru_cache(maxsize=4096)
def _row_targets(level3: str, value: str, kind: str, targets: tuple[Target, ...]):
    """(target, context, in the 指标值?, the whole 指标值?) of one indicator row, by its texts."""
    words = bigrams(level3)
    if targets and len(targets) == 1 and kind != "sentence-with-targets":
        return ((targets[0], words | bigrams(value), True, True),)
    if targets:
        return tuple((t, words | c, True, False) for t, c, _ in _segments(value))
    return tuple((t, c, False, False) for t, c, _ in _segments(level3))


def table_aims(ctx) -> list[Aim]:
    """Every target of the indicator table: a row's 指标值 targets (with its 三级指标's words), or, when the
    value holds none, the targets written in the 三级指标 itself (a row shifted left)."""
    aims = []
    for row in ctx.real_rows:
        targets = row.parsed.targets if row.parsed is not None else ()
        for t, c, in_value, whole in _row_targets(row.level3.text, row.value.text, row.kind, targets):
            aims.append(Aim(t, c, row.value.cell if in_value else row.level3.cell, row.level3.text, whole))
    return aims


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _goal_checks(ctx) -> list[tuple[str, Aim, Aim | None]]:
    """(kind, prose aim, closest table aim or None) for each prose target the table does not keep; worked out
    once per form (three rules report from it)."""
    found = ctx.__dict__.get("_goal_checks")
    if found is None:
        goals = goal_aims(ctx)
        table = table_aims(ctx) if goals else []
        key = (ctx.form.get("overall_goal").text, tuple((t.target, t.context) for t in table))
        found = [(kind, goals[g], table[t] if t is not None else None) for kind, g, t in _compare(*key)]
        ctx.__dict__["_goal_checks"] = found
    return found


@lru_cache(maxsize=1024)      # by content: a batch repeats the same prose and the same tables
def _compare(goal: str, table: tuple[tuple[Target, frozenset[str]], ...]) -> tuple[tuple[str, int, int | None], ...]:
    """(kind, index of the prose target, index of the closest table target) for each prose target not kept."""
    found = []
    for g, (target, context, _) in enumerate(_segments(goal) if goal else ()):
        unit = target.unit
        close = [(score, i) for i, (t, c) in enumerate(table) if same_family(unit, t.unit)
                 for score in (similarity(context, c),) if score >= MATCH_THRESHOLD]
        if close:
            if not any(not_weaker(table[i][0], target) for _, i in close):
                found.append(("weaker", g, max(close)[1]))
            continue
        other = [(score, i) for i, (t, c) in enumerate(table) if t.unit != unit
                 for score in (similarity(context, c),) if score >= UNIT_THRESHOLD]
        found.append(("unit", g, max(other)[1]) if other else ("missing", g, None))
    return tuple(found)


@rule("goal-target-missing", severity="warning", section=SECTION, title="总体绩效目标中的目标没有对应指标",
      template="{goal}写了“{clause}”（{target}），但绩效指标中没有对应的三级指标：请在"
               "产出或效益指标中增加一条写明这项内容的三级指标，指标值写“{target}”，或改正总体绩效目标",
      when="总体绩效目标中有数量目标（如“举办至少2场次培训”），绩效指标中找不到同类单位、内容相近的三级指标",
      example={"goal": "总体绩效目标（B10）", "clause": "邀请行业内专家15人以上参与主旨演讲", "target": "≥15人"})
def goal_target_missing(ctx):
    for kind, aim, _ in _goal_checks(ctx):
        if kind == "missing":
            yield hit(aim.cell, "总体绩效目标", None, goal=named("总体绩效目标", aim.cell),
                      clause=_short(aim.text), target=aim.target.format())


@rule("goal-target-weaker", severity="warning", section=SECTION, title="指标值低于总体绩效目标",
      template="“{field}”的{value}为“{table}”，低于{goal}中“{clause}”的“{target}”："
               "请把指标值改为不低于 {target}，或改正总体绩效目标，使两处一致",
      when="总体绩效目标中的数量目标在绩效指标中有对应的三级指标，但指标值比总体绩效目标写的少（或方向相反）",
      example={"field": "举办培训", "value": "指标值（E14）", "table": "≥1场", "goal": "总体绩效目标（B10）",
               "clause": "举办至少2场次面向企业的培训", "target": "≥2场次"},
      fix_when="指标值只是一个目标值时，提高到总体绩效目标写的目标（单位用指标值原来的单位）")
def goal_target_weaker(ctx):
    for kind, aim, table in _goal_checks(ctx):
        if kind == "weaker":
            wanted = Target(aim.target.op, aim.target.number, table.target.unit).format()
            yield hit(table.cell, _one_line(table.text), wanted if table.whole else None, value=named("指标值", table.cell),
                      table=table.target.format(), goal=named("总体绩效目标", aim.cell), clause=_short(aim.text), target=aim.target.format())


@rule("goal-target-unit", severity="warning", section=SECTION, title="指标值单位与总体绩效目标不同",
      template="{goal}中“{clause}”的目标是“{target}”，而对应的三级指标“{field}”的{value}是“{table}”，单位不同："
               "请统一单位（改指标值或改总体绩效目标），使两处说的是同一个数",
      when="总体绩效目标中的数量目标有一条内容几乎相同的三级指标，但指标值用的是另一种单位（如“项”和“份”）",
      example={"goal": "总体绩效目标（B10）", "clause": "完成2项重点产业专利导航", "target": "2项",
               "field": "完成产业专利导航报告", "value": "指标值（E12）", "table": "2份"})
def goal_target_unit(ctx):
    for kind, aim, table in _goal_checks(ctx):
        if kind == "unit":
            yield hit(table.cell, _one_line(table.text), None, goal=named("总体绩效目标", aim.cell), clause=_short(aim.text),
                      target=aim.target.format(), value=named("指标值", table.cell), table=table.target.format())
