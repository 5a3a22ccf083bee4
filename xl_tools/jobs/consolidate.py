"""汇总 over files: workbooks read (in worker processes when asked), consolidated, the provincial workbook written.

``consolidate(forms_or_paths)`` reads the workbooks among its arguments and calls
:func:`xl_tools.consolidate.model.consolidate_forms`; ``consolidate_paths`` also writes the provincial workbook.

校验 and 汇总 in one pass: ``xl-tools validate`` followed by ``xl-tools consolidate`` reads every file twice and
checks the counted forms twice; a batch that wants both (``xl-tools demo``, the province's run over every city's
files) calls :func:`check_and_consolidate` instead. Its Report equals ``validate_files(paths)`` and its
Consolidation equals ``consolidate(paths)`` (tests/test_consolidate_batch.py holds both to it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from xl_tools.consolidate.crosscity import not_a_form_finding
from xl_tools.consolidate.library import IndicatorLibrary, load_library
from xl_tools.consolidate.model import Consolidation, FindingsOf, consolidate_forms, with_city
from xl_tools.domain.cities import by_name
from xl_tools.domain.form import Form
from xl_tools.errors import InputError, NotAFormError
from xl_tools.jobs.pool import ReadResult
from xl_tools.rules.findings import Finding, FormReport, Report
from xl_tools.workbook.inputs import is_lock_file, workbooks_in


# --- reading the inputs ---------------------------------------------------------------------------------------------

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

    ``on_read(result)`` sees each file's :class:`~xl_tools.jobs.pool.ReadResult` — its full forms (and their
    reports when ``check``) or its error — before uncounted forms are slimmed: 校验 hooks in there so one read
    serves both 校验 and 汇总. ``jobs``: worker processes for reading (see ``xl_tools.jobs.pool``).
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
        from xl_tools.jobs.pool import read_many

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
    city = by_name(with_city(form).city or "")
    return city.name if city else None


def _counts_rows(forms: Sequence[Form], workbook: str, claimed: dict[str, str]) -> bool:
    """Whether any of ``forms`` (this workbook's) will be counted: its city is unknown or not yet claimed."""
    return any(city is None or claimed.get(city, workbook) == workbook for city in map(_known_city, forms))


def _with_rows(result):
    """The workbook read again in this process, whole (its 校验 reports are the worker's: the same Forms)."""
    from xl_tools.jobs.pool import read_checked

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


# --- 汇总 ---------------------------------------------------------------------------------------

def consolidate(forms_or_paths: Iterable[Form | str | os.PathLike] | Form | str | os.PathLike, *,
                library: IndicatorLibrary | str | os.PathLike | None = None,
                exclude: Sequence[str | os.PathLike] = (), on_read=None, check: bool = False,
                jobs: int | None = 1, findings_of: FindingsOf | None = None) -> Consolidation:
    """Consolidate forms and/or workbooks (files or folders) into one Consolidation.

    Unreadable files become not-a-form findings; the others are still consolidated. Raises InputError when
    nothing at all could be read. ``on_read`` and ``findings_of``: see :func:`read_inputs` and
    :func:`consolidate_forms` (:func:`check_and_consolidate` uses them to check and consolidate in one read).
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


def is_consolidation_workbook(path: str | os.PathLike) -> bool:
    """True when ``path`` is a provincial workbook (it has a 汇总表 sheet): safe to replace."""
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


# --- 校验 and 汇总 in one read ----------------------------------------------------------------------------

def check_and_consolidate(paths: Iterable[str | os.PathLike], *, library=None,
                          exclude: Sequence[str | os.PathLike] = (), jobs: int | None = 1,
                          ) -> tuple[Report, Consolidation]:
    """(校验 report of every form of every workbook, the Consolidation), reading each workbook once.

    ``jobs``: worker processes that read and check the files (1 = this process; 0/None = automatic, see
    ``xl_tools.jobs.pool``); the result does not depend on it.
    """
    from xl_tools.rules import unreadable_report, validate_form

    tasks: list[FormReport] = []
    known: dict[tuple[str | None, str | None], list[Finding]] = {}

    def on_read(result: ReadResult) -> None:
        if result.error is not None:
            error = result.error
            tasks.append(unreadable_report(result.path, error.message, sheet=error.sheet, cell=error.cell))
            return
        for form, report in zip(result.forms, result.reports):
            tasks.append(report)
            known[(form.source, form.sheet)] = report.findings

    def findings_of(form: Form) -> list[Finding]:
        found = known.get((form.source, form.sheet))
        if found is None:               # a Form passed in directly, not read from a file here
            return validate_form(form).findings
        return found

    cons = consolidate(list(paths), library=library, exclude=exclude, on_read=on_read, check=True, jobs=jobs,
                       findings_of=findings_of)
    return Report(tasks), cons


def check_and_consolidate_paths(paths: Iterable[str | os.PathLike], output: str | os.PathLike, *,
                                library=None, jobs: int | None = 1) -> tuple[Report, Consolidation, Path]:
    """:func:`check_and_consolidate`, then write the provincial workbook to ``output`` (never onto an input)."""
    from xl_tools.consolidate.workbook import write_consolidation

    paths = list(paths)
    exclude = output_exclusions(paths, output)
    report, cons = check_and_consolidate(paths, library=library, exclude=exclude, jobs=jobs)
    return report, cons, write_consolidation(cons, Path(output))
