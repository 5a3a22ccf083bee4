"""Reading and checking in worker processes gives exactly what one process gives (xl_tools.jobs.pool)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_fixtures import seed_inputs_folder

from xl_tools.cli import main
from xl_tools.jobs.consolidate import check_and_consolidate
from xl_tools.errors import InputError, NotAFormError
from xl_tools.jobs.pool import AUTO_MIN_FILES, resolve_jobs
from xl_tools.jobs.validate import validate_files


CITIES = ("广州", "深圳", "珠海", "佛山")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Seed cities twice over (a second workbook per city: duplicate-city) and one broken file, 9 files."""
    return seed_inputs_folder(tmp_path_factory.mktemp("pool"), resubmitted=CITIES, broken=b"PK\x03\x04 truncated")


def _cons_view(cons) -> tuple:
    return (cons.to_json(), [f.to_dict() for f in cons.findings], cons.counted, cons.sources)


def test_two_workers_give_the_same_report_and_consolidation(folder):
    one_report, one_cons = check_and_consolidate([folder], jobs=1)
    two_report, two_cons = check_and_consolidate([folder], jobs=2)
    assert two_report.to_json_dict() == one_report.to_json_dict()
    assert _cons_view(two_cons) == _cons_view(one_cons)
    assert len(one_report.tasks) == 9 and not one_report.readable    # 8 forms and one unreadable file
    assert any(f.code == "duplicate-city" for f in one_cons.findings)


def test_validate_files_with_workers_keeps_order_and_problems(folder, tmp_path):
    missing = tmp_path / "不存在.xlsx"
    paths = [folder, missing]
    one = validate_files(paths, jobs=1)
    two = validate_files(paths, jobs=2)
    assert two.to_json_dict() == one.to_json_dict()
    assert [t.path for t in two.tasks] == [t.path for t in one.tasks]
    assert two.tasks[-1].path == str(missing) and two.tasks[-1].codes() == ["not-a-form"]


def test_cli_writes_the_same_workbook_with_any_number_of_jobs(folder, tmp_path, capsys):
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "j1.xlsx"), "-j", "1"]) == 1   # 重报: duplicate
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "j2.xlsx"), "--jobs", "2"]) == 1
    assert (tmp_path / "j1.xlsx").read_bytes() == (tmp_path / "j2.xlsx").read_bytes()
    capsys.readouterr()
    main(["validate", str(folder), "-j", "2", "--json"])
    parallel = capsys.readouterr().out
    main(["validate", str(folder), "-j", "1", "--json"])
    assert capsys.readouterr().out == parallel


def test_errors_cross_the_process_boundary_whole():
    error = NotAFormError("工作簿已损坏：请另存为 .xlsx 后再试", path="广州.xlsx", sheet="广州", cell="B3")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is NotAFormError
    assert (back.message, back.path, back.sheet, back.cell, str(back)) == (
        error.message, error.path, error.sheet, error.cell, str(error))
    assert type(pickle.loads(pickle.dumps(InputError("x", path="p")))) is InputError


_FALLBACK_SCRIPT = """
import json, logging, multiprocessing, sys
from xl_tools.jobs.pool import read_many
logging.basicConfig(stream=sys.stderr)
paths = sys.argv[2:]
def view(results):
    return [(r.path, r.error is None, [rep.to_dict() for rep in r.reports or ()]) for r in results]
expected = view(read_many(paths, jobs=1))
multiprocessing.set_executable(sys.argv[1])      # workers cannot start: this program does not exist
got = view(read_many(paths, jobs=2))
print(json.dumps({"same": got == expected, "files": len(got)}))
"""


def test_workers_that_cannot_start_fall_back_to_this_process(folder, tmp_path):
    """A Python that cannot spawn workers (embedded, frozen, a broken executable path) still gets its results.

    Run in a fresh interpreter: a broken spawn executable must not leak into the other tests' pools.
    """
    paths = [str(p) for p in sorted(folder.iterdir())]
    proc = subprocess.run([sys.executable, "-c", _FALLBACK_SCRIPT, str(tmp_path / "no-python-here"), *paths],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"same": True, "files": len(paths)}
    assert "无法启动多个工作进程" in proc.stderr      # the failure really happened and was noted


def test_automatic_jobs_only_for_big_batches():
    assert resolve_jobs(0, AUTO_MIN_FILES - 1) == 1
    assert resolve_jobs(None, 5) == 1
    assert 1 <= resolve_jobs(0, 10_000) <= 8
    assert resolve_jobs(3, 10_000) == 3
    assert resolve_jobs(4, 2) == 2          # never more workers than files
