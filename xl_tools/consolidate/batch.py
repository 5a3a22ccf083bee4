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


def check_and_consolidate(paths: Iterable[str | os.PathLike], *, library=None,
                          exclude: Sequence[str | os.PathLike] = ()) -> tuple[Report, Consolidation]:
    """(校验 report of every form of every workbook, the Consolidation), reading each workbook once."""
    from xl_tools.rules import unreadable_report, validate_form

    tasks: list[FormReport] = []
    known: dict[tuple[str | None, str | None], list[Finding]] = {}

    def on_read(path: Path, forms: list[Form] | None, error) -> None:
        if error is not None:
            tasks.append(unreadable_report(str(path), error.message, sheet=error.sheet, cell=error.cell))
            return
        for form in forms:
            report = validate_form(form)
            tasks.append(report)
            known[(form.source, form.sheet)] = report.findings

    def findings_of(form: Form) -> list[Finding]:
        found = known.get((form.source, form.sheet))
        if found is None:               # not read from a file here (cannot happen for paths; kept for safety)
            return validate_form(form).findings
        return found

    cons = consolidate(list(paths), library=library, exclude=exclude, on_read=on_read, findings_of=findings_of)
    return Report(tasks), cons


def check_and_consolidate_paths(paths: Iterable[str | os.PathLike], output: str | os.PathLike, *,
                                library=None) -> tuple[Report, Consolidation, Path]:
    """:func:`check_and_consolidate`, then write the provincial workbook to ``output`` (never onto an input)."""
    from xl_tools.consolidate.model import output_exclusions
    from xl_tools.consolidate.workbook import write_consolidation

    paths = list(paths)
    exclude = output_exclusions(paths, output)
    report, cons = check_and_consolidate(paths, library=library, exclude=exclude)
    return report, cons, write_consolidation(cons, Path(output))
