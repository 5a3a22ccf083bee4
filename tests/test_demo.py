"""The README's main job: ``xl-tools demo`` imports the bundled annex, validates and consolidates the four cities."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd

from xl_tools.annex import bundled_annex_path
from xl_tools.workbook.reader import read_forms


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xl_tools", *args], capture_output=True, text=True, encoding="utf-8")


def test_demo_writes_cities_marked_copies_and_summary(tmp_path, seed_path):
    bundled = bundled_annex_path()
    assert bundled.read_bytes() == seed_path.read_bytes(), "the bundled annex must be the published seed, unedited"
    before = hashlib.sha256(bundled.read_bytes()).hexdigest()

    out = tmp_path / "结果"
    done = _run("demo", "-o", str(out))
    assert done.returncode == 0, done.stderr
    cities = ["广州", "深圳", "珠海", "佛山"]
    for city in cities:
        assert (out / "地市" / f"{city}.xlsx").is_file()
        assert (out / "地市" / f"{city}.校验.xlsx").is_file()
        assert str(out / "地市" / f"{city}.xlsx") in done.stdout
    summary = out / "广东省汇总.xlsx"
    assert summary.is_file() and str(summary) in done.stdout
    assert "资金需求合计 790 万元" in done.stdout

    # The cities read back as forms; the summary's 汇总表 carries the total for readers that do not calculate.
    funding = {read_forms(out / "地市" / f"{c}.xlsx")[0].get("funding").text for c in cities}
    assert funding == {"460万元", "180万元", "50万元", "100万元"}
    sheet = pd.read_excel(summary, sheet_name="汇总表", header=None, engine="calamine")
    assert (sheet == 790).any().any()
    # The marked copies hold the 校验结果 list; the input annex is untouched.
    assert "校验结果" in pd.ExcelFile(out / "地市" / "深圳.校验.xlsx", engine="calamine").sheet_names
    assert hashlib.sha256(bundled.read_bytes()).hexdigest() == before


def test_demo_reads_another_annex(tmp_path):
    other = Path(__file__).parent / "data" / "annex_other.txt"
    done = _run("demo", "--annex", str(other), "-o", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    written = sorted(p.stem for p in (tmp_path / "o" / "地市").glob("*.xlsx") if ".校验" not in p.name)
    assert written and all(len(stem) >= 2 for stem in written)
    assert (tmp_path / "o" / "广东省汇总.xlsx").is_file()


def test_demo_missing_annex_is_a_clear_error(tmp_path):
    done = _run("demo", "--annex", str(tmp_path / "没有这个文件.txt"), "-o", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "没有这个文件.txt" in done.stderr and "Traceback" not in done.stderr
