"""审核: the Ministry of Finance's target-setting rules that the form's grammar alone does not check.

Sources: 财预〔2020〕10号《项目支出绩效评价管理办法》 and 财预〔2021〕101号《中央部门项目支出核心绩效目标和指标
设置及取值指引（试行）》. 101号 sets 成本指标 as a first-level category of its own (二级: 经济成本指标, 社会成本指标,
生态环境成本指标, "分别反映项目实施产生的各方面成本的预期控制范围") beside 产出, 效益 and 满意度; the Guangdong
2020 form keeps 成本指标 under 产出指标 (domain/data/taxonomy.json, unchanged), so the rule follows the
document's requirement — a project states its cost — wherever the form puts the category. What each 二级指标's
指标值 must be is data (data/value_kinds.json). 产出/效益 presence is missing-category, 满意度 missing-satisfaction.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from xl_tools.domain.text import squash
from xl_tools.rules.registry import hit, rule
from xl_tools.rules.review_text import named
from xl_tools.rules.suggest import is_vague

SECTION = "审核"
COST = "成本指标"


@lru_cache(maxsize=1)
def value_kinds() -> dict[str, dict]:
    text = resources.files("xl_tools.rules").joinpath("data", "value_kinds.json").read_text(encoding="utf-8")
    return json.loads(text)["level2"]


def _kinds_of(row, spec: dict) -> set[str]:
    """The kinds of the row's 指标值 that the spec can accept (deadline, rate, period, standard)."""
    parsed, kind = row.parsed, row.kind
    found = {kind} if kind in ("deadline", "rate") else set()
    if kind == "quantitative" and parsed.unit in spec.get("period_units", ()):
        found.add("period")
    if kind == "qualitative" and any(w in squash(row.value.text) for w in spec.get("standard_words", ())):
        found.add("standard")
    return found


def _covered_elsewhere(row) -> bool:
    """A value another rule already reports: a bare number (value-without-unit), a sentence (value-in-sentence),
    vague wording (vague-value)."""
    if row.kind == "quantitative" and not row.parsed.unit:
        return True
    if row.kind == "sentence-with-targets":
        return True
    return row.kind == "qualitative" and (row.parsed.vague or is_vague(row.value.text))


@rule("value-kind-mismatch", severity="warning", section=SECTION, title="指标值类型与二级指标不符",
      template="{level2}“{field}”的指标值“{value}”不是{needs}：按财预〔2021〕101号，{level2}应填写{needs}，请改写，如 {example}",
      when="时效指标的指标值不是完成时限或期限，质量指标的不是比率或可评判的标准，满意度指标的不是百分比"
           "（要求见 xl_tools/rules/data/value_kinds.json）",
      example={"level2": "服务对象满意度指标", "field": "企业满意度", "value": "满意", "needs": "百分比",
               "example": "≥90%"})
def value_kind_mismatch(ctx):
    specs = value_kinds()
    for row in ctx.valued_rows:
        spec = specs.get(row.level2 or "")
        if spec is None or _covered_elsewhere(row):
            continue
        if not _kinds_of(row, spec) & set(spec["kinds"]):
            yield hit(row.value, row.name, level2=row.level2, value=row.value.text, needs=spec["needs"],
                      example=spec["example"])


@rule("missing-cost-indicator", severity="warning", section=SECTION, title="没有以金额表示的成本指标",
      template="{where}{problem}：按财预〔2021〕101号，成本指标是必设的指标，反映项目成本的预期控制范围，不要删除，"
               "请至少写一条以金额表示的成本指标，如 项目总成本 ≤{funding}",
      when="表中有成本指标的行，但没有一条写出金额（只有占位内容“指标4:”，或只有比率）；"
           "完全没有成本指标时由 missing-output-dimension 提示，没有数字时由 not-quantitative 提示",
      example={"where": "成本指标（D24）", "problem": "只有占位内容", "funding": "180万元"})
def missing_cost_indicator(ctx):
    rows = [r for r in ctx.rows_with("real", "placeholder") if COST in (r.level1, r.level2)]
    real = [r for r in rows if r.status == "real"]
    if not rows or any(r.kind == "qualitative" for r in real):
        return      # no cost row: missing-output-dimension; a cost value without a number: not-quantitative
    if any(t.unit == "万元" for r in real if r.parsed is not None for t in r.parsed.targets):
        return
    from xl_tools.rules.header_values import format_number

    funding = f"{format_number(ctx.funding)}万元" if ctx.funding is not None else "资金需求"
    first = real[0].value if real else rows[0].level3
    problem = f"“{real[0].value.text}”没有写出金额" if real else "只有占位内容"
    yield hit(first, COST, where=named(COST, first.cell), problem=problem, funding=funding)
