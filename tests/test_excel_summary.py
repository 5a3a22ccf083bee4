"""汇总 and 生成汇总表 through xlwings Books, compared with ``xl-tools consolidate`` on the seed cities."""

from __future__ import annotations

import shutil
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

import xlwings_harness as h
import xl_tools.excel as x
from xl_tools.cli import main as cli
from xl_tools.consolidate.workbook import SUMMARY_SHEET_NAMES
from xl_tools.excel import opener, picker
from xl_tools.excel.guard import Cancelled
from xl_tools.excel.logs import LOG_ENV

CITIES = ("广州", "深圳", "珠海", "佛山")

pytest_plugins = ("libreoffice",)


@pytest.fixture(scope="module")
def seed_books(seed_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed_cities")
    assert cli(["import-annex", str(seed_path), "-o", str(folder)]) == 0
    return [folder / f"{city}.xlsx" for city in CITIES]


@pytest.fixture(scope="module")
def cli_summary(seed_books, tmp_path_factory):
    """``xl-tools consolidate`` of the four seed cities."""
    out = tmp_path_factory.mktemp("cli") / "广东省汇总.xlsx"
    assert cli(["consolidate", *map(str, seed_books), "-o", str(out)]) in (0, 1)
    return out


@pytest.fixture(autouse=True)
def quiet_log(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "log"))
    yield
    h.clear_mock_caller()


def rows(wb, title):
    return [[c.value for c in row] for row in wb[title].iter_rows()]


def merges(wb, title):
    return sorted(str(r) for r in wb[title].merged_cells.ranges)


def links(wb, title):
    return [(c.coordinate, c.hyperlink.location) for row in wb[title].iter_rows() for c in row if c.hyperlink]


def evaluate(ws, formula: str) -> Decimal:
    """The value of a ``SUM(E4:E7)`` total over the cells it names (what Excel computes)."""
    assert formula.startswith("=SUM(") and formula.endswith(")"), formula
    c1, r1, c2, r2 = range_boundaries(formula[5:-1])
    total = Decimal(0)
    for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True):
        for value in row:
            if isinstance(value, (int, float)):
                total += Decimal(str(value))
    return total


def funding_total(wb) -> tuple[str, Decimal]:
    ws = wb["汇总表"]
    for row in ws.iter_rows():
        if row[0].value == "合计":
            formula = row[4].value
            return formula, evaluate(ws, formula)
    raise AssertionError("no 合计 row")


def test_build_summary_rebuilds_the_cli_sheets_cell_for_cell(cli_summary, tmp_path):
    source = tmp_path / "广东省汇总.xlsx"
    shutil.copy(cli_summary, source)
    book, replayed, cons = h.click(x.build_summary, source, tmp_path / "rebuilt.xlsx")

    cli_wb = openpyxl.load_workbook(cli_summary)
    cli_values = openpyxl.load_workbook(cli_summary, data_only=True)
    wb = openpyxl.load_workbook(replayed.path)
    assert wb.sheetnames == cli_wb.sheetnames
    for title in SUMMARY_SHEET_NAMES:
        assert rows(wb, title) == rows(cli_wb, title), title          # values and live formulas alike
        assert merges(wb, title) == merges(cli_wb, title), title
        assert links(wb, title) == links(cli_wb, title), title
        assert wb[title].freeze_panes == cli_wb[title].freeze_panes
    formula, total = funding_total(wb)
    assert total == Decimal(790) == cons.total_funding_wan
    assert cli_values["汇总表"][funding_cell(cli_wb)].value == 790        # the CLI's cached value agrees
    assert replayed.alerts[0]["prompt"] == ("已按各地市工作表重新生成汇总表、指标汇总、定性指标和校验结果："
                                            "4 个地市，资金需求合计 790 万元。")
    assert replayed.active_sheet == "汇总表"
    # City sheets are only read.
    for a in h.actions_of(book):
        if a["sheet_position"] is not None and a["func"] not in ("alert", "activateSheet"):
            assert wb.sheetnames[a["sheet_position"]] in SUMMARY_SHEET_NAMES or a["func"] == "sheetDelete"


def funding_cell(wb) -> str:
    for row in wb["汇总表"].iter_rows():
        if row[0].value == "合计":
            return row[4].coordinate
    raise AssertionError("no 合计 row")


def test_a_fix_in_a_city_sheet_is_one_click_from_new_totals(cli_summary, tmp_path):
    wb = openpyxl.load_workbook(cli_summary)
    from xl_tools.workbook.layout import locate

    ref = locate(wb["广州"]).header["funding"]
    assert wb["广州"][ref].value == "460万元"
    wb["广州"][ref] = "500万元"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    _, replayed, cons = h.click(x.build_summary, edited, tmp_path / "rebuilt.xlsx")
    out = openpyxl.load_workbook(replayed.path)
    _, total = funding_total(out)
    assert total == Decimal(830) == cons.total_funding_wan
    guangzhou = next(r for r in out["汇总表"].iter_rows(values_only=True) if r[0] == "广州")
    assert guangzhou[4] == 500
    assert "830 万元" in replayed.alerts[0]["prompt"]


def test_build_summary_needs_a_consolidated_workbook(seed_books, tmp_path):
    book, replayed, value = h.click(x.build_summary, seed_books[0], tmp_path / "out.xlsx")
    assert value is None
    assert replayed.alerts[0]["prompt"].startswith("生成汇总表没有完成。\n文件 广州.xlsx：当前工作簿不是汇总工作簿")
    assert h.funcs_of(book) == ["alert"]


def test_consolidate_button_writes_the_cli_workbook_next_to_the_picked_files(seed_books, cli_summary, tmp_path,
                                                                             monkeypatch):
    folder = tmp_path / "cities"
    folder.mkdir()
    picked = []
    for p in seed_books:
        shutil.copy(p, folder / p.name)
        picked.append(folder / p.name)
    opened = []
    monkeypatch.setattr(picker, "choose_city_workbooks", lambda book: list(picked))
    monkeypatch.setattr(opener, "open_workbook", lambda app, path: opened.append(path) or None)

    book, replayed, (cons, written) = h.click(x.consolidate, picked[0], tmp_path / "after.xlsx")
    assert written == folder / "广东省汇总.xlsx"
    assert opened == [written]
    assert cons.total_funding_wan == Decimal(790)
    cli_wb, ours = openpyxl.load_workbook(cli_summary), openpyxl.load_workbook(written)
    assert ours.sheetnames == cli_wb.sheetnames
    for title in ours.sheetnames:
        assert rows(ours, title) == rows(cli_wb, title), title
    (alert,) = replayed.alerts
    assert alert["prompt"].startswith("汇总完成：4 个地市，资金需求合计 790 万元。")
    assert str(written) in alert["prompt"]
    # The 17 cities without a workbook are named, as the 汇总表 marks them 未报送.
    assert "未报送的地市（17 个）：韶关、汕头、江门" in alert["prompt"]
    assert "广州" not in alert["prompt"].split("未报送的地市")[1]

    # A second run keeps the first result and picks the next free name; the summary itself is never an input.
    monkeypatch.setattr(picker, "choose_city_workbooks", lambda book: list(picked) + [written])
    _, replayed2, (cons2, written2) = h.click(x.consolidate, picked[0], tmp_path / "after2.xlsx")
    assert written2 == folder / "广东省汇总(2).xlsx"
    assert len(cons2.cities) == 4
    assert "已跳过汇总工作簿：广东省汇总.xlsx" in replayed2.alerts[0]["prompt"]


def test_consolidate_cancelled_or_without_a_dialog(seed_books, tmp_path, monkeypatch):
    def cancel(book):
        raise Cancelled()

    monkeypatch.setattr(picker, "choose_city_workbooks", cancel)
    book, replayed, value = h.click(x.consolidate, seed_books[0], tmp_path / "a.xlsx")
    assert value is None and h.actions_of(book) == []

    monkeypatch.undo()
    book, replayed, value = h.click(x.consolidate, seed_books[0], tmp_path / "b.xlsx")
    (alert,) = replayed.alerts
    assert alert["prompt"].startswith("汇总没有完成。\n当前环境无法显示选择文件的对话框")
    assert "xl-tools consolidate" in alert["prompt"]


def test_validate_in_a_consolidated_workbook_marks_only_city_sheets(cli_summary, tmp_path):
    source = tmp_path / "广东省汇总.xlsx"
    shutil.copy(cli_summary, source)
    book, replayed, click = h.click(x.validate, source, tmp_path / "validated.xlsx")
    assert {f.sheet for f in click.report.findings} == set(CITIES)
    names = openpyxl.load_workbook(source).sheetnames
    marked_sheets = {names[a["sheet_position"]] for a in h.actions_of(book) if a["func"] == "addNote"}
    assert marked_sheets == set(CITIES)


@pytest.mark.libreoffice
def test_a_spreadsheet_program_computes_the_cli_totals_from_the_rebuilt_sheets(cli_summary, tmp_path, office):
    """LibreOffice recalculates the replayed sheets: every formula gives the value the CLI cached, 790 included."""
    from libreoffice import cell_values, formula_cells, is_error

    source = tmp_path / "广东省汇总.xlsx"
    shutil.copy(cli_summary, source)
    _, replayed, _ = h.click(x.build_summary, source, tmp_path / "rebuilt.xlsx")
    (recalculated,) = office.xlsx([replayed.path])
    computed = cell_values(recalculated, data_only=True)
    cached = cell_values(cli_summary, data_only=True)
    formulas = formula_cells(replayed.path)
    checked = 0
    for title in SUMMARY_SHEET_NAMES:
        for a1 in formulas[title]:
            assert not is_error(computed[title].get(a1)), (title, a1)
            assert computed[title].get(a1) == cached[title].get(a1), (title, a1)
            checked += 1
    assert checked >= 10
    assert computed["汇总表"][funding_cell(openpyxl.load_workbook(replayed.path))] == 790


def test_clear_marks_keeps_a_consolidated_workbooks_own_result_sheet(cli_summary, tmp_path):
    source = tmp_path / "广东省汇总.xlsx"
    shutil.copy(cli_summary, source)
    book, replayed, outcome = h.click(x.clear_marks, source, tmp_path / "cleared.xlsx")
    assert openpyxl.load_workbook(replayed.path).sheetnames == openpyxl.load_workbook(source).sheetnames
    assert h.funcs_of(book) == ["setScreenUpdating", "setScreenUpdating", "alert"]
    assert replayed.alerts[0]["prompt"] == "没有需要清除的校验标记"
