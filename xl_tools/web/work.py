"""The jobs behind the web routes: xl_tools.jobs on uploaded files, answers renamed to the users' file names.

Everything here is synchronous and runs in a worker thread; the documents are the CLI's own
(``Report.to_json_dict()`` is ``validate --json``, ``Consolidation.to_json()`` is ``consolidate --json``), with
the server's temporary paths replaced by the names the files were uploaded under.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from xl_tools.web.uploads import Upload, safe_name

CONSOLIDATED_NAME = "广东省汇总.xlsx"


def renamed(doc, names: dict[str, str]):
    """``doc`` with every string that is a server path (a key of ``names``) replaced by the user's name."""
    if isinstance(doc, dict):
        return {k: renamed(v, names) for k, v in doc.items()}
    if isinstance(doc, list):
        return [renamed(v, names) for v in doc]
    if isinstance(doc, str):
        return names.get(doc, doc)
    return doc


def _names(uploads: Sequence[Upload]) -> dict[str, str]:
    return {str(u.path): u.name for u in uploads}


def validate(uploads: Sequence[Upload]) -> dict:
    """The ``validate --json`` document of ``uploads``."""
    from xl_tools.jobs import validate_files

    report = validate_files([str(u.path) for u in uploads], jobs=0)
    return renamed(report.to_json_dict(), _names(uploads))


def marked_copy(upload: Upload, folder: Path) -> Path:
    """The marked copy of one upload (as ``validate --annotate`` writes it), written into ``folder``."""
    from xl_tools.errors import InputError
    from xl_tools.jobs import validate_files, write_marked_copies

    report = validate_files([str(upload.path)], jobs=1)
    folder.mkdir(parents=True, exist_ok=True)
    copy = write_marked_copies(report, folder)[0]
    if copy.written is None:
        raise InputError(copy.message.replace(str(upload.path), upload.name))
    return copy.written


def consolidate(uploads: Sequence[Upload], folder: Path) -> tuple[Path, dict]:
    """The provincial workbook of ``uploads`` in ``folder`` and its ``consolidate --json`` document."""
    from xl_tools.jobs import consolidate_paths

    folder.mkdir(parents=True, exist_ok=True)
    cons, output = consolidate_paths([str(u.path) for u in uploads], folder / CONSOLIDATED_NAME, jobs=0)
    names = {**_names(uploads), str(output): CONSOLIDATED_NAME}
    return Path(output), renamed(cons.to_json(output), names)


def check_for_desk(uploads: Sequence[Upload], folder: Path) -> list[tuple[dict, str | None]]:
    """For each upload: its entry of the ``validate --json`` document and its 预算年度 (one read a file)."""
    from xl_tools.consolidate.crosscity import declared_year
    from xl_tools.errors import XlToolsError
    from xl_tools.jobs import check_and_consolidate_paths

    paths = [str(u.path) for u in uploads]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        report, cons, _ = check_and_consolidate_paths(paths, folder / CONSOLIDATED_NAME, jobs=0)
        years: dict[str, str] = {}
        for row in cons.cities:
            if row.source and row.year:
                years.setdefault(row.source, row.year)
        for form in cons.forms:        # a city's second workbook is not in cons.cities
            text = form.get("budget_year").text if form.source else ""
            if text:
                years.setdefault(form.source, declared_year(form) or text)
    except XlToolsError:          # nothing to consolidate (no readable form): still 校验 every file
        from xl_tools.jobs import validate_files

        report, years = validate_files(paths, jobs=0), {}
    names = _names(uploads)
    entries = {entry["path"]: renamed(entry, names) for entry in report.to_json_dict()["files"]}
    return [(entries.get(str(u.path)) or {"path": u.name, "city": None, "errors": 0, "warnings": 0, "findings": []},
             years.get(str(u.path))) for u in uploads]


def staged(files: Sequence[tuple[Path, str]], folder: Path) -> list[Upload]:
    """Copies of stored files in ``folder`` under their submitted names (one subfolder each), as uploads."""
    out = []
    for i, (source, name) in enumerate(files):
        sub = folder / f"{i:04d}"
        sub.mkdir(parents=True)
        target = sub / safe_name(name)
        shutil.copyfile(source, target)
        out.append(Upload(target, name, target.stat().st_size, ""))
    return out
