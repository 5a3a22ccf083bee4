"""``consolidate()``: Forms (or workbook paths) → one Consolidation record, the data of the provincial workbook.

No Excel library here beyond the reader called for paths; pandas is imported lazily by totals.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from xl_tools.consolidate.crosscity import (
    consolidation_year, declared_year, duplicate_city_findings, mixed_year_findings, not_a_form_finding,
    operator_conflict_findings, sort_cross_city, unit_conflict_findings,
)
from xl_tools.consolidate.keys import canonical_key
from xl_tools.consolidate.library import IndicatorLibrary, load_library
from xl_tools.consolidate.totals import (
    CityForm, IndicatorTotal, QualitativeRow, compute_totals, funding_wan,
)
from xl_tools.domain.cities import City, by_name, cities, order_key
from xl_tools.domain.form import Form
from xl_tools.errors import InputError, NotAFormError
from xl_tools.workbook.inputs import is_lock_file, workbooks_in

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


# --- inputs ---------------------------------------------------------------------------------------------

def expand_paths(paths: Iterable[str | os.PathLike], *, exclude: Iterable[str | os.PathLike] = ()) -> list[Path]:
    """Files to read: each file as given, each folder's workbooks (not recursive) in name order.

    Lock files are skipped; ``exclude`` (the output) is never read. A path that does not exist is an InputError.
    """
    from xl_tools.fileio import same_file

    excluded = [Path(p) for p in exclude]
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(workbooks_in(p))
        elif p.is_file():
            found.append(p)
        else:
            raise InputError("找不到该文件或文件夹：请检查路径是否写对（含扩展名 .xlsx）", path=str(p))
    result = []
    seen: set[tuple] = set()
    for p in found:
        if is_lock_file(p) or any(same_file(p, e) for e in excluded):
            continue
        key = _file_key(p)
        if key not in seen:             # a set, not same_file against every earlier file (quadratic)
            seen.add(key)
            result.append(p)
    return result


def _file_key(path: Path) -> tuple:
    """What ``same_file`` compares: the file's identity (device, inode) when it exists, else its path."""
    try:
        st = os.stat(path)
    except OSError:
        return ("path", os.path.normcase(os.path.abspath(path)))
    return ("file", st.st_dev, st.st_ino)


def read_inputs(items: Iterable[Form | str | os.PathLike], *, exclude=(),
                on_read: Callable[[Any], None] | None = None, check: bool = False, jobs: int | None = 1,
                ) -> tuple[list[Form], list, list[str]]:
    """(forms, not-a-form findings, source paths) from Forms and paths (files or folders).

    ``on_read(result)`` sees each file's :class:`~xl_tools.workbook.pool.ReadResult` — its full forms (and their
    reports when ``check``) or its error — before uncounted forms are slimmed: 校验 hooks in there so one read
    serves both 校验 and 汇总. ``jobs``: worker processes for reading (see ``xl_tools.workbook.pool``).
    """
    forms: list[Form] = []
    unreadable = []
    paths: list[str | os.PathLike] = []
    for item in items:
        if isinstance(item, Form):
            forms.append(item)
        else:
            paths.append(item)
    sources: list[str] = []
    if paths:
        from xl_tools.workbook.pool import read_many

        claimed: dict[str, str] = {}        # city → the first workbook that holds it (input order)
        files = expand_paths(paths, exclude=exclude)
        for path, result in zip(files, read_many(files, check=check, jobs=jobs, keep_in_workers="headers")):
            sources.append(str(path))
            if result.slim and result.error is None and _counts_rows(result.forms, str(path), claimed):
                result = _with_rows(result)     # a worker sent headers only; this workbook's rows are counted
            if result.error is not None and not isinstance(result.error, NotAFormError):
                raise result.error
            if on_read is not None:
                on_read(result)
            if result.error is not None:
                unreadable.append(not_a_form_finding(path, result.error.message))
                continue
            forms.extend(_slim_if_claimed(form, str(path), claimed) for form in result.forms)
    return forms, unreadable, sources


def _known_city(form: Form) -> str | None:
    """The form's city when it is one of the 21 (an unknown city is counted per form, never claimed)."""
    city = by_name(_with_city(form).city or "")
    return city.name if city else None


def _counts_rows(forms: Sequence[Form], workbook: str, claimed: dict[str, str]) -> bool:
    """Whether any of ``forms`` (this workbook's) will be counted: its city is unknown or not yet claimed."""
    return any(city is None or claimed.get(city, workbook) == workbook for city in map(_known_city, forms))


def _with_rows(result):
    """The workbook read again in this process, whole (its 校验 reports are the worker's: the same Forms)."""
    from xl_tools.workbook.pool import read_checked

    again = read_checked(result.path, check=False)
    if again.error is not None:         # changed on disk since the worker read it
        return again
    return replace(result, forms=again.forms, slim=False)


def _slim_if_claimed(form: Form, workbook: str, claimed: dict[str, str]) -> Form:
    """``form`` without its indicator rows when an earlier workbook already holds its city.

    Such a form is not counted (duplicate-city): only its header, file and sheet are needed to report it, and
    dropping the rows keeps memory proportional to the counted forms (2,100 workbooks hold 6,371 forms).
    """
    city = _known_city(form)
    if city is None or claimed.setdefault(city, workbook) == workbook:
        return form
    return replace(form, indicators=())


# --- cities ---------------------------------------------------------------------------------------------

def _with_city(form: Form) -> Form:
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


# --- the function ---------------------------------------------------------------------------------------

def consolidate(forms_or_paths: Iterable[Form | str | os.PathLike] | Form | str | os.PathLike, *,
                library: IndicatorLibrary | str | os.PathLike | None = None,
                exclude: Sequence[str | os.PathLike] = (), on_read=None, check: bool = False,
                jobs: int | None = 1, findings_of: FindingsOf | None = None) -> Consolidation:
    """Consolidate forms and/or workbooks (files or folders) into one Consolidation.

    Unreadable files become not-a-form findings; the others are still consolidated. Raises InputError when
    nothing at all could be read. ``on_read`` and ``findings_of``: see :func:`read_inputs` and
    :func:`consolidate_forms` (``xl_tools.consolidate.batch`` uses them to check and consolidate in one read).
    """
    from xl_tools.gcpolicy import batch_collections

    if isinstance(forms_or_paths, (Form, str, os.PathLike)):
        forms_or_paths = [forms_or_paths]
    lib = load_library(library)
    with batch_collections():
        forms, unreadable, sources = read_inputs(forms_or_paths, exclude=exclude, on_read=on_read, check=check,
                                                 jobs=jobs)
        if not forms:
            reasons = "；".join(f.message for f in unreadable[:3])
            raise InputError("没有可汇总的绩效目标表" + (f"（{reasons}）" if reasons else "")
                             + "：请指定各地市填好的 .xlsx 文件或其所在文件夹")
        return consolidate_forms(forms, library=lib, unreadable=unreadable, sources=sources,
                                 findings_of=findings_of)


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
    located = [_with_city(f) for f in forms]
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


def is_consolidation_workbook(path: str | os.PathLike) -> bool:
    """True when ``path`` is a workbook this module wrote (it has a 汇总表 sheet): safe to replace."""
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            return "汇总表" in wb.sheetnames
        finally:
            wb.close()
    except Exception:  # not a workbook openpyxl can open: treat as someone's input
        return False


def consolidate_paths(paths: Iterable[str | os.PathLike], output: str | os.PathLike, *,
                      library: IndicatorLibrary | str | os.PathLike | None = None,
                      jobs: int | None = 1) -> tuple[Consolidation, Path]:
    """Read the workbooks, consolidate and write the provincial workbook to ``output`` (never an input).

    When ``output`` lies in an input folder and is an earlier 汇总 workbook, it is not read and is replaced;
    any other input at that path is refused.
    """
    from xl_tools.consolidate.workbook import write_consolidation

    paths = list(paths)
    exclude = output_exclusions(paths, output)
    cons = consolidate(paths, library=library, exclude=exclude, jobs=jobs)
    written = write_consolidation(cons, Path(output))
    return cons, written


def output_exclusions(paths: Sequence[str | os.PathLike], output: str | os.PathLike) -> list[Path]:
    """Inputs not to read because they are ``output``: an earlier 汇总 workbook in an input folder.

    Raises (refuse_input_overwrite) when ``output`` is a named input file or any other workbook in an input folder.
    """
    from xl_tools.fileio import refuse_input_overwrite, same_file

    out = Path(output)
    refuse_input_overwrite(out, [p for p in paths if Path(p).is_file()])
    in_folders = expand_paths([p for p in paths if Path(p).is_dir()])
    if any(same_file(out, p) for p in in_folders):
        if is_consolidation_workbook(out):
            return [out]
        refuse_input_overwrite(out, in_folders)
    return []
