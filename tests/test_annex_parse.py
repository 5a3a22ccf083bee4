"""parse_annex on the published 2020 annex and on a second, hand-written annex with other cities and quirks."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from xl_tools.annex import bundled_annex_path, parse_annex
from xl_tools.domain.form import FIELD_BY_LABEL, INDICATOR_COLUMNS, Form
from xl_tools.domain.schema import check_form
from xl_tools.domain.text import squash
from xl_tools.domain.values import is_placeholder_text

DATA = Path(__file__).resolve().parent / "data"
OTHER = DATA / "annex_other.txt"

# ------------------------------------------------------------------------------------- coverage helpers
# Lexed here independently of the importer: tabs split cells, <p>/<br> split fragments, '#' marks dropped.

TEMPLATE_LABELS = frozenset({*FIELD_BY_LABEL, *(label for _, label in INDICATOR_COLUMNS), "绩效指标"})
_P = re.compile(r"</?p>|<br\s*/?>", re.IGNORECASE)
_HEADING = re.compile(r"^\s*#+\s*")


def annex_texts(text: str) -> list[tuple[int, str]]:
    """(line number, fragment) for every non-empty cell fragment of an annex."""
    found = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        for cell in _HEADING.sub("", line).split("\t"):
            for fragment in _P.split(cell):
                if squash(fragment):
                    found.append((number, fragment))
    return found


def form_haystack(form: Form) -> list[str]:
    """Squashed texts of a Form: title, header fields, every indicator field (and 三级+指标值 together), notes."""
    texts = [form.title.text, *(loc.text for loc in form.header.values()), *form.notes]
    for row in form.indicators:
        texts += [row.level1.text, row.level2.text, row.level3.text, row.value.text, row.level3.text + row.value.text]
    return [squash(t) for t in texts if t]


def missing_texts(text: str, forms: list[Form]) -> list[tuple[int, str]]:
    """Annex fragments found in no Form (template labels such as 项目名称 excepted)."""
    hay = "\n".join(h for form in forms for h in form_haystack(form))  # keys hold no newline
    missing = []
    for n, frag in annex_texts(text):
        key = squash(frag)
        label = next((lb for lb in TEMPLATE_LABELS if key.startswith(lb + ":")), None)
        key = key[len(label) + 1:] if label else key  # "预算年度：2021年": the label is the template's
        if key and key not in TEMPLATE_LABELS and key not in hay:
            missing.append((n, frag))
    return missing


def rows_of(form: Form) -> list[tuple[str, str, str, str]]:
    return [(r.level1.text, r.level2.text, r.level3.text, r.value.text) for r in form.indicators]


# ------------------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_text(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text) -> dict[str, Form]:
    forms = parse_annex(seed_text, source="附件3.txt")
    return {f.city: f for f in forms}


def test_bundled_copy_is_the_seed_byte_for_byte(seed_path):
    assert bundled_annex_path().read_bytes() == seed_path.read_bytes()


def test_four_city_forms_in_annex_order(seed_text):
    forms = parse_annex(seed_text, source="附件3.txt")
    assert [f.city for f in forms] == ["广州", "深圳", "珠海", "佛山"]
    for form in forms:
        check_form(form)  # every Form serialises to a valid record
        assert form.source == "附件3.txt"
        assert form.title.text == f"省财政专项转移支付绩效目标表(二级项目-{form.city})"


def test_header_fields(seed):
    assert [seed[c].get("funding").text for c in ("广州", "深圳", "珠海", "佛山")] == \
        ["460万元", "180万元", "50万元", "100万元"]
    assert [seed[c].get("budget_year").text for c in ("广州", "深圳", "珠海", "佛山")] == \
        ["2020年", "", "2020年", ""]
    assert [seed[c].get("local_department").text for c in ("广州", "深圳", "珠海", "佛山")] == \
        ["广州市市场监管局", "深圳市场监管局", "珠海市场监管局", "佛山市场监管局"]
    for form in seed.values():
        assert form.get("provincial_department").text == ""
        assert form.get("fund_type").text == "省级财政专项资金"
        assert form.get("project_level").text == "二级项目"
    gz = seed["广州"]
    # <p> paragraphs of a header cell are joined with newlines; the <p>-wrapped label 总体绩效目标 is found
    assert gz.get("expenditure").text.count("\n") == 7
    assert gz.get("expenditure").text.startswith("1. 知识产权证券化组织")
    assert gz.get("overall_goal").text.startswith("1. 成功获批发行至少1支知识产权证券化产品")
    assert "<p>" not in gz.get("policy_basis").text


def test_guangzhou_ten_quantity_rows_with_inline_values(seed):
    quantity = [r for r in rows_of(seed["广州"]) if r[1] == "数量指标"]
    assert [r[3] for r in quantity] == ["9份", "9场", "≥1支", "≥10家", "≥1个", "≥4场", "≥500人", "1份", "1场", "1份"]
    assert all(r[0] == "产出指标" for r in quantity)
    assert quantity[0][2] == "组织编写对遭遇海外诉讼的行业(产品)进行专利预警分析和海外诉讼跟踪研究报告"
    assert quantity[2][2] == "发行知识产权证券化产品数量"


def test_guangzhou_stray_values_go_to_quality_and_deadline_rows(seed):
    gz = seed["广州"]
    rows = rows_of(gz)
    quality = [r for r in rows if r[1] == "质量指标"]
    deadline = [r for r in rows if r[1] == "时效指标"]
    assert quality[0] == ("产出指标", "质量指标", "指标1: 项目申报、评审、公示程序符合相关管理办法要求", "1")
    assert deadline[0] == ("产出指标", "时效指标", "指标1: 项目完成期限符合相关要求", "2021年")
    # the "... .." run into those cells is the unfilled continuation row: kept as a placeholder row
    assert quality[1][2:] == ("... ..", "") and deadline[1][2:] == ("... ..", "")
    moved = [n for n in gz.notes if "“1”“2021年”" in n]
    assert len(moved) == 1 and "第19行" in moved[0] and "第20行" in moved[0]


def test_guangzhou_shifted_and_spaced_levels(seed):
    rows = rows_of(seed["广州"])
    assert ("产出指标", "成本指标", "指标4:", "") in rows                      # 绩 效 指 标 | 产出 指标 | 成本指标
    assert ("效益指标", "经济效益指标", "发行知识产权证券化产品规模", "≥ 3亿") in rows
    assert ("效益指标", "经济效益指标", "精准对接知识产权人才数量", "100人以上") in rows
    assert ("效益指标", "生态效益指标", "指标7: ....", "") in rows           # 二级 in the 三级 column
    assert ("效益指标", "可持续影响指标", "指标8: ....", "") in rows
    assert ("满意度指标", "服务对象满意度指标", "指标9: ....", "") in rows    # 一级 told from its 二级
    assert sum(r[3] == "进一步提升" for r in rows) == 3
    assert {r[0] for r in rows} == {"产出指标", "效益指标", "满意度指标"}


def test_shenzhen_sub_headings_kept_with_their_sentences(seed):
    sz = seed["深圳"]
    rows = rows_of(sz)
    expected = {
        "培训数量要求": "举办至少2场次面向企业、高校、科技园区的培训,每场培训规模至少为50人次",
        "提供服务数量要求": "至少面向企业提供20次专业数据库检索服务,至少面向20个企业提供专业技术答复咨询。",
        "宣传活动数量要求": "组织或参与至少2次TISC机构推广宣传活动,组织或参与至少2次以上与其他技术与创新支持中心的交流活动。",
        "出版刊物数量要求": "出版至少3期技术类相关刊物。",
    }
    # written in the 二级 column in 深圳's table: kept there, so the validator reports invalid-level2
    for heading, sentence in expected.items():
        assert ("产出指标", heading, sentence, "") in rows
    assert ("产出指标", "数量指标", "服务产出数量要求",
            "向政府、高校或企业提供至少2份技术分析报告、至少2份产业趋势报告；向企业或个人提供至少2份专利风险评估或侵权分析报告。"
            ) in rows
    assert ("产出指标", "数量指标", "课题完成数量要求",
            "开展技术与创新支持中心工作制度相关研究，完成至少1个研究课题。") in rows
    note = next(n for n in sz.notes if "培训数量要求" in n)
    assert "第50、51、52、53行" in note and "二级指标" in note and "数量指标" in note
    # the page break repeating 绩效指标 产出指标 数量指标 makes no extra row
    assert sum(r[2] == "服务产出数量要求" for r in rows) == 1
    assert ("产出指标", "成本指标", "指标4：", "") in rows                      # 成本指标 in the 一级 column
    assert ("效益指标", "可持续影响指标", "指标8：", "") in rows                # 二级 in column 0
    assert ("满意度指标", "服务对象满意度指标", "指标9：", "") in rows


@pytest.mark.parametrize("city, count", [("广州", 7), ("深圳", 12), ("珠海", 12), ("佛山", 11)])
def test_every_placeholder_kept_as_an_indicator_row(seed, seed_text, city, count):
    form = seed[city]
    placeholders = [r.level3.text for r in form.indicators if is_placeholder_text(r.level3.text)]
    assert len(placeholders) == count
    # each placeholder cell of the table's indicator block is a row of its own
    lines = seed_text.split("\n")
    start = next(i for i, line in enumerate(lines) if f"二级项目-{city}" in line)
    end = next((i for i, line in enumerate(lines) if "二级项目-" in line and i > start), len(lines))
    block = lines[next(i for i in range(start, end) if "一级指标" in lines[i]) + 1:end]
    cells = Counter(c.strip() for line in block for c in _P.sub("", line).split("\t")
                    if c.strip() and is_placeholder_text(c))
    assert not cells - Counter(placeholders)


def test_zhuhai_and_foshan(seed):
    zh = rows_of(seed["珠海"])
    assert ("效益指标", "生态效益指标", "知识产权综合实力全国排名", "全面排名前列") in zh
    assert ("产出指标", "数量指标", "指标4：为行业提供海外知识产权纠纷应对案例研讨、培训等服务", "1次") in zh
    assert zh[-1] == ("满意度指标", "服务对象满意度指标", ".....", "")
    fs = rows_of(seed["佛山"])
    assert ("效益指标", "经济效益指标", "发行知识产权证券化产品规模", "≥3亿") in fs
    assert ("产出指标", "质量指标", "指标1: 项目申报、评审、公示程序符合相关管理办法要求", "100%") in fs


def test_no_text_of_the_seed_is_dropped(seed_text, seed):
    assert missing_texts(seed_text, list(seed.values())) == []
    # and each table's texts are in that table's own Form
    lines = seed_text.split("\n")
    titles = [i for i, line in enumerate(lines) if "绩效目标表" in line] + [len(lines)]
    for (start, end), city in zip(zip(titles, titles[1:]), ("广州", "深圳", "珠海", "佛山")):
        assert missing_texts("\n".join(lines[start:end]), [seed[city]]) == [], city


def test_import_notes_name_their_annex_lines(seed):
    for form in seed.values():
        assert form.notes[0].startswith("本表导入自附件“附件3.txt”（附件3）第")
        for note in form.notes[1:]:
            assert re.match(r"^附件第\d+", note), note


def test_crlf_line_ends_and_bom_give_the_same_forms(seed_text):
    plain = parse_annex(seed_text, source="a")
    assert parse_annex("\ufeff" + seed_text.replace("\n", "\r\n"), source="a") == plain


# ------------------------------------------------------------------------------------- a second annex


@pytest.fixture(scope="module")
def other_text() -> str:
    return OTHER.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def other(other_text) -> dict[str, Form]:
    return {f.city: f for f in parse_annex(other_text, source=str(OTHER))}


def test_other_annex_cities_and_headers(other_text, other):
    forms = parse_annex(other_text, source="x")
    assert [f.city for f in forms] == ["东莞", "中山", "汕头"]
    for form in forms:
        check_form(form)
    assert [other[c].get("funding").text for c in ("东莞", "中山", "汕头")] == ["35.5万元", "120.00万元", "80万元"]
    assert [other[c].get("budget_year").text for c in ("东莞", "中山", "汕头")] == ["2021年", "2021年", "2021"]
    dg, zs, st = other["东莞"], other["中山"], other["汕头"]
    # "项目名称：…" and "预算年度：2021年" glued to their labels; two pairs on one line
    assert dg.get("project_name").text == "东莞市知识产权运营服务体系建设项目、专利导航产业发展项目"
    assert dg.get("provincial_department").text == "广东省市场监督管理局"
    assert dg.get("local_department").text == "东莞市市场监督管理局"
    assert dg.get("overall_goal").text == "1. 完成2项重点产业专利导航。\n2. 服务企业不少于50家，举办成果发布会1场。"
    assert dg.title.text == "省财政专项转移支付绩效目标表（二级项目－东莞）"
    # bare title line; an empty cell between 地方主管部门 and its value; a value in two cells
    assert zs.title.text == "省财政专项转移支付绩效目标表(二级项目-中山)"
    assert zs.get("provincial_department").text == ""
    assert zs.get("local_department").text == "中山市市场监督管理局"
    assert zs.get("policy_basis").text == "《关于推进商标品牌战略的实施意见》\n《广东省知识产权事业发展规划》"
    # no title at all: the table starts at its 项目名称, the city comes from 地方主管部门
    assert st.title.text == "" and st.get("local_department").text == "汕头市市场监管局"
    assert any("没有标题" in n for n in st.notes)


def test_other_annex_indicators(other):
    dg = rows_of(other["东莞"])
    assert dg[:5] == [
        ("产出指标", "数量指标", "完成产业专利导航报告", "2份"),
        ("产出指标", "数量指标", "服务企业数量", "≥50家"),
        ("产出指标", "数量指标", "举办专利导航成果发布会", "不少于1场"),
        ("产出指标", "质量指标", "导航报告通过专家验收率", "100%"),     # the stray <p>100%</p> moved down
        ("产出指标", "时效指标", "项目完成时间", "2021年12月底前"),
    ]
    assert ("产出指标", "成本指标", "专利导航单项成本", "≤15万元") in dg        # after a repeated column heading
    assert ("效益指标", "经济效益指标", "带动企业新增专利许可收入", "≥500万元") in dg  # 效益 指标 / 经济 效益指标
    assert ("效益指标", "社会效益指标", "指标6： ....", "") in dg              # 二级 in 三级 column, placeholder in 指标值
    assert ("满意度指标", "服务对象满意度指标", "服务企业满意度", "≥90%") in dg  # 满 意 度 指 标
    zs = rows_of(other["中山"])
    assert ("产出指标", "成本指标", "指标4：培训成本", "≤20万元") in zs          # whole row shifted left
    assert ("产出指标", "质量指标", "指标2：", "") in zs and ("产出指标", "质量指标", ".....", "") in zs
    assert ("效益指标", "品牌价值提升要求", "示范企业品牌价值平均增长10%", "") in zs
    assert ("满意度指标", "服务对象满意度指标", "指标9：", "") in zs
    assert zs[-1] == ("满意度指标", "服务对象满意度指标", "", "95%")            # a value with no 三级 is kept
    st = rows_of(other["汕头"])                                                  # columns start at 0 here
    assert st == [
        ("产出指标", "数量指标", "专利转化项目数量", "≥20项"),
        ("产出指标", "时效指标", "项目完成期限", "2021年12月31日前"),
        ("效益指标", "经济效益指标", "专利转化合同金额", "≥3000万元"),
        ("效益指标", "社会效益指标", "带动就业人数", "≥200人"),
        ("效益指标", "社会效益指标", "惠及中小企业数量", "≥30家"),
        ("满意度指标", "", "指标9：", ""),
    ]


def test_other_annex_notes_keep_what_could_not_be_placed(other):
    zs_notes = " ".join(other["中山"].notes)
    assert "每场不少于100人次" in zs_notes and "注：金额单位为万元。" in zs_notes
    assert "品牌价值提升要求" in zs_notes
    assert "各地市报送的绩效目标表如下（摘录）：" in " ".join(other["东莞"].notes)
    assert "填报说明：本表由汕头市市场监管局填报。" in " ".join(other["汕头"].notes)
    assert other["东莞"].notes[0].startswith("本表导入自附件“annex_other.txt”（附件4）第5–")


def test_no_text_of_the_other_annex_is_dropped(other_text, other):
    assert missing_texts(other_text, list(other.values())) == []


def test_coverage_check_notices_a_dropped_text(other_text, other):
    from dataclasses import replace

    without_notes = [replace(f, notes=()) if f.city == "中山" else f for f in other.values()]
    assert (41, "每场不少于100人次") in missing_texts(other_text, without_notes)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-be-bom"])
def test_gbk_and_unicode_encoded_annex_reads_the_same(tmp_path, other_text, encoding):
    from xl_tools.annex import read_annex

    path = tmp_path / "附件4.txt"
    if encoding == "utf-16-be-bom":      # Notepad's "Unicode big endian"
        path.write_bytes(b"\xfe\xff" + other_text.encode("utf-16-be"))
    else:
        path.write_bytes(other_text.encode(encoding))   # Python's utf-16 writes a BOM, as Notepad's "Unicode" does
    forms = read_annex(path)
    assert [rows_of(f) for f in forms] == [rows_of(f) for f in parse_annex(other_text, source=str(path))]


def test_hash_without_space_is_text_not_a_heading():
    text = OTHER.read_text(encoding="utf-8").replace("专利导航单项成本", "#1 专利导航单项成本")
    dg = parse_annex(text, source="x")[0]
    assert ("产出指标", "成本指标", "#1 专利导航单项成本", "≤15万元") in rows_of(dg)


def test_text_without_tables_gives_no_forms():
    assert parse_annex("", source="x") == []
    assert parse_annex("## 附件3\n\n说明文字\n", source="x") == []
