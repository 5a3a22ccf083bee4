"""The wrapper around every ribbon entry point: workbook lookup, alerts instead of tracebacks, the log file."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest

import xlwings_harness as h
from xl_tools.errors import InputError
from xl_tools.excel.guard import Cancelled, entry_point
from xl_tools.excel.logs import LOG_ENV, log_path


@pytest.fixture(autouse=True)
def log_dir(tmp_path, monkeypatch):
    folder = tmp_path / "logs"
    monkeypatch.setenv(LOG_ENV, str(folder))
    yield folder
    h.clear_mock_caller()


@pytest.fixture()
def city_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "广州"
    wb.active["A1"] = "省财政专项转移支付绩效目标表(二级项目-广州)"
    path = tmp_path / "广州.xlsx"
    wb.save(path)
    return path


def test_known_failure_ends_in_its_chinese_message_and_a_log_line(city_xlsx, log_dir):
    @entry_point("校验")
    def click(book):
        raise InputError("预算年度为空：请填写四位年份，如 2020", sheet="广州", cell="B8")

    book = h.book_from_xlsx(city_xlsx)
    book.set_mock_caller()
    assert click() is None
    alerts = h.alerts_of(book)
    assert len(alerts) == 1
    assert alerts[0]["prompt"] == "校验没有完成。\n工作表“广州”，单元格 B8：预算年度为空：请填写四位年份，如 2020"
    assert alerts[0]["mode"] == "critical" and alerts[0]["title"] == "绩效目标表"
    log = (log_dir / "xl_tools.log").read_text(encoding="utf-8")
    assert "校验：开始（工作簿 广州.xlsx）" in log
    assert "预算年度为空" in log and "Traceback" in log


def test_unexpected_failure_names_the_log_file_never_a_bare_traceback(city_xlsx, log_dir):
    @entry_point("汇总")
    def click(book):
        return {}["missing"]

    book = h.book_from_xlsx(city_xlsx)
    assert click(book) is None
    (alert,) = h.alerts_of(book)
    assert alert["prompt"].startswith("汇总没有完成：程序出现意外错误（KeyError：'missing'）")
    assert str(log_dir / "xl_tools.log") in alert["prompt"]
    assert "Traceback" not in alert["prompt"]
    assert "KeyError: 'missing'" in (log_dir / "xl_tools.log").read_text(encoding="utf-8")


def test_cancel_is_quiet(city_xlsx, log_dir):
    @entry_point("汇总")
    def click(book):
        raise Cancelled()

    book = h.book_from_xlsx(city_xlsx)
    assert click(book) is None
    assert h.actions_of(book) == []
    assert "汇总：用户取消" in (log_dir / "xl_tools.log").read_text(encoding="utf-8")


def test_a_click_from_the_addin_acts_on_the_active_workbook(tmp_path, city_xlsx):
    addin = tmp_path / "addin.xlsx"
    openpyxl.Workbook().save(addin)
    addin_book = h.book_from_xlsx(addin, name="xl_tools.xlam")
    addin_book.set_mock_caller()                 # RunPython in the .xlam: Book.caller() is the add-in
    city_book = h.book_from_xlsx(city_xlsx)       # …while the user looks at this workbook (the active one)
    seen = []

    @entry_point("校验")
    def click(book):
        seen.append(book.name)

    click()
    assert seen == ["广州.xlsx"]
    assert h.actions_of(addin_book) == [] and h.actions_of(city_book) == []


def test_a_workbook_own_button_acts_on_itself(city_xlsx, tmp_path):
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    city = h.book_from_xlsx(city_xlsx)
    city.set_mock_caller()
    h.book_from_xlsx(other)                       # another workbook became active meanwhile
    seen = []

    @entry_point("校验")
    def click(book):
        seen.append(book.name)

    click()
    assert seen == ["广州.xlsx"]


def test_log_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "a"))
    assert log_path() == tmp_path / "a" / "xl_tools.log"
    monkeypatch.delenv(LOG_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if sys.platform.startswith("win"):
        monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
        assert log_path() == tmp_path / "local" / "xl_tools" / "xl_tools.log"
    else:
        assert log_path() == tmp_path / "home" / ".xl_tools" / "xl_tools.log"


HEAVY = ("pandas", "numpy", "openpyxl", "jsonschema", "xlwings", "python_calamine")


def test_importing_the_ribbon_module_stays_light():
    code = ("import sys, xl_tools.excel as x, xl_tools.excel.book_fixes, xl_tools.workbook.fixes; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_eight_entry_points_exist_with_the_contract_names():
    import inspect

    import xl_tools.excel as x

    for name in ("new_form", "validate", "clear_marks", "apply_fixes", "undo_fixes", "consolidate", "build_summary",
                 "show_help"):
        fn = getattr(x, name)
        assert list(inspect.signature(fn).parameters) == ["book"]
        assert inspect.signature(fn).parameters["book"].default is None
