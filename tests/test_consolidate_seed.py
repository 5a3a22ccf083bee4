"""The seed annex end to end: importer → one workbook per city (writer) → consolidate from the files → the
provincial workbook, re-read with pandas and recalculated by LibreOffice."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from consolidate_fixtures import COMPANIES, LAUNCHES, PRODUCTS, REPORTS, SIZE

from xl_tools.consolidate import consolidate, write_consolidation
from xl_tools.jobs.consolidate import consolidate_paths
from xl_tools.domain.cities import city_names

pytest_plugins = ("libreoffice",)

CITIES = ["广州", "深圳", "珠海", "佛山"]


@pytest.fixture(scope="module")
def city_files(seed_path, tmp_path_factory) -> list[Path]:
    from xl_tools.annex.importer import import_annex

    return import_annex(seed_path, tmp_path_factory.mktemp("cities"))


@pytest.fixture(scope="module")
def consolidated(city_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "广东省汇总.xlsx"
    cons, path = consolidate_paths([city_files[0].parent], out)
    return cons, path


def test_seed_totals_from_the_city_files(consolidated, city_files):
    cons, _ = consolidated
    assert [c.city for c in cons.cities] == CITIES
    assert [c.funding_wan for c in cons.cities] == [460, 180, 50, 100]
    assert cons.total_funding_wan == 790 and cons.year == "2020"
    assert sorted(cons.sources) == sorted(str(p) for p in city_files)

    (reports,) = cons.indicator(REPORTS)
    assert {c: v.number for c, v in reports.by_city.items()} == {"广州": 9, "深圳": 2, "珠海": 1}
    assert reports.total_text == "12份"
    (launches,) = cons.indicator(LAUNCHES)
    assert {c: v.number for c, v in launches.by_city.items()} == {"广州": 9, "深圳": 2, "珠海": 1}
    assert launches.total_text == "12场"
    # 珠海 wrote "指标1: …" — the city sheet still holds it that way, and it was matched
    zhuhai = next(f for f in cons.forms if f.city == "珠海")
    assert any(r.level3.text.startswith("指标1") and "专利预警分析" in r.level3.text for r in zhuhai.rows)

    for name, text, cities in ((PRODUCTS, "≥2支", ["广州", "佛山"]), (COMPANIES, "≥20家", ["广州", "佛山"]),
                               (SIZE, "≥6亿元", ["广州", "佛山"])):
        (row,) = cons.indicator(name)
        assert (row.total_text, list(row.by_city)) == (text, cities)
    assert cons.indicator(SIZE)[0].total == 6


def test_no_cross_city_error_on_the_seed(consolidated):
    cons, _ = consolidated
    assert not cons.has_crosscity_error
    assert {f.code for f in cons.crosscity} <= {"unit-conflict", "operator-conflict"}
    # every city's own findings are there too, and counted per city
    for city in cons.cities:
        own = [f for f in cons.findings if f.city == city.city and f.severity == "error"]
        assert city.errors == len(own) > 0


def read_sheet(path, sheet, engine):
    import pandas as pd

    return pd.read_excel(path, sheet_name=sheet, header=2, engine=engine, dtype=object)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_workbook_reread_with_pandas_shows_the_totals(consolidated, engine):
    _, path = consolidated
    summary = read_sheet(path, "汇总表", engine)
    assert list(summary.columns) == ["地市", "代码", "项目名称", "预算年度", "资金需求(万元)", "指标数", "校验错误", "校验警告"]
    assert list(summary["地市"]) == [*city_names(), "合计"]                   # every city, 未报送 ones too
    assert list(summary.set_index("地市")["项目名称"].drop([*CITIES, "合计"]).unique()) == ["未报送"]
    assert [float(v) for v in summary["资金需求(万元)"].dropna()] == [460, 180, 50, 100, 790]

    table = read_sheet(path, "指标汇总", engine).set_index("三级指标")
    assert list(table.columns[4:8]) == CITIES
    assert float(table.loc[REPORTS, "合计"]) == 12 and table.loc[REPORTS, "单位"] == "份"
    assert float(table.loc[LAUNCHES, "合计"]) == 12 and table.loc[LAUNCHES, "单位"] == "场"
    assert [float(table.loc[REPORTS, c]) for c in CITIES[:3]] == [9, 2, 1]
    for name, total, unit in ((PRODUCTS, 2, "支"), (COMPANIES, 20, "家"), (SIZE, 6, "亿元")):
        assert (float(table.loc[name, "合计"]), table.loc[name, "运算符"], table.loc[name, "单位"]) == (total, "≥", unit)
    assert int(table.loc[SIZE, "地市数"]) == 2

    qual = read_sheet(path, "定性指标", engine).set_index("三级指标")
    assert qual.loc["知识产权证券化影响力", "佛山"] == "形成可复制可推广模式"
    assert qual.loc["培训数量要求", "珠海"].endswith("（可量化为：≥2场次、≥50人次）")

    results = read_sheet(path, "校验结果", engine)
    assert len(results) == len(consolidated[0].findings)


def test_two_runs_give_identical_workbooks(city_files, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_consolidation(consolidate(city_files), a)
    write_consolidation(consolidate(list(reversed(city_files))), b)     # input order does not matter either
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2020, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "2020-01-01T00:00:00Z" in core and "xl_tools" in core


def test_workbook_shape(consolidated):
    from openpyxl import load_workbook

    _, path = consolidated
    wb = load_workbook(path)
    assert wb.sheetnames[:8] == ["汇总表", "指标汇总", "定性指标", "校验结果", *CITIES]
    summary = wb["汇总表"]
    assert summary["E25"].value == "=SUM(E4:E24)" and summary["A25"].value == "合计"     # 21 city rows
    assert len(summary._charts) == 1
    chart = summary._charts[0]
    assert type(chart).__name__ == "BarChart"
    for name in ("汇总表", "指标汇总", "定性指标", "校验结果"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows and ws.freeze_panes
    # every hyperlink is internal and points at an existing sheet
    links = [c.hyperlink for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink]
    assert len(links) > 20
    for link in links:
        assert link.location and not link.target
        sheet, cell = link.location.rsplit("!", 1)
        assert sheet.strip("'") in wb.sheetnames
    with zipfile.ZipFile(path) as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".rels"))
    assert "TargetMode=\"External\"" not in rels


def test_findings_link_to_the_cell_to_fix(consolidated):
    from openpyxl import load_workbook

    cons, path = consolidated
    wb = load_workbook(path)
    ws = wb["校验结果"]
    by_number = {row[0].value: row for row in ws.iter_rows(min_row=4)}
    for number, finding in enumerate(cons.findings, start=1):
        row = by_number[number]
        assert row[3].value == finding.code
        if finding.sheet and finding.cell:
            assert row[4].hyperlink.location == f"'{finding.sheet}'!{finding.cell}"
    # a cross-city finding's cell on the city sheet holds the value it talks about
    conflict = next(f for f in cons.crosscity if f.code == "unit-conflict")
    assert wb[conflict.sheet][conflict.cell].value.strip() in conflict.message


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_same_totals(consolidated, office):
    from libreoffice import cell_values, formula_cells

    _, path = consolidated
    (recalculated,) = office.xlsx([path])
    formulas = formula_cells(path)
    cached = cell_values(path, data_only=True)
    computed = cell_values(recalculated, data_only=True)
    checked = 0
    for sheet, cells in formulas.items():
        for cell in cells:
            assert cached[sheet][cell] == pytest.approx(computed[sheet][cell]), (sheet, cell)
            checked += 1
    assert checked >= 4 + 2 * 6                  # 汇总表 totals + per-indicator SUM/COUNTA
    assert computed["汇总表"]["E25"] == 790


@pytest.mark.libreoffice
def test_summary_sheets_print_one_page_wide_with_repeated_headers(city_files, office, tmp_path):
    from xl_tools.consolidate.workbook import SUMMARY_SHEET_NAMES, build_workbook, save_workbook
    from xl_tools.office.printcheck import check_sheet_print

    # LibreOffice prints hidden sheets that have a print area, so print a copy holding the summary sheets only.
    wb, _ = build_workbook(consolidate(city_files))
    for name in [n for n in wb.sheetnames if n not in SUMMARY_SHEET_NAMES]:
        wb.remove(wb[name])
    path = save_workbook(wb, tmp_path / "summary.xlsx")
    sheets = list(SUMMARY_SHEET_NAMES)
    pdfs = office.pdf([(path, (s,)) for s in sheets])
    for sheet, pdf in zip(sheets, pdfs):
        check = check_sheet_print(path, sheet, pdf)
        assert check.fits_width and not check.unprinted, (sheet, check.problems())
        assert check.pages and all(p.width > p.height for p in check.pages)       # landscape
    assert len(check_sheet_print(path, "校验结果", pdfs[-1]).pages) > 1
    assert check_sheet_print(path, "校验结果", pdfs[-1]).repeats_header


def test_decimal_numbers_survive(tmp_path):
    from consolidate_fixtures import make_form, q

    cons = consolidate([make_form("广州", [q("补助金额", "12.35万元", "成本指标")], funding="12.35"),
                        make_form("深圳", [q("补助金额", "0.1万元", "成本指标")], funding="0.1万元")])
    path = write_consolidation(cons, tmp_path / "out.xlsx")
    summary = read_sheet(path, "汇总表", "calamine")
    assert float(summary["资金需求(万元)"].iloc[-1]) == pytest.approx(12.45)
    assert cons.total_funding_wan == Decimal("12.45")
