"""The reader: cell text as clean() gives it, indicator rows filled down through merges, the city detected,
reserved sheets kept as titles."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from xl_tools.domain.form import INDICATOR_COLUMNS, Form, Indicator, Located
from xl_tools.domain.text import clean
from xl_tools.workbook import layout as L
from xl_tools.workbook.reader import _indicators

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False), st.just(2.0),
    st.sampled_from(["", " ", "产出指标", " 数量指标\r\n", "<p>培训</p>", "a<b", "\u3000x\u3000", "_x0041_", "0"]),
    st.text(max_size=8), st.just(datetime(2020, 1, 2)), st.just(datetime(2020, 1, 2, 3, 4)), st.just(date(2021, 5, 6)),
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_cell_text_equals_clean_for_every_value(value):
    if not isinstance(value, (date, datetime)):
        assert L.cell_text(value) == clean(value)


def test_vertical_merge_in_a_data_row_fills_down():
    rows = [["", "产出指标", "数量指标", "培训", "2场"], ["", None, None, "印刷", "3批"]]
    grid = L.Grid(rows=rows, merged=[(1, 2, 2, 2)], title="表")
    columns = {"level1": 2, "level2": 3, "level3": 4, "value": 5}
    got = _indicators(grid, (1, 2), columns)
    assert got[1].level1.text == "产出指标" and got[1].level1.cell == "B1" and got[1].level2.cell == "C2"


def test_form_from_grid_equals_form_with_city_detected(tmp_path):
    from xl_tools.workbook.reader import form_from_grid
    from xl_tools.workbook.template import build_template

    wb = build_template()
    ws = wb[L.FORM_SHEET_TITLE]
    ws[L.HEADER_CELL_BY_KEY["local_department"].value_cell] = "深圳市市场监督管理局"
    grid = L.grid_from_openpyxl(ws)
    form = form_from_grid(grid, hints=("广州.xlsx",))
    assert form == Form(header=form.header, indicators=form.indicators, title=form.title, sheet=form.sheet,
                        notes=form.notes).with_city_detected(grid.title, "广州.xlsx")
    assert form.city == "深圳"


def test_read_grids_keeps_reserved_sheets_as_titles_and_the_version(tmp_path):
    from xl_tools.workbook.fastread import read_grids
    from xl_tools.workbook.safety import inspect_input_file
    from xl_tools.workbook.reader import read_forms
    from xl_tools.workbook.template import TEMPLATE_VERSION, build_template

    wb = build_template()
    wb.create_sheet(L.RESULT_SHEET)["A1"] = "之前的校验结果"
    path = tmp_path / "表.xlsx"
    wb.save(path)
    grids, version = read_grids(path, str(path), inspect_input_file(path).workbook_xml)
    assert version == TEMPLATE_VERSION
    by_title = {g.title: g for g in grids}
    assert set(by_title) == {L.FORM_SHEET_TITLE, L.LISTS_SHEET, L.RESULT_SHEET}
    assert by_title[L.RESULT_SHEET].rows == [] and len(by_title[L.LISTS_SHEET].rows) == 1
    assert by_title[L.FORM_SHEET_TITLE].names[L.TABLE_NAME]
    assert read_forms(path, engine="calamine") == read_forms(path, engine="openpyxl")


def test_indicator_to_dict_is_each_located_to_dict():
    class Marked(Located):
        __slots__ = ()

        def to_dict(self):
            return {**super().to_dict(), "marked": True}

    for row in (Indicator.of("产出指标", "数量指标", "培训", "2场"), Indicator(Located("a", "B2"), Marked("b", "C2"))):
        assert row.to_dict() == {k: getattr(row, k).to_dict() for k, _ in INDICATOR_COLUMNS}
