"""Which files in a folder are city workbooks: the one rule for validate, consolidate and the Excel 汇总 button.

Skipped inside folders: Excel/WPS lock files (``~$广州.xlsx``, ``.~广州.xlsx``), our own temporary files, and
marked copies written by 校验 (``广州.校验.xlsx``, ``广州.校验(2).xlsx``) and copies written by 采纳建议
(``广州.修正.xlsx``) — reading those would count a city twice.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xltx", ".et", ".ods")
MARKED_SUFFIX = ".校验"
MARKED_STEM = re.compile(r"\.校验(?:\(\d+\))?$")
FIXED_SUFFIX = ".修正"                              # 采纳建议's copies (validate --fix): 广州.修正.xlsx
FIXED_STEM = re.compile(r"\.修正(?:\(\d+\))?$")


def is_lock_file(path: str | os.PathLike) -> bool:
    """Office (``~$名称.xlsx``) and WPS (``.~名称.xlsx``) lock files, and our own temporary files."""
    return Path(path).name.startswith(("~$", ".~"))


def is_marked_copy(path: str | os.PathLike) -> bool:
    """A copy written by 校验 --annotate (``广州.校验.xlsx``)."""
    return bool(MARKED_STEM.search(Path(path).stem))


def is_fixed_copy(path: str | os.PathLike) -> bool:
    """A copy written by ``validate --fix`` (``广州.修正.xlsx``): the city's table a second time."""
    return bool(FIXED_STEM.search(Path(path).stem))


def skipped_in_folder(path: str | os.PathLike) -> bool:
    return is_lock_file(path) or is_marked_copy(path) or is_fixed_copy(path)


def _order(path: Path) -> tuple:
    from xl_tools.domain.cities import find_city, order_key

    city = find_city(path.stem)
    return (order_key(city.name if city else None), path.name)


def workbooks_in(folder: str | os.PathLike) -> list[Path]:
    """The workbooks directly inside ``folder`` (not recursive), cities in GB/T 2260 order, others by name."""
    return sorted((c for c in Path(folder).iterdir()
                   if c.is_file() and c.suffix.lower() in WORKBOOK_SUFFIXES and not skipped_in_folder(c)),
                  key=_order)
