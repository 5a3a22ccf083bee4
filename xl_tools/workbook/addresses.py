"""A1 cell addresses, the one place that reads and writes them: column letters, ``B12`` ↔ (12, 2), ranges,
sheet-qualified references (``'绩效目标表'!$B$2``).

Strict forms (:func:`parse_a1`, up to three letters, ``$`` allowed, raises on anything else) are for references
this project writes and defined names; :func:`loose_cell` and :func:`loose_range` read whatever a worksheet
part holds (any number of letters: ``A99999999`` and ``AAAA1`` are measured, not skipped), None when unreadable.
Imports nothing from xl_tools, so the layout, the pre-flight and the provincial workbook all use it.
"""

from __future__ import annotations

import re
from functools import lru_cache


_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def col_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


@lru_cache(maxsize=4096)       # refs repeat across sheets and workbooks ("$B$2"); the result is an immutable tuple
def parse_a1(ref: str) -> tuple[int, int]:
    """``"$B$12"`` → (12, 2)."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(f"not an A1 reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


@lru_cache(maxsize=4096)
def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"B12:E51"`` → (min_row, min_col, max_row, max_col); a single cell is a 1x1 range."""
    parts = ref.replace("$", "").split(":")
    r1, c1 = parse_a1(parts[0])
    r2, c2 = parse_a1(parts[-1])
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


@lru_cache(maxsize=4096)
def split_sheet_ref(ref: str) -> tuple[str | None, str]:
    """``"'绩效目标表'!$B$2"`` → ("绩效目标表", "$B$2"); no sheet → (None, ref)."""
    ref = ref.strip().lstrip("=")
    if "!" not in ref:
        return None, ref
    sheet, _, cells = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cells


def quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def sheet_ref(title: str, cells: str) -> str:
    """An absolute reference ``'title'!$B$2:$E$2`` for a defined name."""
    r1, c1, r2, c2 = parse_range(cells)
    first = f"${col_letter(c1)}${r1}"
    if (r1, c1) == (r2, c2):
        return f"{quote_sheet(title)}!{first}"
    return f"{quote_sheet(title)}!{first}:${col_letter(c2)}${r2}"


_LOOSE_CELL = re.compile(r"([A-Za-z]+)(\d+)$")      # no length limits


def loose_cell(ref: str) -> tuple[int, int] | None:
    """(row, col) of a plain cell reference as a worksheet part writes it (``B12``), None when it is not one."""
    m = _LOOSE_CELL.match(ref)
    if not m:
        return None
    return int(m.group(2)), col_index(m.group(1))


def loose_range(ref: str) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of a range such as ``A1:E3`` (``$`` ignored); None when unreadable."""
    coords = []
    for end in ref.replace("$", "").split(":")[:2]:
        cell = loose_cell(end)
        if cell is None:
            return None
        coords.append(cell)
    (r1, c1), (r2, c2) = coords[0], coords[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)
