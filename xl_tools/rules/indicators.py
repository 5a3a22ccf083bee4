"""Indicator checks: the 一级/二级 taxonomy, placeholders, missing values, categories and the 指标值 itself."""

from __future__ import annotations

from decimal import Decimal

from xl_tools.rules.context import indicator_key
from xl_tools.rules.header_values import format_number
from xl_tools.rules.registry import hit, rule
from xl_tools.rules.suggest import is_vague, join_targets, unit_for

SECTION = "绩效指标"
OUTPUT = "产出指标"
QUANTITY_DIMENSIONS = ("数量指标", "成本指标")   # must be quantitative
TIMING = "时效指标"
COST = "成本指标"
DIMENSION_EXAMPLES = {
    "数量指标": "举办培训 ≥2场",
    "质量指标": "验收合格率 =100%",
    "时效指标": "项目完成时间 2021年12月底前",
    "成本指标": "培训成本 ≤20万元",
}
QUANTITATIVE_KINDS = ("quantitative", "rate")


def _quoted(text: str) -> str:
    return f"“{text}”" if text else ""


def _level_choices(ctx, level1: str | None) -> str:
    names = ctx.taxonomy.level2_of(level1) if level1 else ctx.taxonomy.level2_names
    return " / ".join(names)


@rule("invalid-level1", severity="error", section=SECTION, title="一级指标不在指标体系中",
      template="{field}{value}{problem}：请从下拉列表选择 {choices}",
      when="一级指标不在指标体系中（或为空）",
      example={"field": "一级指标", "value": "“绩效指标”", "problem": "不在指标体系中",
               "choices": "产出指标 / 效益指标 / 满意度指标"})
def invalid_level1(ctx):
    problems = {"unknown": "不在指标体系中", "empty": "为空",
                "is-level2": "是二级指标，应写在二级指标列"}
    for p in ctx.level_problems:
        if p.column == "level1":
            yield hit(p.at, "一级指标", p.suggestion, value=_quoted(p.text), problem=problems[p.reason],
                      choices=" / ".join(ctx.taxonomy.level1_names))


@rule("invalid-level2", severity="error", section=SECTION, title="二级指标不在指标体系中",
      template="{field}{value}{problem}：请从下拉列表选择 {choices}{extra}",
      when="二级指标不在指标体系中，或不属于所在的一级指标（如把“培训数量要求”写在二级指标列）",
      example={"field": "二级指标", "value": "“培训数量要求”", "problem": "不在指标体系中",
               "choices": "数量指标 / 质量指标 / 时效指标 / 成本指标",
               "extra": "；“培训数量要求”这类小标题请写进三级指标"})
def invalid_level2(ctx):
    for p in ctx.level_problems:
        if p.column != "level2":
            continue
        if p.reason == "unknown" and p.shifted:
            problem = "不在指标体系中"
            extra = (f"。这一行错位了：请把“{p.text}”移到三级指标列、把右边的内容移到指标值列"
                     + (f"，二级指标选“{p.suggestion}”" if p.suggestion else ""))
        elif p.reason == "unknown":
            problem = "不在指标体系中"
            extra = f"；“{p.text}”这类小标题请写进三级指标"
        elif p.reason == "wrong-parent":
            problem = f"不属于一级指标“{p.level1}”"
            extra = "，或改正一级指标"
        else:
            problem, extra = "为空", ""
        yield hit(p.at, "二级指标", p.suggestion, value=_quoted(p.text), problem=problem,
                  choices=_level_choices(ctx, p.level1), extra=extra)


@rule("placeholder-indicator", severity="error", section=SECTION, title="三级指标是占位内容",
      template="三级指标{value}{problem}：请写出具体的三级指标和指标值；不需要的行请删除",
      when="三级指标是占位内容（“指标4:”“....”）或在有内容的行中为空",
      example={"value": "“指标4:”", "problem": "只是占位内容"})
def placeholder_indicator(ctx):
    for row in ctx.rows_with("placeholder"):
        text = row.level3.text
        if text:
            yield hit(row.level3, row.name or "三级指标", value=_quoted(row.name), problem="只是占位内容")
        else:
            yield hit(row.level3, "三级指标", value="", problem=f"为空（指标值为“{row.value.text}”）")


@rule("missing-value", severity="error", section=SECTION, title="指标值为空",
      template="“{field}”的指标值为空：请填写目标值，写成“符号+数字+单位”，如 {example}",
      when="三级指标已填写，指标值为空",
      example={"field": "举办论坛活动", "example": "≥4场"},
      fix_when="三级指标中写出了一个目标值时（如“举办培训不少于2场”→“≥2场”）；写出多个目标时不采纳")
def missing_value(ctx):
    from xl_tools.domain.values import extract_targets

    for row in ctx.real_rows:
        if row.value_missing and not row.shifted:     # a shifted row's invalid-level2 says how to move it
            suggestion = join_targets(extract_targets(row.level3.text))
            yield hit(row.value, row.name, suggestion, example=suggestion or "≥2场")


def _present_level1(ctx) -> set[str]:
    return {r.level1 for r in ctx.rows_with("real", "placeholder") if r.level1}


def _slot_cell(ctx, level1: str, level2: str | None = None) -> str | None:
    for row in ctx.rows_with("slot"):
        if row.level1 == level1 and (level2 is None or row.level2 == level2):
            return row.level3.cell
    return None


@rule("missing-category", severity="error", section=SECTION, title="缺少产出或效益指标",
      template="缺少{field}：请至少填写一条{field}（三级指标和指标值）",
      when="表中没有产出指标，或没有效益指标",
      example={"field": "效益指标"})
def missing_category(ctx):
    present = _present_level1(ctx)
    for name in ctx.taxonomy.required_level1:
        if name not in present:
            yield hit(_slot_cell(ctx, name), name)


@rule("missing-satisfaction", severity="warning", section=SECTION, title="缺少满意度指标",
      template="缺少{field}：建议填写{level2}，如 服务对象满意度 ≥90%",
      when="表中没有满意度指标",
      example={"field": "满意度指标", "level2": "服务对象满意度指标"})
def missing_satisfaction(ctx):
    present = _present_level1(ctx)
    for level1 in ctx.taxonomy.level1:
        if not level1.required and level1.name not in present:
            yield hit(_slot_cell(ctx, level1.name), level1.name, level2="、".join(level1.level2))


@rule("missing-output-dimension", severity="warning", section=SECTION, title="产出指标缺少一类",
      template="产出指标缺少{field}：建议至少填写一条{field}，如 {example}",
      when="产出指标缺少数量、质量、时效、成本指标中的一类",
      example={"field": "成本指标", "example": DIMENSION_EXAMPLES["成本指标"]})
def missing_output_dimension(ctx):
    rows = [r for r in ctx.rows_with("real", "placeholder") if r.level1 == OUTPUT]
    if not rows:
        return      # no 产出指标 at all: missing-category says so
    present = {r.level2 for r in rows}
    for name in ctx.taxonomy.level2_of(OUTPUT):
        if name not in present:
            yield hit(_slot_cell(ctx, OUTPUT, name), name, example=DIMENSION_EXAMPLES.get(name, "≥1项"))


def _valued_rows(ctx):
    """Real rows that have a value (not empty, not a placeholder); cut once per form by the context."""
    return ctx.valued_rows


def _must_be_quantitative(row) -> bool:
    return row.level2 in QUANTITY_DIMENSIONS or row.level1 in QUANTITY_DIMENSIONS


@rule("not-quantitative", severity="warning", section=SECTION, title="数量/成本指标没有数字",
      template="{level2}“{field}”的指标值“{value}”没有数字：请写成“符号+数字+单位”，如 ≥2场",
      when="数量指标或成本指标的指标值没有数字",
      example={"level2": "数量指标", "field": "举办培训", "value": "按计划完成"},
      fix_when="三级指标中写出了一个目标值时，改为该目标值；写出多个目标时不采纳")
def not_quantitative(ctx):
    from xl_tools.domain.values import extract_targets

    for row in _valued_rows(ctx):
        if _must_be_quantitative(row) and row.kind == "qualitative":
            suggestion = join_targets(extract_targets(row.level3.text))
            yield hit(row.value, row.name, suggestion, level2=row.level2 or row.level1, value=row.value.text)


@rule("value-without-unit", severity="warning", section=SECTION, title="指标值缺少单位",
      template="“{field}”的指标值“{value}”只有数字没有单位：请在数字后写明单位（份、场、家、人、%等）",
      when="指标值是数字但没有单位（如“1”）",
      example={"field": "形成研究报告", "value": "1"},
      fix_when="时效指标只写了年份时（如“2021”→“2021年”）；其他单位带“?”要人工核对，不采纳")
def value_without_unit(ctx):
    for row in _valued_rows(ctx):
        parsed = row.parsed
        if row.kind != "quantitative" or parsed.number is None or parsed.unit:
            continue
        written = "".join(row.value.text.split())
        if row.level2 == TIMING and parsed.op in (None, "", "=") and _is_year(parsed.number):
            suggestion = f"{format_number(parsed.number)}年"
        else:
            suggestion = f"{written}{unit_for(row.level3.text) or ''}?"
        yield hit(row.value, row.name, suggestion, value=row.value.text)


def _is_year(number: Decimal) -> bool:
    return number == number.to_integral_value() and 2000 <= number <= 2099


@rule("value-in-sentence", severity="warning", section=SECTION, title="指标值是一句话",
      template="“{field}”的指标值是一整句话：请只填写目标值{targets}，说明文字写进三级指标{split}",
      when="指标值是一句话，其中含有目标值；建议提取出的目标值（如“≥2场次”）",
      example={"field": "培训数量要求", "targets": "“≥2场次；≥50人次”", "split": "；含多个目标时请拆成多行"},
      fix_when="句子中只有一个目标值时（如“≥1个”）；有多个目标要拆成多行，不采纳")
def value_in_sentence(ctx):
    for row in _valued_rows(ctx):
        if row.kind != "sentence-with-targets":
            continue
        targets = list(row.parsed.targets or ())
        suggestion = join_targets(targets)
        yield hit(row.value, row.name, suggestion, targets=_quoted(suggestion or ""),
                  split="；含多个目标时请拆成多行，每行一个目标" if len(targets) > 1 else "")


@rule("vague-value", severity="warning", section=SECTION, title="指标值表述笼统",
      template="“{field}”的指标值“{value}”表述笼统：请写成可衡量的目标（如 ≥90%、排名前10位），或写明可评判的标准",
      when="指标值是笼统的定性表述（进一步提升、有所提高、明显改善等；词表见本目录末尾“禁用的笼统表述”）",
      example={"field": "提高企业知识产权海外维权意识", "value": "进一步提升"})
def vague_value(ctx):
    for row in _valued_rows(ctx):
        if row.kind == "qualitative" and (row.parsed.vague or is_vague(row.value.text)) \
                and not _must_be_quantitative(row):
            yield hit(row.value, row.name, value=row.value.text)


@rule("percent-out-of-range", severity="error", section=SECTION, title="百分比超出范围",
      template="“{field}”的指标值“{value}”超出 0%～100%：请填写 0 到 100 之间的百分比，如 =100%",
      when="百分比小于 0 或大于 100",
      example={"field": "验收合格率", "value": "120%"})
def percent_out_of_range(ctx):
    for row in _valued_rows(ctx):
        parsed = row.parsed
        if parsed.unit == "%" and parsed.number is not None and not (0 <= parsed.number <= 100):
            yield hit(row.value, row.name, value=row.value.text)


def _deadline_year(deadline) -> int | None:
    if deadline is None:
        return None
    year = getattr(deadline, "year", None)
    if isinstance(year, int):
        return year
    if isinstance(deadline, int):
        return deadline
    if isinstance(deadline, (tuple, list)) and deadline and isinstance(deadline[0], int):
        return deadline[0]
    import re

    m = re.search(r"\d{4}", str(deadline))
    return int(m.group()) if m else None


@rule("deadline-before-year", severity="warning", section=SECTION, title="完成时限早于预算年度",
      template="“{field}”的完成时限“{value}”早于预算年度 {year} 年：请填写不早于 {year} 年的时限，如 {year}年12月底前",
      when="时效指标的完成时限早于预算年度（同一年或更晚都可以）",
      example={"field": "项目完成期限", "value": "2019年", "year": 2020})
def deadline_before_year(ctx):
    year = ctx.budget_year
    if year is None:
        return
    for row in _valued_rows(ctx):
        if row.kind != "deadline":
            continue
        found = _deadline_year(row.parsed.deadline)
        if found is not None and found < year:
            yield hit(row.value, row.name, value=row.value.text, year=year)


@rule("duplicate-indicator", severity="warning", section=SECTION, title="三级指标重复",
      template="三级指标“{field}”与{first}重复：请合并为一条，或改写成不同的指标",
      when="同一张表中同一个三级指标出现两次",
      example={"field": "举办论坛活动", "first": "单元格 C14 的指标"})
def duplicate_indicator(ctx):
    first_seen: dict[str, object] = {}
    for row in ctx.real_rows:
        level3 = row.level3
        key = indicator_key(level3.text)
        if not key:
            continue
        if key in first_seen:
            first = first_seen[key]
            yield hit(level3, row.name, first=f"单元格 {first} 的指标" if first else "前面的同名指标")
        else:
            first_seen[key] = level3.cell


@rule("cost-exceeds-funding", severity="warning", section=SECTION, title="成本超过资金需求",
      template="成本指标“{field}”的金额“{value}”超过资金需求 {funding}万元：请核对金额和单位，成本不应超过资金需求",
      when="成本指标的金额大于资金需求（指标值是一句话时，看其中的每个金额，如“项目总成本不超过500万元”）",
      example={"field": "培训成本", "value": "≤500万元", "funding": "460"})
def cost_exceeds_funding(ctx):
    funding = ctx.funding
    if funding is None:
        return
    for row in _valued_rows(ctx):
        if COST not in (row.level1, row.level2) or row.kind not in ("quantitative", "sentence-with-targets"):
            continue
        if any(t.unit == "万元" and t.number > funding for t in row.parsed.targets):
            yield hit(row.value, row.name, value=row.value.text, funding=format_number(funding))

