"""Header checks: required fields, choices, 预算年度, 资金需求, and the city."""

from __future__ import annotations

from xl_tools.domain.form import FIELD_BY_KEY, FUND_TYPES, HEADER_FIELDS, PROJECT_LEVELS
from xl_tools.domain.text import squash
from xl_tools.rules.header_values import (YEAR_MAX, YEAR_MIN, amount_in_wan, format_number, parse_funding,
                                          parse_year, read_amount, suggest_year)
from xl_tools.rules.registry import hit, rule

SECTION = "表头"


@rule("missing-field", severity="error", section=SECTION, title="必填项为空",
      template="{field}为空：请{hint}",
      when="必填的表头项为空：项目名称、资金类型、项目等级、地方主管部门、预算年度、资金需求、支出内容、政策依据、总体绩效目标",
      example={"field": "预算年度", "hint": "填写四位年份，如 2020"})
def missing_field(ctx):
    for spec in HEADER_FIELDS:
        at = ctx.form.get(spec.key)
        if spec.required and at.empty:
            yield hit(at, spec.label, hint=spec.hint)


@rule("missing-provincial-department", severity="warning", section=SECTION, title="省级主管部门为空",
      template="{field}为空：建议{hint}",
      when="省级主管部门为空",
      example={"field": "省级主管部门", "hint": FIELD_BY_KEY["provincial_department"].hint})
def missing_provincial_department(ctx):
    spec = FIELD_BY_KEY["provincial_department"]
    at = ctx.form.get(spec.key)
    if at.empty:
        yield hit(at, spec.label, hint=spec.hint)


_CHOICES = {"fund_type": FUND_TYPES, "project_level": PROJECT_LEVELS}


@rule("invalid-choice", severity="error", section=SECTION, title="不是可选值",
      template="{field}“{value}”不是可选值：请从下拉列表选择 {choices}",
      when="资金类型或项目等级不是允许的值",
      example={"field": "项目等级", "value": "二级", "choices": " / ".join(PROJECT_LEVELS)},
      fix_when="写法只与一个可选值相近时（如“二级”→“二级项目”）")
def invalid_choice(ctx):
    for key, choices in _CHOICES.items():
        at = ctx.form.get(key)
        if at.empty:
            continue
        keys = {squash(c): c for c in choices}
        if squash(at.text) in keys:
            continue
        # A near miss (``二级`` for 二级项目, ``省级财政专项`` for 省级财政专项资金) gets the full value suggested.
        near = [c for k, c in keys.items() if squash(at.text) in k or k in squash(at.text)]
        yield hit(at, FIELD_BY_KEY[key].label, near[0] if len(near) == 1 else None,
                  value=at.text, choices=" / ".join(choices))


@rule("invalid-year", severity="error", section=SECTION, title="预算年度不是四位年份",
      template="{field}“{value}”不是有效的四位年份：请填写 {low}～{high} 之间的四位年份，如 2020",
      when="预算年度不是合理的四位年份",
      example={"field": "预算年度", "value": "20年", "low": YEAR_MIN, "high": YEAR_MAX},
      fix_when="能读出四位年份时（如“二〇二〇年”→“2020”）")
def invalid_year(ctx):
    at = ctx.form.get("budget_year")
    if not at.empty and parse_year(at.text) is None:
        yield hit(at, FIELD_BY_KEY["budget_year"].label, suggest_year(at.text), value=at.text,
                  low=YEAR_MIN, high=YEAR_MAX)


@rule("invalid-amount", severity="error", section=SECTION, title="资金需求不是有效金额",
      template="{field}“{value}”{problem}：请以万元为单位填写大于 0 的金额，最多两位小数，如 460",
      when="资金需求不是正的金额（万元，最多两位小数）",
      example={"field": "资金需求", "value": "4600000元", "problem": "不是以万元为单位"},
      fix_when="金额用元或亿元写出时，换算成万元（如“4600000元”→“460”）")
def invalid_amount(ctx):
    at = ctx.form.get("funding")
    if at.empty or parse_funding(at.text) is not None:
        return
    read = read_amount(at.text)
    suggestion = None
    if read is None:
        problem = "不是金额"
    elif read[0] <= 0:
        problem = "不是正数"
    elif read[1] not in (None, "万元", "万"):
        problem = "不是以万元为单位"
        wan = amount_in_wan(at.text)
        if wan is not None and parse_funding(format_number(wan)) is not None:
            suggestion = format_number(wan)
    else:
        problem = "超过两位小数"
    yield hit(at, FIELD_BY_KEY["funding"].label, suggestion, value=at.text, problem=problem)


@rule("unknown-city", severity="error", section=SECTION, title="看不出所属地市",
      template="无法从{field}“{value}”看出所属地市：请写出地市名称，如 广州市市场监督管理局",
      when="从地方主管部门（或文件名、标题）看不出所属地市",
      example={"field": "地方主管部门", "value": "市场监管局"})
def unknown_city(ctx):
    at = ctx.form.get("local_department")
    # An empty 地方主管部门 is already a missing-field error; filling it in names the city.
    if ctx.form.city is None and not at.empty:
        yield hit(at, FIELD_BY_KEY["local_department"].label, value=at.text)
