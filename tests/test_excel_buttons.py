"""Every ribbon button, run exactly as the add-in's VBA runs it: ``RunPython "import xl_tools.excel as x; x.…()"``.

``Book.set_mock_caller()`` makes ``xw.Book.caller()`` return a remote-engine book built from a real .xlsx;
the RunPython code string is executed as Python would execute it from Excel.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest

import xlwings_harness as h
from xl_tools.cli import main as cli
from xl_tools.excel import entry, opener, picker
from xl_tools.excel.logs import LOG_ENV


@pytest.fixture(scope="module")
def seed_books(seed_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed_cities")
    assert cli(["import-annex", str(seed_path), "-o", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def summary_xlsx(seed_books, tmp_path_factory):
    out = tmp_path_factory.mktemp("summary") / "广东省汇总.xlsx"
    cities = [seed_books / f"{c}.xlsx" for c in ("广州", "深圳", "珠海", "佛山")]
    assert cli(["consolidate", *map(str, cities), "-o", str(out)]) in (0, 1)
    return out


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "log"))
    monkeypatch.setenv(entry.NEW_DIR_ENV, str(tmp_path / "新建"))
    yield
    h.clear_mock_caller()


def run_python(code: str, xlsx, **payload) -> tuple:
    """What RunPython does for a workbook button: the caller is the workbook, the code runs in a fresh namespace."""
    book = h.book_from_xlsx(xlsx, **payload)
    book.set_mock_caller()
    exec(code, {})
    h.clear_mock_caller()
    return book, h.alerts_of(book)


@pytest.mark.parametrize("call", ["new_form", "validate", "clear_marks", "apply_fixes", "undo_fixes", "consolidate",
                                  "build_summary", "show_help"])
def test_each_button_runs_from_its_runpython_string_and_ends_in_one_alert(call, seed_books, summary_xlsx,
                                                                         tmp_path, monkeypatch):
    source = tmp_path / "广东省汇总.xlsx"
    shutil.copy(summary_xlsx, source)
    cities = [seed_books / f"{c}.xlsx" for c in ("广州", "深圳", "珠海", "佛山")]
    monkeypatch.setattr(picker, "choose_city_workbooks", lambda book: cities)
    monkeypatch.setattr(opener, "open_workbook", lambda app, path: None)
    if call == "consolidate":
        work = tmp_path / "cities"
        work.mkdir()
        for c in cities:
            shutil.copy(c, work / c.name)
        monkeypatch.setattr(picker, "choose_city_workbooks", lambda book: sorted(work.glob("*.xlsx")))

    book, alerts = run_python(f"import xl_tools.excel as x; x.{call}()", source)
    assert len(alerts) == 1, alerts
    assert alerts[0]["mode"] == "info", alerts[0]["prompt"]          # none of them failed
    expected = {
        "new_form": "已按模板新建绩效目标表",
        "validate": "校验完成：",
        "clear_marks": "没有需要清除的校验标记",
        "apply_fixes": "已采纳 5 条建议值：",           # 深圳 1, 珠海 2, 佛山 2 (the city sheets of the summary)
        "undo_fixes": "没有可以撤销的采纳建议",
        "consolidate": "汇总完成：4 个地市，资金需求合计 790 万元。",
        "build_summary": "已按各地市工作表重新生成汇总表",
        "show_help": "“绩效目标”选项卡各按钮的作用：",
    }[call]
    assert alerts[0]["prompt"].startswith(expected)


def test_new_form_writes_the_template_to_a_new_file_each_click(tmp_path):
    from xl_tools.workbook.reader import read_forms
    from xl_tools.workbook.template import build_template, workbook_bytes

    anywhere = tmp_path / "any.xlsx"
    openpyxl.Workbook().save(anywhere)
    _, first = run_python("import xl_tools.excel as x; x.new_form()", anywhere)
    _, second = run_python("import xl_tools.excel as x; x.new_form()", anywhere)
    folder = tmp_path / "新建"
    made = sorted(p.name for p in folder.iterdir())
    assert made == ["绩效目标表(2).xlsx", "绩效目标表.xlsx"]
    assert (folder / "绩效目标表.xlsx").read_bytes() == workbook_bytes(build_template())
    (form,) = read_forms(folder / "绩效目标表.xlsx")
    assert form.rows == ()
    assert str(folder / "绩效目标表.xlsx") in first[0]["prompt"]
    assert str(folder / "绩效目标表(2).xlsx") in second[0]["prompt"]


def test_new_form_opens_the_file_where_the_engine_can(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(opener, "open_workbook", lambda app, path: opened.append(path) or object())
    anywhere = tmp_path / "any.xlsx"
    openpyxl.Workbook().save(anywhere)
    book, alerts = run_python("import xl_tools.excel as x; x.new_form()", anywhere)
    assert opened == [tmp_path / "新建" / "绩效目标表.xlsx"]
    assert alerts == []                                   # the opened workbook is the answer


def test_the_remote_engine_cannot_open_files_and_says_where_the_new_one_is(tmp_path):
    anywhere = tmp_path / "any.xlsx"
    openpyxl.Workbook().save(anywhere)
    book = h.book_from_xlsx(anywhere)
    assert opener.open_workbook(book.app, anywhere) is None


def test_help_names_every_button_and_the_log_file(tmp_path):
    anywhere = tmp_path / "any.xlsx"
    openpyxl.Workbook().save(anywhere)
    _, alerts = run_python("import xl_tools.excel as x; x.show_help()", anywhere)
    text = alerts[0]["prompt"]
    for button in ("【新建】", "【校验】", "【采纳建议】", "【清除标记】", "【撤销采纳】", "【汇总】", "【生成汇总表】"):
        assert button in text
    assert str(tmp_path / "log" / "xl_tools.log") in text


def test_a_click_with_no_workbook_open_says_to_open_one(tmp_path):
    addin = tmp_path / "addin.xlsx"
    openpyxl.Workbook().save(addin)
    book, alerts = run_python("import xl_tools.excel as x; x.validate()", addin, name="xl_tools.xlam")
    assert alerts[0]["prompt"] == "校验没有完成。\n没有打开的工作簿：请先打开要校验的绩效目标表，再点击“校验”"
