"""One rule for which files in a folder are city workbooks, shared by validate and consolidate."""

from __future__ import annotations

import subprocess
import sys

from xl_tools.annex import bundled_annex_path, import_annex
from xl_tools.jobs.consolidate import expand_paths
from xl_tools.workbook.inputs import is_marked_copy, skipped_in_folder, workbooks_in
from xl_tools.jobs.validate import collect_workbooks


def test_marked_copies_and_lock_files_are_skipped_in_folders(tmp_path):
    for name in ("佛山.xlsx", "广州.xlsx", "广州.校验.xlsx", "广州.校验(2).xlsx", "~$深圳.xlsx", ".~珠海.xlsx",
                 "说明.txt", "其他.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    expected = ["广州.xlsx", "佛山.xlsx", "其他.xlsx"]       # cities in GB/T 2260 order, then the rest
    assert [p.name for p in workbooks_in(tmp_path)] == expected
    assert [p.name for p in expand_paths([tmp_path])] == expected
    assert [p.rsplit("/", 1)[-1] for p, _ in collect_workbooks([tmp_path])] == expected
    assert is_marked_copy(tmp_path / "广州.校验(2).xlsx") and skipped_in_folder(tmp_path / "~$深圳.xlsx")


def test_consolidating_a_folder_after_annotate_counts_each_city_once(tmp_path):
    folder = tmp_path / "各地市"
    import_annex(bundled_annex_path(), folder)
    run = [sys.executable, "-m", "xl_tools"]
    subprocess.run([*run, "validate", str(folder), "--annotate"], capture_output=True, check=False)
    assert (folder / "广州.校验.xlsx").is_file()
    done = subprocess.run([*run, "consolidate", str(folder), "-o", str(tmp_path / "汇总.xlsx")],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "duplicate-city" not in done.stdout and "资金需求合计 790 万元" in done.stdout
