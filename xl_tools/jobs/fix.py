"""The 采纳建议 job of ``xl-tools validate --fix``: a corrected copy beside each input (``广州.修正.xlsx``).

- ``fixed_copy_path(path)``: where the copy goes — never the input, never an existing file
  (``广州.修正(2).xlsx`` …).
- ``fix_file(path, output=None) -> FixedCopy``: the copy with every exact 建议值 written (each changed cell green,
  with a note 原值 → 新值), re-validated and marked like ``--annotate``, the changes listed in 校验结果; no copy
  when there is nothing exact to take.
- ``write_fixed_copies(report) -> list[FixedCopy]`` for each readable file of a 校验 report, and
  ``fixed_report(report, copies)``: the report as ``validate`` gives it on the copies.

The input is only read. What to change is decided in ``xl_tools.workbook.fixes`` (shared with the ribbon).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FixedCopy:
    """What became of one file: ``written`` is the copy (None when none was written), ``changes`` what it took,
    ``message`` the Chinese line saying so; ``failed`` when writing was attempted and failed."""

    path: str
    written: Path | None
    message: str
    changes: list = field(default_factory=list)
    failed: bool = False


def fixed_copy_path(path: str | os.PathLike) -> Path:
    """``广州.xlsx`` → ``广州.修正.xlsx``; when that is the input or already exists: ``广州.修正(2).xlsx`` …

    A copy given again (``广州.修正.xlsx``) is not stacked (``.修正.修正``): its copy is ``广州.修正(2).xlsx``.
    """
    from xl_tools.fileio import same_file
    from xl_tools.workbook.inputs import FIXED_STEM, FIXED_SUFFIX

    p = Path(path)
    base = FIXED_STEM.sub("", p.stem)
    target = p.with_name(f"{base}{FIXED_SUFFIX}{p.suffix}")
    n = 1
    while target.exists() or same_file(target, p):
        n += 1
        target = p.with_name(f"{base}{FIXED_SUFFIX}({n}){p.suffix}")
    return target


def fix_file(path: str | os.PathLike, output: str | os.PathLike | None = None) -> FixedCopy:
    """Write the corrected copy of the workbook at ``path`` (see the module docstring); the input is never written."""
    from xl_tools.fileio import refuse_input_overwrite
    from xl_tools.workbook.fixes import fix_workbook, plan_fixes
    from xl_tools.workbook.reader import read_forms
    from xl_tools.workbook.celltext import fit_long_cells
    from xl_tools.workbook.template import load_for_copy, save_workbook

    source = Path(path)
    forms = read_forms(source)
    plan = plan_fixes(forms)
    if not plan.changes:
        return FixedCopy(str(source), None, f"{source}：没有可以直接采纳的建议值，未另存修正副本（原文件未改动）")
    target = Path(output) if output else fixed_copy_path(source)
    refuse_input_overwrite(target, [source])
    wb = load_for_copy(source, "采纳建议")
    fix_workbook(wb, forms, plan)
    fit_long_cells(wb)
    written = save_workbook(wb, target)
    return FixedCopy(str(source), written,
                     f"{source}：采纳了 {len(plan.changes)} 条建议值，已另存为 {written}（原文件未改动）",
                     list(plan.changes))


def write_fixed_copies(report) -> list[FixedCopy]:
    """The corrected copy of each readable file of the 校验 ``report`` (files that cannot be read are skipped)."""
    from xl_tools.errors import XlToolsError

    from xl_tools.jobs.validate import files_of

    done: list[FixedCopy] = []
    for path, _, refusal in files_of(report):
        if refusal is not None:
            done.append(FixedCopy(path, None, f"未采纳建议 {path}：{refusal}"))
            continue
        try:
            done.append(fix_file(path))
        except XlToolsError as exc:
            done.append(FixedCopy(path, None, f"错误：未能另存修正副本：{exc}", failed=True))
    return done


def fixed_report(report, copies: list[FixedCopy]):
    """``report`` with each file that got a copy replaced by 校验 of that copy, as ``validate`` reports it."""
    from xl_tools.rules.findings import Report
    from xl_tools.jobs.validate import validate_file

    written = {c.path: c.written for c in copies if c.written is not None}
    tasks = []
    for path, file_tasks in report.by_file():
        tasks.extend(validate_file(written[path]) if path in written else file_tasks)
    return Report(tasks)
