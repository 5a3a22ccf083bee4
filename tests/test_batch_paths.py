"""Batch inputs named more than once are read once (the set-based dedupe of ``expand_paths``)."""

from __future__ import annotations

import os

import pytest

from xl_tools.jobs.consolidate import expand_paths


@pytest.fixture()
def folder(tmp_path):
    d = tmp_path / "各地市"
    d.mkdir()
    for name in ("广州.xlsx", "深圳.xlsx", "~$广州.xlsx", "说明.txt"):
        (d / name).write_bytes(b"PK")
    return d


def test_each_workbook_once_however_it_is_named(folder, tmp_path):
    link = tmp_path / "链接.xlsx"
    os.symlink(folder / "深圳.xlsx", link)
    hard = tmp_path / "硬链接.xlsx"
    os.link(folder / "广州.xlsx", hard)
    found = expand_paths([folder, folder / "广州.xlsx", str(folder / "深圳.xlsx"), link, hard, folder])
    assert [p.name for p in found] == ["广州.xlsx", "深圳.xlsx"]


def test_excluded_output_and_distinct_files_kept(folder, tmp_path):
    other = tmp_path / "其他" / "广州.xlsx"          # same name, another file
    other.parent.mkdir()
    other.write_bytes(b"PK")
    found = expand_paths([folder, other], exclude=[folder / "深圳.xlsx"])
    assert found == [folder / "广州.xlsx", other]


def test_many_files_stay_in_order(tmp_path):
    names = [f"{i:04d}.xlsx" for i in range(500)]
    for name in names:
        (tmp_path / name).write_bytes(b"PK")
    assert [p.name for p in expand_paths([tmp_path, tmp_path / names[7]])] == names
