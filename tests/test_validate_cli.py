"""xl-tools validate on real .xlsx files written with the template writer: table, JSON, exit codes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from fixtures_rules import base, clean_forms, hcell, rcell, set_value, with_rows
from xl_tools.cli import main
from xl_tools.workbook.writer import write_forms

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """广州/深圳/佛山 clean forms, one workbook each."""
    for form in clean_forms():
        write_forms([form], tmp_path / f"{form.city}.xlsx")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_folder_passes_with_exit_0(folder, capsys):
    code, out, _ = run(capsys, folder)
    assert code == 0
    assert out.count("通过，没有发现问题") == 3
    assert "共校验 3 个文件：错误 0 个，警告 0 个" in out and "没有错误，可以提交" in out
    # Cities in GB/T 2260 order: 广州 440100, 深圳 440300, 佛山 440600.
    assert out.index("广州.xlsx") < out.index("深圳.xlsx") < out.index("佛山.xlsx")


def test_errors_exit_1_and_table_lists_errors_first(tmp_path, capsys):
    path = tmp_path / "广州.xlsx"
    write_forms([with_rows(set_value(5, "进一步提升"), budget_year="")], path)
    code, out, _ = run(capsys, path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"■ {path}（广州，工作表 广州）：错误 1 个，警告 1 个"
    body = [line for line in lines if line.startswith(("  错误", "  警告"))]
    assert body[0].split() == ["错误", hcell("budget_year"), "预算年度为空：请填写四位年份，如", "2020"]
    assert body[1].startswith("  警告") and rcell(5, "value") in body[1] and "进一步提升" in body[1]


def test_suggestion_is_printed(tmp_path, capsys):
    path = tmp_path / "广州.xlsx"
    write_forms([with_rows(set_value(0, "1"))], path)
    code, out, _ = run(capsys, path)
    assert code == 0       # a warning only
    assert "建议值：1份?" in out


def test_json_output_is_exactly_the_contract(tmp_path, capsys):
    path = tmp_path / "深圳.xlsx"
    write_forms([base(budget_year="", local_department="深圳市场监管局")], path)
    code, out, err = run(capsys, path, "--json")
    assert code == 1 and err == ""
    doc = json.loads(out)
    assert doc == {"files": [{
        "path": str(path), "city": "深圳", "errors": 1, "warnings": 0,
        "findings": [{"code": "missing-field", "severity": "error", "city": "深圳", "sheet": "深圳",
                      "cell": hcell("budget_year"), "field": "预算年度",
                      "message": "预算年度为空：请填写四位年份，如 2020", "suggestion": None}],
    }]}
    assert "预算年度为空" in out      # ensure_ascii=False: Chinese as is, not \\u escapes


def test_unreadable_files_exit_2_and_the_others_are_still_checked(folder, capsys):
    (folder / "坏.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (folder / "旧格式.xls").write_bytes(OLE_HEADER)
    missing = folder / "没有这个文件.xlsx"
    code, out, _ = run(capsys, folder, missing, "--json")
    assert code == 2
    files = {Path(f["path"]).name: f for f in json.loads(out)["files"]}
    assert set(files) == {"广州.xlsx", "深圳.xlsx", "佛山.xlsx", "坏.xlsx", "旧格式.xls", "没有这个文件.xlsx"}
    for name in ("坏.xlsx", "旧格式.xls", "没有这个文件.xlsx"):
        (finding,) = files[name]["findings"]
        assert finding["code"] == "not-a-form" and finding["severity"] == "error"
        assert files[name]["errors"] == 1
        assert f"文件“{name}”无法作为绩效目标表读取：" in finding["message"] and "请" in finding["message"]
    assert "另存为" in files["旧格式.xls"]["findings"][0]["message"]
    assert "找不到" in files["没有这个文件.xlsx"]["findings"][0]["message"]
    for name in ("广州.xlsx", "深圳.xlsx", "佛山.xlsx"):
        assert files[name]["findings"] == [] and files[name]["errors"] == 0


def test_a_workbook_without_a_form_is_not_a_form(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "会议签到表"
    wb.save(tmp_path / "签到表.xlsx")
    code, out, _ = run(capsys, tmp_path / "签到表.xlsx")
    assert code == 2
    assert "无法作为绩效目标表读取" in out and "没有找到绩效目标表" in out


def test_lock_files_and_marked_copies_in_a_folder_are_skipped(folder, capsys):
    (folder / "~$广州.xlsx").write_bytes(b"lock")
    write_forms([base(budget_year="")], folder / "广州.校验.xlsx")
    code, out, _ = run(capsys, folder, folder / "~$深圳.xlsx")
    assert code == 0
    assert "~$" not in out and "校验.xlsx" not in out


def test_a_file_named_twice_is_checked_once(folder, capsys):
    code, out, _ = run(capsys, folder / "广州.xlsx", folder, folder / "广州.xlsx")
    assert code == 0 and out.count("广州.xlsx") == 1 and "共校验 3 个文件" in out


def test_empty_folder_is_reported(tmp_path, capsys):
    code, out, _ = run(capsys, tmp_path)
    assert code == 2 and "文件夹中没有 .xlsx 工作簿" in out


def test_annotate_writes_a_marked_copy_and_leaves_the_input_alone(tmp_path, capsys):
    path = tmp_path / "广州.xlsx"
    write_forms([base(budget_year="")], path)
    before = digest(path)
    code, out, _ = run(capsys, path, "--annotate")
    assert code == 1
    marked = tmp_path / "广州.校验.xlsx"
    assert marked.exists() and f"已另存带标记的副本：{marked}" in out
    assert digest(path) == before
    from openpyxl import load_workbook

    wb = load_workbook(marked)
    assert wb["广州"][hcell("budget_year")].comment.text.startswith("【校验】错误：预算年度为空")


def test_annotate_with_json_keeps_stdout_pure_json(tmp_path, capsys):
    path = tmp_path / "广州.xlsx"
    write_forms([base()], path)
    code, out, err = run(capsys, path, "--json", "--annotate")
    assert code == 0
    assert json.loads(out)["files"][0]["errors"] == 0
    assert "广州.校验.xlsx" in err


def test_console_script_runs(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "广州.xlsx"
    write_forms([base()], path)
    done = subprocess.run([sys.executable, "-m", "xl_tools", "validate", str(path), "--json"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["city"] == "广州"
