"""Property tests of the 指标值 parser: total (never raises) and format/parse round-trips."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xl_tools.domain.values import Kind, ParsedValue, format_value, is_placeholder_text, parse_value, split_inline_value

BOUNDED = settings(max_examples=400, deadline=None)

# Characters the grammar cares about, so random text often hits its corners.
GRAMMAR_CHARS = (
    "0123456789.,，%％０１２３ ≥≤><=＞＜＝≧≦:：-+"
    "零〇一二两三四五六七八九十百千万亿"
    "份场次支家个人期项篇件年月日元底前以上下内至少不超过达到百分之"
    "指标《》…。、;<p>/"
)
grammar_text = st.text(alphabet=st.sampled_from(GRAMMAR_CHARS), max_size=25)
any_text = st.one_of(st.text(max_size=40), grammar_text)
excel_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    any_text,
)

OPS_TEXT = ["", "≥", "≤", ">", "<", "=", "＞", "＜", "＝", "≧", "≦", ">=", "<=", "至少", "不少于", "不低于", "不超过", "达到"]
SUFFIXES = ["", "以上", "及以上", "以下", "以内"]
UNITS = [
    "", "份", "场", "场次", "支", "家", "个", "人", "人次", "次", "期", "项", "篇", "件", "年", "%", "元", "万元",
    "亿元", "亿", "万", "个百分点",
]  # fmt: skip
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(str),
    st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False).map(str),
    st.integers(min_value=1000, max_value=10**9).map(lambda n: f"{n:,}"),
    st.sampled_from(["两", "三", "十五", "一百二十", "二十", "九十五", "一千"]),
)
well_formed = st.builds(
    lambda label, op, sp, num, unit, suffix: f"{label}{op}{sp}{num}{unit}{suffix}",
    st.sampled_from(["", "指标4: ", "指标12："]),
    st.sampled_from(OPS_TEXT),
    st.sampled_from(["", " "]),
    numbers,
    st.sampled_from(UNITS),
    st.sampled_from(SUFFIXES),
)


def assert_round_trip(value: object) -> ParsedValue:
    parsed = parse_value(value)
    again = parse_value(format_value(parsed))
    assert again == parsed, (value, format_value(parsed), parsed, again)
    return parsed


@BOUNDED
@given(excel_values)
def test_parse_value_never_raises(value):
    parsed = parse_value(value)
    assert isinstance(parsed, ParsedValue)
    assert isinstance(parsed.kind, Kind)
    assert isinstance(is_placeholder_text(value), bool)


@BOUNDED
@given(any_text)
def test_round_trip_arbitrary_text(text):
    assert_round_trip(text)


@BOUNDED
@given(excel_values)
def test_round_trip_excel_values(value):
    assert_round_trip(value)


@BOUNDED
@given(well_formed)
def test_round_trip_well_formed_values(text):
    parsed = assert_round_trip(text)
    assert parsed.kind in (Kind.QUANTITATIVE, Kind.RATE, Kind.DEADLINE), (text, parsed)
    if parsed.kind is not Kind.DEADLINE:
        (target,) = parsed.targets
        assert (target.op, target.number, target.unit) == (parsed.op, parsed.number, parsed.unit)
        assert "E" not in format_value(parsed)


@BOUNDED
@given(st.sampled_from(["≥", "≤", "=", ">", "<"]), st.decimals(min_value=0, max_value=10**8, places=2))
def test_money_in_yi_and_wan_round_trip(op, amount):
    parsed = assert_round_trip(f"{op}{amount}万元")
    assert parsed.number == amount and parsed.unit == "万元"
    assert parse_value(f"{op}{amount}亿").number == amount * 10000


@BOUNDED
@given(any_text)
def test_split_inline_value_is_consistent(text):
    head, value = split_inline_value(text)
    if value is not None:
        assert head and parse_value(value).kind in (Kind.QUANTITATIVE, Kind.RATE, Kind.DEADLINE)


def test_equal_numbers_compare_and_format_alike():
    assert parse_value("9份") == parse_value("9.0份") == parse_value("9.00 份")
    assert format_value(parse_value("9.0份")) == "9份"
    assert str(parse_value("30000万元").number) == "30000"
    assert parse_value("3亿").number == Decimal("3E+4")
