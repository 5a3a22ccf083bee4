"""xl-tools validate --fix: a corrected copy beside the input, every change backed by an exact 建议值, nothing
else touched, the fixed findings gone, the input unchanged."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from fixtures_rules import base
from xl_tools.cli import main
from xl_tools.jobs.fix import fixed_copy_path
from xl_tools.workbook.fixes import FIX_SHEET
from xl_tools.workbook.inputs import workbooks_in
from xl_tools.workbook.layout import is_reserved_sheet
from xl_tools.jobs.validate import validate_files
from xl_tools.workbook.writer import write_forms

CITIES = ("广州", "深圳", "珠海", "佛山")
FIXES = {"广州": 0, "深圳": 1, "珠海": 2, "佛山": 2}


@pytest.fixture(scope="module")
def seed_books(seed_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed_cities")
    assert main(["import-annex", str(seed_path), "-o", str(folder)]) == 0
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def all_values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("city", CITIES)
def test_fix_changes_exactly_the_cells_with_exact_suggestions(city, seed_books, tmp_path, capsys):
    source = tmp_path / f"{city}.xlsx"
    shutil.copy(seed_books / f"{city}.xlsx", source)
    before_digest = digest(source)
    (before,) = validate_files([source]).tasks
    exact = {(f.sheet, f.cell): f.fix_value for f in before.findings if f.fix_value}
    assert len(exact) == FIXES[city]

    code, out, _ = run(capsys, source, "--fix")
    assert digest(source) == before_digest                          # the input is only read
    target = source.with_name(f"{city}.修正.xlsx")
    if not exact:
        assert not target.exists()
        assert "没有可以直接采纳的建议值，未另存修正副本" in out
        assert code == 1                                            # as validate on the (unchanged) file
        return
    assert target.exists()
    assert f"采纳了 {len(exact)} 条建议值，已另存为 {target}（原文件未改动）" in out

    old, new = all_values(source), all_values(target)
    # Every sheet of the input is in the copy; the copy adds only reserved (hidden or result) sheets.
    assert set(old) <= set(new) and all(is_reserved_sheet(s) for s in set(new) - set(old))
    changed = {}
    for sheet, cells in old.items():
        for pos in set(cells) | set(new[sheet]):
            if cells.get(pos) != new[sheet].get(pos):
                changed[(sheet, openpyxl.utils.get_column_letter(pos[1]) + str(pos[0]))] = new[sheet].get(pos)
    assert changed == exact                                         # each changed cell had that exact suggestion
    for (sheet, cell), value in exact.items():
        assert f"{sheet}!{cell}" in out and f"“{value}”" in out

    (after,) = validate_files([target]).tasks
    gone = {(f.code, f.cell) for f in before.findings if f.fix_value}
    assert not gone & {(f.code, f.cell) for f in after.findings}
    assert not [f for f in after.findings if f.fix_value]
    assert len(after.findings) == len(before.findings) - len(exact)
    assert code == (1 if after.errors else 0)
    assert "以下为修正副本的校验结果" in out and f"■ {target}" in out

    # A second --fix on the corrected copy has nothing to take: no new file, nothing changed.
    snapshot = digest(target)
    code2, out2, _ = run(capsys, target, "--fix")
    assert "没有可以直接采纳的建议值，未另存修正副本" in out2
    assert digest(target) == snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, target.name])
    assert code2 == code


def test_exit_code_is_the_fixed_copys(tmp_path, capsys):
    """An error whose fix is exact (预算年度 二〇二〇年): validate exits 1, --fix exits 0 on the corrected copy."""
    path = tmp_path / "广州.xlsx"
    write_forms([base(budget_year="二〇二〇年")], path)
    assert run(capsys, path)[0] == 1
    code, out, _ = run(capsys, path, "--fix")
    assert code == 0
    assert "“二〇二〇年” → “2020”" in out
    copy = path.with_name("广州.修正.xlsx")
    assert run(capsys, copy)[0] == 0
    wb = openpyxl.load_workbook(copy)
    assert wb[FIX_SHEET].sheet_state == "hidden"


def test_never_over_the_input_or_an_existing_copy(tmp_path, capsys):
    path = tmp_path / "广州.xlsx"
    write_forms([base(budget_year="二〇二〇年")], path)
    assert fixed_copy_path(path) == tmp_path / "广州.修正.xlsx"
    run(capsys, path, "--fix")
    first = tmp_path / "广州.修正.xlsx"
    first_digest = digest(first)
    run(capsys, path, "--fix")                                      # again: a second copy, the first kept
    assert digest(first) == first_digest and (tmp_path / "广州.修正(2).xlsx").exists()
    assert fixed_copy_path(first) == tmp_path / "广州.修正(3).xlsx"  # a copy's copy is not 广州.修正.修正
    # In a folder the copies are skipped, as marked copies are (a city must not count twice).
    assert [p.name for p in workbooks_in(tmp_path)] == ["广州.xlsx"]


def test_json_stays_pure_and_reports_the_copy(tmp_path, capsys):
    path = tmp_path / "广州.xlsx"
    write_forms([base(budget_year="二〇二〇年")], path)
    code, out, err = run(capsys, path, "--fix", "--json")
    data = json.loads(out)
    assert code == 0
    assert [f["path"] for f in data["files"]] == [str(tmp_path / "广州.修正.xlsx")]
    assert data["files"][0]["errors"] == 0
    assert "采纳了 1 条建议值" in err and "“二〇二〇年” → “2020”" in err


def test_unreadable_file_is_reported_and_others_fixed(tmp_path, capsys):
    good = tmp_path / "广州.xlsx"
    write_forms([base(budget_year="二〇二〇年")], good)
    bad = tmp_path / "深圳.xlsx"
    bad.write_bytes(b"")
    code, out, _ = run(capsys, good, bad, "--fix")
    assert code == 2
    assert (tmp_path / "广州.修正.xlsx").exists() and not (tmp_path / "深圳.修正.xlsx").exists()
    assert "未采纳建议" in out
