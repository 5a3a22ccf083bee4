"""校验 and 清除标记 through xlwings' own Book objects, called exactly as RunPython calls them.

Each click runs on a remote-engine ``xw.Book`` built from a real .xlsx (the seed city workbooks made by
``xl-tools import-annex``); its recorded actions are replayed onto an openpyxl copy and compared with what
``xl-tools validate --annotate`` writes for the same file.
"""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

import xlwings_harness as h
import xl_tools.excel as x
from xl_tools.cli import main as cli
from xl_tools.excel.logs import LOG_ENV
from xl_tools.workbook import marks as M
from xl_tools.workbook.layout import RESULT_SHEET

CITIES = ("广州", "深圳", "珠海", "佛山")
MARK_FILLS = {"#" + c for c in M.FILLS.values()}


@pytest.fixture(scope="module")
def seed_books(seed_path, tmp_path_factory):
    """The four city workbooks imported from the published annex."""
    folder = tmp_path_factory.mktemp("seed_cities")
    assert cli(["import-annex", str(seed_path), "-o", str(folder)]) == 0
    return {city: folder / f"{city}.xlsx" for city in CITIES}


@pytest.fixture(autouse=True)
def quiet_log(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "log"))
    yield
    h.clear_mock_caller()


@pytest.fixture()
def work(tmp_path, seed_books):
    """A private copy of one city workbook per test (inputs are never touched)."""
    def copy(city: str):
        target = tmp_path / f"{city}.xlsx"
        shutil.copy(seed_books[city], target)
        return target
    return copy


def looks(path) -> dict:
    """Every marked cell of the form sheets: (sheet, cell) → (fill, note text)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title.startswith(RESULT_SHEET):
            continue
        for row in ws.iter_rows():
            for cell in row:
                fill = h.cell_fill(ws, cell.coordinate)
                if cell.comment is not None or fill in MARK_FILLS:
                    out[(ws.title, cell.coordinate)] = (fill, cell.comment.text if cell.comment else None)
    return out


def sheet_rows(path, title) -> list[list]:
    wb = openpyxl.load_workbook(path)
    if title not in wb.sheetnames:
        return []
    return [[c.value for c in row] for row in wb[title].iter_rows()]


def links(path) -> list[tuple[str, str]]:
    ws = openpyxl.load_workbook(path)[RESULT_SHEET]
    return [(c.coordinate, c.hyperlink.location) for row in ws.iter_rows() for c in row if c.hyperlink]


def form_values(path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets if not ws.title.startswith(RESULT_SHEET)}


def annotate(path):
    """``xl-tools validate --annotate`` on ``path``: the marked copy and the JSON findings."""
    code = cli(["validate", "--annotate", str(path)])
    assert code in (0, 1)
    marked = path.with_name(f"{path.stem}.校验{path.suffix}")
    assert marked.exists()
    return marked


def cli_findings(path, capsys) -> list[tuple]:
    capsys.readouterr()
    cli(["validate", "--json", str(path)])
    data = json.loads(capsys.readouterr().out)
    return sorted((f["sheet"], f["cell"], f["code"]) for file in data["files"] for f in file["findings"])


@pytest.mark.parametrize("city", CITIES)
def test_marks_are_the_cli_annotations_on_the_same_cells(city, work, tmp_path, capsys):
    source = work(city)
    book, replayed, click = h.click(x.validate, source, tmp_path / "clicked.xlsx")
    marked = annotate(source)

    assert sorted(map(tuple, click.report.flatten(["sheet", "cell", "code"]))) == cli_findings(source, capsys)
    assert looks(replayed.path) == looks(marked)
    assert looks(replayed.path)                                   # the seed tables all have findings
    assert sheet_rows(replayed.path, RESULT_SHEET) == sheet_rows(marked, RESULT_SHEET)
    assert links(replayed.path) == links(marked)
    assert sheet_rows(replayed.path, M.MARKS_SHEET) == sheet_rows(marked, M.MARKS_SHEET)
    assert openpyxl.load_workbook(replayed.path)[M.MARKS_SHEET].sheet_state == "hidden"

    report = click.report
    (alert,) = replayed.alerts
    assert alert["prompt"] == f"校验完成：{report.errors} 个错误，{report.warnings} 个警告，详见“校验结果”表"
    assert replayed.active_sheet == RESULT_SHEET


def test_values_are_never_changed(work, tmp_path):
    source = work("广州")
    book, replayed, _ = h.click(x.validate, source, tmp_path / "clicked.xlsx")
    form_positions = {i for i, s in enumerate(openpyxl.load_workbook(source).sheetnames)}
    writes = [a for a in h.actions_of(book) if a["func"] in ("setValues", "setFormula", "rangeClearContents")]
    assert writes and all(a["sheet_position"] not in form_positions for a in writes)
    before = form_values(source)
    after = form_values(replayed.path)
    assert {k: after[k] for k in before} == before


def test_a_second_click_replaces_the_marks_instead_of_doubling_them(work, tmp_path):
    source = work("深圳")
    _, first, click1 = h.click(x.validate, source, tmp_path / "first.xlsx")
    book2, second, click2 = h.click(x.validate, first.path, tmp_path / "second.xlsx")

    assert looks(second.path) == looks(first.path)
    assert sheet_rows(second.path, RESULT_SHEET) == sheet_rows(first.path, RESULT_SHEET)
    assert sheet_rows(second.path, M.MARKS_SHEET) == sheet_rows(first.path, M.MARKS_SHEET)
    assert openpyxl.load_workbook(second.path).sheetnames == openpyxl.load_workbook(first.path).sheetnames
    funcs = h.funcs_of(book2)
    assert funcs.count("addNote") == len(click2.outcome.marked) == len(click1.outcome.marked)
    assert funcs.count("deleteNote") == len(click1.outcome.marked)      # each old note replaced, not stacked
    assert "addSheet" not in funcs                                      # 校验结果 and memory are rewritten
    # The memory still holds the look from before the first click, never our own red.
    assert all(row[2] in (None, "") for row in sheet_rows(second.path, M.MARKS_SHEET)[1:])


def test_a_fixed_cell_is_unmarked_by_the_next_click(work, tmp_path):
    source = work("广州")
    _, first, click1 = h.click(x.validate, source, tmp_path / "first.xlsx")
    vague = next(f for f in click1.report.findings if f.code == "vague-value")
    wb = openpyxl.load_workbook(first.path)
    wb[vague.sheet][vague.cell] = "≥90%"                     # the user fixes the value in Excel
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)

    _, second, click2 = h.click(x.validate, fixed, tmp_path / "second.xlsx")
    assert (vague.sheet, vague.cell) in click2.outcome.restored
    after = looks(second.path)
    assert (vague.sheet, vague.cell) not in after
    assert h.cell_fill(openpyxl.load_workbook(second.path)[vague.sheet], vague.cell) is None
    assert len(after) == len(looks(first.path)) - 1
    assert len(click2.report.findings) == len(click1.report.findings) - 1


def test_clear_marks_puts_the_workbook_back(work, tmp_path):
    source = work("珠海")
    _, first, _ = h.click(x.validate, source, tmp_path / "first.xlsx")
    book, cleared, outcome = h.click(x.clear_marks, first.path, tmp_path / "cleared.xlsx")
    assert looks(cleared.path) == {}
    assert openpyxl.load_workbook(cleared.path).sheetnames == openpyxl.load_workbook(source).sheetnames
    assert form_values(cleared.path) == form_values(source)
    assert cleared.alerts[0]["prompt"] == f"已清除 {len(outcome.restored)} 个单元格的校验标记和“校验结果”表"

    _, again, _ = h.click(x.clear_marks, cleared.path, tmp_path / "again.xlsx")
    assert again.alerts[0]["prompt"] == "没有需要清除的校验标记"


def test_cli_marks_are_cleared_in_excel_with_the_users_fill_and_note_back(work, tmp_path):
    """A copy marked by ``--annotate`` remembers a user's own fill and note; 清除标记 in Excel restores them."""
    source = work("广州")
    _, probe, click = h.click(x.validate, source, tmp_path / "probe.xlsx")
    target = next(f for f in click.report.findings if f.code == "vague-value")
    wb = openpyxl.load_workbook(source)
    wb[target.sheet][target.cell].fill = PatternFill("solid", fgColor="FFC6EFCE")
    wb[target.sheet][target.cell].comment = Comment("请财务科核对", "王")
    user = tmp_path / "user.xlsx"
    wb.save(user)
    marked = annotate(user)

    _, cleared, _ = h.click(x.clear_marks, marked, tmp_path / "cleared.xlsx")
    ws = openpyxl.load_workbook(cleared.path)[target.sheet]
    assert h.cell_fill(ws, target.cell) == "#C6EFCE"
    assert ws[target.cell].comment.text == "请财务科核对"
    assert looks(cleared.path) == {(target.sheet, target.cell): ("#C6EFCE", "请财务科核对")}


def test_excel_marks_are_cleared_by_the_cli_annotator(work, tmp_path):
    """The other direction: marks made in Excel are replaced, not doubled, by ``--annotate``."""
    source = work("佛山")
    _, clicked, _ = h.click(x.validate, source, tmp_path / "clicked.xlsx")
    fresh = annotate(source)
    again = annotate(clicked.path)
    assert looks(again) == looks(fresh)
    assert sheet_rows(again, M.MARKS_SHEET) == sheet_rows(fresh, M.MARKS_SHEET)


def test_a_workbook_without_a_form_gets_a_chinese_alert(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "预算"
    wb.active["A1"] = "随便一张表"
    path = tmp_path / "其他.xlsx"
    wb.save(path)
    book, replayed, value = h.click(x.validate, path, tmp_path / "out.xlsx")
    assert value is None
    (alert,) = replayed.alerts
    assert alert["mode"] == "critical"
    assert alert["prompt"].startswith("校验没有完成。\n文件 其他.xlsx：当前工作簿中没有绩效目标表：工作表 “预算”")
    assert "新建" in alert["prompt"]
    assert h.funcs_of(book) == ["alert"]


def test_a_clean_form_passes(tmp_path, monkeypatch):
    """A form with nothing to flag: 校验通过, an empty result list, no fills."""
    from xl_tools.domain.form import Form, Indicator
    from xl_tools.rules import validate_form
    from xl_tools.workbook.writer import write_forms

    form = Form.blank(project_name="知识产权运营服务", fund_type="省级财政专项资金", project_level="二级项目",
                      provincial_department="广东省市场监督管理局", local_department="广州市市场监督管理局",
                      budget_year="2020", funding="460", expenditure="1. 培训费用", policy_basis="粤府〔2016〕56号",
                      overall_goal="举办培训不少于2场")
    rows = [("产出指标", "数量指标", "举办培训场次", "≥2场"), ("产出指标", "质量指标", "培训合格率", "≥90%"),
            ("产出指标", "时效指标", "完成时间", "2020年12月底前"), ("产出指标", "成本指标", "培训成本", "≤100万元"),
            ("效益指标", "社会效益指标", "培训企业数", "≥50家"), ("满意度指标", "服务对象满意度指标", "参训企业满意度", "≥90%")]
    form = Form(header=form.header, indicators=tuple(Indicator.of(*r) for r in rows), city="广州")
    if validate_form(form).findings:
        pytest.skip(f"the rules flag this form: {validate_form(form).flatten(['code', 'cell'])}")
    path = tmp_path / "广州.xlsx"
    write_forms([form], path)
    _, replayed, click = h.click(x.validate, path, tmp_path / "out.xlsx")
    assert replayed.alerts[0]["prompt"] == "校验通过"
    assert looks(replayed.path) == {}
    assert sheet_rows(replayed.path, RESULT_SHEET)[1][2] == M.NO_FINDINGS
