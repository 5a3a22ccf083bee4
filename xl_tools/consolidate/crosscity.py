"""Findings that only show when cities are put side by side (rules.md, "Across cities (汇总)").

duplicate-city and mixed-years are errors (the total would be wrong); unit-conflict and operator-conflict are
warnings (the indicator is listed, but not added up); not-a-form names a file that could not be read.
Each finding points at the cell the user must fix on the city's sheet.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from xl_tools.consolidate.totals import LOWER, OP_CONFLICT, UPPER, CityForm, IndicatorTotal, format_number
from xl_tools.domain.cities import order_key
from xl_tools.rules import get_rule
from xl_tools.rules.findings import Finding

CROSS_CITY_CODES = ("duplicate-city", "mixed-years", "unit-conflict", "operator-conflict", "not-a-form")


@lru_cache(maxsize=None)
def _severity(code: str) -> str:
    """The severity the rules registry gives ``code`` (one place decides it)."""
    return get_rule(code).severity

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")


@lru_cache(maxsize=4096)
def _file_name(source: str) -> str:
    return Path(source).name          # pathlib is slow to build: 2,100 workbooks name each file several times


def _where(form) -> str:
    parts = []
    if form.source:
        parts.append(_file_name(form.source))
    if form.sheet:
        parts.append(f"工作表“{form.sheet}”")
    return " ".join(parts) or "（未保存的表）"


def duplicate_city_findings(counted: Sequence[CityForm], uncounted: Sequence[CityForm]) -> list[Finding]:
    """Every form of a city that comes from a second workbook of that city: it is not counted.

    The first workbook of a city (input order) holds the city's projects (``counted``); each form of another
    workbook of the same city (``uncounted``) is reported. Such a form has no sheet in the provincial
    workbook, so the finding names its file and sheet in the message and points at no cell (sheet, cell None).
    """
    first: dict[str, CityForm] = {}
    for cf in counted:
        first.setdefault(cf.city, cf)
    findings = []
    for cf in uncounted:
        kept = first.get(cf.city)
        kept_where = _file(kept.form) if kept else "另一份工作簿"
        findings.append(Finding(
            code="duplicate-city", severity=_severity("duplicate-city"), city=cf.city, sheet=None, cell=None,
            field="地方主管部门",
            message=(f"{cf.city}有两份工作簿的绩效目标表：{kept_where} 和 {_where(cf.form)}。汇总只计入第一份工作簿"
                     f"（{kept_where}），{_where(cf.form)} 未计入合计：请删除多余的一份（或改正该表的地方主管部门）"
                     f"后重新汇总"),
        ))
    return findings


def _file(form) -> str:
    return _file_name(form.source) if form.source else _where(form)


def declared_year(form) -> str | None:
    """The four-digit year a form declares in 预算年度 (``2020年`` → ``2020``), None when blank or unreadable."""
    match = _YEAR.search(form.get("budget_year").text)
    return match.group(1) if match else None


def consolidation_year(city_forms: Sequence[CityForm]) -> str | None:
    """The year most cities declare (ties: the earliest); None when no city declares one."""
    years = Counter(y for y in (declared_year(cf.form) for cf in city_forms) if y)
    if not years:
        return None
    return sorted(years.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def mixed_year_findings(city_forms: Sequence[CityForm], year: str | None) -> list[Finding]:
    """Every city whose 预算年度 differs from the year most cities declare."""
    findings = []
    if year is None:
        return findings
    for cf in city_forms:
        own = declared_year(cf.form)
        if own and own != year:
            findings.append(Finding(
                code="mixed-years", severity=_severity("mixed-years"), city=cf.city, sheet=cf.form.sheet,
                cell=cf.form.get("budget_year").cell, field="预算年度",
                message=(f"{cf.city}的预算年度是 {own}年，其他地市是 {year}年，不同年度的表不能汇总在一起："
                         f"请核对后改为 {year}年，或把该表移出本次汇总"),
                suggestion=f"{year}年",
            ))
    return findings


def _cities_text(cities: Sequence[str]) -> str:
    return "、".join(cities)


def _unit_label(row: IndicatorTotal) -> str:
    if row.kind == "deadline":
        return "期限"
    return row.unit or "未写单位"


def _intended_row(rows: Sequence[IndicatorTotal], library_unit: str | None) -> IndicatorTotal:
    """The row in the unit the indicator should use: the library's unit, else the unit most cities use."""
    for row in rows:
        if library_unit and row.unit == library_unit:
            return row
    return sorted(rows, key=lambda r: (not r.unit, -r.city_count))[0]


def unit_conflict_findings(indicators: Sequence[IndicatorTotal], library=None) -> list[Finding]:
    """One warning per city whose unit differs from the unit the indicator should use (library, else most cities)."""
    findings = []
    by_key: dict[str, list[IndicatorTotal]] = {}
    for row in indicators:
        by_key.setdefault(row.key, []).append(row)
    for rows in by_key.values():
        if len(rows) < 2:
            continue
        entry = library.lookup(rows[0].name) if library is not None else None
        main = _intended_row(rows, entry.unit if entry else None)
        main_unit = _unit_label(main)
        for row in rows:
            if row is main:
                continue
            for city, value in row.by_city.items():
                findings.append(Finding(
                    code="unit-conflict", severity=_severity("unit-conflict"), city=city, sheet=value.sheet,
                    cell=value.cell,
                    field=row.name,
                    message=(f"指标“{row.name}”在{city}写的是“{value.text.strip()}”（{_unit_label(row)}），而"
                             f"{_cities_text(list(main.by_city))}用“{main_unit}”，单位不同不能相加，已分行列出："
                             f"请统一按“{main_unit}”填写，数字后写上单位"),
                    # "9" next to "2份" is surely 9份; a bare "1" next to "100%" is not surely 1%.
                    suggestion=(f"{format_number(value.number)}{main.unit}"
                                if value.number is not None and main.kind == "sum" and row.kind == "unitless"
                                else None),
                ))
    return findings


def operator_conflict_findings(indicators: Sequence[IndicatorTotal]) -> list[Finding]:
    """One warning per city on the less common side when an indicator has ≥ in one city and ≤ in another, and
    one per city whose own projects write ≥ in one and ≤ in another."""
    findings = []

    def warn(row: IndicatorTotal, city: str, message: str) -> None:
        value = row.by_city[city]
        findings.append(Finding(
            code="operator-conflict", severity=_severity("operator-conflict"), city=city, sheet=value.sheet,
            cell=value.cell, field=row.name, message=message,
        ))

    for row in indicators:
        if row.kind != OP_CONFLICT:
            continue
        for city, value in row.by_city.items():
            if value.conflict:
                warn(row, city, f"指标“{row.name}”在{city}的几个项目中写的是“{value.text}”，有的是下限（≥）有的是上限"
                                f"（≤），不能相加：请核对各项目中该指标的方向，统一写成“≥”或“≤”")
        lower = [c for c, v in row.by_city.items() if (v.op or "=") in LOWER]
        upper = [c for c, v in row.by_city.items() if (v.op or "=") in UPPER]
        minority, majority = (upper, lower) if len(lower) >= len(upper) else (lower, upper)
        wanted = "≥（不少于）" if minority is upper else "≤（不超过）"
        for city in minority:
            warn(row, city, f"指标“{row.name}”在{city}是“{row.by_city[city].text}”，而{_cities_text(majority)}用的是"
                            f"{wanted}，一个是下限一个是上限，不能相加：请核对该指标的方向，统一写成{wanted}")
    return findings


def not_a_form_finding(path: str | Path, reason: str) -> Finding:
    """A file that could not be read as a 绩效目标表; ``reason`` is the reader's Chinese message."""
    return Finding(
        code="not-a-form", severity=_severity("not-a-form"), city=None, sheet=None, cell=None, field=Path(path).name,
        message=f"文件 {Path(path).name} 未汇总：{reason}",
    )


def sort_cross_city(findings: Sequence[Finding]) -> list[Finding]:
    rank = {code: i for i, code in enumerate(CROSS_CITY_CODES)}
    return sorted(findings, key=lambda f: (order_key(f.city), rank.get(f.code, 99)))
