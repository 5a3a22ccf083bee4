"""xl-tools export prints the Forms of workbooks as JSON that matches the Form schema."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

from xl_tools.domain.form import Form, Indicator
from xl_tools.domain.schema import schema_errors
from xl_tools.workbook.reader import read_forms
from xl_tools.workbook.writer import write_forms


def xl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xl_tools", *args], capture_output=True, text=True,
                          encoding="utf-8")


def _form(city: str, funding: str) -> Form:
    form = Form.blank(project_name=f"{city}知识产权项目", fund_type="省级财政专项资金", project_level="二级项目",
                      local_department=f"{city}市市场监管局", budget_year="2020", funding=funding,
                      expenditure="1. 培训", policy_basis="粤府〔2016〕56号", overall_goal="举办2场培训")
    return replace(form, indicators=(Indicator.of("产出指标", "数量指标", "培训场次", "≥2场"),))


def test_export_prints_schema_valid_forms_with_cells(tmp_path):
    gz, fs = tmp_path / "广州.xlsx", tmp_path / "佛山.xlsx"
    write_forms([_form("广州", "460")], gz)
    write_forms([_form("佛山", "100"), _form("佛山", "5")], fs)
    done = xl("export", str(gz), str(fs), "--json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["city"] for r in records] == ["广州", "佛山", "佛山"]
    assert [r["header"]["funding"]["text"] for r in records] == ["460", "100", "5"]
    assert records[0]["header"]["funding"]["cell"] == "B7"
    assert records[0]["indicators"][0]["value"] == {"text": "≥2场", "cell": "E12"}
    for record in records:
        assert schema_errors(record) == []
    assert records[:1] == [f.to_dict() for f in read_forms(gz)]


def test_export_engines_agree_and_write_a_file(tmp_path):
    gz = tmp_path / "广州.xlsx"
    write_forms([_form("广州", "460")], gz)
    a = xl("export", str(gz), "--json", "--engine", "calamine")
    b = xl("export", str(gz), "--json")
    assert a.returncode == b.returncode == 0 and json.loads(a.stdout) == json.loads(b.stdout)
    out = tmp_path / "表单.json"
    done = xl("export", str(gz), "--json", "-o", str(out))
    assert done.returncode == 0 and "已导出 1 张表" in done.stdout
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(b.stdout)


def test_export_errors_are_chinese_with_exit_code_2(tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    done = xl("export", str(bad), "--json")
    assert done.returncode == 2 and "坏文件.xlsx" in done.stderr and "请" in done.stderr and ".xlsx" in done.stderr
    assert done.stdout == ""
    gz = tmp_path / "广州.xlsx"
    write_forms([_form("广州", "460")], gz)
    before = gz.read_bytes()
    done = xl("export", str(gz), "--json", "-o", str(gz))
    assert done.returncode == 2 and "拒绝覆盖" in done.stderr and gz.read_bytes() == before
