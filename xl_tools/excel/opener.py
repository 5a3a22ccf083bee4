"""Showing a file the add-in wrote: open it in the same Excel when the engine can.

Replaceable (looked up at call time). The remote engine cannot open files from disk; there the caller's
alert names the file instead.
"""

from __future__ import annotations

from pathlib import Path


def can_open_files(app) -> bool:
    return app.engine.name != "remote"


def open_workbook(app, path: Path):
    """The opened ``xw.Book``, or None when this engine cannot open files."""
    if not can_open_files(app):
        return None
    return app.books.open(str(path))
