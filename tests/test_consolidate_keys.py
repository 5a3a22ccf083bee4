"""Canonical keys and the indicator library: the seed's differing wordings meet, user libraries extend."""

from __future__ import annotations

import json

import pytest

from xl_tools.consolidate.keys import canonical_key, display_name, strip_label
from xl_tools.consolidate.library import default_library, library_errors, load_library
from xl_tools.errors import InputError

REPORT = "组织编写对遭遇海外诉讼的行业(产品)进行专利预警分析和海外诉讼跟踪研究报告"


@pytest.mark.parametrize("text", [
    REPORT,
    "指标1: " + REPORT,                                    # 珠海
    "指标1：" + REPORT.replace("(", "（").replace(")", "）"),  # full-width punctuation
    " 组织编写对遭遇海外诉讼的行业 (产品) 进行专利预警分析和\n海外诉讼跟踪研究报告 ",
    "<p>" + REPORT + "</p>",
])
def test_wordings_of_one_indicator_share_a_key(text):
    assert canonical_key(text) == canonical_key(REPORT)


def test_key_drops_labels_punctuation_and_trailing_dots():
    assert canonical_key("指标1: 项目完成期限符合相关要求 ... ..") == "项目完成期限符合相关要求"
    assert canonical_key("形成《2020年广东知识产权发展实力研究报告》") == "形成2020年广东知识产权发展实力研究报告"
    assert canonical_key("指标4:") == "" and canonical_key("....") == ""
    # different indicators stay apart
    assert canonical_key("发行知识产权证券化产品数量") != canonical_key("发行知识产权证券化产品规模")


def test_display_name_keeps_punctuation_but_not_label():
    assert display_name("指标2：提升相关产业布局风险防范意识和涉外维权能力") == "提升相关产业布局风险防范意识和涉外维权能力"
    assert strip_label("指标 10 : 活动  影响力") == "活动 影响力"


def test_default_library_is_valid_and_maps_synonyms():
    lib = default_library()
    entry = lib.lookup("证券化产品规模")
    assert entry.name == "发行知识产权证券化产品规模" and entry.unit == "亿元"
    assert lib.lookup("指标1: 专利预警分析和海外诉讼跟踪研究报告").name == REPORT
    assert lib.lookup("完全不同的新指标") is None


def test_user_library_extends_and_overrides(tmp_path):
    path = tmp_path / "我的指标库.json"
    path.write_text(json.dumps({
        "version": "本局2021",
        "indicators": [
            {"name": "举办培训场次", "unit": "场次", "synonyms": ["培训数量要求", "举办培训"]},
            {"name": "证券化产品发行规模（万元口径）", "unit": "万元", "synonyms": ["证券化产品规模"]},
        ],
    }, ensure_ascii=False), encoding="utf-8-sig")
    lib = load_library(path)
    assert lib.lookup("培训数量要求").name == "举办培训场次"
    assert lib.lookup("证券化产品规模").unit == "万元"               # the user's synonym wins
    assert lib.lookup("发行知识产权证券化产品规模").unit == "亿元"   # the default entry is still there
    assert lib.lookup("涉及产业数量").unit == "个"
    assert str(path) in lib.sources


def test_invalid_library_is_a_clear_input_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": "1", "indicators": [{"unit": "份"}]}), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_library(bad)
    assert "name" in str(exc.value) and str(bad) in str(exc.value)

    bad.write_text('{"version": "1", "indicators": [', encoding="utf-8")
    with pytest.raises(InputError, match="不是有效的 JSON"):
        load_library(bad)
    with pytest.raises(InputError, match="找不到指标库文件"):
        load_library(tmp_path / "missing.json")

    bad.write_text(json.dumps({"version": "1", "indicators": [
        {"name": "甲", "synonyms": ["乙"]}, {"name": "丙", "synonyms": ["乙 "]}]}, ensure_ascii=False),
        encoding="utf-8")
    with pytest.raises(InputError, match="重复"):
        load_library(bad)


def test_unit_must_be_a_known_unit():
    assert library_errors({"version": "1", "indicators": [{"name": "x", "unit": "斤"}]})
    assert not library_errors({"version": "1", "indicators": [{"name": "x", "unit": "亿元"}]})


def test_the_shipped_library_holds_to_its_schema():
    """default_library() trusts the shipped file without the schema check; this test is that check."""
    from importlib import resources

    text = resources.files("xl_tools.consolidate").joinpath("data", "indicator_library.json").read_text("utf-8")
    assert library_errors(json.loads(text)) == []
    assert len(default_library().entries) > 10


def test_a_users_library_is_still_checked_against_the_schema(tmp_path):
    bad = tmp_path / "指标库.json"
    bad.write_text(json.dumps({"version": "1", "indicators": [{"name": "x", "unit": "斤"}]}, ensure_ascii=False),
                   encoding="utf-8")
    with pytest.raises(InputError, match="指标库文件格式不正确"):
        load_library(bad)


def test_loading_the_shipped_library_does_not_import_jsonschema():
    import subprocess
    import sys

    code = ("import sys; from xl_tools.consolidate.library import default_library; default_library(); "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
