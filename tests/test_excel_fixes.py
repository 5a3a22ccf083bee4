"""采纳建议 and 撤销采纳 through xlwings' own Book objects, called exactly as RunPython calls them.

Each click runs on a remote-engine ``xw.Book`` built from a seed city workbook (``xl-tools import-annex``); its
recorded actions are replayed onto an openpyxl copy and compared with what ``xl-tools validate --fix`` writes.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest

import xlwings_harness as h
import xl_tools.excel as x
from xl_tools.cli import main as cli
from xl_tools.excel.logs import LOG_ENV
from xl_tools.rules import validate_forms
from xl_tools.workbook import fixes as F
from xl_tools.workbook import marks as M
from xl_tools.workbook.layout import RESULT_SHEET
from xl_tools.workbook.reader import read_forms

FIXED = ("深圳", "珠海", "佛山")            # the seed cities with exact suggestions (广州 has none)


@pytest.fixture(scope="module")
def seed_books(seed_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed_cities")
    assert cli(["import-annex", str(seed_path), "-o", str(folder)]) == 0
    return folder


@pytest.fixture(autouse=True)
def quiet_log(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "log"))
    yield
    h.clear_mock_caller()


@pytest.fixture()
def work(tmp_path, seed_books):
    def copy(city: str):
        target = tmp_path / f"{city}.xlsx"
        shutil.copy(seed_books / f"{city}.xlsx", target)
        return target
    return copy


def form_values(path) -> dict:
    """Every value of every form sheet (not our reserved sheets): sheet → {A1: value}."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets if not ws.title.startswith(RESULT_SHEET)}


def looks(path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title.startswith(RESULT_SHEET):
            continue
        for row in ws.iter_rows():
            for cell in row:
                fill = h.cell_fill(ws, cell.coordinate)
                if cell.comment is not None or fill is not None:
                    out[(ws.title, cell.coordinate)] = (fill, cell.comment.text if cell.comment else None)
    return out


def sheet_rows(path, title) -> list[list]:
    wb = openpyxl.load_workbook(path)
    if title not in wb.sheetnames:
        return []
    return [[c.value for c in row] for row in wb[title].iter_rows()]


def exact_of(path) -> dict:
    report = validate_forms(read_forms(path))
    return {(f.sheet, f.cell): f.fix_value for f in report.findings if f.fix_value}


@pytest.mark.parametrize("city", FIXED)
def test_apply_writes_the_exact_suggestions_like_the_cli(city, work, tmp_path, capsys):
    source = work(city)
    exact = exact_of(source)
    book, replayed, outcome = h.click(x.apply_fixes, source, tmp_path / "clicked.xlsx")

    before, after = form_values(source), form_values(replayed.path)
    changed = {(s, c): after[s].get(c) for s in before for c in set(before[s]) | set(after[s])
               if before[s].get(c) != after[s].get(c)}
    assert changed == exact and exact
    for (sheet, cell), value in exact.items():
        fill, note = looks(replayed.path)[(sheet, cell)]
        assert fill == "#" + F.FIX_FILL
        assert note.startswith(f"{F.NOTE_HEAD}原值：") and f"→ 新值：{value}" in note
    # Re-validated: the list holds the findings left, then the changes; the memory holds the originals.
    results = sheet_rows(replayed.path, RESULT_SHEET)
    assert [r[5] for r in results if r[1] == F.FIX_LABEL] == [c for _, c in sorted(exact)]
    assert len([r for r in results if r[1] in ("错误", "警告")]) == len(outcome.report.findings)
    assert not [f for f in outcome.report.findings if f.fix_value]
    memory = sheet_rows(replayed.path, F.FIX_SHEET)
    assert [(r[0], r[1]) for r in memory[1:]] == sorted(exact)
    assert [r[2] for r in memory[1:]] == [before[s][c] for s, c in sorted(exact)]
    assert openpyxl.load_workbook(replayed.path)[F.FIX_SHEET].sheet_state == "hidden"
    (alert,) = replayed.alerts
    assert alert["prompt"].startswith(f"已采纳 {len(exact)} 条建议值：")
    assert "撤销采纳" in alert["prompt"]
    assert replayed.active_sheet == RESULT_SHEET

    # The same as xl-tools validate --fix writes: values, looks, 校验结果 and both memory sheets.
    assert cli(["validate", str(source), "--fix"]) in (0, 1)
    capsys.readouterr()
    copy = source.with_name(f"{city}.修正.xlsx")
    assert form_values(copy) == after
    assert looks(copy) == looks(replayed.path)
    assert sheet_rows(copy, RESULT_SHEET) == results
    assert sheet_rows(copy, M.MARKS_SHEET) == sheet_rows(replayed.path, M.MARKS_SHEET)
    assert sheet_rows(copy, F.FIX_SHEET) == memory


def test_a_second_click_changes_nothing(work, tmp_path):
    source = work("珠海")
    _, first, _ = h.click(x.apply_fixes, source, tmp_path / "first.xlsx")
    book2, second, outcome2 = h.click(x.apply_fixes, first.path, tmp_path / "second.xlsx")
    assert outcome2.changes == []
    assert set(h.funcs_of(book2)) == {"setScreenUpdating", "alert"}       # nothing written at all
    assert second.alerts[0]["prompt"].startswith("没有可以直接采纳的建议值，工作簿未改动。")
    assert form_values(second.path) == form_values(first.path)
    assert looks(second.path) == looks(first.path)
    assert sheet_rows(second.path, F.FIX_SHEET) == sheet_rows(first.path, F.FIX_SHEET)


def test_nothing_exact_nothing_touched(work, tmp_path):
    source = work("广州")
    book, replayed, outcome = h.click(x.apply_fixes, source, tmp_path / "clicked.xlsx")
    assert outcome.changes == [] and outcome.report.findings
    assert set(h.funcs_of(book)) == {"setScreenUpdating", "alert"}
    assert "请点“校验”查看" in replayed.alerts[0]["prompt"]


@pytest.mark.parametrize("city", FIXED)
def test_undo_restores_every_original_value(city, work, tmp_path):
    source = work(city)
    _, applied, _ = h.click(x.apply_fixes, source, tmp_path / "applied.xlsx")
    book, undone, outcome = h.click(x.undo_fixes, applied.path, tmp_path / "undone.xlsx")

    assert form_values(undone.path) == form_values(source)
    assert len(outcome.changes) == len(exact_of(source)) and outcome.kept == []
    assert F.FIX_SHEET not in openpyxl.load_workbook(undone.path).sheetnames
    # Validated again as it now reads: the same marks and list as a plain 校验 click on the original.
    _, validated, _ = h.click(x.validate, source, tmp_path / "validated.xlsx")
    assert looks(undone.path) == looks(validated.path)
    assert sheet_rows(undone.path, RESULT_SHEET) == sheet_rows(validated.path, RESULT_SHEET)
    assert undone.alerts[0]["prompt"] == f"已撤销采纳：{len(outcome.changes)} 个单元格恢复为原值，并已重新校验。"

    # 清除标记 after that leaves the original workbook: values and looks.
    _, cleared, _ = h.click(x.clear_marks, undone.path, tmp_path / "cleared.xlsx")
    assert form_values(cleared.path) == form_values(source)
    assert looks(cleared.path) == looks(source)
    assert openpyxl.load_workbook(cleared.path).sheetnames == openpyxl.load_workbook(source).sheetnames


def test_undo_in_excel_of_the_clis_copy(work, tmp_path, capsys):
    """A copy written by ``validate --fix`` is undone by the ribbon (the memory sheet has one format)."""
    source = work("佛山")
    assert cli(["validate", str(source), "--fix"]) in (0, 1)
    capsys.readouterr()
    copy = source.with_name("佛山.修正.xlsx")
    _, undone, outcome = h.click(x.undo_fixes, copy, tmp_path / "undone.xlsx")
    assert len(outcome.changes) == 2
    assert form_values(undone.path) == form_values(source)


def test_a_value_changed_after_apply_is_kept_by_undo(work, tmp_path):
    source = work("珠海")
    _, applied, _ = h.click(x.apply_fixes, source, tmp_path / "applied.xlsx")
    wb = openpyxl.load_workbook(applied.path)
    wb["珠海"]["E17"] = "≥4期"                             # the user edits a changed cell in Excel
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    _, undone, outcome = h.click(x.undo_fixes, edited, tmp_path / "undone.xlsx")
    assert [c.cell for c in outcome.changes] == ["E19"] and [c.cell for c in outcome.kept] == ["E17"]
    values = form_values(undone.path)["珠海"]
    assert values["E17"] == "≥4期" and values["E19"] == form_values(source)["珠海"]["E19"]
    assert "珠海!E17 在采纳后又被修改过，保留了您改的内容" in undone.alerts[0]["prompt"]
    assert (looks(undone.path).get(("珠海", "E17")) or (None, None))[0] != "#" + F.FIX_FILL


def test_undo_with_nothing_to_undo(work, tmp_path):
    book, replayed, outcome = h.click(x.undo_fixes, work("广州"), tmp_path / "out.xlsx")
    assert replayed.alerts[0]["prompt"] == "没有可以撤销的采纳建议"
    assert set(h.funcs_of(book)) == {"setScreenUpdating", "alert"}


def test_validate_after_apply_keeps_the_fixes_look_and_clear_marks_keeps_the_fixes(work, tmp_path):
    """校验 and 清除标记 after 采纳建议: the changed cells stay green with their note, undo still works."""
    source = work("深圳")
    _, applied, _ = h.click(x.apply_fixes, source, tmp_path / "applied.xlsx")
    _, validated, _ = h.click(x.validate, applied.path, tmp_path / "validated.xlsx")
    _, cleared, _ = h.click(x.clear_marks, validated.path, tmp_path / "cleared.xlsx")
    fill, note = looks(cleared.path)[("深圳", "E19")]
    assert fill == "#" + F.FIX_FILL and note.startswith(F.NOTE_HEAD)
    assert form_values(cleared.path)["深圳"]["E19"] == "≥1个"
    _, undone, _ = h.click(x.undo_fixes, cleared.path, tmp_path / "undone.xlsx")
    assert form_values(undone.path) == form_values(source)
