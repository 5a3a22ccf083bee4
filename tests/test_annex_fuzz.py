"""parse_annex never raises, always returns schema-valid Forms, and drops no text — on arbitrary or mutated input."""

from __future__ import annotations

import html
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_tools.annex import parse_annex
from xl_tools.domain.form import FIELD_BY_LABEL, INDICATOR_COLUMNS, Form
from xl_tools.domain.schema import check_form
from xl_tools.domain.text import squash

SEED = Path(__file__).resolve().parent.parent / "xl_tools" / "data" / "annex_2020.txt"
SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")
OTHER_LINES = (Path(__file__).resolve().parent / "data" / "annex_other.txt").read_text(encoding="utf-8").split("\n")

TEMPLATE_LABELS = frozenset({*FIELD_BY_LABEL, *(label for _, label in INDICATOR_COLUMNS), "绩效指标"})
_P = re.compile(r"<\s*/?\s*p(?:\s[^<>]*)?>|<\s*br\s*/?\s*>", re.IGNORECASE)
_HEADING = re.compile(r"^[ \u3000]*#{1,6}(?:[ \u3000]+|$)")

WORDS = ["产出指标", "效益 指标", "数量指标", "服务对象 满意度指标", "指标4:", "....", "... ..", "绩效指标",
         "一级指标", "二级指标", "三级指标", "指标值", "项目名称", "地方主管部门", "资金需求：", "460万元",
         "省财政专项转移支付绩效目标表(二级项目-广州)", "## ", "<p>", "</p>", "\t", "\n", " ", "9份", "≥1支",
         "深圳市场监管局", "培训数量要求", "&amp;", "<br>", "<span>", "2021年"]


def annex_texts(text: str) -> list[str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    found = []
    for line in text.split("\n"):
        body = _HEADING.sub("", line, count=1)
        for cell in body.split("\t"):
            for fragment in _P.split(cell):
                fragment = html.unescape(fragment).replace("\ufeff", "")  # a stray BOM is not text
                if squash(fragment):
                    found.append(fragment)
    return found


def hay_of(forms: list[Form]) -> list[str]:
    texts = []
    for form in forms:
        texts += [form.title.text, *(loc.text for loc in form.header.values()), *form.notes]
        for row in form.indicators:
            texts += [row.level1.text, row.level2.text, row.level3.text, row.value.text,
                      row.level3.text + row.value.text]
    return [squash(t) for t in texts if t]


def assert_sound(text: str) -> None:
    forms = parse_annex(text, source="fuzz.txt")
    for form in forms:
        check_form(form)
    if forms:
        hay = "\n".join(hay_of(forms))  # squashed keys hold no newline: no match across two texts
        for fragment in annex_texts(text):
            key = squash(fragment)
            label = next((lb for lb in TEMPLATE_LABELS if key.startswith(lb + ":")), None)
            key = key[len(label) + 1:] if label else key
            assert not key or key in TEMPLATE_LABELS or key in hay, fragment


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=60).map("".join))
def test_arbitrary_text(text):
    assert_sound(text)


CELL = st.one_of(st.sampled_from([w for w in WORDS if w not in ("\t", "\n")] + [""] * 6), st.text(max_size=6),
                 st.lists(st.sampled_from(WORDS[:20]), max_size=3).map(lambda ws: "".join(f"<p>{w}</p>" for w in ws)))
LINE = st.lists(CELL, max_size=6).map("\t".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=25))
def test_random_table_lines(lines):
    # a title first, so that most examples hold a table
    assert_sound("\n".join(["## 省财政专项转移支付绩效目标表(二级项目-中山)", *lines]))


def _mutate(lines: list[str], ops: list[tuple[int, int, int]]) -> str:
    lines = list(lines)
    for op, i, j in ops:
        if not lines:
            break
        i %= len(lines)
        j %= len(lines)
        cells = lines[i].split("\t")
        if op == 0:                                   # drop a line
            del lines[i]
        elif op == 1:                                 # duplicate a line (a page break repeating it)
            lines.insert(i, lines[i])
        elif op == 2:                                 # shift the cells left (a lost merged cell)
            lines[i] = "\t".join(cells[1:] + [""])
        elif op == 3:                                 # shift the cells right
            lines[i] = "\t".join([""] + cells)
        elif op == 4:                                 # swap two lines
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 5:                                 # cut a line short
            lines[i] = lines[i][: j % (len(lines[i]) + 1)]
        elif op == 6:                                 # glue two cells together
            k = j % len(cells)
            lines[i] = "\t".join(cells[:k] + ["".join(cells[k:k + 2])] + cells[k + 2:])
        elif op == 7:                                 # wrap a cell in <p> fragments
            k = j % len(cells)
            cells[k] = "<p>" + cells[k].replace(" ", "</p> <p>") + "</p>"
            lines[i] = "\t".join(cells)
        elif op == 8:                                 # lose the '## ' of a heading or add one
            lines[i] = lines[i][3:] if lines[i].startswith("## ") else "## " + lines[i]
        else:                                         # split a cell at a space into two cells
            lines[i] = lines[i].replace(" ", "\t", 1)
    return "\n".join(lines)


OPS = st.lists(st.tuples(st.integers(0, 9), st.integers(0, 10_000), st.integers(0, 10_000)), max_size=12)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_mutated_seed(ops):
    assert_sound(_mutate(SEED_LINES, ops))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_mutated_other_annex(ops):
    assert_sound(_mutate(OTHER_LINES, ops))
