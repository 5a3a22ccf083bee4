"""审核: 资金需求 against its parts — the amounts in 支出内容 and in the 成本指标.

Each 成本 amount above 资金需求 is ``cost-exceeds-funding`` (indicators.py). What is checked here is what no
single cell shows: 支出内容 items adding up to more than 资金需求, several 成本指标 adding up to more, and a
项目总成本 capped below the 资金需求 it is meant to cover. Amounts are read with the 指标值 grammar (万元).
"""

from __future__ import annotations

import re
from decimal import Decimal

from xl_tools.domain.form import FIELD_BY_KEY
from xl_tools.rules.header_values import format_number
from xl_tools.rules.registry import hit, rule
from xl_tools.rules.review_text import clauses, named

SECTION = "审核"
COST = "成本指标"
MONEY = "万元"
UPPER_OPS = ("≤", "<", "=")
# A 成本指标 about the whole project (项目总成本, 总投入, 成本总额 …): not one part to add up with the others.
_TOTAL = re.compile(r"总成本|总投入|总预算|总投资|成本总额|总费用|费用总额|项目成本")


def _wan(number: Decimal) -> str:
    return f"{format_number(number)}万元"


def _funding_at(ctx) -> str:
    return named(FIELD_BY_KEY["funding"].label, ctx.form.get("funding").cell)


def expenditure_amounts(text: str) -> list[Decimal]:
    """The money amounts (万元) written in 支出内容, one per amount."""
    return [t.number for c in clauses(text) for t in c.targets if t.unit == MONEY]


@rule("expenditure-exceeds-funding", severity="warning", section=SECTION, title="支出内容金额合计超过资金需求",
      template="{spent}中各项金额合计 {total}（{items}），超过{funding_at}{funding}："
               "请核对各项金额和资金需求，使支出合计不超过资金需求",
      when="支出内容中写出的各项金额加起来大于资金需求",
      example={"spent": "支出内容（B8）", "total": "520万元", "items": "300万元 + 220万元",
               "funding_at": "资金需求（B7）", "funding": "460万元"})
def expenditure_exceeds_funding(ctx):
    funding = ctx.funding
    spent = ctx.form.get("expenditure")
    if funding is None or not spent.text:
        return
    amounts = expenditure_amounts(spent.text)
    total = sum(amounts, Decimal(0))
    if amounts and total > funding:
        label = FIELD_BY_KEY["expenditure"].label
        yield hit(spent, label, spent=named(label, spent.cell), total=_wan(total),
                  items=" + ".join(_wan(a) for a in amounts), funding_at=_funding_at(ctx), funding=_wan(funding))


def _cost_amounts(ctx):
    """(row, amount) of every money amount that caps a 成本指标 (≤, < or =), whole values and sentences alike."""
    for row in ctx.valued_rows:
        if COST not in (row.level1, row.level2) or row.parsed is None:
            continue
        for t in row.parsed.targets:
            if t.unit == MONEY and t.op in UPPER_OPS:
                yield row, t.number


@rule("cost-sum-exceeds-funding", severity="warning", section=SECTION, title="成本指标合计超过资金需求",
      template="成本指标 {cells} 的金额合计 {total}，超过{funding_at}{funding}：请核对各项成本，"
               "使成本合计不超过资金需求",
      when="几条成本指标（不含项目总成本）各自不超过资金需求，但加起来大于资金需求",
      example={"cells": "E24（培训成本 ≤300万元）、E25（印刷成本 ≤200万元）", "total": "500万元",
               "funding_at": "资金需求（B7）", "funding": "460万元"})
def cost_sum_exceeds_funding(ctx):
    funding = ctx.funding
    if funding is None:
        return
    parts = [(row, amount) for row, amount in _cost_amounts(ctx) if not _TOTAL.search(row.level3.text)]
    total = sum((a for _, a in parts), Decimal(0))
    if len(parts) < 2 or total <= funding or any(a > funding for _, a in parts):
        return      # one part above 资金需求 is cost-exceeds-funding already
    cells = "、".join(f"{row.value.cell or ''}（{row.name} {row.value.text}）" for row, _ in parts)
    yield hit(parts[0][0].value, parts[0][0].name, cells=cells, total=_wan(total), funding_at=_funding_at(ctx),
              funding=_wan(funding))


@rule("total-cost-below-funding", severity="warning", section=SECTION, title="项目总成本低于资金需求",
      template="“{field}”的{where}“{value}”低于{funding_at}{funding}：项目总成本不能少于"
               "申请的资金，请核对，如 ≤{funding_number}万元",
      when="项目总成本类的成本指标（总成本、总投入、成本总额）上限低于资金需求",
      example={"field": "项目总成本", "where": "指标值（E24）", "value": "≤120万元", "funding_at": "资金需求（B7）",
               "funding": "180万元", "funding_number": "180"})
def total_cost_below_funding(ctx):
    funding = ctx.funding
    if funding is None:
        return
    for row, amount in _cost_amounts(ctx):
        if _TOTAL.search(row.level3.text) and amount < funding:
            yield hit(row.value, row.name, where=named("指标值", row.value.cell), value=row.value.text,
                      funding_at=_funding_at(ctx), funding=_wan(funding),
                      funding_number=format_number(funding))
