"""Unreadable inputs: each kind is refused before any parser runs, with a Chinese message naming the file and the fix.

Both reading engines give the same not-a-form error; ``xl-tools validate`` reports the file with exit code 2
and still checks the other files of the same call.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from hostile_fixtures import (
    biff8_workbook_stream,
    compound_file,
    encrypted_container,
    real_encrypted_xlsx,
    rezip,
    seed_city_workbooks,
)

from xl_tools.errors import NotAFormError
from xl_tools.workbook.reader import ENGINES, read_forms
from xl_tools.workbook.safety import check_input_file, inspect_input_file, is_lock_file

pytest_plugins = ("libreoffice",)


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> list[Path]:
    return seed_city_workbooks(tmp_path_factory.mktemp("cities"))


@pytest.fixture(scope="module")
def good(cities) -> Path:
    return cities[0]


def _xlsx_bytes(good: Path) -> bytes:
    return good.read_bytes()


# Each case: file name, builder (folder, good workbook) -> bytes, words the message must hold.
CASES = {
    "empty": ("空.xlsx", lambda g: b"", ("空的", "0 字节", "另存为")),
    "legacy-xls": ("旧格式.xls", lambda g: compound_file({"Workbook": biff8_workbook_stream()}),
                   (".xls", "请在 Excel 中“另存为” .xlsx 后重试")),
    "xls-renamed": ("改名.xlsx", lambda g: compound_file({"Workbook": biff8_workbook_stream()}),
                    (".xls", "另存为")),
    "xls-password": ("加密旧表.xls", lambda g: compound_file({"Workbook": biff8_workbook_stream(password=True)}),
                     ("密码", "另存为")),
    "encrypted": ("加密.xlsx", lambda g: encrypted_container(),
                  ("文件已加密（设置了打开密码）：请在 Excel 中取消密码后另存为 .xlsx",)),
    "word-doc": ("文档.xlsx", lambda g: compound_file({"WordDocument": b"\0" * 5000}), ("Word", "请给出")),
    "other-ole": ("未知.xlsx", lambda g: compound_file({"Contents": b"\0" * 100}), ("另存为",)),
    "html": ("网页.xlsx", lambda g: "<html><head><meta charset='utf-8'></head><body><table><tr><td>项目名称</td>"
             "</tr></table></body></html>".encode("utf-8"), ("网页", "HTML", "另存为")),
    "html-gbk": ("网页2.xls", lambda g: "<table><tr><td>项目名称</td></tr></table>".encode("gb18030"),
                 ("网页", "另存为")),
    "xml-2003": ("xml表格.xlsx", lambda g: b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                 b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
                 ("XML 电子表格 2003", "另存为")),
    "csv": ("导出.xlsx", lambda g: "项目名称,资金类型\n知识产权,省级财政专项资金\n".encode("utf-8"), ("CSV", "另存为")),
    "csv-utf16": ("导出2.xlsx", lambda g: "项目名称\t资金类型\n".encode("utf-16"), ("CSV", "另存为")),
    "text": ("说明.xlsx", lambda g: "请查收附件".encode("utf-8"), ("文本文件", ".xlsx")),
    "pdf": ("扫描件.xlsx", lambda g: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ("PDF", "请提供 .xlsx")),
    "png": ("截图.xlsx", lambda g: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, ("图片", ".xlsx")),
    "rar": ("压缩.xlsx", lambda g: b"Rar!\x1a\x07\x01\x00" + b"\0" * 64, ("压缩包", "解压")),
    "binary": ("乱码.xlsx", lambda g: bytes(range(256)) * 4, ("已损坏", "另存为")),
    "truncated": ("截断.xlsx", lambda g: _xlsx_bytes(g)[: len(_xlsx_bytes(g)) // 2], ("已损坏", "另存为")),
    "tail-cut": ("少尾.xlsx", lambda g: _xlsx_bytes(g)[:-30], ("已损坏", "另存为")),
}


def _build(case: str, folder: Path, good: Path) -> tuple[Path, tuple[str, ...]]:
    name, builder, words = CASES[case]
    path = folder / name
    path.write_bytes(builder(good))
    return path, words


def _assert_message(exc: NotAFormError, path: Path, words: tuple[str, ...]) -> None:
    message = str(exc)
    assert str(path) in message, message                      # names the file
    assert "请" in message, message                            # says what to do
    for word in words:
        assert word in message, (word, message)
    assert exc.code == "not-a-form" and exc.exit_code == 2
    assert "Traceback" not in message and "Error" not in message     # no Python jargon


@pytest.mark.parametrize("case", sorted(CASES))
def test_unreadable_kinds_refused_by_the_preflight(tmp_path, good, case):
    path, words = _build(case, tmp_path, good)
    with pytest.raises(NotAFormError) as exc:
        check_input_file(path)
    _assert_message(exc.value, path, words)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", ["empty", "legacy-xls", "encrypted", "html", "csv", "truncated", "pdf"])
def test_read_forms_gives_the_same_message_on_both_engines(tmp_path, good, case, engine):
    path, words = _build(case, tmp_path, good)
    with pytest.raises(NotAFormError) as exc:
        read_forms(path, engine=engine)
    _assert_message(exc.value, path, words)


def test_corrupt_crc_inside_the_zip_is_refused(tmp_path, good):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(200, 260):
        data[start + i] ^= 0x55
    path = tmp_path / "坏块.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(NotAFormError) as exc:
        check_input_file(path)
    _assert_message(exc.value, path, ("已损坏", "另存为"))


def test_real_password_encrypted_workbook(tmp_path, good):
    """A workbook encrypted the way Excel does it (agile encryption, via msoffcrypto-tool)."""
    path = real_encrypted_xlsx(good, tmp_path / "设了密码.xlsx")
    if path is None:
        pytest.skip("msoffcrypto-tool 未安装：无法生成真实的加密工作簿（pip install msoffcrypto-tool）")
    for engine in ENGINES:
        with pytest.raises(NotAFormError) as exc:
            read_forms(path, engine=engine)
        _assert_message(exc.value, path, ("文件已加密（设置了打开密码）：请在 Excel 中取消密码后另存为 .xlsx",))


@pytest.mark.libreoffice
def test_real_xls_and_ods_saved_by_libreoffice(tmp_path, good, office):
    from xl_tools.office.convert import convert
    from xl_tools.office.soffice import run_soffice

    out = tmp_path / "xls"
    out.mkdir()
    run_soffice(["--convert-to", "xls:MS Excel 97", "--outdir", str(out), str(good)], profile=office.profile)
    xls = out / (good.stem + ".xls")
    assert xls.is_file()
    ods = convert([good], "ods", tmp_path / "ods", profile=office.profile)[0]
    for path, words in ((xls, (".xls", "请在 Excel 中“另存为” .xlsx 后重试")), (ods, (".ods", "另存为"))):
        with pytest.raises(NotAFormError) as exc:
            read_forms(path)
        _assert_message(exc.value, path, words)
    # And the xlsx LibreOffice saves from the same form is read like ours.
    again = office.xlsx([good])[0]
    assert read_forms(again)[0].city == read_forms(good)[0].city


@pytest.mark.parametrize("members,words", [
    ({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}, ("Word", ".docx")),
    ({"ppt/presentation.xml": b"<p/>"}, ("PowerPoint",)),
    ({"xl/workbook.bin": b"\0\1", "[Content_Types].xml": b"<Types/>"}, (".xlsb", "另存为")),
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}, (".ods", "另存为")),
    ({"照片/1.jpg": b"\xff\xd8\xff" + b"\0" * 10}, ("压缩包", "解压")),
])
def test_zips_that_are_not_workbooks(tmp_path, members, words):
    path = tmp_path / "其他.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(NotAFormError) as exc:
        read_forms(path)
    _assert_message(exc.value, path, words)


def test_missing_parts_and_broken_xml(tmp_path, good):
    cases = {
        "无类型.xlsx": ({"[Content_Types].xml": None}, "已损坏"),
        "坏表.xlsx": ({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"}, "XML 格式错误"),
        "坏工作簿.xlsx": ({"xl/workbook.xml": b"<workbook"}, "XML 格式错误"),
    }
    for name, (replace, word) in cases.items():
        path = rezip(good, tmp_path / name, replace)
        with pytest.raises(NotAFormError) as exc:
            read_forms(path)
        _assert_message(exc.value, path, (word, "另存为"))


def test_dropped_worksheet_is_a_clear_error_on_both_engines(tmp_path, good):
    path = rezip(good, tmp_path / "缺表.xlsx", {"xl/worksheets/sheet1.xml": None})
    for engine in ENGINES:
        with pytest.raises(NotAFormError) as exc:
            read_forms(path, engine=engine)
        assert str(path) in str(exc.value) and "请" in str(exc.value)


def test_missing_file_folder_device_and_lock_file(tmp_path, good):
    with pytest.raises(NotAFormError) as exc:
        check_input_file(tmp_path / "没有.xlsx")
    _assert_message(exc.value, tmp_path / "没有.xlsx", ("文件不存在", "路径"))
    with pytest.raises(NotAFormError) as exc:
        check_input_file(tmp_path)
    _assert_message(exc.value, tmp_path, ("文件夹",))
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)                     # opening it would block forever: refused without being opened
    with pytest.raises(NotAFormError) as exc:
        check_input_file(fifo)
    _assert_message(exc.value, fifo, ("不是普通文件",))
    with pytest.raises(NotAFormError) as exc:
        check_input_file("/dev/zero")   # an endless device is never read
    assert "不是普通文件" in str(exc.value)
    lock = tmp_path / "~$广州.xlsx"
    lock.write_bytes(b"\x06Admin" + b"\0" * 159)     # what Excel writes: 165 bytes, the user name
    assert is_lock_file(lock) and is_lock_file(tmp_path / ".~广州.xlsx") and not is_lock_file(good)
    with pytest.raises(NotAFormError) as exc:
        check_input_file(lock)
    _assert_message(exc.value, lock, ("锁定文件", "~$"))


@pytest.mark.parametrize("title", ["工" * 32, "广州[1]", "a/b"])
def test_sheet_names_excel_would_refuse(tmp_path, good, title):
    import re

    xml = zipfile.ZipFile(good).read("xl/workbook.xml").decode()
    xml = re.sub(r'(<sheet\b[^>]*\bname=")[^"]*(")', lambda m: m.group(1) + title + m.group(2), xml, count=1)
    path = rezip(good, tmp_path / "表名.xlsx", {"xl/workbook.xml": xml.encode()})
    for engine in ENGINES:
        with pytest.raises(NotAFormError) as exc:
            read_forms(path, engine=engine)
        _assert_message(exc.value, path, ("工作表名称", "重命名"))


def test_workbook_content_with_a_wrong_extension(tmp_path, good):
    path = tmp_path / "广州.xls"
    path.write_bytes(good.read_bytes())
    with pytest.raises(NotAFormError) as exc:
        read_forms(path)
    _assert_message(exc.value, path, ("扩展名", "改名为", ".xlsx"))


def test_workbook_without_a_form_sheet(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "数据.xlsx"
    wb = Workbook()
    wb.active.title = "人员"
    wb.active.append(["姓名", "金额"])
    wb.active.append(["张三", 100])
    wb.save(path)
    for engine in ENGINES:
        with pytest.raises(NotAFormError) as exc:
            read_forms(path, engine=engine)
        _assert_message(exc.value, path, ("没有找到绩效目标表", "人员", "请"))


def test_newer_template_version_asks_to_update(tmp_path, good):
    from openpyxl import load_workbook

    from xl_tools.workbook import layout as L
    from xl_tools.workbook.template import TEMPLATE_VERSION

    assert read_forms(good)[0].template_version == TEMPLATE_VERSION
    for version in ("2099.1", "3000", "新版"):
        wb = load_workbook(good)
        wb[L.LISTS_SHEET][L.VERSION_CELL] = version
        path = tmp_path / f"新模板{version}.xlsx"
        wb.save(path)
        for engine in ENGINES:
            with pytest.raises(NotAFormError) as exc:
                read_forms(path, engine=engine)
            _assert_message(exc.value, path, (version, TEMPLATE_VERSION, "更新 xl_tools"))
    wb = load_workbook(good)
    wb[L.LISTS_SHEET][L.VERSION_CELL] = "2019.1"       # an older template is still read (labels are found)
    path = tmp_path / "旧模板.xlsx"
    wb.save(path)
    assert read_forms(path)[0].city == "广州"


def test_xlsm_is_read_without_running_anything(tmp_path, good):
    """A macro-enabled copy (real vbaProject.bin from the xlwings add-in) is read as data on both engines."""
    import xlwings

    addin = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    with zipfile.ZipFile(addin) as zf:
        vba = zf.read("xl/vbaProject.bin")
    ct = zipfile.ZipFile(good).read("[Content_Types].xml").decode()
    ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    ct = ct.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = zipfile.ZipFile(good).read("xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/'
                        '2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    path = rezip(good, tmp_path / "带宏.xlsm", {"[Content_Types].xml": ct.encode(),
                                                "xl/_rels/workbook.xml.rels": rels.encode()},
                 add={"xl/vbaProject.bin": vba})
    scan = inspect_input_file(path)
    assert scan.macros
    forms = {engine: read_forms(path, engine=engine) for engine in ENGINES}
    assert forms["openpyxl"] == forms["calamine"]
    assert forms["openpyxl"][0].city == "广州"
    assert [f.to_dict() for f in forms["openpyxl"]] != []
    before = path.read_bytes()
    from xl_tools.jobs.validate import validate_files

    report = validate_files([path])
    assert report.readable and path.read_bytes() == before


def test_validate_reports_each_unreadable_file_and_checks_the_others(tmp_path, cities, capsys):
    """Exit code 2 for the unreadable files, every other file of the same call still checked."""
    from xl_tools.cli import main

    folder = tmp_path / "各地市"
    folder.mkdir()
    bad = {}
    for case in ("empty", "legacy-xls", "encrypted", "html", "truncated"):
        path, words = _build(case, folder, cities[0])
        bad[path] = words
    for city in cities:
        (folder / city.name).write_bytes(city.read_bytes())
    (folder / "~$广州.xlsx").write_bytes(b"\x06Admin" + b"\0" * 159)   # skipped in a folder
    code = main(["validate", str(folder), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2
    by_path = {Path(f["path"]).name: f for f in out["files"]}
    assert "~$广州.xlsx" not in by_path
    for city in cities:
        entry = by_path[city.name]
        assert entry["city"] == city.stem and all(f["code"] != "not-a-form" for f in entry["findings"])
    for path, words in bad.items():
        findings = by_path[path.name]["findings"]
        assert [f["code"] for f in findings] == ["not-a-form"]
        assert path.name in findings[0]["message"] and "请" in findings[0]["message"]
        for word in words:
            assert word in findings[0]["message"]
    # One unreadable file named alone: exit 2, table output names it.
    code = main(["validate", str(next(iter(bad)))])
    assert code == 2 and next(iter(bad)).name in capsys.readouterr().out


def test_consolidate_lists_unreadable_files_and_adds_up_the_others(tmp_path, cities, capsys):
    from xl_tools.cli import main

    folder = tmp_path / "汇总输入"
    folder.mkdir()
    for city in cities:
        (folder / city.name).write_bytes(city.read_bytes())
    broken, _ = _build("encrypted", folder, cities[0])
    code = main(["consolidate", str(folder), "-o", str(tmp_path / "全省.xlsx"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1                                  # written, with a cross-city error: the unreadable file
    assert out["total_funding_wan"] == 790 and len(out["cities"]) == 4
    text = json.dumps(out, ensure_ascii=False)
    assert broken.name in text and "密码" in text
