"""校验 over files and folders: read each workbook, check each form, report unreadable files as not-a-form.

``validate_files(paths) -> Report`` is what ``xl-tools validate`` runs; one task per form, one not-a-form
task per file that cannot be read (the other files are still checked).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xl_tools.rules.findings import FormReport, Report
from xl_tools.workbook.inputs import is_lock_file, workbooks_in


def collect_workbooks(paths: Iterable[str | Path]) -> list[tuple[str, str | None]]:
    """(path, problem) for every workbook named or found in a named folder (cities in code order).

    ``problem`` is a Chinese reason when the path cannot be used (missing, empty folder), else None.
    Lock files (``~$*.xlsx``) are skipped; inside folders so are marked copies (``*.校验.xlsx``).
    """
    found: list[tuple[str, str | None]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            books = workbooks_in(p)
            if not books:
                found.append((str(p), "文件夹中没有 .xlsx 工作簿：请把各地市的绩效目标表放进该文件夹，或直接给出文件"))
            found.extend((str(c), None) for c in books)
        elif is_lock_file(p):
            continue
        elif not p.exists():
            found.append((str(p), "找不到该文件：请检查文件名和路径"))
        else:
            found.append((str(p), None))
    unique: dict[str, tuple[str, str | None]] = {}
    for path, problem in found:       # a file named and also inside a named folder is checked once
        key = str(Path(path).resolve()) if problem is None else path
        unique.setdefault(key, (path, problem))
    return list(unique.values())


def validate_file(path: str | Path) -> list[FormReport]:
    """One report per form of the workbook; a single not-a-form report when it cannot be read."""
    from xl_tools.jobs.pool import read_checked

    return _reports(read_checked(str(path)))


def _reports(result) -> list[FormReport]:
    from xl_tools.rules import unreadable_report

    if result.error is not None:
        exc = result.error
        return [unreadable_report(result.path, exc.message, sheet=exc.sheet, cell=exc.cell)]
    return result.reports


def validate_files(paths: Iterable[str | Path], *, jobs: int | None = 1) -> Report:
    """Check every workbook among ``paths`` (files or folders); ``jobs`` worker processes read and check them
    (1 = this process; 0/None = automatic, see ``xl_tools.jobs.pool``) — the report does not depend on it."""
    from xl_tools.gcpolicy import batch_collections
    from xl_tools.rules import unreadable_report
    from xl_tools.jobs.pool import read_many

    entries = collect_workbooks(paths)
    readable = [path for path, problem in entries if not problem]
    tasks: list[FormReport] = []
    with batch_collections():
        results = read_many(readable, check=True, jobs=jobs, keep_in_workers="nothing")   # reports: all it needs
        for path, problem in entries:
            if problem:
                tasks.append(unreadable_report(path, problem))
            else:
                tasks.extend(_reports(next(results)))
    return Report(tasks)


def files_of(report):
    """(path, its findings, why it could not be read or None) for each file of a 校验 ``report``: what the jobs
    that write a copy of each file (marked, corrected) go through."""
    for path, tasks in report.by_file():
        findings = [f for t in tasks for f in t.findings]
        refusal = next((f.message for f in findings if f.code == "not-a-form"), None)
        yield path, findings, refusal
