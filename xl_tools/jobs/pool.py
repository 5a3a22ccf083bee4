"""Reading many workbooks — in worker processes when asked — with each form's 校验 done where it was read.

``read_many(paths, check=True, jobs=4)`` yields one :class:`ReadResult` per path, in the order given, whatever the
number of workers. Workers are spawned (the same start method on Windows, macOS and Linux) and each returns what
the caller asks for (``keep``): the Forms it read, only their headers, or none — with their 校验 reports. Shipping
whole Forms back costs about as much as reading them (pickling ≈3 ms per bench workbook), so a batch asks for
headers and reads again itself the few workbooks whose rows it needs (``ReadResult.slim``). When worker processes
cannot be started (an embedded or frozen Python) the rest is read in this process: the result is the same.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from xl_tools.errors import XlToolsError

AUTO_MIN_FILES = 500        # measured: on 2 cores 210 files took as long with 2 workers (start-up ≈0.3 s each)
AUTO_MAX_JOBS = 8


@dataclass
class ReadResult:
    """One workbook: its Forms and their reports (``check``), or the error that made it unreadable."""

    path: str
    forms: list | None = None
    reports: list | None = None
    error: XlToolsError | None = None
    slim: bool = False          # ``forms`` hold their headers only (their rows were left in the worker)

KEEP = ("forms", "headers", "nothing")


def read_checked(path: str, check: bool = True, keep: str = "forms") -> ReadResult:
    """Read ``path`` with the fast engine and, when ``check``, run 校验 on each form; ``keep`` (see KEEP) says
    what of the Forms to return."""
    from dataclasses import replace

    from xl_tools.workbook.reader import read_forms

    try:
        forms = read_forms(path, engine="calamine")   # the fast reader for batch work (equal Forms)
    except XlToolsError as exc:
        return ReadResult(str(path), error=exc)
    reports = None
    if check:
        from xl_tools.rules import validate_form

        reports = [validate_form(f) for f in forms]
    if keep == "headers":
        return ReadResult(str(path), forms=[replace(f, indicators=()) for f in forms], reports=reports, slim=True)
    if keep == "nothing":
        return ReadResult(str(path), forms=None, reports=reports, slim=True)
    return ReadResult(str(path), forms=forms, reports=reports)


def resolve_jobs(jobs: int | None, count: int) -> int:
    """Worker processes for ``count`` files: ``jobs`` ≥ 1 as asked; 0/None = automatic (one per CPU, ≤ 8,
    and none for fewer than AUTO_MIN_FILES files)."""
    if jobs is not None and jobs >= 1:
        return min(jobs, max(count, 1))
    if count < AUTO_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, AUTO_MAX_JOBS, count))


def read_many(paths: Sequence[str | os.PathLike], *, check: bool = True, jobs: int | None = 1,
              keep_in_workers: str = "forms") -> Iterator[ReadResult]:
    """One ReadResult per path, in order; ``jobs`` worker processes (see :func:`resolve_jobs`).

    ``keep_in_workers``: what of the Forms a worker sends back (KEEP); files read in this process keep them all.
    """
    if keep_in_workers not in KEEP:
        raise ValueError(keep_in_workers)
    paths = [str(p) for p in paths]
    workers = resolve_jobs(jobs, len(paths))
    done = 0
    if workers > 1:
        try:
            for result in _in_workers(paths, check, workers, keep_in_workers):
                done += 1
                yield result
        except (OSError, RuntimeError, ImportError) as exc:       # BrokenProcessPool is a RuntimeError
            _note_fallback(exc)
    for path in paths[done:]:
        yield read_checked(path, check)


def _in_workers(paths: list[str], check: bool, workers: int, keep: str) -> Iterator[ReadResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    # Chunks big enough to amortise the pickling round trip, small enough to keep every worker busy to the end.
    chunk = max(1, min(32, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start) as pool:
        yield from pool.map(read_checked, paths, [check] * len(paths), [keep] * len(paths), chunksize=chunk)


def _worker_start() -> None:
    """A worker lives for the batch: collect garbage as the batch's own process does (xl_tools.gcpolicy)."""
    import gc

    from xl_tools.gcpolicy import BATCH_THRESHOLD

    gc.set_threshold(BATCH_THRESHOLD, *gc.get_threshold()[1:])


def _note_fallback(exc: BaseException) -> None:
    import logging

    # Printed on stderr when nothing configures logging (the command line): the user reads it, so Chinese.
    logging.getLogger("xl_tools").warning("无法启动多个工作进程（%s），改为在本进程中逐个读取，结果不变，只是慢一些", exc)
