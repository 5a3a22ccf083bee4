"""The domain layer: taxonomy as data, the 21 cities, the Form record and its JSON Schema."""

from __future__ import annotations

import sys
import subprocess

import pytest

from xl_tools.domain.cities import by_code, by_name, cities, find_city, order_key
from xl_tools.domain.form import HEADER_FIELDS, Form, Indicator, Located, form_title
from xl_tools.domain.schema import check_form, check_form_dict, schema_errors
from xl_tools.domain.taxonomy import taxonomy
from xl_tools.errors import FormSchemaError


def test_taxonomy_levels_and_requirements():
    t = taxonomy()
    assert t.level1_names == ("产出指标", "效益指标", "满意度指标")
    assert t.required_level1 == ("产出指标", "效益指标")
    assert t.level2_of("产出指标") == ("数量指标", "质量指标", "时效指标", "成本指标")
    assert t.parent_of("服务对象满意度指标") == "满意度指标"
    assert t.parent_of("培训数量要求") is None
    assert t.canonical_level1("效益 指标") == "效益指标"
    assert t.canonical_level2("<p>服务对象 满意度指标</p>") == "服务对象满意度指标"


def test_twenty_one_cities_in_code_order():
    all_cities = cities()
    assert len(all_cities) == 21
    assert [c.code for c in all_cities] == sorted(c.code for c in all_cities)
    assert all_cities[0].name == "广州" and all_cities[-1].name == "云浮"
    assert by_code("441900").name == "东莞"
    assert by_name("佛山市").code == "440600"


@pytest.mark.parametrize("text, city", [
    ("深圳市场监管局", "深圳"),
    ("广州市市场监管局", "广州"),
    ("珠海市场监管局", "珠海"),
    ("佛山市市场监督管理局（知识产权局）", "佛山"),
    ("省财政专项转移支付绩效目标表(二级项目-佛山)", "佛山"),
    ("东莞.xlsx", "东莞"),
    ("广东省市场监督管理局", None),
    ("", None),
])
def test_find_city(text, city):
    found = find_city(text)
    assert (found.name if found else None) == city


def test_order_key_puts_unknown_last():
    names = ["佛山", "未知", "广州", "深圳"]
    assert sorted(names, key=order_key) == ["广州", "深圳", "佛山", "未知"]


def test_header_fields_in_annex_order():
    assert [f.label for f in HEADER_FIELDS] == [
        "项目名称", "资金类型", "项目等级", "省级主管部门", "地方主管部门", "预算年度", "资金需求", "支出内容",
        "政策依据", "总体绩效目标"]
    assert form_title("广州") == "省财政专项转移支付绩效目标表(二级项目-广州)"


def _sample_form() -> Form:
    form = Form(
        header={"project_name": Located("技术与创新支持中心(TISC)建设", "B3"),
                "local_department": Located("深圳市场监管局", "D6"),
                "funding": Located("180万元", "B8")},
        indicators=(Indicator(Located("产出指标", "A14"), Located("数量指标", "B14"),
                              Located("出版刊物数量要求", "C14"), Located("出版至少3期技术类相关刊物。", "D14")),),
        source="深圳.xlsx", sheet="绩效目标表", template_version="1.0",
    )
    return form.with_city_detected()


def test_form_round_trips_through_dict_and_schema():
    form = _sample_form()
    assert form.city == "深圳"
    data = form.to_dict()
    assert data["city_code"] == "440300"
    check_form_dict(data)
    assert Form.from_dict(data) == form
    check_form(form)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["header"].pop("funding"), "header"),
    (lambda d: d["header"]["funding"].__setitem__("text", 180), "header/funding/text"),
    (lambda d: d["indicators"][0]["value"].__setitem__("cell", "not-a-cell"), "indicators/0/value/cell"),
    (lambda d: d.__setitem__("city_code", "110000"), "city_code"),
    (lambda d: d.__setitem__("extra", 1), "(根)"),
])
def test_schema_rejects_malformed_record_naming_the_field(mutate, field):
    data = _sample_form().to_dict()
    mutate(data)
    errors = schema_errors(data)
    assert errors and any(f"字段 {field}" in e for e in errors), errors
    with pytest.raises(FormSchemaError) as exc:
        check_form_dict(data, path="深圳.xlsx")
    assert field in str(exc.value) and "深圳.xlsx" in str(exc.value)


def test_domain_imports_no_excel_library():
    code = ("import sys, xl_tools.domain.form, xl_tools.domain.schema, xl_tools.domain.taxonomy, "
            "xl_tools.domain.cities; "
            "bad = [m for m in ('openpyxl', 'xlwings', 'pandas', 'python_calamine', 'jsonschema') if m in sys.modules]; "
            "print(bad); raise SystemExit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
