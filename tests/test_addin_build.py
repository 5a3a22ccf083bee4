"""The built add-in, checked by tools that did not make it: olevba decodes every module back to its source,
the modules match what Office itself stored in xlwings' add-in, the package is well formed (openpyxl opens the
.xlsm twin), two builds are byte-identical, and install behaves per platform.

Exact expectation for each module's decoded source (olevba returns the module stream's text, CRLF line ends):
- macros/*.bas and xlwings/addin/*.bas: the file's text with CRLF line ends, unchanged, except that xlwings'
  Main has its version pinned as xlwings' release build does (``-dev.dll`` → ``-<version>.dll``,
  ``XLWINGS_VERSION = "dev"`` → the version);
- xlwings/addin/*.cls: the file without its 4-line ``VERSION 1.0 CLASS``/``BEGIN``/``MultiUse``/``END`` header,
  with ``Attribute VB_Base = "0{FCFB3D2A-…}"`` after ``VB_Name`` and ``VB_TemplateDerived = False`` /
  ``VB_Customizable = False`` after ``VB_Exposed`` — the attributes the VBA editor adds on import;
- ThisWorkbook / Sheet1: the document modules' attribute lines, as Excel writes them.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from xl_tools.addin import build, install, ribbon, xlconf

ROOT = Path(__file__).resolve().parents[1]
MACROS = ROOT / "macros"
CLASS_BASE = 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build.build_addin(tmp_path_factory.mktemp("addin") / "xl_tools.xlam")


@pytest.fixture(scope="module")
def decoded(built) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros()
        return {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def crlf(text: str) -> str:
    text = text.replace("\r\n", "\n")
    return text.replace("\n", "\r\n") if text.endswith("\n") else text.replace("\n", "\r\n") + "\r\n"


def expected_cls(text: str) -> str:
    lines = crlf(text).split("\r\n")
    assert lines[:4] == ["VERSION 1.0 CLASS", "BEGIN", "  MultiUse = -1  'True", "END"]
    out = []
    for line in lines[4:]:
        out.append(line)
        if line.startswith("Attribute VB_Name "):
            out.append(CLASS_BASE)
        if line.startswith("Attribute VB_Exposed "):
            out += ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"]
    return "\r\n".join(out)


def expected_sources() -> dict[str, str]:
    import xlwings

    folder = Path(xlwings.__file__).resolve().parent / "addin"
    expected = {}
    for path in sorted(MACROS.glob("*.bas")) + sorted(folder.glob("*.bas")) + sorted(folder.glob("*.cls")):
        text = path.read_bytes().decode("cp1252")
        name = re.search(r'^Attribute VB_Name = "(\w+)"', text, re.M).group(1)
        source = expected_cls(text) if path.suffix == ".cls" else crlf(text)
        if name == "Main":
            v = xlwings.__version__
            source = (source.replace("xlwings64-dev.dll", f"xlwings64-{v}.dll")
                      .replace("xlwings32-dev.dll", f"xlwings32-{v}.dll")
                      .replace('XLWINGS_VERSION As String = "dev"', f'XLWINGS_VERSION As String = "{v}"'))
        expected[name] = source
    return expected


def test_olevba_decodes_every_module_to_its_source(decoded):
    expected = expected_sources()
    assert set(decoded) == set(expected) | {"ThisWorkbook", "Sheet1"}
    for name, source in expected.items():
        assert decoded[name] == source, f"module {name} differs from its source"
    assert decoded[ribbon.VBA_MODULE] == crlf((MACROS / ribbon.VBA_FILE).read_text(encoding="ascii"))
    assert "-dev.dll" not in decoded["Main"]


def test_the_fix_buttons_are_in_the_built_addin(built, decoded):
    """采纳建议 and 撤销采纳: the ribbon XML inside the .xlam has them, olevba decodes their RunPython calls."""
    with zipfile.ZipFile(built) as z:
        name = next(n for n in z.namelist() if n.lower().endswith("customui14.xml"))
        root = ET.fromstring(z.read(name))
    buttons = {b.get("label"): b.get("onAction") for b in root.iter(f"{{{ribbon.CUSTOMUI_NS}}}button")}
    assert buttons["采纳建议"] == "XlToolsRibbon.ApplyFixes" and buttons["撤销采纳"] == "XlToolsRibbon.UndoFixes"
    source = decoded[ribbon.VBA_MODULE]
    for sub, call in (("ApplyFixes", "apply_fixes"), ("UndoFixes", "undo_fixes")):
        assert (f"Public Sub {sub}(control As IRibbonControl)\r\n"
                f'    RunPython "import xl_tools.excel as x; x.{call}()"\r\nEnd Sub') in source


def test_modules_match_what_office_stored_in_xlwings_addin(decoded):
    """xlwings.xlam was saved by Excel: our stored sources equal Office's, up to keyword case the VBA editor
    normalises (``Dim i as Integer``) and trailing blank lines it appends."""
    import xlwings
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(Path(xlwings.__file__).resolve().parent / "addin" / "xlwings.xlam"))
    office = {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    parser.close()
    assert len(office) == 15 and set(office) <= set(decoded)
    recased = []
    for name, code in office.items():
        ours, theirs = decoded[name].rstrip("\r\n").split("\r\n"), code.rstrip("\r\n").split("\r\n")
        assert len(ours) == len(theirs), f"module {name}: line count differs from Office's"
        for a, b in zip(ours, theirs):
            if a != b:
                assert a.lower() == b.lower(), f"module {name}: {a!r} != Office's {b!r}"
                recased.append(b)
    assert len(recased) <= 3, recased


def test_vba_project_streams_mirror_a_source_only_project(built):
    import olefile
    from oletools.olevba import decompress_stream

    with zipfile.ZipFile(built) as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
    streams = {"/".join(p) for p in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} <= streams
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="XlTools"' in project and "Document=ThisWorkbook/&H00000000" in project
    assert "Module=XlToolsRibbon" in project and "Class=Dictionary" in project
    dir_stream = decompress_stream(bytearray(ole.openstream("VBA/dir").read()))
    records = list(_records(dir_stream))
    offsets = [struct_u32(data) for rid, data in records if rid == 0x0031]
    assert offsets and set(offsets) == {0}, "every MODULEOFFSET is 0: source only, no p-code"
    references = [data for rid, data in records if rid == 0x0016]
    assert references == [b"stdole", b"Office"]
    names = [data.decode() for rid, data in records if rid == 0x0019]
    assert len(names) == len(set(names)) == len(streams) - 4
    for name in names:  # every module stream is its compressed source from offset 0
        assert f"VBA/{name}" in streams
        assert decompress_stream(bytearray(ole.openstream(f"VBA/{name}").read())).startswith(b"Attribute VB_Name")
    projectwm = ole.openstream("PROJECTwm").read()
    assert projectwm.endswith(b"\x00\x00") and all(n.encode() + b"\x00" in projectwm for n in names)


def struct_u32(data: bytes) -> int:
    return int.from_bytes(data, "little")


def _records(data: bytes):
    """(id, payload) of the dir stream's records (PROJECTVERSION has a fixed 6-byte payload after Reserved)."""
    pos = 0
    while pos < len(data):
        rid = int.from_bytes(data[pos:pos + 2], "little")
        size = int.from_bytes(data[pos + 2:pos + 6], "little")
        if rid == 0x0009:
            size = 6
        yield rid, data[pos + 6:pos + 6 + size]
        pos += 6 + size


def test_package_parts_and_relationships(built):
    with zipfile.ZipFile(built) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml"
        assert zf.testzip() is None
        types = ET.fromstring(zf.read("[Content_Types].xml"))
        overrides = {e.get("PartName"): e.get("ContentType") for e in types}
        assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
        assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
        rels = {e.get("Type"): e.get("Target") for e in ET.fromstring(zf.read("_rels/.rels"))}
        assert rels["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"] == \
            "customUI/customUI14.xml"
        assert zf.read("customUI/customUI14.xml") == (MACROS / ribbon.CUSTOMUI_FILE).read_bytes()
        wb_rels = {e.get("Type"): e.get("Target") for e in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))}
        assert wb_rels["http://schemas.microsoft.com/office/2006/relationships/vbaProject"] == "vbaProject.bin"
        for target in list(rels.values()) + ["xl/" + t for t in wb_rels.values()]:
            assert target in names, f"relationship target {target} missing"
        workbook = zf.read("xl/workbook.xml").decode()
        assert 'codeName="ThisWorkbook"' in workbook and 'name="xlwings.conf"' in workbook
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())


def test_two_builds_are_byte_identical(tmp_path, built):
    again = build.build_addin(tmp_path / "again.xlam")
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(built.read_bytes()).hexdigest()
    assert build.build_bytes(kind="xlam", macros=MACROS) == built.read_bytes()


def test_builtin_sources_build_the_same_addin(built, monkeypatch):
    """Installed without the repository (a wheel), the add-in is the same as from macros/."""
    from xl_tools.addin import sources

    monkeypatch.setattr(sources, "repo_macros_dir", lambda: None)
    assert sources.read_sources().origin == "内置源文件"
    assert build.build_bytes() == built.read_bytes()


def test_xlsm_twin_opens_in_openpyxl_with_the_config_sheet(tmp_path):
    import openpyxl

    path = build.build_addin(tmp_path / "xl_tools.xlsm", settings={"interpreter_win": r"C:\Py 3\python.exe",
                                                                    "pythonpath": r"D:\lib;E:\x&y"})
    with zipfile.ZipFile(path) as zf:
        types = ET.fromstring(zf.read("[Content_Types].xml"))
        assert {e.get("PartName"): e.get("ContentType") for e in types}["/xl/workbook.xml"] == \
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["xlwings.conf"]
    rows = [tuple(c.value for c in row) for row in wb["xlwings.conf"].iter_rows()]
    assert rows == [("INTERPRETER_WIN", r"C:\Py 3\python.exe"), ("PYTHONPATH", r"D:\lib;E:\x&y"),
                    ("ADD_WORKBOOK_TO_PYTHONPATH", "false")]
    wb.close()


def test_bad_output_suffix_and_macros_folder_are_chinese_errors(tmp_path):
    from xl_tools.errors import InputError

    with pytest.raises(InputError, match=r"\.xlam"):
        build.build_addin(tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="找不到 macros"):
        build.build_addin(tmp_path / "x.xlam", macros=tmp_path / "nope")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / ribbon.CUSTOMUI_FILE).write_bytes((MACROS / ribbon.CUSTOMUI_FILE).read_bytes())
    (tmp_path / "m" / "Bad.bas").write_bytes('Attribute VB_Name = "Bad"\r\n\' 中文\r\n'.encode("utf-8"))
    with pytest.raises(InputError, match="ASCII"):
        build.build_addin(tmp_path / "x.xlam", macros=tmp_path / "m")
    assert not (tmp_path / "x.xlam").exists()


def test_cli_build_and_refusal_to_install_on_linux(tmp_path):
    out = tmp_path / "cli.xlam"
    done = subprocess.run([sys.executable, "-m", "xl_tools", "addin", "build", "-o", str(out)],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "已生成加载项" in done.stdout and out.is_file()
    if sys.platform.startswith("linux"):
        done = subprocess.run([sys.executable, "-m", "xl_tools", "addin", "install"],
                              capture_output=True, text=True, encoding="utf-8")
        assert done.returncode == 2
        assert "没有 Microsoft Excel" in done.stderr and "xl-tools addin build" in done.stderr


def _conf_rows(addin: Path) -> dict[str, str]:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(addin) as zf:
        sheet = ET.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    rows = {}
    for row in sheet.findall(".//m:row", ns):
        cells = ["".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t")) for c in row.findall("m:c", ns)]
        rows[cells[0]] = cells[1]
    return rows


def test_install_on_windows_goes_to_xlstart_with_this_interpreter(tmp_path):
    done = install.install(platform="win32", env={"APPDATA": str(tmp_path / "Roaming")}, interpreter=sys.executable)
    assert done.addin == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "xl_tools.xlam"
    assert _conf_rows(done.addin) == {"INTERPRETER_WIN": sys.executable, "ADD_WORKBOOK_TO_PYTHONPATH": "false"}
    assert done.extra == ()


def test_install_on_mac_goes_to_the_startup_folder_with_the_applescript(tmp_path):
    import xlwings

    done = install.install(platform="darwin", home=tmp_path, interpreter=sys.executable)
    assert done.addin == tmp_path.joinpath(*install.MAC_STARTUP, "xl_tools.xlam")
    assert _conf_rows(done.addin)["INTERPRETER_MAC"] == sys.executable
    script = tmp_path.joinpath(*install.MAC_SCRIPTS, f"xlwings-{xlwings.__version__}.applescript")
    assert done.extra == (script,) and script.is_file()


def test_install_refuses_where_there_is_no_excel(tmp_path):
    with pytest.raises(install.NoExcelError) as err:
        install.install(platform="linux", folder=tmp_path)
    assert err.value.exit_code == 2 and "Linux" in str(err.value)
    assert not list(tmp_path.iterdir())
    with pytest.raises(xlconf.InputError, match="解释器"):
        install.install(platform="win32", folder=tmp_path, interpreter=str(tmp_path / "python.exe"))
