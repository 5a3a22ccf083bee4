"""``consolidate_forms()``: Forms → one Consolidation record, the data of the provincial workbook.

No Excel library and no file reading here (workbooks are read by :mod:`xl_tools.jobs.consolidate`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from xl_tools.consolidate.crosscity import (
    consolidation_year, declared_year, duplicate_city_findings, mixed_year_findings,
    operator_conflict_findings, sort_cross_city, unit_conflict_findings,
)
from xl_tools.consolidate.keys import canonical_key
from xl_tools.consolidate.library import IndicatorLibrary
from xl_tools.consolidate.totals import (
    CityForm, IndicatorTotal, QualitativeRow, compute_totals, funding_wan,
)
from xl_tools.domain.cities import City, by_name, cities, order_key
from xl_tools.domain.form import Form

UNKNOWN_CITY = "未识别地市"


@dataclass(frozen=True)
class CityRow:
    """One row of 汇总表: a counted city form."""

    city: str
    code: str
    project_name: str
    year: str | None
    funding_wan: Decimal | None
    indicator_count: int
    errors: int
    warnings: int
    sheet: str | None
    source: str | None
    funding_cell: str | None = None


@dataclass(frozen=True)
class Consolidation:
    """Everything the provincial workbook and ``--json`` show.

    ``forms`` are all forms read, in GB/T 2260 order, counted ones first; ``counted[i]`` says whether
    ``forms[i]`` is in the totals (a city's forms from a second workbook are not). ``cities`` holds one row
    per city, adding up the city's projects. ``findings`` holds every finding of every counted form plus the
    cross-city ones (``crosscity``).
    """

    cities: tuple[CityRow, ...]
    indicators: tuple[IndicatorTotal, ...]
    qualitative: tuple[QualitativeRow, ...]
    findings: tuple[Any, ...]
    crosscity: tuple[Any, ...]
    year: str | None
    total_funding_wan: Decimal
    forms: tuple[Form, ...] = ()
    counted: tuple[bool, ...] = ()
    library: IndicatorLibrary | None = None
    sources: tuple[str, ...] = ()
    unreadable: tuple[Any, ...] = field(default=())   # not-a-form findings (kept when the forms are re-located)
    workbooks: tuple[Any, ...] = ()     # ``workbooks[i]``: which workbook ``forms[i]`` came from

    @property
    def city_names(self) -> tuple[str, ...]:
        return tuple(c.city for c in self.cities)

    @property
    def unreported(self) -> tuple[City, ...]:
        """The cities of 广东省 (GB/T 2260 order) with no form in this consolidation: 未报送."""
        reported = set(self.city_names)
        return tuple(c for c in cities() if c.name not in reported)

    @property
    def reported_count(self) -> int:
        """Cities of the 21 that reported (a form whose city could not be told is not one of them)."""
        return len(cities()) - len(self.unreported)

    def summary_rows(self) -> list[tuple[City | None, CityRow | None]]:
        """The 汇总表's city rows: every city of 广东省 in GB/T 2260 order, with its CityRow or None (未报送),
        then any row whose city is not one of them (未识别地市)."""
        by_city = {c.city: c for c in self.cities}
        rows = [(city, by_city.pop(city.name, None)) for city in cities()]
        return rows + [(None, row) for row in by_city.values()]

    @property
    def has_crosscity_error(self) -> bool:
        return any(f.severity == "error" for f in self.crosscity)

    def indicator(self, name: str) -> list[IndicatorTotal]:
        """The 指标汇总 rows of an indicator (any wording of it): one per unit."""
        key = (self.library.lookup(name).key if self.library and self.library.lookup(name)
               else canonical_key(name))
        return [r for r in self.indicators if r.key == key]

    def to_json(self, output: str | os.PathLike | None = None) -> dict[str, Any]:
        """The ``consolidate --json`` document."""
        return {
            "output": str(output) if output is not None else None,
            "year": int(self.year) if self.year else None,
            "total_funding_wan": json_number(self.total_funding_wan),
            "cities": [
                {"city": c.city, "code": c.code or None, "funding_wan": json_number(c.funding_wan),
                 "errors": c.errors, "warnings": c.warnings, "indicators": c.indicator_count,
                 "project_name": c.project_name, "sheet": c.sheet, "source": c.source}
                for c in self.cities
            ],
            "indicators": [
                {"name": r.name, "level1": r.level1, "level2": r.level2, "unit": r.unit, "operator": r.operator,
                 "total": json_number(r.total), "total_text": r.total_text, "kind": r.kind,
                 "by_city": {city: (json_number(v.number) if r.summed else v.text) for city, v in r.by_city.items()}}
                for r in self.indicators
            ] + [
                {"name": q.name, "level1": q.level1, "level2": q.level2, "unit": "", "operator": None,
                 "total": None, "total_text": "", "kind": "qualitative",
                 "by_city": {city: v.text for city, v in q.by_city.items()}}
                for q in self.qualitative
            ],
            "findings": [f.to_dict() for f in self.crosscity],
            "unreported": [{"city": c.name, "code": c.code} for c in self.unreported],
            "counts": {"cities": len(cities()), "reported": self.reported_count,
                       "unreported": len(self.unreported)},
        }


def json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- cities ---------------------------------------------------------------------------------------------

def with_city(form: Form) -> Form:
    """``form`` with its city detected from its file name and sheet when it names none."""
    if form.city:
        return form
    hints = [Path(form.source).stem] if form.source else []
    if form.sheet:
        hints.append(form.sheet)
    return form.with_city_detected(*hints)


def city_form(form: Form, index: int) -> CityForm:
    city = by_name(form.city) if form.city else None
    if city:
        return CityForm(city.name, city.code, form)
    label = form.sheet or (Path(form.source).stem if form.source else "")
    return CityForm(f"{UNKNOWN_CITY}{index + 1}" + (f"（{label}）" if label else ""), "", form)


def indicator_count(form: Form) -> int:
    from xl_tools.domain.values import is_placeholder_text

    return sum(1 for r in form.rows if canonical_key(r.level3.text) and not is_placeholder_text(r.level3.text))


def _validate(form: Form):
    from xl_tools.rules import validate_form

    return validate_form(form).findings


FindingsOf = Callable[[Form], Sequence[Any]]


def _workbook_keys(forms: Sequence[Form], workbooks: Sequence[object] | None, one_workbook: bool) -> list:
    """Which workbook each form comes from: its source file (a form without one is a workbook of its own)."""
    if workbooks is not None:
        return list(workbooks)
    if one_workbook:
        return [("workbook",)] * len(forms)
    return [("file", f.source) if f.source else ("form", i) for i, f in enumerate(forms)]


def _joined_years(forms: Sequence[Form]) -> str | None:
    years = list(dict.fromkeys(y for y in (declared_year(f) for f in forms) if y))
    return "、".join(years) if years else None


def consolidate_forms(forms: Sequence[Form], *, library: IndicatorLibrary, unreadable: Sequence = (),
                      sources: Sequence[str] = (), workbooks: Sequence[object] | None = None,
                      one_workbook: bool = False, findings_of: FindingsOf | None = None) -> Consolidation:
    """The Consolidation of Forms already read (also used to rebuild the summary of a consolidated workbook).

    The forms of one city that come from one workbook are that city's projects, all counted; when a city's
    forms come from two or more workbooks, only the first workbook (input order) counts and each form of the
    others is a duplicate-city finding. ``workbooks`` gives each form's workbook (default: its source file);
    ``one_workbook`` says all forms come from one workbook (the city sheets of a consolidated workbook).
    ``findings_of(form)`` gives a form's own findings when they are already known (default: validate it now).
    """
    keys = _workbook_keys(forms, workbooks, one_workbook)
    located = [with_city(f) for f in forms]
    all_cf = [city_form(f, i) for i, f in enumerate(located)]
    # GB/T 2260 order; for one city, input order (the first workbook is counted).
    order = sorted(range(len(all_cf)), key=lambda i: (order_key(all_cf[i].city if all_cf[i].code else None), i))
    all_cf = [all_cf[i] for i in order]
    all_keys = [keys[i] for i in order]
    kept_workbook: dict[str, object] = {}
    counted_flags = []
    for cf, key in zip(all_cf, all_keys):
        if not cf.code:                 # an unknown city is reported per form (unknown-city), never a duplicate
            counted_flags.append(True)
            continue
        counted_flags.append(kept_workbook.setdefault(cf.city, key) == key)
    counted = [cf for cf, ok in zip(all_cf, counted_flags) if ok]
    uncounted = [cf for cf, ok in zip(all_cf, counted_flags) if not ok]
    # Counted forms first (their sheets come first), then the forms of the other workbooks.
    ordered = counted + uncounted
    ordered_keys = ([k for k, ok in zip(all_keys, counted_flags) if ok]
                    + [k for k, ok in zip(all_keys, counted_flags) if not ok])

    totals = compute_totals(counted, library)
    year = consolidation_year(counted)
    cross = (duplicate_city_findings(counted, uncounted) + mixed_year_findings(counted, year)
             + unit_conflict_findings(totals.indicators, library) + operator_conflict_findings(totals.indicators))
    cross = list(unreadable) + sort_cross_city(cross)

    # Forms that are not counted are not validated: they are not in the totals nor in the provincial workbook.
    check = findings_of or _validate
    per_form = {id(cf.form): check(cf.form) for cf in counted}
    findings = []
    for cf in counted:
        own = list(per_form[id(cf.form)])
        own = [replace(f, city=cf.city) if f.city != cf.city else f for f in own]
        findings.extend(own)
    findings = list(unreadable) + sort_cross_city([f for f in cross if f.code != "not-a-form"]) + findings

    projects: dict[str, list[CityForm]] = {}
    for cf in counted:
        projects.setdefault(cf.city, []).append(cf)
    city_cross: dict[str, list] = {}
    for f in cross:
        if f.code != "duplicate-city" and f.city:
            city_cross.setdefault(f.city, []).append(f)
    rows = []
    for city, cfs in projects.items():
        mine = [f for cf in cfs for f in per_form[id(cf.form)]] + city_cross.get(city, [])
        first = cfs[0].form
        amounts = [funding_wan(cf.form.get("funding").text) for cf in cfs]
        known = [a for a in amounts if a is not None]
        rows.append(CityRow(
            city=city, code=cfs[0].code,
            project_name="；".join(cf.form.get("project_name").text for cf in cfs),
            year=declared_year(first) if len(cfs) == 1 else _joined_years([cf.form for cf in cfs]),
            funding_wan=(known[0] if len(amounts) == 1 else sum(known, Decimal(0))) if known else None,
            indicator_count=sum(indicator_count(cf.form) for cf in cfs),
            errors=sum(1 for f in mine if f.severity == "error"),
            warnings=sum(1 for f in mine if f.severity == "warning"),
            sheet=first.sheet, source=first.source, funding_cell=first.get("funding").cell,
        ))
    total = sum((r.funding_wan for r in rows if r.funding_wan is not None), Decimal(0))
    return Consolidation(
        cities=tuple(rows), indicators=totals.indicators, qualitative=totals.qualitative,
        findings=tuple(findings), crosscity=tuple(cross), year=year, total_funding_wan=total,
        forms=tuple(cf.form for cf in ordered), counted=tuple(i < len(counted) for i in range(len(ordered))),
        library=library, sources=tuple(sources), unreadable=tuple(unreadable), workbooks=tuple(ordered_keys),
    )
