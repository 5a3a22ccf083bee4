"""``xl-tools consolidate``: files and folders, --json, --library, exit codes 0 / 1 / 2, inputs never touched."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from consolidate_fixtures import PRODUCTS, REPORTS, SIZE, make_form, q, seed_forms, write_city_files

from xl_tools.cli import main


@pytest.fixture()
def folder(tmp_path):
    write_city_files(seed_forms(), tmp_path / "各地市")
    return tmp_path / "各地市"


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_folder_to_workbook_with_json(folder, tmp_path, capsys):
    (folder / "~$广州.xlsx").write_bytes(b"lock")
    before = digest(folder)
    out = tmp_path / "广东省汇总.xlsx"
    assert main(["consolidate", str(folder), "-o", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["output"] == str(out) and out.is_file()
    assert doc["year"] == 2020 and doc["total_funding_wan"] == 790
    assert [(c["city"], c["code"], c["funding_wan"]) for c in doc["cities"]] == [
        ("广州", "440100", 460), ("深圳", "440300", 180), ("珠海", "440400", 50), ("佛山", "440600", 100)]
    assert all(isinstance(c["errors"], int) and isinstance(c["warnings"], int) for c in doc["cities"])
    by_name = {i["name"]: i for i in doc["indicators"]}
    reports = by_name[REPORTS]
    assert (reports["total"], reports["unit"], reports["operator"]) == (12, "份", "=")
    assert reports["by_city"] == {"广州": 9, "深圳": 2, "珠海": 1}
    size = by_name[SIZE]
    assert (size["total"], size["unit"], size["operator"], size["level1"], size["level2"]) == (
        6, "亿元", "≥", "效益指标", "经济效益指标")
    assert by_name[PRODUCTS]["total"] == 2
    assert digest(folder) == before                       # inputs untouched, lock file not read


def test_plain_output_is_chinese_summary(folder, tmp_path, capsys):
    assert main(["consolidate", *map(str, sorted(folder.glob("*.xlsx"))), "-o", str(tmp_path / "汇总.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "资金需求合计 790 万元" in out and "≥6亿元" in out and "12份" in out


def test_duplicate_city_exits_1_but_writes_the_workbook(folder, tmp_path, capsys):
    extra = tmp_path / "补交"
    write_city_files([make_form("广州", [q(REPORTS, "1份")])], extra)
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(folder), str(extra), "-o", str(out), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert out.is_file() and doc["total_funding_wan"] == 790
    assert [f["code"] for f in doc["findings"]] == ["duplicate-city"]


def test_mixed_years_exits_1(tmp_path, capsys):
    paths = write_city_files([make_form("广州", [], year="2020年"), make_form("深圳", [], year="2021年"),
                              make_form("佛山", [], year="2020年")], tmp_path / "in")
    assert main(["consolidate", *map(str, paths), "-o", str(tmp_path / "汇总.xlsx")]) == 1
    assert "mixed-years" in capsys.readouterr().out


def test_nothing_readable_exits_2_with_a_chinese_message(tmp_path, capsys):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a zip")
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "没有可汇总的绩效目标表" in err and "坏.xlsx" in err
    assert not out.exists()


def test_missing_path_exits_2(tmp_path, capsys):
    assert main(["consolidate", str(tmp_path / "没有这个文件.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "找不到该文件或文件夹" in capsys.readouterr().err


def test_output_never_overwrites_an_input(folder, capsys):
    target = folder / "广州.xlsx"
    before = target.read_bytes()
    assert main(["consolidate", str(folder / "广州.xlsx"), str(folder / "深圳.xlsx"), "-o", str(target)]) == 2
    assert "拒绝覆盖" in capsys.readouterr().err and target.read_bytes() == before
    # a city file inside an input folder is refused too
    assert main(["consolidate", str(folder), "-o", str(target)]) == 2
    assert target.read_bytes() == before


def test_rerun_into_the_input_folder_replaces_the_old_summary(folder, capsys):
    out = folder / "广东省汇总.xlsx"
    assert main(["consolidate", str(folder), "-o", str(out)]) == 0
    first = out.read_bytes()
    capsys.readouterr()
    assert main(["consolidate", str(folder), "-o", str(out), "--json"]) == 0     # the old summary is not an input
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["cities"]) == 4 and not doc["findings"]
    assert out.read_bytes() == first


def test_user_library(folder, tmp_path, capsys):
    lib = tmp_path / "指标库.json"
    lib.write_text(json.dumps({"version": "本局", "indicators": [
        {"name": "专利预警报告", "unit": "份", "synonyms": [REPORTS]}]}, ensure_ascii=False), encoding="utf-8")
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "o.xlsx"), "--json", "--library", str(lib)]) == 0
    names = {i["name"]: i for i in json.loads(capsys.readouterr().out)["indicators"]}
    assert names["专利预警报告"]["total"] == 12 and REPORTS not in names


def test_bad_library_exits_2(folder, tmp_path, capsys):
    lib = tmp_path / "坏指标库.json"
    lib.write_text("{", encoding="utf-8")
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "o.xlsx"), "--library", str(lib)]) == 2
    assert "指标库文件不是有效的 JSON" in capsys.readouterr().err


def test_console_script_runs(folder, tmp_path):
    done = subprocess.run([sys.executable, "-m", "xl_tools", "consolidate", str(folder), "-o",
                           str(tmp_path / "汇总.xlsx"), "--json"], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total_funding_wan"] == 790
