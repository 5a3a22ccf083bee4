"""import_annex / xl-tools import-annex: real workbooks written, read back with openpyxl, nothing of the annex lost."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xl_tools.annex import import_annex, parse_annex, read_annex
from xl_tools.domain.form import FIELD_BY_LABEL, INDICATOR_COLUMNS
from xl_tools.domain.text import squash
from xl_tools.errors import InputError, OutputError
from xl_tools.workbook.reader import read_forms

DATA = Path(__file__).resolve().parent / "data"
OTHER = DATA / "annex_other.txt"
TEMPLATE_LABELS = frozenset({*FIELD_BY_LABEL, *(label for _, label in INDICATOR_COLUMNS), "绩效指标"})
_P = re.compile(r"</?p>", re.IGNORECASE)


def annex_fragments(text: str) -> list[str]:
    """Every non-empty cell fragment of an annex: tabs split cells, <p> splits fragments, '#' marks dropped."""
    found = []
    for line in text.split("\n"):
        for cell in re.sub(r"^\s*#+\s*", "", line).split("\t"):
            found += [frag for frag in _P.split(cell) if squash(frag)]
    return found


def workbook_texts(paths: list[Path]) -> list[str]:
    """Squashed text of every cell, and of every row read left to right, in the workbooks (openpyxl)."""
    texts = []
    for path in paths:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells = [str(v) for v in row if v is not None]
                texts += [squash(c) for c in cells] + [squash("".join(cells))]
    return texts


def test_seed_gives_four_city_workbooks(tmp_path, seed_path):
    paths = import_annex(seed_path, tmp_path / "out")
    assert [p.name for p in paths] == ["广州.xlsx", "深圳.xlsx", "珠海.xlsx", "佛山.xlsx"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    forms = {p.stem: read_forms(p) for p in paths}
    assert all(len(f) == 1 for f in forms.values())
    assert [forms[c][0].get("funding").text for c in ("广州", "深圳", "珠海", "佛山")] == \
        ["460万元", "180万元", "50万元", "100万元"]
    assert [forms[c][0].get("budget_year").text for c in ("广州", "深圳", "珠海", "佛山")] == \
        ["2020年", "", "2020年", ""]
    gz = forms["广州"][0]
    assert gz.city == "广州"
    assert [r.value.text for r in gz.rows if r.level2.text == "数量指标"] == \
        ["9份", "9场", "≥1支", "≥10家", "≥1个", "≥4场", "≥500人", "1份", "1场", "1份"]
    assert all(r.level3.cell and r.value.cell for r in gz.rows)          # each row sits in real cells


def test_workbooks_hold_what_parse_annex_found_including_notes(tmp_path, seed_path):
    parsed = {f.city: f for f in read_annex(seed_path)}
    for path in import_annex(seed_path, tmp_path):
        [back] = read_forms(path)
        form = parsed[path.stem]
        assert {k: v.text for k, v in back.header.items()} == {k: v.text for k, v in form.header.items()}
        strip = lambda rows: [(r.level1.text, r.level2.text, r.level3.text, r.value.text) for r in rows]  # noqa: E731
        assert strip(back.rows) == strip(form.rows)
        assert back.notes == form.notes and back.title.text == form.title.text


@pytest.mark.parametrize("annex", ["seed", "other"])
def test_every_annex_text_is_in_some_workbook(tmp_path, seed_path, annex):
    path = seed_path if annex == "seed" else OTHER
    text = path.read_text(encoding="utf-8")
    hay = "\n".join(workbook_texts(import_annex(path, tmp_path)))  # keys hold no newline
    missing = []
    for fragment in annex_fragments(text):
        key = squash(fragment)
        label = next((lb for lb in TEMPLATE_LABELS if key.startswith(lb + ":")), None)
        key = key[len(label) + 1:] if label else key
        if key and key not in TEMPLATE_LABELS and key not in hay:
            missing.append(fragment)
    assert missing == []


def test_other_annex_workbooks_in_city_code_order(tmp_path):
    paths = import_annex(OTHER, tmp_path)
    assert [p.name for p in paths] == ["汕头.xlsx", "东莞.xlsx", "中山.xlsx"]   # GB/T 2260: 440500, 441900, 442000
    [zs] = read_forms(tmp_path / "中山.xlsx")
    assert zs.get("funding").text == "120.00万元"
    assert any("每场不少于100人次" in n for n in zs.notes)


def test_same_city_twice_shares_one_workbook_and_unknown_city_gets_its_own(tmp_path):
    text = OTHER.read_text(encoding="utf-8")
    dongguan = text[text.index("### "):text.index("\u3000省财政")]
    unknown = dongguan.replace("东莞", "某地").replace("某地市市场监督管理局", "某某局")
    annex = tmp_path / "附件.txt"
    annex.write_text(dongguan + "\n" + dongguan + "\n" + unknown, encoding="utf-8")
    paths = import_annex(annex, tmp_path / "out")
    assert [p.name for p in paths] == ["东莞.xlsx", "未识别地市1.xlsx"]
    assert len(read_forms(paths[0])) == 2
    [lost] = parse_annex(unknown, source="x")
    assert lost.city is None and any("无法从表题或地方主管部门判断" in n for n in lost.notes)


def test_refuses_to_overwrite_the_annex(tmp_path, seed_path):
    annex = tmp_path / "广州.xlsx"                      # an annex text that happens to carry a workbook's name
    shutil.copyfile(seed_path, annex)
    before = annex.read_bytes()
    with pytest.raises(OutputError) as err:
        import_annex(annex, tmp_path)
    assert "拒绝覆盖输入" in str(err.value)
    assert annex.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["广州.xlsx"]   # no other city written either


def test_bad_inputs_raise_chinese_input_errors(tmp_path):
    with pytest.raises(InputError, match="找不到附件文件"):
        import_annex(tmp_path / "没有这个文件.txt", tmp_path)
    empty = tmp_path / "空.txt"
    empty.write_text("## 附件3\n\n说明文字\n", encoding="utf-8")
    with pytest.raises(InputError, match="没有找到绩效目标表"):
        import_annex(empty, tmp_path)
    binary = tmp_path / "图片.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x80\x81")
    with pytest.raises(InputError, match="不是文本文件"):
        import_annex(binary, tmp_path)
    blocker = tmp_path / "是文件"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="不是文件夹"):
        import_annex(OTHER, blocker)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["图片.txt", "是文件", "空.txt"]   # nothing written


def test_two_imports_give_identical_files(tmp_path, seed_path):
    first = import_annex(seed_path, tmp_path / "a")
    second = import_annex(seed_path, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xl_tools", "import-annex", *args], capture_output=True,
                          text=True, encoding="utf-8")


def test_cli_writes_and_prints_what_it_wrote(tmp_path, seed_path):
    done = _cli(str(seed_path), "-o", str(tmp_path / "导入结果"))
    assert done.returncode == 0, done.stderr
    for city in ("广州", "深圳", "珠海", "佛山"):
        assert str(tmp_path / "导入结果" / f"{city}.xlsx") in done.stdout
        assert (tmp_path / "导入结果" / f"{city}.xlsx").is_file()
    assert "导入 4 张绩效目标表" in done.stdout
    assert "附件第18行" in done.stdout                  # the import notes are shown
    quiet = _cli(str(seed_path), "-o", str(tmp_path / "q"), "-q")
    assert quiet.returncode == 0 and "附件第18行" not in quiet.stdout


def test_cli_bundled_annex(tmp_path):
    done = _cli("--bundled", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(["广州.xlsx", "深圳.xlsx", "珠海.xlsx", "佛山.xlsx"])


@pytest.mark.parametrize("args, message", [
    ((), "请给出附件文件"),
    (("x.txt", "--bundled"), "请只给出一个附件"),
    (("没有这个文件.txt",), "找不到附件文件"),
])
def test_cli_errors_exit_2_in_chinese(tmp_path, args, message):
    done = _cli(*args, "-o", str(tmp_path))
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.startswith("错误：")
    assert list(tmp_path.iterdir()) == []
