"""校验 and 汇总 in one pass: each workbook is read once, every form is checked, then all are consolidated.

``xl-tools validate`` followed by ``xl-tools consolidate`` reads every file twice and checks the counted forms
twice; a batch that wants both (``xl-tools demo``, the province's run over every city's files) calls
:func:`check_and_consolidate` instead. Its Report equals ``validate_files(paths)`` and its Consolidation equals
``consolidate(paths)`` (tests/test_consolidate_batch.py holds both to it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from xl_tools.consolidate.model import Consolidation, consolidate
from xl_tools.domain.form import Form
from xl_tools.rules.findings import Finding, FormReport, Report
from xl_tools.workbook.pool import ReadResult


def check_and_consolidate(paths: Iterable[str | os.PathLike], *, library=None,
                          exclude: Sequence[str | os.PathLike] = (), jobs: int | None = 1,
                          ) -> tuple[Report, Consolidation]:
    """(校验 report of every form of every workbook, the Consolidation), reading each workbook once.

    ``jobs``: worker processes that read and check the files (1 = this process; 0/None = automatic, see
    ``xl_tools.workbook.pool``); the result does not depend on it.
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
    from xl_tools.consolidate.model import output_exclusions
    from xl_tools.consolidate.workbook import write_consolidation

    paths = list(paths)
    exclude = output_exclusions(paths, output)
    report, cons = check_and_consolidate(paths, library=library, exclude=exclude, jobs=jobs)
    return report, cons, write_consolidation(cons, Path(output))
