"""The jobs every front end runs — the CLI, the ribbon and the web page call these and nothing below them.

- ``validate_files(paths, jobs=1) -> Report``: 校验 every workbook named or found in a named folder.
- ``write_marked_copies(report, output_dir=None) -> list[MarkedCopy]``: the marked copy of each readable file
  (``广州.校验.xlsx``, as ``xl-tools validate --annotate`` writes it).
- ``consolidate_paths(paths, output, library=None, jobs=1) -> (Consolidation, Path)``: 汇总 into the
  provincial workbook.
- ``check_and_consolidate_paths(paths, output, ...) -> (Report, Consolidation, Path)``: both, one read a file.

Importing this package imports nothing heavy; each job imports what it needs when called. Submodules:
``validate`` (校验 over files and folders), ``consolidate`` (汇总 over files; both in one read), ``pool``
(reading many workbooks, in worker processes when asked, each form checked where it was read).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MarkedCopy:
    """What became of one file's marked copy: ``written`` is its path, or None with ``message`` saying why."""

    path: str
    written: Path | None
    message: str
    failed: bool = False       # True when writing was attempted and failed (the CLI's exit code 2)


def validate_files(paths: Iterable[str | os.PathLike], *, jobs: int | None = 1):
    """校验 report of every form of every workbook among ``paths`` (files or folders)."""
    from xl_tools.jobs.validate import validate_files as run

    return run(paths, jobs=jobs)


def write_marked_copies(report, output_dir: str | os.PathLike | None = None) -> list[MarkedCopy]:
    """Write a marked copy of each readable file of ``report`` (beside it, or in ``output_dir``)."""
    from xl_tools.errors import XlToolsError
    from xl_tools.jobs.validate import files_of
    from xl_tools.workbook.annotate import annotate_file, marked_copy_path

    done: list[MarkedCopy] = []
    for path, findings, refusal in files_of(report):
        if refusal is not None:
            done.append(MarkedCopy(path, None, f"未标记 {path}：{refusal}"))
            continue
        target = None
        if output_dir is not None:
            target = Path(output_dir) / marked_copy_path(path).name
        try:
            written = annotate_file(path, findings, target)
        except XlToolsError as exc:
            done.append(MarkedCopy(path, None, f"错误：未能另存带标记的副本：{exc}", failed=True))
            continue
        done.append(MarkedCopy(path, written, f"已另存带标记的副本：{written}（原文件未改动）"))
    return done


def consolidate_paths(paths: Iterable[str | os.PathLike], output: str | os.PathLike, *, library=None,
                      jobs: int | None = 1):
    """汇总 the workbooks among ``paths`` into the provincial workbook ``output`` (never onto an input)."""
    from xl_tools.jobs.consolidate import consolidate_paths as run

    return run(paths, output, library=library, jobs=jobs)


def check_and_consolidate_paths(paths: Iterable[str | os.PathLike], output: str | os.PathLike, *,
                                library=None, jobs: int | None = 1):
    """校验 and 汇总 with one read per workbook; the provincial workbook goes to ``output``."""
    from xl_tools.jobs.consolidate import check_and_consolidate_paths as run

    return run(paths, output, library=library, jobs=jobs)
