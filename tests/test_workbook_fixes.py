"""采纳建议 on openpyxl workbooks (xl_tools.workbook.fixes): the plan, the written cells, the memory, undo."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from fixtures_rules import CASES
from xl_tools.annex import read_annex, write_city_workbooks
from xl_tools.rules import validate_forms
from xl_tools.workbook import fixes as F
from xl_tools.workbook import marks as M
from xl_tools.workbook.layout import RESULT_SHEET
from xl_tools.workbook.reader import read_forms
from xl_tools.workbook.celltext import write_text_cell
from xl_tools.workbook.writer import write_forms

CITIES = ("广州", "深圳", "珠海", "佛山")


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory, seed_path) -> Path:
    out = tmp_path_factory.mktemp("seed")
    write_city_workbooks(read_annex(seed_path), out)
    return out


def fill_of(cell) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid" or not isinstance(fill.start_color.rgb, str):
        return None
    return fill.start_color.rgb[-6:].upper()


def values(wb) -> dict:
    """Every cell value of every sheet: sheet → {A1: value} (empty cells left out)."""
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


def looks(wb) -> dict:
    return {(ws.title, c.coordinate): (fill_of(c), c.comment.text if c.comment else None)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.comment is not None or fill_of(c) is not None}


def fixed(path: Path):
    wb = openpyxl.load_workbook(path)
    plan, remembered = F.fix_workbook(wb, read_forms(path))
    return wb, plan, remembered


def test_plan_takes_only_exact_suggestions(seed_dir):
    for city in CITIES:
        plan = F.plan_fixes(read_forms(seed_dir / f"{city}.xlsx"))
        exact = {(f.sheet, f.cell): f.fix_value for f in plan.before.findings if f.fix_value}
        assert {ch.key: ch.new for ch in plan.changes} == exact
        gone = {(f.code, f.cell) for f in plan.before.findings if f.fix_value}
        assert not gone & {(f.code, f.cell) for f in plan.report.findings}
        assert not [f for f in plan.report.findings if f.fix_value]          # nothing left to take
    assert len(F.plan_fixes(read_forms(seed_dir / "珠海.xlsx")).changes) == 2


def test_plan_goes_on_until_nothing_exact_is_left():
    """A sentence's target taken first, then raised to the 总体绩效目标 (goal-target-weaker) in the next round."""
    case = next(c for c in CASES if c.name == "goal-target-weaker")     # goal: at least 2 reports; table: 1份
    cell = case.form.indicators[0].value.cell
    form = F.with_values(case.form, {cell: "形成研究报告1份，供决策参考"})
    assert [f.code for f in validate_forms([form]).findings] == ["goal-target-weaker", "value-in-sentence"]
    plan = F.plan_fixes([form])
    assert [(ch.cell, ch.old, ch.new, ch.code) for ch in plan.changes] == [
        (cell, "形成研究报告1份，供决策参考", "≥2份", "goal-target-weaker")]
    assert plan.report.findings == []


def test_written_cells_notes_memory_and_result_rows(seed_dir, tmp_path):
    source = seed_dir / "珠海.xlsx"
    wb, plan, remembered = fixed(source)
    ws = wb["珠海"]
    assert [(ch.cell, ch.new) for ch in remembered] == [("E17", "≥3期"), ("E19", "≥1个")]
    for ch in remembered:
        cell = ws[ch.cell]
        assert cell.value == ch.new and cell.data_type == "s"
        assert fill_of(cell) == F.FIX_FILL
        assert cell.comment.text.startswith(f"【采纳建议】原值：{ch.old_text} → 新值：{ch.new}")
        assert "撤销采纳" in cell.comment.text
    memory = [list(r) for r in wb[F.FIX_SHEET].iter_rows(values_only=True)]
    assert memory[0] == list(F.FIX_COLUMNS) and wb[F.FIX_SHEET].sheet_state == "hidden"
    assert [r[:4] for r in memory[1:]] == [["珠海", "E17", "出版至少3期技术类相关刊物。", "≥3期"],
                                            ["珠海", "E19", ch.old, "≥1个"]]
    results = [[c.value for c in row] for row in wb[RESULT_SHEET].iter_rows()]
    fix_rows = [r for r in results if r[1] == F.FIX_LABEL]
    assert [(r[5], r[8], r[9]) for r in fix_rows] == [("E17", "≥3期", "value-in-sentence"),
                                                      ("E19", "≥1个", "value-in-sentence")]
    assert any(r[2] == "已采纳的建议（2 处）" for r in results)
    finding_rows = [r for r in results if r[1] in ("错误", "警告")]
    assert len(finding_rows) == len(plan.report.findings) == len(plan.before.findings) - 2
    # The marks of the remaining findings are on, the fixed cells are green (no finding left on them).
    marked = {m.cell for m in M.cell_marks(plan.report.findings)}
    assert marked and not marked & {"E17", "E19"}


def test_a_second_application_changes_nothing(seed_dir, tmp_path):
    wb, _, remembered = fixed(seed_dir / "佛山.xlsx")
    first = tmp_path / "first.xlsx"
    wb.save(first)
    wb2, plan2, remembered2 = fixed(first)
    assert plan2.changes == []
    assert remembered2 == remembered
    second = tmp_path / "second.xlsx"
    wb2.save(second)
    assert values(openpyxl.load_workbook(second)) == values(openpyxl.load_workbook(first))
    assert looks(openpyxl.load_workbook(second)) == looks(openpyxl.load_workbook(first))


def test_undo_restores_values_and_looks(seed_dir, tmp_path):
    source = tmp_path / "深圳.xlsx"
    wb = openpyxl.load_workbook(seed_dir / "深圳.xlsx")
    wb["深圳"]["E19"].fill = PatternFill("solid", fgColor="FFDDEEFF")      # the user's own look on the cell
    wb["深圳"]["E19"].comment = Comment("请科室核对", "李")
    wb.save(source)
    wb, plan, remembered = fixed(source)
    assert [ch.key for ch in remembered] == [("深圳", "E19")]
    assert wb["深圳"]["E19"].comment.text.endswith("—— 原批注 ——\n请科室核对")
    out = tmp_path / "fixed.xlsx"
    wb.save(out)

    back = openpyxl.load_workbook(out)
    restored, kept = F.undo_fixes(back)
    assert [ch.key for ch in restored] == [("深圳", "E19")] and kept == []
    original = openpyxl.load_workbook(source)
    assert back.sheetnames == original.sheetnames
    assert values(back) == values(original)
    assert looks(back) == looks(original)
    assert looks(back)[("深圳", "E19")] == ("DDEEFF", "请科室核对")


def test_a_cell_taken_again_keeps_its_first_original(seed_dir, tmp_path):
    """The user rewrites a changed cell as another sentence and takes the new suggestion too: the memory keeps
    the value and look from before the first 采纳建议, so the note and 撤销采纳 go back to that."""
    source = tmp_path / "深圳.xlsx"
    wb = openpyxl.load_workbook(seed_dir / "深圳.xlsx")
    first_value = wb["深圳"]["E19"].value
    wb["深圳"]["E19"].comment = Comment("请科室核对", "李")
    wb.save(source)
    wb, _, remembered = fixed(source)
    assert [(ch.key, ch.new) for ch in remembered] == [(("深圳", "E19"), "≥1个")]
    wb["深圳"]["E19"] = "完成至少2个研究课题。"
    edited = tmp_path / "再改.xlsx"
    wb.save(edited)

    wb, plan, remembered = fixed(edited)
    assert [(ch.old, ch.new) for ch in plan.changes] == [("完成至少2个研究课题。", "≥2个")]
    assert [(ch.key, ch.old, ch.new, ch.note) for ch in remembered] == [
        (("深圳", "E19"), first_value, "≥2个", "请科室核对")]
    assert wb["深圳"]["E19"].comment.text.startswith(f"【采纳建议】原值：{F.Change('', '', first_value, '', '').old_text}")
    restored, kept = F.undo_fixes(wb)
    assert [ch.key for ch in restored] == [("深圳", "E19")] and kept == []
    assert wb["深圳"]["E19"].value == first_value
    assert wb["深圳"]["E19"].comment.text == "请科室核对" and fill_of(wb["深圳"]["E19"]) is None


def test_undo_keeps_a_value_the_user_changed_since(seed_dir, tmp_path):
    wb, _, remembered = fixed(seed_dir / "珠海.xlsx")
    wb["珠海"]["E17"] = "≥4期"
    restored, kept = F.undo_fixes(wb)
    assert [ch.cell for ch in restored] == ["E19"] and [ch.cell for ch in kept] == ["E17"]
    assert wb["珠海"]["E17"].value == "≥4期" and fill_of(wb["珠海"]["E17"]) is None
    assert wb["珠海"]["E17"].comment is None
    assert F.FIX_SHEET not in wb.sheetnames


@pytest.mark.parametrize("original", [2021, "=2021"])
def test_numbers_and_formula_like_text_come_back_as_they_were(original, tmp_path):
    """An original number stays a number, and ``=…`` text stays text (not a formula), through the memory sheet."""
    form = next(c for c in CASES if c.name == "value-without-unit year").form
    path = tmp_path / "广州.xlsx"
    write_forms([form], path)
    (finding,) = validate_forms(read_forms(path)).findings
    wb = openpyxl.load_workbook(path)
    write_text_cell(wb.worksheets[0][finding.cell], original)      # "=2021" as text, as a city types it
    wb.save(path)
    wb, plan, remembered = fixed(path)
    assert [(ch.cell, ch.old, ch.new) for ch in remembered] == [(finding.cell, original, "2021年")]
    saved = tmp_path / "fixed.xlsx"
    wb.save(saved)
    memory = openpyxl.load_workbook(saved)[F.FIX_SHEET]["C2"]
    assert memory.value == original and memory.data_type == ("n" if original == 2021 else "s")
    again = openpyxl.load_workbook(saved)
    F.undo_fixes(again)
    again.save(tmp_path / "undone.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "undone.xlsx").worksheets[0][finding.cell]
    assert cell.value == original and cell.data_type == ("n" if original == 2021 else "s")
