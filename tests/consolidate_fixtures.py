"""Hand-built Forms for the consolidation tests (the seed's facts, and small variations of them)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from xl_tools.domain.form import Form, Indicator

REPORTS = "组织编写对遭遇海外诉讼的行业(产品)进行专利预警分析和海外诉讼跟踪研究报告"
LAUNCHES = ("组织遭遇海外诉讼行业(产品)专利预警和海外诉讼应对策略研究报告发布会,"
            "并提供海外知识产权纠纷应对案例研讨、培训等服务")
PRODUCTS = "发行知识产权证券化产品数量"
COMPANIES = "知识产权证券化涉及企业数量"
SIZE = "发行知识产权证券化产品规模"

DEPARTMENTS = {"广州": "广州市市场监管局", "深圳": "深圳市场监管局", "珠海": "珠海市场监管局", "佛山": "佛山市场监管局",
               "东莞": "东莞市市场监督管理局", "韶关": "韶关市市场监督管理局"}


def make_form(city: str, rows, *, year: str = "2020年", funding: str = "100万元", project: str = "测试项目",
              source: str | None = None, department: str | None = None) -> Form:
    """A complete form for ``city`` with indicator ``rows`` = [(一级, 二级, 三级, 指标值), …]."""
    form = Form.blank(
        project_name=project, fund_type="省级财政专项资金", project_level="二级项目",
        provincial_department="广东省市场监督管理局", local_department=department or DEPARTMENTS.get(city, city),
        budget_year=year, funding=funding, expenditure="1. 培训费用；2. 资料印刷费", policy_basis="粤府〔2016〕56号",
        overall_goal="1. 举办培训不少于2场",
    )
    form = replace(form, indicators=tuple(Indicator.of(*r) for r in rows), sheet=city, source=source)
    return form.with_city_detected()


def q(level3: str, value: str, level2: str = "数量指标", level1: str = "产出指标"):
    return (level1, level2, level3, value)


def seed_forms() -> list[Form]:
    """The seed's cross-city facts, written the way each city wrote them."""
    guangzhou = make_form("广州", [
        q(REPORTS, "9份"), q(LAUNCHES.replace(",", "，"), "9场"), q(PRODUCTS, "≥1支"), q(COMPANIES, "≥10家"),
        q("指标1: 项目完成期限符合相关要求", "2021年", "时效指标"),
        q(SIZE, "≥ 3亿", "经济效益指标", "效益指标"),
        q("指标1: 提高中小企业海外维权能力", "进一步提升", "社会效益指标", "效益指标"),
    ], funding="460万元")
    shenzhen = make_form("深圳", [q(REPORTS, "2份"), q(LAUNCHES, "2场")], year="", funding="180万元")
    zhuhai = make_form("珠海", [q("指标1: " + REPORTS, "1份"), q("指标2: " + LAUNCHES, "1场")], funding="50万元")
    foshan = make_form("佛山", [
        q(PRODUCTS, "≥1支"), q(COMPANIES, "≥10家"), q(SIZE, "≥3亿", "经济效益指标", "效益指标"),
        q("知识产权证券化影响力", "形成可复制可推广模式", "社会效益指标", "效益指标"),
    ], year="", funding="100万元")
    return [guangzhou, shenzhen, zhuhai, foshan]


def write_city_files(forms, folder: Path) -> list[Path]:
    """Each form to ``folder/<city>.xlsx`` through the project's writer."""
    from xl_tools.workbook.writer import write_forms

    folder.mkdir(parents=True, exist_ok=True)
    return [Path(write_forms([f], folder / f"{f.city or f.sheet}.xlsx")) for f in forms]
