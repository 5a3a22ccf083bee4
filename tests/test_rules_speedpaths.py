"""The remembered (cached) fast paths of 校验 give exactly what the plain computations give, and share no
mutable state: parse_value / is_placeholder_text / squash by text, the taxonomy's lookup tables, and the
per-row facts and row subsets the rule context works out once per form."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_tools.domain import text as text_mod
from xl_tools.domain import values
from xl_tools.domain.form import Indicator, Located
from xl_tools.domain.taxonomy import Level1, Taxonomy, taxonomy
from xl_tools.domain.text import squash
from xl_tools.domain.values import Kind, ParsedValue, Target, is_placeholder_text, parse_value
from xl_tools.rules import validate_form
from xl_tools.rules.context import FormContext, Row, kind_name

from fixtures_rules import GUANGZHOU_HEADER, GUANGZHOU_ROWS, make_form

BOUNDED = settings(max_examples=300, deadline=None)

GRAMMAR_CHARS = (
    "0123456789.,，%％ ≥≤><=＞＜＝:：-+零一二两三十百千万亿份场次人年月日元底前以上下内至少不超过达到百分之"
    "指标《》…。、;<p>/ 　"
)
cell_text = st.one_of(st.text(max_size=30), st.text(alphabet=st.sampled_from(GRAMMAR_CHARS), max_size=20))
SAMPLES = ["9份", "≥1支", "2021年12月底前", "进一步提升", "指标4:", "....", "培训 ≥2场次，≥50人次", "100%", "1"]


# ------------------------------------------------------------------------------------------------ parse_value


@pytest.mark.parametrize("text", SAMPLES)
def test_parsing_the_same_text_twice_gives_equal_frozen_results(text):
    first, second = parse_value(text), parse_value(text)
    assert first == second
    assert first.raw == second.raw == text
    assert first == values._parse_total(text)          # the uncached computation
    # The shared object cannot be changed by one caller behind another's back.
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.kind = Kind.QUALITATIVE                  # type: ignore[misc]
    assert isinstance(first.targets, tuple)
    for target in first.targets:
        with pytest.raises(dataclasses.FrozenInstanceError):
            target.number = 0                          # type: ignore[misc]


@BOUNDED
@given(cell_text)
def test_cached_parse_equals_uncached(text):
    cached = parse_value(text)
    plain = values._parse_total(text)
    assert cached == plain
    assert cached.raw == plain.raw
    assert [t.text for t in cached.targets] == [t.text for t in plain.targets]   # text is not part of ==
    assert parse_value(text) == plain                  # second call (from the cache) too
    assert is_placeholder_text(text) == values._is_placeholder_total(text)


class _Tagged(str):
    """A str subclass: must not be answered from (or stored in) the by-text cache."""


def test_non_str_inputs_bypass_the_cache_and_keep_their_meaning():
    assert parse_value(_Tagged("9份")) == parse_value("9份")
    assert parse_value(9).kind is Kind.QUANTITATIVE and parse_value(9).number == 9
    assert parse_value(None).kind is Kind.PLACEHOLDER
    assert is_placeholder_text(None) is True
    assert is_placeholder_text(_Tagged("指标4:")) is True


def test_cached_values_hold_only_immutable_parts():
    value = parse_value("培训 ≥2场次，≥50人次")
    assert value.kind is Kind.SENTENCE
    for f in dataclasses.fields(ParsedValue):
        assert isinstance(getattr(value, f.name), (str, tuple, Kind, bool, int, type(None), type(value.number)))
    for target in value.targets:
        assert isinstance(target, Target)
        for f in dataclasses.fields(Target):
            hash(getattr(target, f.name))              # every part hashable, i.e. immutable here


# ------------------------------------------------------------------------------------------------ squash


def test_squash_cache_keeps_numbers_and_booleans_apart():
    # An lru_cache keyed by value would make 1, 1.0 and True one key; they squash differently.
    assert squash("1") == "1" and squash(1) == "1" and squash(0) == "0"
    assert squash(True) == "是" and squash(False) == "否"
    assert squash(1.0) == "1" and squash(1.5) == "1.5"
    assert squash(None) == ""


@BOUNDED
@given(cell_text)
def test_cached_squash_equals_uncached(text):
    assert squash(text) == text_mod._squash(text)
    assert squash(text) == squash(text)


# ------------------------------------------------------------------------------------------------ taxonomy


def _scan_level1(tax: Taxonomy, text: object) -> str | None:
    key = squash(text)
    return next((l1.name for l1 in tax.level1 if l1.name == key), None)


def _scan_level2(tax: Taxonomy, text: object) -> str | None:
    key = squash(text)
    return next((l2 for l1 in tax.level1 for l2 in l1.level2 if l2 == key), None)


def _spaced(name: str) -> str:
    return "　".join(name) + " "


def test_taxonomy_tables_answer_like_a_scan():
    tax = taxonomy()
    names = [n for l1 in tax.level1 for n in (l1.name, *l1.level2)]
    probes = names + [_spaced(n) for n in names] + ["<b>" + n + "</b>" for n in names] + ["", "绩效指标", None, 1]
    for probe in probes:
        assert tax.canonical_level1(probe) == _scan_level1(tax, probe)
        assert tax.canonical_level2(probe) == _scan_level2(tax, probe)
    for l1 in tax.level1:
        assert tax.level2_of(l1.name) == l1.level2
        for l2 in l1.level2:
            assert tax.parent_of(l2) == next(p.name for p in tax.level1 if l2 in p.level2)
    assert tax.level2_of("不存在") == () and tax.parent_of("不存在") is None
    assert tax.level1_names == tuple(l1.name for l1 in tax.level1)
    assert tax.level2_names == tuple(n for l1 in tax.level1 for n in l1.level2)


def test_taxonomy_equality_and_repr_are_those_of_its_fields():
    a = Taxonomy("t", (Level1("产出指标", True, ("数量指标",)),))
    b = Taxonomy("t", (Level1("产出指标", True, ("数量指标",)),))
    assert a == b and hash(a) == hash(b)
    assert repr(a) == "Taxonomy(version='t', level1=(Level1(name='产出指标', required=True, level2=('数量指标',)),))"
    assert dataclasses.replace(a, version="u").canonical_level2("数量 指标") == "数量指标"


def test_taxonomy_first_owner_wins_like_a_scan():
    tax = Taxonomy("t", (Level1("甲", True, ("共同",)), Level1("乙", False, ("共同", "独有")), Level1("甲", False, ("x",))))
    assert tax.parent_of("共同") == "甲"
    assert tax.level2_of("甲") == ("共同",)
    assert tax.level2_of("乙") == ("共同", "独有")


# ------------------------------------------------------------------------------------------------ rule context


@BOUNDED
@given(st.lists(st.tuples(st.sampled_from(["", "产出指标", "效益指标", "数量指标", "乱写"]),
                          st.sampled_from(["", "数量指标", "时效指标", "培训数量要求"]),
                          st.one_of(st.just(""), st.just("指标4:"), cell_text), cell_text), max_size=12))
def test_row_facts_and_subsets_equal_plain_computation(rows):
    form = make_form(GUANGZHOU_HEADER, rows)
    ctx = FormContext(form)
    for row in ctx.rows:
        text = row.value.text
        plain = values._parse_total(text) if text else None
        assert row.parsed == plain
        assert row.kind == (kind_name(plain.kind) if plain is not None else "")
        assert row.value_missing == (not text or row.kind == "placeholder")
    for status in ("real", "placeholder", "slot"):
        assert ctx.rows_with(status) == [r for r in ctx.rows if r.status == status]
    assert ctx.rows_with("real", "placeholder") == [r for r in ctx.rows if r.status in ("real", "placeholder")]
    assert list(ctx.valued_rows) == [r for r in ctx.rows if r.status == "real" and not r.value_missing]


def test_row_subsets_are_fresh_lists():
    ctx = FormContext(make_form(GUANGZHOU_HEADER, GUANGZHOU_ROWS))
    real = ctx.real_rows
    assert real
    real.clear()                                       # a caller changing its list changes nothing else
    assert ctx.real_rows == [r for r in ctx.rows if r.status == "real"]
    assert ctx.rows_with("real") is not ctx.rows_with("real")


def test_row_made_directly_works_out_its_facts():
    row = Row(0, Indicator(Located(""), Located(""), Located("举办培训"), Located("≥2场")), None, None, "real")
    assert row.kind == "quantitative" and not row.value_missing and row.parsed == parse_value("≥2场")
    empty = Row(1, Indicator(Located(""), Located(""), Located("举办培训"), Located("")), None, None, "real")
    assert empty.parsed is None and empty.kind == "" and empty.value_missing
    filler = Row(2, Indicator(Located(""), Located(""), Located("举办培训"), Located("....")), None, None, "real")
    assert filler.kind == "placeholder" and filler.value_missing
    assert row == Row(0, row.indicator, None, None, "real")   # equality ignores the worked-out facts


def test_validating_twice_gives_the_same_findings():
    form = make_form(GUANGZHOU_HEADER, GUANGZHOU_ROWS + [("", "", "指标4:", ""), ("", "", "报告", "1")])
    first = [f.to_dict() for f in validate_form(form).findings]
    second = [f.to_dict() for f in validate_form(form).findings]
    assert first == second
    assert any(f["code"] == "value-without-unit" for f in first)
