"""汇总表 lists every 地级以上市 of 广东省 (GB/T 2260 order), marks those without a workbook 未报送, and counts
reported / not reported in its title line; ``consolidate --json`` carries the same. Real files throughout:
city workbooks written with the project's writer, the provincial workbook read back with openpyxl, its totals
recalculated by LibreOffice, 生成汇总表 rebuilding it from its own city sheets."""

from __future__ import annotations

import json

import pytest
from consolidate_fixtures import REPORTS, make_form, q, seed_forms, write_city_files
from libreoffice import cell_values

from xl_tools.cli import main
from xl_tools.consolidate import consolidate, rebuild_summary_sheets, write_consolidation
from xl_tools.consolidate.workbook import save_workbook
from xl_tools.domain.cities import cities

pytest_plugins = ("libreoffice",)

SEED_CITIES = ("广州", "深圳", "珠海", "佛山")
FIRST, LAST, TOTAL = 4, 24, 25          # title, subtitle, header; 21 city rows; 合计


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("cities")
    write_city_files(seed_forms(), out)
    return out


@pytest.fixture(scope="module")
def provincial(folder, tmp_path_factory):
    from xl_tools.jobs import consolidate_paths

    return consolidate_paths([folder], tmp_path_factory.mktemp("out") / "广东省汇总.xlsx")


def _rows(path):
    from openpyxl import load_workbook

    ws = load_workbook(path)["汇总表"]
    return ws, [[c.value for c in r] for r in ws.iter_rows(min_row=FIRST, max_row=TOTAL, max_col=8)]


def test_every_city_has_a_row_in_code_order_and_the_missing_ones_say_unreported(provincial):
    cons, path = provincial
    ws, rows = _rows(path)
    assert [(r[0], r[1]) for r in rows[:-1]] == [(c.name, c.code) for c in cities()]
    unreported = [r for r in rows[:-1] if r[0] not in SEED_CITIES]
    assert len(unreported) == 17 and all(r[2] == "未报送" and r[3:] == [None] * 5 for r in unreported)
    assert all(r[2] != "未报送" and r[4] is not None for r in rows[:-1] if r[0] in SEED_CITIES)
    assert ws["A1"].value.endswith("（已报送 4 个地市，未报送 17 个）")
    assert rows[-1][0] == "合计" and rows[-1][2] == "已报送 4 个地市，未报送 17 个"
    assert [c.name for c in cons.unreported] == [c.name for c in cities() if c.name not in SEED_CITIES]
    # Only reported rows link to a city sheet.
    links = {ws.cell(row=FIRST + i, column=1).hyperlink is not None for i, r in enumerate(rows[:-1])
             if r[0] not in SEED_CITIES}
    assert links == {False}


def test_totals_and_chart_cover_all_city_rows_and_libreoffice_agrees(provincial, office):
    _, path = provincial
    ws, rows = _rows(path)
    assert [ws.cell(row=TOTAL, column=c).value for c in range(5, 9)] == [
        f"=SUM({col}{FIRST}:{col}{LAST})" for col in "EFGH"]
    (chart,) = ws._charts
    (series,) = chart.series
    assert series.val.numRef.f == f"'汇总表'!$E${FIRST}:$E${LAST}"
    assert series.cat.strRef.f == f"'汇总表'!$A${FIRST}:$A${LAST}"
    (recalculated,) = office.xlsx([path])
    cached = cell_values(path, data_only=True)["汇总表"]
    computed = cell_values(recalculated, data_only=True)["汇总表"]
    for col in "EFGH":
        assert computed[f"{col}{TOTAL}"] == pytest.approx(cached[f"{col}{TOTAL}"]), col
    assert computed[f"E{TOTAL}"] == 790
    assert computed[f"F{TOTAL}"] == sum(r[5] for r in rows[:-1] if r[5] is not None)


def test_rebuilding_the_summary_from_the_city_sheets_gives_the_same_sheet(provincial, tmp_path):
    from openpyxl import load_workbook

    _, path = provincial
    wb = load_workbook(path)
    rebuild_summary_sheets(wb, source=str(path))          # what the ribbon's 生成汇总表 runs
    again = save_workbook(wb, tmp_path / "重建.xlsx", inputs=[path])
    assert cell_values(again)["汇总表"] == cell_values(path)["汇总表"]


def test_consolidate_json_lists_the_unreported_cities_and_the_counts(folder, tmp_path, capsys):
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "汇总.xlsx"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    expected = [{"city": c.name, "code": c.code} for c in cities() if c.name not in SEED_CITIES]
    assert doc["unreported"] == expected
    assert doc["counts"] == {"cities": 21, "reported": 4, "unreported": 17}
    assert [c["city"] for c in doc["cities"]] == list(SEED_CITIES)
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "汇总2.xlsx")]) == 0
    text = capsys.readouterr().out
    assert "已报送 4 个地市，未报送 17 个：韶关、汕头、江门" in text


def test_all_cities_reported_leaves_no_unreported_row(tmp_path):
    forms = [make_form(c.name, [q(REPORTS, "1份")], funding="10万元") for c in cities()]
    path = write_consolidation(consolidate(forms), tmp_path / "全省.xlsx")
    ws, rows = _rows(path)
    assert "未报送" not in [r[2] for r in rows]
    assert ws["A1"].value.endswith("（已报送 21 个地市，未报送 0 个）")
    assert rows[-1][0] == "合计" and rows[-1][4] == f"=SUM(E{FIRST}:E{LAST})"


def test_a_form_whose_city_cannot_be_told_comes_after_the_21_and_is_not_counted_as_reported(tmp_path):
    unknown = make_form("广州", [q(REPORTS, "1份")], department="市场监督管理局")
    from dataclasses import replace

    unknown = replace(unknown, city=None, sheet="某表")
    cons = consolidate([make_form("东莞", [q(REPORTS, "3份")], funding="30万元"), unknown])
    path = write_consolidation(cons, tmp_path / "out.xlsx")
    ws, rows = _rows(path)
    assert len(cons.unreported) == 20 and cons.reported_count == 1
    names = [ws.cell(row=r, column=1).value for r in range(FIRST, FIRST + 23)]
    assert names[:21] == [c.name for c in cities()] and names[22] == "合计"
    assert names[21] not in [c.name for c in cities()]            # the unknown city's row, after the 21
    assert ws["A1"].value.endswith("（已报送 1 个地市，未报送 20 个）")
