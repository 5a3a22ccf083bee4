"""The 指标值 grammar: every value of the seed annex, one assertion per grammar form, inline values."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from xl_tools.domain.values import (
    Kind,
    ParsedValue,
    Target,
    extract_targets,
    format_value,
    is_placeholder_text,
    parse_value,
    split_inline_value,
)

SEED_VALUES = json.loads((Path(__file__).parent / "data" / "seed_values.json").read_text(encoding="utf-8"))["values"]


def summary(v: ParsedValue) -> tuple:
    """(kind, op, number, unit) with the number as text, for short assertions."""
    return v.kind.value, v.op, None if v.number is None else str(v.number), v.unit


def targets_of(v: ParsedValue) -> list[list]:
    return [[t.op, str(t.number), t.unit] for t in v.targets]


# ---------------------------------------------------------------- 1. the seed annex


@pytest.mark.parametrize("entry", SEED_VALUES, ids=[e["value"][:24] for e in SEED_VALUES])
def test_seed_value_parses_as_hand_checked(entry):
    v = parse_value(entry["value"])
    expected = entry["expected"]
    actual = {
        "kind": v.kind.value,
        "op": v.op,
        "number": None if v.number is None else str(v.number),
        "unit": v.unit,
        "deadline": None if v.deadline is None else list(v.deadline),
        "targets": targets_of(v),
        "vague": v.vague,
        "label": v.label,
    }
    assert actual == expected
    assert parse_value(format_value(v)) == v


def _indicator_values(annex: str) -> set[str]:
    """Last non-empty cell of every indicator row, its <p> pieces, and inline values of multi-<p> cells."""
    values: set[str] = set()
    in_indicators = False
    for line in annex.split("\n"):
        cells = line.split("\t")
        if "绩效目标表" in line:
            in_indicators = False
        elif "指标值" in cells:
            in_indicators = True
        elif in_indicators and any(c.strip() for c in cells):
            *before, last = [c for c in cells if c.strip()]
            values.add(last)
            pieces = re.findall(r"<p>(.*?)</p>", last)
            if len(pieces) > 1:  # <p>1</p> <p>2021年</p>
                values.update(pieces)
            for cell in before:  # 广州's 数量指标 paragraphs carry their values inline
                paragraphs = re.findall(r"<p>(.*?)</p>", cell)
                if len(paragraphs) > 1:
                    values.update(v for v in (split_inline_value(p)[1] for p in paragraphs) if v)
    return values


def test_seed_data_covers_every_value_of_the_annex(seed_path):
    if not Path(seed_path).exists():
        pytest.skip("seed annex not available")
    listed = {e["value"] for e in SEED_VALUES}
    in_annex = _indicator_values(Path(seed_path).read_text(encoding="utf-8"))
    assert in_annex == listed  # every value of the annex, and nothing else
    assert len(listed) == len(SEED_VALUES)


GUANGZHOU_QUANTITY_PARAGRAPHS = [
    "组织编写对遭遇海外诉讼的行业(产品)进行专利预警分析和海外诉讼跟踪研究报告 9份",
    "组织遭遇海外诉讼行业(产品)专利预警和海外诉讼应对策略研究报告发布会，并提供海外知识产权纠纷应对案例研讨、培训等服务 9场",
    "发行知识产权证券化产品数量 ≥1支",
    "知识产权证券化涉及企业数量 ≥10家",
    "涉及产业数量 ≥1个",
    "举办论坛活动 ≥4场",
    "活动参与人员数量 ≥500人",
    "形成《2020年广东知识产权发展实力研究报告》 1份",
    "召开《2020年广东知识产权发展实力研究报告》发布会 1场",
    "评选《2020年广东省知识产权事业发展重大代表性事件》 1份",
]


def test_split_inline_value_on_guangzhou_paragraphs():
    pairs = [split_inline_value(p) for p in GUANGZHOU_QUANTITY_PARAGRAPHS]
    assert [value for _, value in pairs] == ["9份", "9场", "≥1支", "≥10家", "≥1个", "≥4场", "≥500人", "1份", "1场", "1份"]
    assert [text for text, _ in pairs] == [p.rsplit(" ", 1)[0] for p in GUANGZHOU_QUANTITY_PARAGRAPHS]
    assert pairs[7][0] == "形成《2020年广东知识产权发展实力研究报告》"


def test_split_inline_value_on_the_raw_cell_paragraphs():
    cell = "<p>" + "</p> <p>".join(GUANGZHOU_QUANTITY_PARAGRAPHS) + "</p>"
    pieces = re.findall(r"<p>.*?</p>", cell)
    assert [split_inline_value(p)[1] for p in pieces][2] == "≥1支"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发行知识产权证券化产品规模 ≥ 3亿", ("发行知识产权证券化产品规模", "≥ 3亿")),
        ("活动参与人员数量≥500人", ("活动参与人员数量", "≥500人")),
        ("精准对接人才数量不少于100人", ("精准对接人才数量", "不少于100人")),
        ("项目完成期限 2021年", ("项目完成期限", "2021年")),
        ("形成《2020年广东知识产权发展实力研究报告》", ("形成《2020年广东知识产权发展实力研究报告》", None)),
        ("形成《2020年 广东报告》", ("形成《2020年 广东报告》", None)),
        ("完成至少1个研究课题", ("完成至少1个研究课题", None)),
        ("9份", ("9份", None)),
        ("≥ 3亿", ("≥ 3亿", None)),
        ("", ("", None)),
    ],
)
def test_split_inline_value_forms(text, expected):
    assert split_inline_value(text) == expected


# ---------------------------------------------------------------- 2. grammar forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # operators: symbols, full-width, alternatives, two-character forms
        ("≥2场", ("quantitative", "≥", "2", "场")),
        ("＞2场", ("quantitative", ">", "2", "场")),
        (">2场", ("quantitative", ">", "2", "场")),
        ("≤2场", ("quantitative", "≤", "2", "场")),
        ("＜2场", ("quantitative", "<", "2", "场")),
        ("<2场", ("quantitative", "<", "2", "场")),
        ("=2场", ("quantitative", "=", "2", "场")),
        ("＝2场", ("quantitative", "=", "2", "场")),
        ("≧2场", ("quantitative", "≥", "2", "场")),
        ("≦2场", ("quantitative", "≤", "2", "场")),
        (">=2场", ("quantitative", "≥", "2", "场")),
        ("<=2场", ("quantitative", "≤", "2", "场")),
        # operator words
        ("至少2场", ("quantitative", "≥", "2", "场")),
        ("不少于2场", ("quantitative", "≥", "2", "场")),
        ("不低于95%", ("rate", "≥", "95", "%")),
        ("大于等于2场", ("quantitative", "≥", "2", "场")),
        ("2场以上", ("quantitative", "≥", "2", "场")),
        ("2场及以上", ("quantitative", "≥", "2", "场")),
        ("100人以上", ("quantitative", "≥", "100", "人")),
        ("三场以上", ("quantitative", "≥", "3", "场")),
        ("不超过120万元", ("quantitative", "≤", "120", "万元")),
        ("不高于5%", ("rate", "≤", "5", "%")),
        ("不多于3次", ("quantitative", "≤", "3", "次")),
        ("120万元以内", ("quantitative", "≤", "120", "万元")),
        ("3人以下", ("quantitative", "≤", "3", "人")),
        ("小于等于3人", ("quantitative", "≤", "3", "人")),
        ("达到95%", ("rate", "≥", "95", "%")),
        ("至少2次以上", ("quantitative", "≥", "2", "次")),
        ("至少为50人次", ("quantitative", "≥", "50", "人次")),
        # numbers
        ("2.5万元", ("quantitative", "=", "2.5", "万元")),
        ("1,000人", ("quantitative", "=", "1000", "人")),
        ("1，000人", ("quantitative", "=", "1000", "人")),
        ("２０个", ("quantitative", "=", "20", "个")),
        ("９５％", ("rate", "=", "95", "%")),
        ("两场", ("quantitative", "=", "2", "场")),
        ("十五人", ("quantitative", "=", "15", "人")),
        ("一百二十万元", ("quantitative", "=", "120", "万元")),
        ("百分之九十五", ("rate", "=", "95", "%")),
        ("9.0份", ("quantitative", "=", "9", "份")),
        ("1.5万人次", ("quantitative", "=", "15000", "人次")),
        # units
        ("9份", ("quantitative", "=", "9", "份")),
        ("2场次", ("quantitative", "=", "2", "场次")),
        ("1支", ("quantitative", "=", "1", "支")),
        ("10家", ("quantitative", "=", "10", "家")),
        ("1个", ("quantitative", "=", "1", "个")),
        ("50人次", ("quantitative", "=", "50", "人次")),
        ("20次", ("quantitative", "=", "20", "次")),
        ("3期", ("quantitative", "=", "3", "期")),
        ("2项", ("quantitative", "=", "2", "项")),
        ("5篇", ("quantitative", "=", "5", "篇")),
        ("8件", ("quantitative", "=", "8", "件")),
        ("3年", ("quantitative", "=", "3", "年")),
        ("2个百分点", ("quantitative", "=", "2", "个百分点")),
        ("1", ("quantitative", "=", "1", None)),
        ("≥1", ("quantitative", "≥", "1", None)),
        # money normalises to 万元
        ("3亿", ("quantitative", "=", "30000", "万元")),
        ("3亿元", ("quantitative", "=", "30000", "万元")),
        ("≥ 3亿", ("quantitative", "≥", "30000", "万元")),
        ("5000元", ("quantitative", "=", "0.5", "万元")),
        ("460万元", ("quantitative", "=", "460", "万元")),
        ("十五万", ("quantitative", "=", "15", "万元")),
        # rates
        ("100%", ("rate", "=", "100", "%")),
        ("≥95%", ("rate", "≥", "95", "%")),
        ("-5%", ("rate", "=", "-5", "%")),
        # spaces anywhere, trailing punctuation, labels
        (" ≥ 3 场 ", ("quantitative", "≥", "3", "场")),
        ("≥1支。", ("quantitative", "≥", "1", "支")),
        ("<p>≥1支</p>", ("quantitative", "≥", "1", "支")),
    ],
)
def test_grammar_form(text, expected):
    assert summary(parse_value(text)) == expected


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("2021年", (2021, None, None)),
        ("2021年12月底前", (2021, 12, None)),
        ("2021年6月30日前", (2021, 6, 30)),
        ("2021年底前", (2021, None, None)),
        ("2021年12月", (2021, 12, None)),
        ("在2021年6月30日之前完成", (2021, 6, 30)),
        ("≤2021年", (2021, None, None)),
        ("２０２１年", (2021, None, None)),
    ],
)
def test_deadline_forms(text, deadline):
    v = parse_value(text)
    assert (v.kind, v.op, v.deadline, v.number, v.unit) == (Kind.DEADLINE, "≤", deadline, None, None)


@pytest.mark.parametrize("text", ["2021年2月30日前", "2021年13月底前"])
def test_impossible_dates_are_not_deadlines(text):
    assert parse_value(text).kind is not Kind.DEADLINE


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("进一步提升", True),
        ("有所提高", True),
        ("明显改善", True),
        ("显著提升", True),
        ("逐步完善", True),
        ("不断提高", True),
        ("提升", True),
        ("全面排名前列", False),
        ("形成可复制可推广模式", False),
    ],
)
def test_qualitative_and_vague(text, vague):
    v = parse_value(text)
    assert (v.kind, v.vague, v.targets) == (Kind.QUALITATIVE, vague, ())


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("", None),
        ("....", None),
        (".....", None),
        ("…", None),
        (". ..", None),
        ("指标4:", "指标4"),
        ("指标4：", "指标4"),
        ("指标9: ....", "指标9"),
        ("指标 12 ：  ", "指标12"),
    ],
)
def test_placeholders(text, label):
    v = parse_value(text)
    assert (v.kind, v.label) == (Kind.PLACEHOLDER, label)
    assert is_placeholder_text(text)


def test_placeholder_none_and_content_after_label():
    assert parse_value(None).kind is Kind.PLACEHOLDER
    assert is_placeholder_text(None)
    assert not is_placeholder_text("指标1: xxx ... ..")
    assert not is_placeholder_text("指标1: 项目完成期限符合相关要求 ... ..")
    assert not is_placeholder_text("生态效益 指标")


def test_label_is_kept_and_stripped():
    v = parse_value("指标4：≥2场")
    assert (v.label, summary(v)) == ("指标4", ("quantitative", "≥", "2", "场"))
    assert format_value(v) == "指标4: ≥2场"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("举办至少2场次面向企业…的培训,每场培训规模至少为50人次", [["≥", "2", "场次"], ["≥", "50", "人次"]]),
        ("至少面向企业提供20次…,至少面向20个企业…", [["≥", "20", "次"], ["≥", "20", "个"]]),
        ("出版至少3期技术类相关刊物。", [["≥", "3", "期"]]),
        ("完成至少1个研究课题", [["≥", "1", "个"]]),
        ("至少2次以上", [["≥", "2", "次"]]),
        ("满意度达到95%以上", [["≥", "95", "%"]]),
        ("费用控制在不超过3亿的范围", [["≤", "30000", "万元"]]),
        ("邀请专家15人以上参与", [["≥", "15", "人"]]),
        ("召开三场以上的专题分论坛", [["≥", "3", "场"]]),
        ("《2020年广东知识产权发展实力研究报告》发布", []),
        ("第3期刊物于2021年出版", []),
        ("召开一场主论坛,打造一次性服务", []),
        ("进一步提升", []),
        ("2021年", []),
    ],
)
def test_extract_targets(text, expected):
    assert [[t.op, str(t.number), t.unit] for t in extract_targets(text)] == expected


def test_sentence_kind_and_fragments():
    v = parse_value("举办至少2场次面向企业的培训,每场培训规模至少为50人次")
    assert v.kind is Kind.SENTENCE and (v.op, v.number, v.unit) == (None, None, None)
    assert [t.text for t in v.targets] == ["至少2场次", "至少为50人次"]


# ---------------------------------------------------------------- formatting and Excel values


@pytest.mark.parametrize(
    ("target", "text"),
    [
        (Target("≥", Decimal("2"), "场次"), "≥2场次"),
        (Target("=", Decimal("9"), "份"), "9份"),
        (Target("=", Decimal("9.0"), "份"), "9份"),
        (Target("≥", Decimal("60000"), "万元"), "≥6亿元"),
        (Target("≥", Decimal("30000"), "万元"), "≥3亿元"),
        (Target("≥", Decimal("12000"), "万元"), "≥12000万元"),
        (Target("≤", Decimal("120"), "万元"), "≤120万元"),
        (Target("=", Decimal("3E+4"), "万元"), "3亿元"),
        (Target("=", Decimal("1E+3"), None), "1000"),
        (Target("=", Decimal("100"), "%"), "100%"),
        (Target("<", Decimal("0.5"), "万元"), "<0.5万元"),
    ],
)
def test_target_format(target, text):
    assert target.format() == text
    assert parse_value(text).targets == (target,)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("≥ 3亿", "≥3亿元"),
        ("100人以上", "≥100人"),
        ("至少2次以上", "≥2次"),
        ("9份", "9份"),
        ("2021年12月", "2021年12月底前"),
        ("指标9: ....", "指标9:"),
        ("....", ""),
        ("进一步提升", "进一步提升"),
        ("<p>指标1: 项目完成期限符合相关要求 ... ..</p>", "指标1: 项目完成期限符合相关要求 ... .."),
    ],
)
def test_format_value_canonical(text, canonical):
    v = parse_value(text)
    assert format_value(v) == canonical
    assert parse_value(canonical) == v


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (460, ("quantitative", "=", "460", None)),
        (2020.0, ("quantitative", "=", "2020", None)),
        (0.95, ("quantitative", "=", "0.95", None)),
        (1e16, ("quantitative", "=", "10000000000000000", None)),
        (Decimal("9.50"), ("quantitative", "=", "9.5", None)),
        (None, ("placeholder", None, None, None)),
        (float("nan"), ("qualitative", None, None, None)),
    ],
)
def test_excel_cell_values(value, expected):
    assert summary(parse_value(value)) == expected


def test_never_raises_on_hostile_objects():
    class Hostile:
        def __str__(self):
            raise RuntimeError("boom")

    assert isinstance(parse_value(Hostile()), ParsedValue)
    assert isinstance(parse_value(["≥1支"]), ParsedValue)
    assert is_placeholder_text(Hostile()) in (True, False)


def test_kind_values_are_the_contract():
    assert [k.value for k in Kind] == [
        "quantitative",
        "rate",
        "deadline",
        "qualitative",
        "placeholder",
        "sentence-with-targets",
    ]
