"""The reader's fast paths give what the cell-by-cell reading gives (equal Forms, whatever the grid holds)."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from xl_tools.domain.form import INDICATOR_COLUMNS, Form, Indicator, Located
from xl_tools.domain.text import clean
from xl_tools.workbook import layout as L
from xl_tools.workbook.reader import _indicators, _located

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


@st.composite
def grids(draw):
    height, width = draw(st.integers(0, 9)), draw(st.sampled_from([0, 2, 5, 6, 7, 7]))
    ragged = draw(st.sampled_from([False, False, True]))
    rows = [[draw(VALUES) for _ in range(draw(st.integers(0, width)) if ragged else width)] for _ in range(height)]
    merged = []
    for _ in range(draw(st.sampled_from([0, 0, 1, 3]))):
        r1, c1 = draw(st.integers(1, 10)), draw(st.integers(1, 8))
        merged.append((r1, c1, r1 + draw(st.integers(0, 3)), c1 + draw(st.integers(0, 2))))
    origin = draw(st.sampled_from([(1, 1), (1, 1), (1, 1), (2, 1), (1, 2), (3, 2)]))
    grid = L.Grid(rows=rows, merged=merged, title="表", origin=origin)
    span = draw(st.sampled_from([width, width, width + 2]))          # mostly columns inside the grid
    columns = dict(zip((k for k, _ in INDICATOR_COLUMNS), draw(st.permutations(range(1, max(span, 4) + 1)))))
    last = draw(st.sampled_from([height, height, height + 2]))      # mostly rows inside the grid (the fast path)
    data_rows = tuple(sorted(draw(st.sets(st.integers(1, max(last, 1)), min_size=1, max_size=6))))
    return grid, data_rows, columns


def cell_by_cell(grid, rows, columns):
    return tuple(Indicator(*(_located(grid, row, columns[k], fill_down=True) for k, _ in INDICATOR_COLUMNS))
                 for row in rows)


@settings(max_examples=500, deadline=None)
@given(grids())
def test_indicator_rows_equal_cell_by_cell_reading(case):
    grid, rows, columns = case
    assert _indicators(grid, rows, columns) == cell_by_cell(grid, rows, columns)


def test_vertical_merge_in_a_data_row_fills_down():
    rows = [["", "产出指标", "数量指标", "培训", "2场"], ["", None, None, "印刷", "3批"]]
    grid = L.Grid(rows=rows, merged=[(1, 2, 2, 2)], title="表")
    columns = {"level1": 2, "level2": 3, "level3": 4, "value": 5}
    got = _indicators(grid, (1, 2), columns)
    assert got == cell_by_cell(grid, (1, 2), columns)
    assert got[1].level1.text == "产出指标" and got[1].level1.cell == "B1" and got[1].level2.cell == "C2"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.text(max_size=4), st.none()), st.one_of(st.none(), st.just("B12")))))
def test_located_many_equals_one_by_one(pairs):
    texts, cells = [t for t, _ in pairs], [c for _, c in pairs]
    many = Located.many(texts, cells)
    assert many == [Located(t, c) for t, c in pairs]
    assert all(type(x) is Located for x in many)
    rows = Indicator.many(many, many, many[::-1], many)
    assert rows == [Indicator(a, b, c, d) for a, b, c, d in zip(many, many, many[::-1], many)]
    for loc in many:                                   # still frozen
        try:
            loc.text = "x"
        except AttributeError:
            continue
        raise AssertionError("Located became mutable")


def test_many_with_uneven_lists_or_a_subclass_builds_one_by_one():
    class Tagged(Located):
        __slots__ = ()

    assert Located.many(["a", "b"], ["A1"]) == [Located("a", "A1")]
    assert Tagged.many(["a"], ["A1"]) == [Tagged("a", "A1")] and type(Tagged.many(["a"], ["A1"])[0]) is Tagged


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
