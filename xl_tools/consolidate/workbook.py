"""The provincial workbook (openpyxl): 汇总表, 指标汇总, 定性指标, 校验结果, then one sheet per city form.

Totals are live formulas (``=SUM(E4:E7)``) that also carry their computed value: openpyxl writes formulas with
an empty ``<v/>``, so after openpyxl serialises the workbook the sheet XML is patched to hold the cached value
(readers that do not calculate — pandas, calamine, a phone preview — still see the numbers).

Modules beside this one: :mod:`.sheet_writer` (one worksheet's cells and styles), :mod:`.chart` (the 资金需求
chart), :mod:`.saving` (the bytes, with cached values). The four summary sheets are written by :func:`write_summary_sheets`, which also works on an existing workbook
(it replaces the summary sheets it finds), so 生成汇总表 in Excel can rebuild them from the city sheets.
Every addresses here belongs to the summary sheets; the city sheets' cells are the layout module's business.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from xl_tools.consolidate.chart import add_funding_chart
from xl_tools.consolidate.model import Consolidation, consolidate_forms
from xl_tools.consolidate.saving import CACHE_ATTR, save_workbook, workbook_bytes  # noqa: F401  (re-exported)
from xl_tools.consolidate.sheet_writer import SheetWriter, replace_sheet
from xl_tools.consolidate.totals import SUM, format_number
from xl_tools.workbook.addresses import col_letter

SUMMARY, INDICATORS, QUALITATIVE, RESULTS = "汇总表", "指标汇总", "定性指标", "校验结果"
SUMMARY_SHEET_NAMES = (SUMMARY, INDICATORS, QUALITATIVE, RESULTS)


KIND_NOTES = {
    SUM: "",
    "rate": "比率不相加，列出最低和最高",
    "deadline": "完成期限不相加，列出最早和最晚",
    "unitless": "有地市未写单位，未合计：请补写单位",
    "operator-conflict": "有的地市写“≥”，有的写“≤”，不能相加",
}
KIND_LABELS = {SUM: "合计", "rate": "比率", "deadline": "期限", "unitless": "未合计", "operator-conflict": "未合计"}



# --- the four summary sheets ----------------------------------------------------------------------------

def _year_text(cons: Consolidation) -> str:
    return f"{cons.year}年" if cons.year else ""


UNREPORTED = "未报送"


def _reported_text(cons: Consolidation) -> str:
    return f"已报送 {cons.reported_count} 个地市，未报送 {len(cons.unreported)} 个"


def write_summary_sheet(wb, cons: Consolidation, cached: dict, index: int = 0):
    """汇总表: one row per city of 广东省 (GB/T 2260 order; those without a form marked 未报送), a 合计 row with
    live SUMs over all of them, a bar chart of 资金需求 over the same rows."""
    ws = replace_sheet(wb, SUMMARY, index)
    s = SheetWriter(ws, cached)
    labels = ["地市", "代码", "项目名称", "预算年度", "资金需求(万元)", "指标数", "校验错误", "校验警告"]
    errors_total = sum(c.errors for c in cons.cities)
    unreadable = len(cons.unreadable)
    subtitle = (f"共 {len(cons.cities)} 个地市，资金需求合计 {format_number(cons.total_funding_wan)} 万元。"
                "点击地市名称可打开该市的绩效目标表；问题清单见“校验结果”工作表。")
    if unreadable:
        subtitle += f"另有 {unreadable} 个文件无法读取，未计入合计（见“校验结果”）。"
    head = s.title(f"{_year_text(cons)}省财政专项转移支付绩效目标汇总表（{_reported_text(cons)}）", len(labels),
                   subtitle)
    s.header(head, labels)
    first = head + 1
    row = first
    for known, city in cons.summary_rows():
        if city is None:                    # 未报送: name, code and the mark; no numbers, so the SUMs skip it
            s.text(row, 1, known.name, wrap=False)
            s.text(row, 2, known.code, wrap=False)
            s.text(row, 3, UNREPORTED, fill=s.unreported_fill)
            for col in range(4, len(labels) + 1):
                s.text(row, col, None, wrap=False)
            row += 1
            continue
        link = s.text(row, 1, city.city, wrap=False)
        s.link(link, city.sheet, city.funding_cell or "A1")
        s.text(row, 2, city.code, wrap=False)
        s.text(row, 3, city.project_name)
        s.text(row, 4, f"{city.year}年" if city.year else "", wrap=False)
        s.number(row, 5, city.funding_wan, fmt="#,##0.00")
        s.number(row, 6, city.indicator_count, fmt="0")
        err = s.number(row, 7, city.errors, fmt="0")
        warn = s.number(row, 8, city.warnings, fmt="0")
        if city.errors:
            err.fill = s.error_fill
        if city.warnings:
            warn.fill = s.warning_fill
        row += 1
    last = row - 1
    total_row = row
    s.text(total_row, 1, "合计", bold=True, wrap=False)
    s.text(total_row, 2, "", wrap=False)
    s.text(total_row, 3, _reported_text(cons), bold=True)
    s.text(total_row, 4, _year_text(cons), wrap=False)
    rng = (first, last)
    s.formula(total_row, 5, _sum(5, *rng), cons.total_funding_wan, fmt="#,##0.00", bold=True)
    s.formula(total_row, 6, _sum(6, *rng), sum(c.indicator_count for c in cons.cities), fmt="0", bold=True)
    s.formula(total_row, 7, _sum(7, *rng), errors_total, fmt="0", bold=True)
    s.formula(total_row, 8, _sum(8, *rng), sum(c.warnings for c in cons.cities), fmt="0", bold=True)
    for col in range(1, 9):
        ws.cell(row=total_row, column=col).fill = s.total_fill
    widths = [10, 9, 48, 10, 15, 8, 9, 9]
    s.widths(widths)
    s.fit_rows(first, total_row)
    s.print_ready(head)
    if cons.cities:
        add_funding_chart(ws, cons, head=head, first=first, last=last, total_row=total_row, widths=widths)
    return ws



def _sum(col: int, first: int, last: int) -> str:
    c = col_letter(col)
    return f"SUM({c}{first}:{c}{last})"


def write_indicator_sheet(wb, cons: Consolidation, cached: dict, index: int = 1):
    """指标汇总: 一级, 二级, 三级, 单位, 运算符, one column per city, 合计 (live SUM), 地市数, 说明."""
    ws = replace_sheet(wb, INDICATORS, index)
    s = SheetWriter(ws, cached)
    cities = list(cons.city_names)
    labels = ["一级指标", "二级指标", "三级指标", "单位", "运算符", *cities, "合计", "地市数", "说明"]
    head = s.title(f"{_year_text(cons)}绩效指标汇总（定量指标）", len(labels),
                   "同一指标（忽略“指标N:”、空格和标点，并按指标库归并不同写法）单位相同才相加；"
                   "比率、期限不相加；单位不同的分行列出。定性指标见“定性指标”工作表。")
    s.header(head, labels)
    first_city_col = 6
    total_col = first_city_col + len(cities)
    count_col = total_col + 1
    note_col = total_col + 2
    row = head + 1
    for ind in cons.indicators:
        s.text(row, 1, ind.level1)
        s.text(row, 2, ind.level2)
        s.text(row, 3, ind.name)
        s.text(row, 4, ind.unit, wrap=False)
        s.text(row, 5, ind.operator if ind.summed else "", wrap=False)
        for offset, city in enumerate(cities):
            col = first_city_col + offset
            value = ind.by_city.get(city)
            if value is None:
                s.text(row, col, "")
            elif ind.summed:
                s.number(row, col, value.number)
            else:
                s.text(row, col, value.text.strip())
        city_range = f"{col_letter(first_city_col)}{row}:{col_letter(total_col - 1)}{row}"
        if ind.summed:
            s.formula(row, total_col, f"SUM({city_range})", ind.total, bold=True)
        else:
            s.text(row, total_col, ind.total_text, bold=True)
        ws.cell(row=row, column=total_col).fill = s.total_fill
        s.formula(row, count_col, f"COUNTA({city_range})", ind.city_count, fmt="0")
        note = KIND_NOTES.get(ind.kind, "")
        if ind.summed:
            note = f"合计 {ind.total_text}"
        if ind.other_units:
            note += ("；" if note else "") + "同一指标另有单位“" + "、".join(ind.other_units) + "”的一行，单位不同未相加"
        if not ind.in_library:
            note += ("；" if note else "") + "指标库中没有该指标，按原文归并"
        s.text(row, note_col, note)
        row += 1
    s.widths([10, 12, 40, 6, 7, *([11 if len(cities) <= 8 else 8] * len(cities)), 14, 7, 30])
    s.fit_rows(head + 1, row - 1)
    s.print_ready(head, filter_cols=note_col, last_row=row - 1)
    return ws


def write_qualitative_sheet(wb, cons: Consolidation, cached: dict, index: int = 2):
    """定性指标: the words each city wrote for each qualitative indicator."""
    ws = replace_sheet(wb, QUALITATIVE, index)
    s = SheetWriter(ws, cached)
    cities = list(cons.city_names)
    labels = ["一级指标", "二级指标", "三级指标", *cities, "地市数"]
    head = s.title(f"{_year_text(cons)}绩效指标汇总（定性指标）", len(labels),
                   "定性指标不相加，逐市列出原文；“进一步提升”等笼统表述建议改为可衡量的目标；"
                   "句子中含有的目标列在“可量化为”中，可改写成“运算符+数字+单位”。")
    s.header(head, labels)
    row = head + 1
    first_city_col = 4
    count_col = first_city_col + len(cities)
    for q in cons.qualitative:
        s.text(row, 1, q.level1)
        s.text(row, 2, q.level2)
        s.text(row, 3, q.name)
        for offset, city in enumerate(cities):
            value = q.by_city.get(city)
            text = value.text.strip() if value else ""
            if value and value.targets:
                text += "\n（可量化为：" + "、".join(value.targets) + "）"
            s.text(row, first_city_col + offset, text)
        city_range = f"{col_letter(first_city_col)}{row}:{col_letter(count_col - 1)}{row}"
        s.formula(row, count_col, f"COUNTA({city_range})", q.city_count, fmt="0")
        row += 1
    s.widths([10, 12, 36, *([24 if len(cities) <= 6 else 14] * len(cities)), 7])
    s.fit_rows(head + 1, row - 1)
    s.print_ready(head, filter_cols=count_col, last_row=row - 1)
    return ws


def write_results_sheet(wb, cons: Consolidation, cached: dict, index: int = 3):
    """校验结果: every finding of every city and across cities, each linked to the cell to fix."""
    from xl_tools.rules.findings import SEVERITY_LABELS

    ws = replace_sheet(wb, RESULTS, index)
    s = SheetWriter(ws, cached)
    labels = ["序号", "地市", "级别", "代码", "位置", "项目", "问题及修改方法", "建议值"]
    errors = sum(1 for f in cons.findings if f.severity == "error")
    warnings = sum(1 for f in cons.findings if f.severity == "warning")
    head = s.title(f"{_year_text(cons)}绩效目标表校验结果", len(labels),
                   f"共 {len(cons.findings)} 条：错误 {errors} 条（须改正），警告 {warnings} 条（建议改进）。"
                   "点击“位置”可跳到需要修改的单元格。")
    s.header(head, labels)
    row = head + 1
    sheet_names = set(wb.sheetnames)          # built once: the property makes a new list per call
    for number, f in enumerate(cons.findings, start=1):
        s.number(row, 1, number, fmt="0")
        s.text(row, 2, f.city or "", wrap=False)
        fill = s.error_fill if f.severity == "error" else s.warning_fill if f.severity == "warning" else None
        s.text(row, 3, SEVERITY_LABELS.get(f.severity, f.severity), wrap=False, fill=fill)
        s.text(row, 4, f.code, wrap=False)
        where = f"{f.sheet} {f.cell}" if f.sheet and f.cell else (f.sheet or "")
        place = s.text(row, 5, where, wrap=False)
        if f.sheet and f.sheet in sheet_names:
            s.link(place, f.sheet, f.cell)
        s.text(row, 6, f.field or "")
        s.text(row, 7, f.message)
        s.text(row, 8, f.suggestion or "")
        row += 1
    s.widths([6, 9, 6, 22, 12, 28, 70, 14])
    s.fit_rows(head + 1, row - 1)
    s.print_ready(head, filter_cols=len(labels), last_row=row - 1)
    return ws


def write_summary_sheets(wb, cons: Consolidation) -> dict[str, dict[str, object]]:
    """(Re)write 汇总表, 指标汇总, 定性指标 and 校验结果 as the first four sheets of ``wb``.

    Existing sheets of those names are replaced; city sheets are left alone. Returns the cached values of the
    formula cells ({sheet: {cell: value}}), also kept on the workbook for :func:`workbook_bytes`.
    """
    cached: dict[str, dict[str, object]] = {}
    write_summary_sheet(wb, cons, cached, 0)
    write_indicator_sheet(wb, cons, cached, 1)
    write_qualitative_sheet(wb, cons, cached, 2)
    write_results_sheet(wb, cons, cached, 3)
    previous = getattr(wb, CACHE_ATTR, {})
    previous = {k: v for k, v in previous.items() if k not in SUMMARY_SHEET_NAMES}
    previous.update(cached)
    setattr(wb, CACHE_ATTR, previous)
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == SUMMARY
    return cached


def rebuild_summary_sheets(wb, *, library=None, source: str | None = None) -> Consolidation:
    """生成汇总表: consolidate the city sheets already in ``wb`` and (re)write its four summary sheets.

    ``wb`` is an openpyxl workbook (e.g. a consolidated workbook the user edited); save it with
    :func:`save_workbook` so the totals carry their values. Raises InputError when it holds no form sheet.
    """
    from xl_tools.consolidate.library import load_library
    from xl_tools.errors import InputError
    from xl_tools.workbook.reader import forms_from_grids, grids_from_openpyxl

    grids = [g for g in grids_from_openpyxl(wb) if g.title not in SUMMARY_SHEET_NAMES]
    forms = forms_from_grids(grids, source=source)
    if not forms:
        raise InputError("工作簿中没有地市的绩效目标表工作表，无法生成汇总表：请先用“汇总”把各地市的表合并进来",
                         path=source)
    cons = consolidate_forms(forms, library=load_library(library), one_workbook=True)   # one city's sheets: its projects
    write_summary_sheets(wb, cons)
    return cons


# --- the whole workbook ---------------------------------------------------------------------------------

def _add_city_sheet(wb, form, taken: set[str]):
    from xl_tools.workbook.writer import add_form_sheet

    return add_form_sheet(wb, form, form.city or form.sheet or "未识别地市", taken=taken)


def build_workbook(cons: Consolidation):
    """A new openpyxl workbook with the summary sheets and every counted form; returns (wb, re-located cons).

    The city sheets are written first so every finding and link points at the cell in *this* workbook. Only
    counted forms get a sheet: a form from another workbook of an already counted city (duplicate-city) is
    named in 校验结果 by its file and sheet. Sheet titles are kept in a set, so N sheets cost O(N) here.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    taken = {name.casefold() for name in SUMMARY_SHEET_NAMES}
    located, keys = [], []
    workbooks = cons.workbooks or tuple(("form", i) for i in range(len(cons.forms)))
    for form, counted, key in zip(cons.forms, cons.counted, workbooks):
        located.append(_add_city_sheet(wb, form, taken) if counted else form)
        keys.append(key)
    here = consolidate_forms(located, library=cons.library, unreadable=cons.unreadable, sources=cons.sources,
                             workbooks=keys)
    write_summary_sheets(wb, here)
    _fixed_properties(wb, cons)
    return wb, here


def _fixed_properties(wb, cons: Consolidation) -> None:
    import datetime

    fixed = datetime.datetime(2020, 1, 1)
    props = wb.properties
    props.creator = "xl_tools"
    props.lastModifiedBy = "xl_tools"
    props.title = f"{_year_text(cons)}省财政专项转移支付绩效目标汇总表"
    props.created = fixed
    props.modified = fixed




def write_consolidation(cons: Consolidation, path: str | os.PathLike, *,
                        inputs: Sequence[str | os.PathLike] = ()) -> Path:
    """Write the provincial workbook to ``path`` (atomic; refuses to overwrite any input file)."""
    from xl_tools.gcpolicy import batch_collections

    sources = list(inputs) + list(cons.sources) + [f.source for f in cons.forms if f.source]
    with batch_collections():
        wb, _ = build_workbook(cons)
        return save_workbook(wb, path, inputs=sources)
