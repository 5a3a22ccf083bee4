"""The template workbook really carries its dropdowns, names, protection and print setup; the committed copy is current."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.cell_range import CellRange

from xl_tools.domain.cities import cities
from xl_tools.domain.form import FIELD_BY_KEY, FUND_TYPES, HEADER_KEYS, PROJECT_LEVELS
from xl_tools.domain.taxonomy import taxonomy
from xl_tools.workbook import layout as L
from xl_tools.workbook.template import TEMPLATE_VERSION, build_template, workbook_bytes, write_template

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbook_templates" / "绩效目标表模板.xlsx"


@pytest.fixture(scope="module")
def wb():
    """The template as Excel would see it: built, saved to bytes, loaded back."""
    return load_workbook(io.BytesIO(workbook_bytes(build_template())))


@pytest.fixture(scope="module")
def ws(wb):
    return wb[L.FORM_SHEET_TITLE]


def _cells(ref: str) -> list[str]:
    r1, c1, r2, c2 = L.parse_range(ref)
    return [L.a1(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _input_cells() -> list[str]:
    cells = []
    for h in L.HEADER_CELLS:
        cells += _cells(h.value_range)
    last = L.FIRST_DATA_ROW + L.TEMPLATE_DATA_ROWS - 1
    for col in L.INDICATOR_COLS.values():
        cells += [L.a1(r, col) for r in range(L.FIRST_DATA_ROW, last + 1)]
    return cells


def _validation_at(ws, cell: str):
    hits = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(hits) == 1, f"{cell}: expected one validation, found {len(hits)}"
    return hits[0]


def _name_values(wb, name: str) -> list[str]:
    dn = wb.defined_names[name]
    (sheet, ref), = list(dn.destinations)
    values = []
    for row in wb[sheet][ref.replace("$", "")] if ":" in ref else [[wb[sheet][ref.replace("$", "")]]]:
        values += [c.value for c in row]
    return values


def test_title_and_header_block_follow_the_annex(ws):
    assert ws["A1"].value == "省财政专项转移支付绩效目标表(二级项目-XX)"
    assert "A1:E1" in {str(m) for m in ws.merged_cells.ranges}
    labels = [(h.label_cell, h.label) for h in L.HEADER_CELLS]
    assert [ws[c].value for c, _ in labels] == [label for _, label in labels]
    assert [label for _, label in labels] == ["项目名称", "资金类型", "项目等级", "省级主管部门", "地方主管部门",
                                              "预算年度", "资金需求", "支出内容", "政策依据", "总体绩效目标"]
    # 省级主管部门 and 地方主管部门 share one row: label, value, label, value.
    assert (ws["A5"].value, ws["D5"].value) == ("省级主管部门", "地方主管部门")
    header_row = [ws.cell(row=L.TABLE_HEADER_ROW, column=c).value for c in range(2, 6)]
    assert header_row == ["一级指标", "二级指标", "三级指标", "指标值"]


def test_dropdowns_take_their_values_from_named_lists(wb, ws):
    fund = _validation_at(ws, "B3")
    assert fund.type == "list" and fund.formula1 == L.FUND_TYPES_NAME and fund.showErrorMessage
    assert _name_values(wb, L.FUND_TYPES_NAME) == list(FUND_TYPES)
    level = _validation_at(ws, "B4")
    assert level.type == "list" and level.formula1 == L.PROJECT_LEVELS_NAME
    assert _name_values(wb, L.PROJECT_LEVELS_NAME) == list(PROJECT_LEVELS)

    dept = _validation_at(ws, L.HEADER_CELL_BY_KEY["local_department"].value_cell)
    assert dept.type == "list" and dept.formula1 == L.DEPARTMENTS_NAME
    assert not dept.showErrorMessage, "the city list only suggests: other department names must be accepted"
    depts = _name_values(wb, L.DEPARTMENTS_NAME)
    assert len(depts) == 21 and all(c.name in d for c, d in zip(cities(), depts))

    tax = taxonomy()
    l1 = _validation_at(ws, "B12")
    assert l1.type == "list" and l1.formula1 == L.LEVEL1_NAME
    assert _name_values(wb, L.LEVEL1_NAME) == list(tax.level1_names)
    l2 = _validation_at(ws, "C12")
    assert l2.type == "list"
    assert l2.formula1 == 'INDIRECT("XL_level2_"&MATCH($B12,XL_level1,0))'
    for i, name in enumerate(tax.level1_names, start=1):
        assert _name_values(wb, L.level2_name(i)) == list(tax.level2_of(name))


def test_validations_cover_every_input_cell_with_an_input_message(ws):
    last = L.FIRST_DATA_ROW + L.TEMPLATE_DATA_ROWS - 1
    for cell in _input_cells():
        dv = _validation_at(ws, cell)
        assert dv.showInputMessage and dv.prompt and dv.promptTitle, cell
    for key in HEADER_KEYS:
        h = L.HEADER_CELL_BY_KEY[key]
        assert FIELD_BY_KEY[key].hint in _validation_at(ws, h.value_cell).prompt
    value_dv = _validation_at(ws, f"E{last}")
    assert "运算符+数值+单位" in value_dv.prompt and "≥2场" in value_dv.prompt
    for key in ("level1", "level2"):
        col = L.col_letter(L.INDICATOR_COLS[key])
        dv = _validation_at(ws, f"{col}{L.FIRST_DATA_ROW}")
        assert CellRange(f"{col}{L.FIRST_DATA_ROW}:{col}{last}").coord in {r.coord for r in dv.sqref.ranges}


def test_defined_names_point_at_every_header_value_and_the_table(ws):
    names = {n: dn.attr_text for n, dn in ws.defined_names.items()}
    for h in L.HEADER_CELLS:
        assert names[L.header_name(h.key)] == L.sheet_ref(ws.title, h.value_cell)
    last = L.FIRST_DATA_ROW + L.TEMPLATE_DATA_ROWS - 1
    assert names[L.TABLE_NAME] == f"'绩效目标表'!$B${L.FIRST_DATA_ROW}:$E${last}"
    assert names[L.TITLE_NAME] == "'绩效目标表'!$A$1"
    lay = L.locate(ws)
    assert lay.is_template and lay.capacity == L.TEMPLATE_DATA_ROWS


def test_protection_locks_labels_and_leaves_inputs_editable(ws):
    prot = ws.protection
    assert prot.sheet and not prot.password
    assert prot.insertRows is False and prot.deleteRows is False, "users must be able to insert/delete rows"
    for cell in _input_cells() + ["A1"]:
        assert ws[cell].protection.locked is False, cell
    for h in L.HEADER_CELLS:
        assert ws[h.label_cell].protection.locked is True, h.label_cell
    for col in L.INDICATOR_COLS.values():
        assert ws.cell(row=L.TABLE_HEADER_ROW, column=col).protection.locked is True
    assert ws["B8"].alignment.wrap_text and ws["D12"].alignment.wrap_text
    assert ws["B7"].number_format == "@", "inputs are text cells: 2020 stays 2020, 001 stays 001"


def test_print_setup_is_a4_portrait_one_page_wide_with_repeated_header(ws):
    ps = ws.page_setup
    assert str(ps.paperSize) == "9" and ps.orientation == "portrait"
    assert ps.fitToWidth == 1 and ps.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == f"{L.TABLE_HEADER_ROW}:{L.TABLE_HEADER_ROW}"
    last = L.FIRST_DATA_ROW + L.TEMPLATE_DATA_ROWS - 1
    assert ws.print_area == f"'绩效目标表'!$A$1:$E${last}"
    assert ws.freeze_panes == L.FREEZE_CELL
    assert ws.column_dimensions["D"].width > ws.column_dimensions["B"].width
    m = ws.page_margins
    assert m.bottom - m.footer >= 0.3 and m.top - m.header >= 0.3, "the footer must not overlap the table"
    assert "&P" in ws.oddFooter.center.text


def test_hidden_sheet_holds_version_and_lists(wb):
    lists = wb[L.LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert lists[L.VERSION_CELL].value == TEMPLATE_VERSION
    assert wb.sheetnames[0] == L.FORM_SHEET_TITLE and wb.active.title == L.FORM_SHEET_TITLE
    assert wb.properties.creator == "xl_tools"


def test_city_title():
    wb = build_template("广州")
    assert wb[L.FORM_SHEET_TITLE]["A1"].value == "省财政专项转移支付绩效目标表(二级项目-广州)"


def test_output_is_byte_deterministic(tmp_path):
    a = write_template(tmp_path / "a.xlsx").read_bytes()
    b = write_template(tmp_path / "b.xlsx").read_bytes()
    assert a == b


# ---------------------------------------------------------------------------------------------------------------
# Staleness: the committed template means the same as build_template()
# ---------------------------------------------------------------------------------------------------------------

def _style(cell) -> tuple:
    f, a, p, b = cell.font, cell.alignment, cell.protection, cell.border
    return (f.name, f.sz, bool(f.b), a.horizontal, a.vertical, bool(a.wrap_text), p.locked, cell.number_format,
            cell.fill.fgColor.rgb if cell.fill.fill_type else None,
            tuple(getattr(getattr(b, s), "style", None) for s in ("left", "right", "top", "bottom")))


def meaning(wb) -> dict:
    """What matters in a workbook: values, styles that show, merges, sizes, validations, names, print, protection."""
    out: dict = {"sheets": wb.sheetnames, "props": (wb.properties.creator, wb.properties.created),
                 "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        out[ws.title] = {
            "state": ws.sheet_state,
            "cells": sorted((c.coordinate, c.value, _style(c)) for row in ws.iter_rows() for c in row),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "widths": sorted((k, d.width) for k, d in ws.column_dimensions.items()),
            "heights": sorted((k, d.height) for k, d in ws.row_dimensions.items()),
            "validations": sorted((str(d.sqref), d.type, d.formula1, d.prompt, d.promptTitle, d.error,
                                   bool(d.showErrorMessage), bool(d.showInputMessage))
                                  for d in ws.data_validations.dataValidation),
            "names": sorted((n, d.attr_text) for n, d in ws.defined_names.items()),
            "print": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth,
                      ws.page_setup.fitToHeight, ws.print_title_rows, ws.print_area, ws.freeze_panes,
                      ws.print_options.horizontalCentered, ws.page_margins.top, ws.page_margins.bottom,
                      ws.page_margins.header, ws.page_margins.footer, ws.oddFooter.center.text),
            "protection": (ws.protection.sheet, ws.protection.password, ws.protection.insertRows,
                           ws.protection.deleteRows, ws.protection.formatRows),
        }
    return out


def test_committed_template_is_current():
    assert COMMITTED.is_file(), "run: xl-tools template -o workbook_templates/绩效目标表模板.xlsx"
    fresh = load_workbook(io.BytesIO(workbook_bytes(build_template())))
    committed = load_workbook(COMMITTED)
    assert meaning(committed) == meaning(fresh), \
        "workbook_templates/绩效目标表模板.xlsx is stale: run xl-tools template -o workbook_templates/绩效目标表模板.xlsx"


def test_template_command_writes_the_template(tmp_path):
    out = tmp_path / "模板.xlsx"
    done = subprocess.run([sys.executable, "-m", "xl_tools", "template", "-o", str(out), "--city", "深圳"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "已生成" in done.stdout
    assert load_workbook(out)[L.FORM_SHEET_TITLE]["A1"].value.endswith("(二级项目-深圳)")
    bad = subprocess.run([sys.executable, "-m", "xl_tools", "template", "-o", str(out), "--city", "火星"],
                         capture_output=True, text=True, encoding="utf-8")
    assert bad.returncode == 2 and "不认识地市" in bad.stderr


# ---------------------------------------------------------------------------------------------------------------
# LibreOffice opens it, prints it, and resolves the dependent-dropdown formula
# ---------------------------------------------------------------------------------------------------------------

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


@pytest.mark.libreoffice
@needs_office
def test_libreoffice_prints_the_template(tmp_path):
    from xl_tools.office import pdf_pages, pdf_text, to_pdf
    from xl_tools.office.printcheck import clipped_text

    (pdf,) = to_pdf([COMMITTED], tmp_path)
    assert clipped_text(pdf) == {}, "nothing printed cut off (footer, wrapped rows)"
    pages = pdf_pages(pdf)
    assert pages and all(p.is_a4 and not p.landscape for p in pages)
    text = pdf_text(pdf, 1)
    assert "省财政专项转移支付绩效目标表" in text and "总体绩效目标" in text
    if len(pages) > 1:       # the indicator header repeats on later pages
        assert "三级指标" in pdf_text(pdf, 2)


@pytest.mark.libreoffice
@needs_office
def test_libreoffice_resolves_the_named_lists_and_the_level2_formula(tmp_path):
    from xl_tools.office import to_recalculated_xlsx

    wb = build_template()
    probe = wb.create_sheet("probe")
    tax = taxonomy()
    for i, l1 in enumerate(tax.level1_names, start=1):
        probe.cell(row=i, column=1, value=l1)
        # The same construct as the 二级 dropdown source, evaluated in a cell.
        probe.cell(row=i, column=2, value=f'=ROWS({L.level2_formula(f"A{i}")})')
        probe.cell(row=i, column=3, value=f'=INDEX({L.level2_formula(f"A{i}")},1)')
    probe.cell(row=10, column=1, value=f"=ROWS({L.DEPARTMENTS_NAME})")
    src = tmp_path / "probe.xlsx"
    wb.save(src)
    (out,) = to_recalculated_xlsx([src], tmp_path / "out")
    got = load_workbook(out, data_only=True)["probe"]
    for i, l1 in enumerate(tax.level1_names, start=1):
        assert got.cell(row=i, column=2).value == len(tax.level2_of(l1))
        assert got.cell(row=i, column=3).value == tax.level2_of(l1)[0]
    assert got["A10"].value == 21
