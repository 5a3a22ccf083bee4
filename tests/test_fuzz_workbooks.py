"""Fuzzing: thousands of damaged workbooks and arbitrary texts; every case gives Forms or a not-a-form message.

- a mutation fuzzer over real workbooks (the importer's four city workbooks, a hand-made form without defined
  names, a marked copy and the provincial workbook): raw byte damage (flips, truncation, junk, a damaged
  central directory) and structural damage inside a valid zip (parts dropped or cut, XML elements deleted, cell
  references, types and values scrambled, defined names, merges and sheet names garbled, rows shuffled);
- the CLI over a folder of such files: every file reported, exit code 1 or 2, never a traceback;
- hypothesis over the 指标值 parser as validation and consolidation use it, and over the annex importer from
  bytes on disk to city workbooks read back.

Fixed seeds: the same cases every run; bounded: about 20-30 s on two cores.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hostile_fixtures import annex_path, seed_city_workbooks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbook_mutations import RAW, STRUCTURAL, mutate

from xl_tools.domain.form import Form, Located
from xl_tools.errors import NotAFormError, XlToolsError
from xl_tools.workbook.reader import read_forms

SEED = 20201231
RAW_CASES = 2400                  # mostly stopped by the pre-flight (a few ms each); openpyxl too for every fourth
STRUCTURAL_CASES = 320            # reach the parsers: calamine for every case, openpyxl too for every fourth
CHUNKS = 4


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[tuple[str, bytes]]:
    from openpyxl import Workbook

    from xl_tools.cli import main
    from xl_tools.domain.form import HEADER_FIELDS, INDICATOR_COLUMNS

    root = tmp_path_factory.mktemp("corpus")
    cities = seed_city_workbooks(root / "cities")
    hand = root / "手工表.xlsx"                    # a form typed by hand: labels only, no defined names
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标"
    ws.append(["省财政专项转移支付绩效目标表(二级项目-汕头)"])
    for field in HEADER_FIELDS:
        ws.append([field.label, {"budget_year": "2020年", "funding": "80万元", "department": "汕头市市场监管局"}
                   .get(field.key, f"{field.label}内容")])
    ws.append([label for _, label in INDICATOR_COLUMNS])
    ws.append(["产出指标", "数量指标", "举办培训班场次", "≥2场"])
    ws.append(["", "质量指标", "培训满意度", "≥90%"])
    ws.append(["效益指标", "社会效益指标", "服务企业数", "≥100家"])
    ws.merge_cells("A1:D1")
    wb.save(hand)
    assert main(["validate", str(cities[0]), "--annotate"]) in (0, 1)
    province = root / "全省.xlsx"
    assert main(["consolidate", *map(str, cities), "-o", str(province)]) in (0, 1)
    files = [*cities, hand, root / "cities" / f"{cities[0].stem}.校验.xlsx", province]
    return [(p.name, p.read_bytes()) for p in files]


def outcome(path: Path, engine: str) -> str:
    """'forms' or 'not-a-form'; anything else raised is a failure (the caller records it)."""
    from xl_tools.rules import validate_forms

    try:
        forms = read_forms(path, engine=engine)
    except NotAFormError as exc:
        message = str(exc)
        assert str(path) in message and "请" in message, message
        return "not-a-form"
    assert forms and all(isinstance(f, Form) for f in forms)
    report = validate_forms(forms)
    assert len(report.tasks) == len(forms)
    return "forms"


def run_cases(tmp_path: Path, corpus, rng: random.Random, count: int, mutators, openpyxl_every: int) -> Counter:
    seen: Counter = Counter()
    failures = []
    for i in range(count):
        name, base = rng.choice(corpus)
        how, data = mutate(rng, base, mutators)
        path = tmp_path / f"case{i}.xlsx"
        path.write_bytes(data)
        engines = ("calamine", "openpyxl") if i % openpyxl_every == 0 else ("calamine",)
        for engine in engines:
            try:
                seen[outcome(path, engine)] += 1
            except Exception as exc:  # the property under test: nothing else may escape
                keep = tmp_path / f"failure-{i}-{engine}.xlsx"
                keep.write_bytes(data)
                failures.append(f"case {i} ({name}: {how}, {engine}) → {type(exc).__name__}: {exc} [{keep}]")
        path.unlink()
    assert not failures, "\n".join(failures[:10])
    return seen


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_raw_byte_damage(tmp_path, corpus, chunk):
    n = RAW_CASES // CHUNKS
    seen = run_cases(tmp_path, corpus, random.Random(SEED + chunk), n, RAW, openpyxl_every=4)
    assert seen["not-a-form"] > 0 and sum(seen.values()) == n + len(range(0, n, 4))


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_structural_damage(tmp_path, corpus, chunk):
    rng = random.Random(SEED * 7 + chunk)
    seen = run_cases(tmp_path, corpus, rng, STRUCTURAL_CASES // CHUNKS, STRUCTURAL, openpyxl_every=4)
    assert seen["forms"] > 0 and seen["not-a-form"] > 0      # both paths exercised


def test_validate_and_consolidate_over_a_folder_of_damaged_files(tmp_path, corpus, capsys):
    from xl_tools.cli import main

    rng = random.Random(SEED + 99)
    folder = tmp_path / "各地市"
    folder.mkdir()
    for name, data in corpus[:4]:
        (folder / name).write_bytes(data)
    for i in range(24):
        name, base = rng.choice(corpus[:5])
        _, data = mutate(rng, base, RAW if i % 3 == 0 else STRUCTURAL)
        (folder / f"损坏{i:02d}.xlsx").write_bytes(data)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code = main(["validate", str(folder), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code in (1, 2)
    reported = {Path(f["path"]).name for f in out["files"]}
    assert reported == set(before)                               # every file reported, none dropped
    for f in out["files"]:
        for finding in f["findings"]:
            assert finding["message"] and "Traceback" not in finding["message"]
    code = main(["consolidate", str(folder), "-o", str(tmp_path / "全省.xlsx"), "--json"])
    captured = capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in captured.err
    if code in (0, 1):
        assert json.loads(captured.out)["cities"]
    else:
        assert captured.err.startswith("错误：") and "请" in captured.err
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in before} == before


# --- hypothesis: the 指标值 parser where validation and consolidation use it ---------------------------------------

VALUE_WORDS = ["≥", "≤", "＞", "<", "=", "＝", "不少于", "以上", "以内", "至少", "2", "0.5", "１００", "三", "两", "1,000",
               "%", "％", "万元", "亿", "亿元", "元", "场", "场次", "份", "家", "人次", "年", "月底前", "2021年",
               "12月31日", "....", "…", "指标4:", "进一步提升", "-", "+", "=", "@", "e", "1e400", "NaN", "∞",
               "\n", " ", "\u3000", "(", ")", "及", "/场", "每场"]
value_text = st.lists(st.one_of(st.sampled_from(VALUE_WORDS), st.text(max_size=4)), max_size=8).map("".join)


def _base_forms() -> list[Form]:
    from xl_tools.annex import read_annex

    return read_annex(annex_path())


BASE = None


def _forms_with(values: list[str], names: list[str]) -> list[Form]:
    global BASE
    if BASE is None:
        BASE = _base_forms()
    out = []
    for k, form in enumerate(BASE[:2]):
        rows = list(form.indicators)
        for i, (value, name) in enumerate(zip(values, names)):
            j = (i + k) % len(rows)
            rows[j] = replace(rows[j], level3=Located(name), value=Located(value))
        header = dict(form.header)
        header["funding"] = Located(values[0] if values else "")
        out.append(replace(form, indicators=tuple(rows), header=header))
    return out


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(value_text, min_size=1, max_size=6), st.lists(value_text, min_size=1, max_size=6))
def test_validation_never_fails_on_any_value(values, names):
    from xl_tools.rules import validate_form
    from xl_tools.rules.registry import RULES, load_rules

    load_rules()
    for form in _forms_with(values, names):
        report = validate_form(form)
        for finding in report.findings:
            assert finding.code in RULES and finding.message


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(value_text, min_size=1, max_size=5), st.lists(st.sampled_from(["培训场次", "企业数", "满意度",
                                                                              "专利预警报告"]), min_size=1, max_size=5))
def test_consolidation_never_fails_on_any_value(values, names):
    from xl_tools.consolidate import consolidate

    cons = consolidate(_forms_with(values, names))
    assert len(cons.cities) == 2 and cons.to_json() is not None


# --- hypothesis: the annex importer from bytes on disk to workbooks read back ----------------------------------------

SEED_TEXT = annex_path().read_text(encoding="utf-8")
LINES = SEED_TEXT.split("\n")


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]),
       st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.sampled_from(["drop", "dup", "cut", "junk", "keep"]),
                          st.binary(max_size=6)), max_size=12))
def test_read_annex_from_any_bytes(tmp_path_factory, encoding, edits):
    from xl_tools.annex import read_annex

    lines = list(LINES)
    for index, op, junk in edits:
        i = index % len(lines)
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: len(lines[i]) // 2]
        elif op == "junk":
            lines[i] = lines[i] + junk.decode("latin-1")
        if not lines:
            lines = [""]
    data = "\n".join(lines).encode(encoding, errors="replace")
    path = tmp_path_factory.mktemp("annex") / "附件.txt"
    path.write_bytes(data)
    try:
        forms = read_annex(path)
    except XlToolsError as exc:                 # a clear message naming the file and what the table must be
        assert str(path) in str(exc) and ("请" in str(exc) or "应" in str(exc)), str(exc)
        return
    assert all(isinstance(f, Form) for f in forms)


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.sampled_from(["=SUM(1,2)", "+1", "-", "@x", "\t",
                                                                           "≥3亿", "指标9: ....", "<p>"])),
                min_size=1, max_size=6))
def test_import_annex_writes_workbooks_that_read_back_equal(tmp_path_factory, edits):
    from xl_tools.annex import import_annex, read_annex

    lines = list(LINES)
    for index, text in edits:
        i = index % len(lines)
        lines[i] = lines[i] + text
    folder = tmp_path_factory.mktemp("import")
    path = folder / "附件.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        expected = {f.city: f for f in read_annex(path)}
        written = import_annex(path, folder / "out")
    except XlToolsError as exc:
        assert "请" in str(exc)
        return
    for book in written:
        for form in read_forms(book, engine="calamine"):
            want = expected.get(form.city)
            if want is None:
                continue
            assert [(r.level3.text, r.value.text) for r in form.rows] == [(r.level3.text, r.value.text)
                                                                          for r in want.rows]
