"""Rule fixtures: clean, well-filled forms (no error, no warning) and, per finding code, a tiny variant that
raises exactly that finding.

Cells follow the template's layout (xl_tools.workbook.layout), so the same Forms written to .xlsx with
``write_forms`` and read back point at the same cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from xl_tools.domain.form import HEADER_KEYS, Form, Indicator, Located
from xl_tools.workbook.layout import FIRST_DATA_ROW, HEADER_CELL_BY_KEY, INDICATOR_COLS, a1

Row = tuple[str, str, str, str]      # 一级, 二级, 三级, 指标值 ("" = blank, inherited from the row above)


def hcell(key: str) -> str:
    """The value cell of header field ``key``."""
    return HEADER_CELL_BY_KEY[key].value_cell


def rcell(index: int, column: str) -> str:
    """The cell of indicator row ``index`` (0-based) in ``column`` (level1/level2/level3/value)."""
    return a1(FIRST_DATA_ROW + index, INDICATOR_COLS[column])


def make_form(header: dict[str, str], rows: list[Row], *, sheet: str = "绩效目标表",
              source: str | None = None, detect_city: bool = True) -> Form:
    located = {k: Located(header.get(k, ""), hcell(k)) for k in HEADER_KEYS}
    indicators = tuple(
        Indicator(*(Located(text, rcell(i, col)) for text, col in zip(row, ("level1", "level2", "level3", "value"))))
        for i, row in enumerate(rows))
    form = Form(header=located, indicators=indicators, sheet=sheet, source=source)
    return form.with_city_detected() if detect_city else form


# ------------------------------------------------------------------------------------------------ clean forms

GUANGZHOU_HEADER = {
    "project_name": "地市知识产权证券化推进引导项目、广东知识产权发展实力研究、粤港澳大湾区知识产权人才发展大会暨"
                    "知识产权人才供需对接系列活动、海外知识产权纠纷应对指导项目",
    "fund_type": "省级财政专项资金",
    "project_level": "二级项目",
    "provincial_department": "广东省市场监督管理局",
    "local_department": "广州市市场监管局",
    "budget_year": "2020年",
    "funding": "460万元",
    "expenditure": "1. 知识产权证券化组织、企业贴息、评估服务、法律服务费用及产品税费补助。\n"
                   "2. 粤港澳大湾区知识产权人才发展大会的场地、宣传与会务保障费用。\n"
                   "3. 起草2020年度广东省知识产权发展报告。",
    "policy_basis": "1. 《国务院关于新形势下加快知识产权强国建设的若干意见》（国发〔2015〕71号）；\n"
                    "2. 《广东省建设引领型知识产权强省试点省实施方案》（粤府〔2016〕56号）。",
    "overall_goal": "1. 成功获批发行至少1支知识产权证券化产品。\n2. 举办人才发展大会，活动规模500人以上。\n"
                    "3. 形成《2020年广东知识产权发展实力研究报告》。",
}
GUANGZHOU_ROWS: list[Row] = [
    ("产出指标", "数量指标", "组织编写对遭遇海外诉讼的行业(产品)进行专利预警分析和海外诉讼跟踪研究报告", "9份"),
    ("", "", "组织遭遇海外诉讼行业(产品)专利预警和海外诉讼应对策略研究报告发布会", "9场"),
    ("", "", "发行知识产权证券化产品数量", "≥1支"),
    ("", "", "知识产权证券化涉及企业数量", "≥10家"),
    ("", "", "举办论坛活动", "≥4场"),
    ("", "", "活动参与人员数量", "≥500人"),
    ("", "", "形成《2020年广东知识产权发展实力研究报告》", "1份"),
    ("", "质量指标", "项目申报、评审、公示程序符合相关管理办法要求", "100%"),
    ("", "时效指标", "项目完成期限", "2021年"),
    ("", "成本指标", "项目总成本", "≤460万元"),
    ("效益指标", "经济效益指标", "发行知识产权证券化产品规模", "≥3亿元"),
    ("", "", "精准对接知识产权人才数量", "100人以上"),
    ("", "社会效益指标", "知识产权证券化影响力", "形成可复制可推广模式"),
    ("", "", "企业海外维权案例研讨与培训服务", "≥9场"),
    ("", "可持续影响指标", "知识产权证券化模式在省内推广的地市", "≥2个"),
    ("满意度指标", "服务对象满意度指标", "参会企业满意度", "≥90%"),
]

SHENZHEN_HEADER = {
    "project_name": "技术与创新支持中心(TISC)建设、构建海外知识产权维权援助服务体系",
    "fund_type": "省级财政专项资金",
    "project_level": "二级项目",
    "provincial_department": "广东省市场监督管理局",
    "local_department": "深圳市场监管局",
    "budget_year": "2020",
    "funding": "180",
    "expenditure": "1.培训、宣讲会等活动费用;2.资料印刷费;3.专家评审劳务费;4.信息资源采购费用。",
    "policy_basis": "《广东省促进中小企业知识产权保护和利用若干政策措施》(粤办函〔2019〕79号)",
    "overall_goal": "支持培育建设世界知识产权组织技术与创新支持中心(TISC)，举办至少2场次培训。",
}
SHENZHEN_ROWS: list[Row] = [
    ("产出指标", "数量指标", "面向企业、高校、科技园区的培训", "≥2场次"),
    ("", "", "每场培训规模", "≥50人次"),
    ("", "", "专业数据库检索服务", "≥20次"),
    ("", "", "出版技术类相关刊物", "≥3期"),
    ("", "", "技术分析报告", "≥2份"),
    ("", "质量指标", "培训学员考核合格率", "≥95%"),
    ("", "时效指标", "项目完成时间", "2021年6月30日前"),
    ("", "成本指标", "培训成本", "≤30万元"),
    ("效益指标", "社会效益指标", "接受海外维权指导的中小企业", "≥20家"),
    ("", "生态效益指标", "推广电子化资料减少纸质印刷", "≥1000份"),
    ("满意度指标", "服务对象满意度指标", "参训企业满意度", "≥85%"),
]

FOSHAN_HEADER = {
    "project_name": "地市知识产权证券化推进引导项、技术与创新支持中心(TISC)建设",
    "fund_type": "省级财政专项资金",
    "project_level": "二级项目",
    "provincial_department": "广东省市场监督管理局",
    "local_department": "佛山市市场监督管理局",
    "budget_year": "2020年度",
    "funding": "100.5",
    "expenditure": "1、培训和宣讲会等活动费。 2、知识产权证券化组织、企业贴息、评估服务费用。",
    "policy_basis": "1、(国知发服字〔2019〕46号);2、(国发〔2015〕71号)",
    "overall_goal": "1.成功获批发行至少1支知识产权证券化产品。2.知识产权证券化涉及企业不少于10家。",
}
FOSHAN_ROWS: list[Row] = [
    ("产出指标", "数量指标", "发行知识产权证券化产品数量", "≥1支"),
    ("产出指标", "数量指标", "知识产权证券化涉及企业数量", "≥10家"),
    ("产出指标", "质量指标", "项目申报、评审、公示程序符合相关管理办法要求", "=100%"),
    ("产出指标", "时效指标", "项目完成期限", "2021年12月底前"),
    ("产出指标", "成本指标", "证券化贴息补助", "≤80万元"),
    ("效益指标", "经济效益指标", "发行知识产权证券化产品规模", "≥3亿元"),
    ("效益指标", "社会效益指标", "知识产权证券化影响力", "形成可复制可推广模式"),
    ("满意度指标", "服务对象满意度指标", "参与企业满意度", "≥90%"),
    ("", "", "", ""),      # an unused template row
]


def clean_forms() -> list[Form]:
    """Well-filled forms that must get no error and no warning."""
    return [
        make_form(GUANGZHOU_HEADER, GUANGZHOU_ROWS, sheet="广州"),
        make_form(SHENZHEN_HEADER, SHENZHEN_ROWS, sheet="深圳"),
        make_form(FOSHAN_HEADER, FOSHAN_ROWS, sheet="佛山"),
    ]


# ------------------------------------------------------------------------------------------------ per code

# A tiny clean base: one row per 产出 dimension, one 效益, one 满意度.
# Its 总体绩效目标 holds no number, so a case that changes a row's value is not also a goal-target-* finding.
BASE_HEADER = dict(GUANGZHOU_HEADER, overall_goal="1. 形成知识产权发展实力研究报告，并召开研究报告发布会。\n2. 2021年完成项目。")
BASE_ROWS: list[Row] = [
    ("产出指标", "数量指标", "形成研究报告", "1份"),                 # 0
    ("", "", "召开研究报告发布会", "1场"),                            # 1
    ("", "质量指标", "项目验收合格率", "100%"),                       # 2
    ("", "时效指标", "项目完成期限", "2021年"),                       # 3
    ("", "成本指标", "项目总成本", "≤460万元"),                       # 4
    ("效益指标", "社会效益指标", "知识产权证券化影响力", "形成可复制可推广模式"),   # 5
    ("满意度指标", "服务对象满意度指标", "参会企业满意度", "≥90%"),     # 6
]


def base(**header: str) -> Form:
    return make_form({**BASE_HEADER, **header}, BASE_ROWS)


def with_rows(rows: list[Row], **header: str) -> Form:
    return make_form({**BASE_HEADER, **header}, rows)


def set_value(index: int, value: str, rows: list[Row] | None = None) -> list[Row]:
    rows = list(rows or BASE_ROWS)
    l1, l2, l3, _ = rows[index]
    rows[index] = (l1, l2, l3, value)
    return rows


def set_row(index: int, row: Row, rows: list[Row] | None = None) -> list[Row]:
    rows = list(rows or BASE_ROWS)
    rows[index] = row
    return rows


def insert_row(index: int, row: Row, rows: list[Row] | None = None) -> list[Row]:
    rows = list(rows or BASE_ROWS)
    rows.insert(index, row)
    return rows


@dataclass
class Case:
    """A form and the findings it must raise: ``[code, cell, suggestion]`` rows, exactly."""

    name: str
    form: Form
    expected: list[list]
    fields: tuple[str, ...] = ("code", "cell", "suggestion")
    message_has: tuple[str, ...] = field(default_factory=tuple)


def _without_city(form: Form) -> Form:
    return replace(form, city=None)


CASES: list[Case] = [
    Case("missing-field 预算年度", base(budget_year=""),
         [["missing-field", hcell("budget_year"), None]], message_has=("预算年度为空：请填写四位年份，如 2020",)),
    Case("missing-field 政策依据", base(policy_basis=""),
         [["missing-field", hcell("policy_basis"), None]], message_has=("政策依据为空",)),
    Case("missing-provincial-department", base(provincial_department=""),
         [["missing-provincial-department", hcell("provincial_department"), None]]),
    Case("invalid-choice 项目等级", base(project_level="二级"),
         [["invalid-choice", hcell("project_level"), "二级项目"]], message_has=("一级项目 / 二级项目",)),
    Case("invalid-choice 资金类型", base(fund_type="自筹资金"),
         [["invalid-choice", hcell("fund_type"), None]]),
    Case("invalid-year 20年", base(budget_year="20年"), [["invalid-year", hcell("budget_year"), None]]),
    Case("invalid-year 二〇二〇年", base(budget_year="二〇二〇年"),
         [["invalid-year", hcell("budget_year"), "2020"]]),
    Case("invalid-amount 元", base(funding="4,600,000元"), [["invalid-amount", hcell("funding"), "460"]],
         message_has=("不是以万元为单位",)),
    Case("invalid-amount 3 decimals", base(funding="460.125"), [["invalid-amount", hcell("funding"), None]]),
    Case("invalid-amount zero", base(funding="0万元"), [["invalid-amount", hcell("funding"), None]]),
    Case("invalid-amount text", base(funding="待定"), [["invalid-amount", hcell("funding"), None]]),
    Case("unknown-city", _without_city(base(local_department="市场监督管理局")),
         [["unknown-city", hcell("local_department"), None]]),
    Case("invalid-level1", with_rows(set_row(0, ("绩效指标", "数量指标", "形成研究报告", "1份"))),
         [["invalid-level1", rcell(0, "level1"), None]]),
    Case("invalid-level1 is a level2", with_rows(insert_row(6, ("可持续影响指标", "", "省内推广的地市", "≥2个"))),
         [["invalid-level1", rcell(6, "level1"), "效益指标"]], message_has=("是二级指标",)),
    Case("invalid-level2 heading", with_rows(insert_row(2, ("", "培训数量要求", "举办培训", "≥2场"))),
         [["invalid-level2", rcell(2, "level2"), "数量指标"]], message_has=("小标题请写进三级指标",)),
    Case("invalid-level2 shifted row", with_rows(insert_row(2, ("", "培训数量要求", "举办至少2场次面向企业的培训", ""))),
         [["invalid-level2", rcell(2, "level2"), "数量指标"]], message_has=("这一行错位了",)),
    Case("invalid-level2 wrong parent", with_rows(set_row(5, ("效益指标", "数量指标", "知识产权证券化影响力",
                                                              "形成可复制可推广模式"))),
         [["invalid-level2", rcell(5, "level2"), None]]),
    Case("placeholder-indicator label", with_rows(insert_row(5, ("", "", "指标4:", ""))),
         [["placeholder-indicator", rcell(5, "level3"), None]]),
    Case("placeholder-indicator dots", with_rows(insert_row(5, ("", "", ".....", ""))),
         [["placeholder-indicator", rcell(5, "level3"), None]]),
    Case("placeholder-indicator labelled dots", with_rows(insert_row(7, ("", "", "指标9: ....", ""))),
         [["placeholder-indicator", rcell(7, "level3"), None]]),
    Case("placeholder-indicator empty 三级", with_rows(insert_row(2, ("", "", "", "≥3场"))),
         [["placeholder-indicator", rcell(2, "level3"), None]]),
    Case("missing-value", with_rows(set_value(1, "")),
         [["missing-value", rcell(1, "value"), None]]),
    Case("missing-value with the target in the 三级 text",
         with_rows(set_row(1, ("", "", "举办至少2场次面向企业的培训", ""))),
         [["missing-value", rcell(1, "value"), "≥2场次"]]),
    Case("missing-value placeholder value", with_rows(set_value(1, "....")),
         [["missing-value", rcell(1, "value"), None]]),
    Case("missing-category", with_rows([r for i, r in enumerate(BASE_ROWS) if i != 5]),
         [["missing-category", None, None]], message_has=("缺少效益指标",)),
    Case("missing-satisfaction", with_rows(BASE_ROWS[:6]),
         [["missing-satisfaction", None, None]]),
    Case("missing-satisfaction at an empty template slot",
         with_rows(set_row(6, ("满意度指标", "服务对象满意度指标", "", ""))),
         [["missing-satisfaction", rcell(6, "level3"), None]]),
    Case("missing-output-dimension", with_rows([r for i, r in enumerate(BASE_ROWS) if i != 4]),
         [["missing-output-dimension", None, None]], message_has=("产出指标缺少成本指标",)),
    Case("not-quantitative", with_rows(set_value(0, "按计划完成")),
         [["not-quantitative", rcell(0, "value"), None]]),
    Case("not-quantitative vague", with_rows(set_value(4, "进一步降低")),
         [["not-quantitative", rcell(4, "value"), None]]),
    Case("value-without-unit 报告", with_rows(set_value(0, "1")),
         [["value-without-unit", rcell(0, "value"), "1份?"]]),
    Case("value-without-unit 发布会", with_rows(set_value(1, "≥2")),
         [["value-without-unit", rcell(1, "value"), "≥2场?"]]),
    Case("value-without-unit unknown unit", with_rows(set_row(0, ("产出指标", "数量指标", "指导对象", "3"))),
         [["value-without-unit", rcell(0, "value"), "3?"]]),
    Case("value-without-unit year", with_rows(set_value(3, "2021")),
         [["value-without-unit", rcell(3, "value"), "2021年"]]),
    Case("value-in-sentence", with_rows(set_row(1, ("", "", "培训数量要求",
                                                    "举办至少2场次面向企业的培训,每场培训规模至少为50人次"))),
         [["value-in-sentence", rcell(1, "value"), "≥2场次；≥50人次"]], message_has=("拆成多行",)),
    Case("vague-value", with_rows(set_value(5, "进一步提升")),
         [["vague-value", rcell(5, "value"), None]]),
    Case("vague-value from the word list (data)", with_rows(set_value(5, "宣传效果良好")),
         [["vague-value", rcell(5, "value"), None]]),
    Case("unknown-city: a folder name is no hint",
         replace(base(local_department="市场监督管理局"), city=None, source="/公文/深圳分局/报表.xlsx"),
         [["unknown-city", hcell("local_department"), None]]),
    Case("percent-out-of-range", with_rows(set_value(6, "120%")),
         [["percent-out-of-range", rcell(6, "value"), None]]),
    Case("deadline-before-year", with_rows(set_value(3, "2019年12月底前")),
         [["deadline-before-year", rcell(3, "value"), None]]),
    Case("duplicate-indicator", with_rows(insert_row(2, ("", "", "指标2: 形成研究报告。", "2份"))),
         [["duplicate-indicator", rcell(2, "level3"), None]], message_has=(rcell(0, "level3"),)),
    Case("deadline not compared without 预算年度", with_rows(set_value(3, "2019年"), budget_year=""),
         [["missing-field", hcell("budget_year"), None]]),
    Case("cost-exceeds-funding", with_rows(set_value(4, "≤5亿元")),
         [["cost-exceeds-funding", rcell(4, "value"), None]]),
    # 审核 (review_goals / review_funding / review_targets)
    Case("goal-target-missing", base(overall_goal="1. 举办至少2场次面向企业的培训。"),
         [["goal-target-missing", hcell("overall_goal"), None]], message_has=("≥2场次", "总体绩效目标（B10）")),
    Case("goal-target-weaker", base(overall_goal="1. 形成至少2份研究报告。"),
         [["goal-target-weaker", rcell(0, "value"), "≥2份"]],
         message_has=("指标值（E12）为“1份”", "总体绩效目标（B10）", "≥2份")),
    Case("goal-target-weaker, table operator reversed", with_rows(set_value(1, "≤1场"),
                                                                  overall_goal="召开至少1场研究报告发布会。"),
         [["goal-target-weaker", rcell(1, "value"), "≥1场"]]),
    Case("goal-target-unit", base(overall_goal="1. 形成2项研究报告。"),
         [["goal-target-unit", rcell(0, "value"), None]], message_has=("“2项”", "指标值（E12）是“1份”")),
    Case("expenditure-exceeds-funding", base(expenditure="1. 培训费300万元；2. 印刷费200万元。"),
         [["expenditure-exceeds-funding", hcell("expenditure"), None]],
         message_has=("合计 500万元", "300万元 + 200万元", "资金需求（B7）460万元")),
    Case("cost-sum-exceeds-funding", with_rows(insert_row(5, ("", "", "印刷成本", "≤200万元"),
                                                          set_row(4, ("", "成本指标", "培训成本", "≤300万元")))),
         [["cost-sum-exceeds-funding", rcell(4, "value"), None]], message_has=("合计 500万元", "E17（印刷成本")),
    Case("total-cost-below-funding", with_rows(set_value(4, "≤400万元")),
         [["total-cost-below-funding", rcell(4, "value"), None]], message_has=("≤460万元",)),
    Case("value-kind-mismatch 满意度", with_rows(set_value(6, "满意")),
         [["value-kind-mismatch", rcell(6, "value"), None]], message_has=("百分比", "≥90%")),
    Case("value-kind-mismatch 时效", with_rows(set_value(3, "按计划完成")),
         [["value-kind-mismatch", rcell(3, "value"), None]], message_has=("完成时限或期限",)),
    Case("value-kind-mismatch 质量", with_rows(set_value(2, "≥2场")),
         [["value-kind-mismatch", rcell(2, "value"), None]], message_has=("比率或可评判的标准",)),
    Case("missing-cost-indicator", with_rows(set_row(4, ("", "成本指标", "预算执行率", "≥95%"))),
         [["missing-cost-indicator", rcell(4, "value"), None]], message_has=("101号", "≤460万元")),
    Case("missing-cost-indicator placeholder only", with_rows(set_row(4, ("", "成本指标", "指标4:", ""))),
         [["placeholder-indicator", rcell(4, "level3"), None], ["missing-cost-indicator", rcell(4, "level3"), None]]),

]

# Forms that look suspicious but are fine: each must raise nothing.
NO_FALSE_ALARMS: list[tuple[str, Form]] = [
    ("时效 2021年 with 预算年度 2020", with_rows(set_value(3, "2021年"))),
    ("deadline in the budget year", with_rows(set_value(3, "2020年12月底前"))),
    ("qualitative but concrete 社会效益", with_rows(set_value(5, "在粤港澳大湾区形成具有影响力与知名度专场活动"))),
    ("money written in 亿 under 经济效益", with_rows(insert_row(6, ("", "经济效益指标", "证券化产品规模", "≥3亿")))),
    ("funding as a number", base(funding="460")),
    ("year as a number", base(budget_year="2020")),
    ("funding with two decimals", base(funding="460.00万元")),    # 460.25 would exceed the 项目总成本 ≤460万元
    ("city told by the sheet name", replace(base(local_department="市场监督管理局"), city=None, sheet="广州")),
    ("blank template rows", with_rows(BASE_ROWS + [("", "", "", "")] * 3)),
    ("level1 repeated on every row", with_rows([("产出指标", "数量指标", "形成研究报告", "1份"),
                                                ("产出指标", "数量指标", "召开研究报告发布会", "1场"),
                                                *BASE_ROWS[2:]])),
]
