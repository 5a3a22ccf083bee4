"""The xlwings test harness itself: .xlsx → remote-engine payload → real xw.Book, and actions → openpyxl."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

import xlwings_harness as h


@pytest.fixture()
def sample(tmp_path):
    """A small workbook with the features the payload must carry."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "广州"
    ws["A1"] = "省财政专项转移支付绩效目标表(二级项目-广州)"
    ws.merge_cells("A1:D1")
    ws["A2"], ws["B2"] = "项目名称", "知识产权运营"
    ws["A3"], ws["B3"] = "资金需求", 460
    ws["A4"], ws["B4"] = "日期", dt.datetime(2020, 3, 1)
    ws["A5"], ws["B5"] = "指标值", "=100%"
    ws["B5"].data_type = "s"                          # text that looks like a formula (a real 指标值)
    ws["C6"] = "=B3*2"
    ws["B2"].comment = Comment("原有批注", "user")
    wb.defined_names["项目名称"] = DefinedName("项目名称", attr_text="'广州'!$B$2")
    ws.defined_names["资金"] = DefinedName("资金", attr_text="'广州'!$B$3")
    other = wb.create_sheet("深圳")
    other["B3"] = "深圳市市场监管局"
    hidden = wb.create_sheet("_state")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "x"
    path = tmp_path / "sample.xlsx"
    wb.save(path)
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_payload_builds_a_real_book_with_values_names_and_notes(sample):
    book = h.book_from_xlsx(sample)
    assert book.name == "sample.xlsx"
    assert [s.name for s in book.sheets] == ["广州", "深圳", "_state"]
    gz = book.sheets["广州"]
    assert gz["A1"].value == "省财政专项转移支付绩效目标表(二级项目-广州)"
    assert gz["B1"].value is None                       # the rest of a merged range is empty, as in Excel
    assert gz["B3"].value == 460
    assert gz["B4"].value == dt.datetime(2020, 3, 1)
    assert gz["B5"].value == "=100%"
    assert gz["C6"].value is None                       # never calculated: no cached value, as in Excel
    assert gz.used_range.address == "$A$1:$C$6"
    assert gz.range("项目名称").value == "知识产权运营"     # book-scoped defined name
    assert gz.range("资金").value == 460                 # sheet-scoped defined name
    assert {n.name for n in book.names} == {"项目名称", "广州!资金"}
    assert gz["B2"].note is not None and gz["B3"].note is None
    assert book.sheets["_state"].visible is False and book.sheets["深圳"].visible is True
    assert book.sheets["深圳"]["B3"].value == "深圳市市场监管局"


def test_replay_applies_writes_and_leaves_the_source_alone(sample, tmp_path):
    before = digest(sample)
    book = h.book_from_xlsx(sample)
    gz = book.sheets["广州"]
    gz["B3"].color = (255, 199, 206)
    gz["B3"].add_note("资金需求有误")
    gz["B2"].note.delete()
    res = book.sheets.add("校验结果", after=book.sheets[-1])
    res["A1"].value = [["级别", "位置"], ["错误", "广州!B3"]]
    res["B2"].add_hyperlink("#'广州'!B3", "广州!B3", "跳转")
    res["A1:B1"].font.bold = True
    book.sheets["_state"].delete()
    book.sheets["深圳"].visible = False
    book.app.alert("校验完成", title="绩效目标表", mode="info")

    out = tmp_path / "out.xlsx"
    replayed = h.replay(h.actions_of(book), sample, out)
    assert digest(sample) == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["广州", "深圳", "校验结果"]
    assert h.cell_fill(wb["广州"], "B3") == "#FFC7CE"
    assert wb["广州"]["B3"].comment.text == "资金需求有误"
    assert wb["广州"]["B2"].comment is None
    assert wb["广州"]["B3"].value == 460                 # a mark never changes a value
    assert [[c.value for c in row] for row in wb["校验结果"]["A1:B2"]] == [["级别", "位置"], ["错误", "广州!B3"]]
    assert wb["校验结果"]["B2"].hyperlink.location == "'广州'!B3"
    assert wb["校验结果"]["A1"].font.b is True
    assert wb["深圳"].sheet_state == "hidden"
    assert replayed.alerts == [{"prompt": "校验完成", "title": "绩效目标表", "buttons": "ok", "mode": "info"}]


def test_replayed_file_feeds_the_next_click(sample, tmp_path):
    book = h.book_from_xlsx(sample)
    book.sheets["广州"]["B3"].add_note("第一次")
    added = book.sheets.add("记录", after=book.sheets[-1])
    added["A1"].value = "已标记"
    added.visible = False
    out = h.replay(h.actions_of(book), sample, tmp_path / "first.xlsx").path

    again = h.book_from_xlsx(out)
    assert again.sheets["广州"]["B3"].note is not None
    assert again.sheets["记录"].visible is False
    assert again.sheets["记录"]["A1"].value == "已标记"
    assert again.json()["actions"] == []


def test_unknown_actions_are_refused_not_dropped(sample):
    action = {"func": "addChart", "args": [], "values": None, "sheet_position": 0, "start_row": 0,
              "start_column": 0, "row_count": 1, "column_count": 1}
    with pytest.raises(h.UnsupportedAction):
        h.replay([action], sample)
    assert h.replay([action], sample, strict=False).ignored == ["addChart"]


def test_mock_caller_is_what_book_caller_returns(sample):
    import xlwings as xw

    book = h.book_from_xlsx(sample)
    book.set_mock_caller()
    try:
        assert xw.Book.caller().name == "sample.xlsx"
        xw.Book.caller().sheets[0]["A9"].value = "经 caller 写入"
    finally:
        h.clear_mock_caller()
    assert h.funcs_of(book) == ["setValues"]
    with pytest.raises(Exception):
        xw.Book.caller()
