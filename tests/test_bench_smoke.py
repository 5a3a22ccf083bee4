"""The benchmark tools run end to end at a tiny size (no timing is asserted: figures vary by machine).

The generator's workbooks must read back as valid forms (both engines, equal Forms) with the planted
mistakes found by 校验; ``bench/run.py`` must measure every column, ratio and the button in fresh processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402


def test_generated_workbooks_read_back_as_valid_forms(tmp_path):
    from xl_tools.domain.cities import city_names
    from xl_tools.domain.schema import check_form
    from xl_tools.workbook.reader import read_forms
    from xl_tools.jobs.validate import validate_files

    out = tmp_path / "books"
    done = subprocess.run([sys.executable, str(BENCH / "generate.py"), "3", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    files = sorted(out.glob("*.xlsx"))
    assert [f.name for f in files] == sorted(generate.workbook_name(i) for i in range(3))
    for i, path in enumerate(sorted(files, key=lambda p: p.name[-9:])):
        forms = read_forms(path, engine="calamine")
        assert forms == read_forms(path, engine="openpyxl")
        _, planned = generate.workbook_forms(i)
        assert 2 <= len(forms) == len(planned) <= 4                  # several project sheets per workbook
        for form, plan in zip(forms, planned):
            check_form(form)
            assert form.city == city_names()[i]
            assert len(form.rows) == generate.ROWS_PER_FORM
            assert form.get("local_department").text == f"{form.city}市市场监督管理局"
            assert [r.level3.text for r in form.rows] == [r.level3.text for r in plan.indicators]
            for key in ("project_name", "budget_year", "funding", "expenditure", "policy_basis", "overall_goal"):
                assert form.get(key).text == plan.get(key).text, key
            assert any("\u4e00" <= ch <= "\u9fff" for ch in form.get("expenditure").text)   # Chinese text
    report = validate_files([out])
    assert len(report.tasks) == sum(len(generate.workbook_forms(i)[1]) for i in range(3))
    assert report.warnings > 0                                       # vague values are realistic, and found


def test_planted_mistakes_are_found():
    import random

    from xl_tools.rules import validate_form

    clean = generate.make_form("广州", random.Random(1))
    broken = generate.make_form("广州", random.Random(1), mistakes=("blank-year", "bad-level2", "missing-level1"))
    clean_codes = {f.code for f in validate_form(clean).findings if f.severity == "error"}
    broken_errors = [f for f in validate_form(broken).findings if f.severity == "error"]
    new = {f.code for f in broken_errors} - clean_codes
    assert len(new) >= 2, broken_errors
    assert any(f.code == "missing-field" and f.field == "预算年度" for f in broken_errors)
    assert any(f.code == "invalid-level2" for f in broken_errors)


def test_pool_is_cached_and_size_folders_hold_exactly_n(tmp_path):
    cache = tmp_path / "cache"
    first = generate.ensure_pool(cache, 2, workers=1, log=lambda m: None)
    stamp = [p.stat().st_mtime_ns for p in first]
    folder = generate.size_folder(cache, 2, workers=1, log=lambda m: None)
    assert sorted(p.name for p in folder.glob("*.xlsx")) == sorted(p.name for p in first)
    assert [p.stat().st_mtime_ns for p in generate.ensure_pool(cache, 2, log=lambda m: None)] == stamp
    one = generate.size_folder(cache, 1, log=lambda m: None)
    assert len(list(one.glob("*.xlsx"))) == 1


def test_run_script_prints_every_measurement_ratio_and_the_button(tmp_path):
    out = tmp_path / "result.json"
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--sizes", "2,3", "--repeats", "1",
                           "--cache", str(tmp_path / "cache"), "--json", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for column in ("文件数", "测量", "CPU秒", "墙钟秒", "文件/秒", "毫秒/文件", "峰值内存MB"):
        assert column in text
    for label in ("下限 calamine 解析", "朴素 openpyxl 遍历"):
        assert text.count(label) >= 3, label                         # two sizes in the table, plus growth
    jobs = max(1, min(os.cpu_count() or 1, 8))                      # the parallel row runs where there are cores
    labels = ["校验 validate", "汇总 consolidate", "校验+汇总（两条命令）", "校验+汇总（一次读取，如 demo）"]
    if jobs > 1:
        labels.append(f"校验+汇总（一次读取，{jobs} 进程）")
    for label in labels:
        assert text.count(label) >= 5, label                         # table, ratios (two sizes each), growth
    ratios = [line.split() for line in text.splitlines() if line.endswith("×") and line.split()[0] in ("2", "3")]
    assert len(ratios) == 2 * len(labels)
    assert all(len([c for c in r if c.endswith("×")]) == 4 for r in ratios)     # CPU and wall, both ratios
    assert "ours/floor" in text and "naive/ours" in text
    assert "增长（毫秒/文件" in text and "峰值内存（3 个文件" in text
    assert "import xlwings" in text and "校验 click" in text and "相差：墙钟" in text

    data = json.loads(out.read_text(encoding="utf-8"))
    kinds = {(r["files"], r["kind"]) for r in data["batch"]}
    expected = ("floor", "naive", "validate", "consolidate", "ours", "demo") + (("parallel",) if jobs > 1 else ())
    assert kinds == {(n, k) for n in (2, 3) for k in expected}
    for row in data["batch"]:
        assert row["cpu"] > 0 and row["wall"] > 0 and row["peak_mb"] > 10, row
        if row["kind"] in ("floor", "naive"):
            assert row["cells"] > 0
    three = {r["kind"]: r for r in data["batch"] if r["files"] == 3}
    for kind in ("validate", "consolidate", "demo"):              # batch commands read with the fast engine
        assert three[kind]["engines_used"] == ["calamine"], three[kind]
    assert "校验/汇总实际使用的读取引擎：calamine" in text
    assert three["validate"]["files"] == 3 and three["validate"]["findings"] > 0
    assert three["consolidate"]["cities"] == 3 and three["consolidate"]["output_mb"] > 0
    assert three["demo"]["cities"] == 3 and three["demo"]["findings"] == three["validate"]["findings"]
    if jobs > 1:                                                     # same answer with workers; their CPU counted
        assert three["parallel"]["findings"] == three["demo"]["findings"] and three["parallel"]["jobs"] == jobs
        assert three["parallel"]["worker_peak_mb"] > 10
        assert three["parallel"]["peak_mb"] >= three["parallel"]["own_peak_mb"]    # all processes, not just one
    assert data["button"]["findings"] > 0                            # the click really validated the workbook
    assert data["button"]["bare"]["peak_mb"] > 0 and data["button"]["click"]["peak_mb"] > 0


@pytest.mark.parametrize("bad", ["0", "x"])
def test_generator_refuses_nonsense_counts(tmp_path, bad):
    done = subprocess.run([sys.executable, str(BENCH / "generate.py"), bad, "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0
