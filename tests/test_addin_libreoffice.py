"""LibreOffice opens the built add-in (and its .xlsm twin) and imports our VBA project: a StarBasic macro run by
headless soffice loads each file and lists the document's Basic libraries, their modules and our module's
source as LibreOffice decoded it. A copy with a corrupt dir stream shows the check can fail.

No python-uno needed: the macro lives in a private LibreOffice profile made for this test.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from xl_tools.addin import build, cfb, ovba, ribbon

pytestmark = pytest.mark.libreoffice

REQUIRE_ENV = "XL_TOOLS_REQUIRE_LIBREOFFICE"
OOXML_VBA_FILTER = "Calc MS Excel 2007 VBA XML"

# One job per line: document URL, filter name ("" = let LibreOffice detect it), report URL (tab-separated).
CHECK_BASIC = r'''
Function ReadLines(url As String)
    Dim sfa As Object, reader As Object, lines(), n As Integer
    sfa = createUnoService("com.sun.star.ucb.SimpleFileAccess")
    reader = createUnoService("com.sun.star.io.TextInputStream")
    reader.setInputStream(sfa.openFileRead(url))
    reader.setEncoding("UTF-8")
    n = 0
    Do While Not reader.isEOF()
        ReDim Preserve lines(n)
        lines(n) = reader.readLine()
        n = n + 1
    Loop
    reader.closeInput()
    ReadLines = lines
End Function

Sub WriteText(url As String, content As String)
    Dim sfa As Object, writer As Object
    sfa = createUnoService("com.sun.star.ucb.SimpleFileAccess")
    writer = createUnoService("com.sun.star.io.TextOutputStream")
    writer.setOutputStream(sfa.openFileWrite(url))
    writer.setEncoding("UTF-8")
    writer.writeString(content)
    writer.closeOutput()
End Sub

Function Inspect(docUrl As String, filterName As String, moduleName As String) As String
    Dim detect(0) As New com.sun.star.beans.PropertyValue
    Dim filtered(1) As New com.sun.star.beans.PropertyValue
    Dim doc As Object, libs As Object, basicLib As Object
    Dim report As String, source As String, libNames, modNames, i As Integer, j As Integer
    On Error GoTo failed
    detect(0).Name = "Hidden"
    detect(0).Value = True
    filtered(0).Name = "Hidden"
    filtered(0).Value = True
    filtered(1).Name = "FilterName"
    filtered(1).Value = filterName
    If filterName = "" Then
        doc = StarDesktop.loadComponentFromURL(docUrl, "_blank", 0, detect())
    Else
        doc = StarDesktop.loadComponentFromURL(docUrl, "_blank", 0, filtered())
    End If
    report = "LOADED" & Chr(9) & doc.supportsService("com.sun.star.sheet.SpreadsheetDocument") & Chr(10)
    libs = doc.BasicLibraries
    libNames = libs.getElementNames()
    For i = LBound(libNames) To UBound(libNames)
        libs.loadLibrary(libNames(i))
        basicLib = libs.getByName(libNames(i))
        modNames = basicLib.getElementNames()
        report = report & "LIBRARY" & Chr(9) & libNames(i) & Chr(10)
        For j = LBound(modNames) To UBound(modNames)
            report = report & "MODULE" & Chr(9) & libNames(i) & Chr(9) & modNames(j) & Chr(10)
            If modNames(j) = moduleName Then source = basicLib.getByName(modNames(j))
        Next j
    Next i
    doc.close(True)
    Inspect = report & "SOURCE" & Chr(10) & source
    Exit Function
failed:
    Inspect = "ERROR" & Chr(9) & Err & Chr(9) & Error(Err) & Chr(10) & report
End Function

Sub RunJobs(jobsUrl As String)
    Dim jobs, fields, k As Integer
    jobs = ReadLines(jobsUrl)
    For k = LBound(jobs) To UBound(jobs)
        fields = Split(jobs(k), Chr(9))
        WriteText(fields(2), Inspect(fields(0), fields(1), fields(3)))
    Next k
    StarDesktop.terminate()
End Sub
'''

LIBRARY_FILES = {
    "script.xlb": '<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">\n'
                  '<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" '
                  'library:readonly="false" library:passwordprotected="false">\n'
                  ' <library:element library:name="XlToolsCheck"/>\n</library:library>\n',
    "XlToolsCheck.xba": '<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
                        '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="XlToolsCheck" '
                        'script:language="StarBasic">' + escape(CHECK_BASIC) + "</script:module>\n",
}


def _require_soffice():
    from xl_tools.office.soffice import OfficeMissingError, find_soffice

    try:
        find_soffice()
    except OfficeMissingError as exc:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 但未找到 LibreOffice：{exc}", pytrace=False)
        pytest.skip(f"跳过加载项的 LibreOffice 检查：{exc}")


def corrupt_dir_copy(path: Path, target: Path) -> Path:
    """``path`` with a vbaProject.bin whose dir stream is garbage (streams otherwise intact)."""
    import olefile

    with zipfile.ZipFile(path) as zf:
        parts = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    ole = olefile.OleFileIO(dict(parts)["xl/vbaProject.bin"])
    tree: dict = {}
    for entry in ole.listdir():
        node = tree
        for name in entry[:-1]:
            node = node.setdefault(name, {})
        node[entry[-1]] = ole.openstream("/".join(entry)).read()
    tree["VBA"]["dir"] = ovba.compress(b"\x01\x00\x04\x00\x00\x00" + b"\xee" * 300)
    parts = [(n, cfb.write(tree) if n == "xl/vbaProject.bin" else d) for n, d in parts]
    target.write_bytes(build.zip_parts(parts))
    return target


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, str]:
    _require_soffice()
    from xl_tools.office.soffice import make_profile, run_soffice

    root = tmp_path_factory.mktemp("lo-addin")
    xlam = build.build_addin(root / "xl_tools.xlam")
    xlsm = build.build_addin(root / "xl_tools.xlsm")
    broken = corrupt_dir_copy(xlsm, root / "broken.xlsm")
    profile = make_profile(root / "profile")
    run_soffice(["--terminate_after_init"], profile=profile)  # first start installs the default Basic library
    standard = profile / "user" / "basic" / "Standard"
    assert standard.is_dir(), "LibreOffice did not create its user Basic library"
    for name, text in LIBRARY_FILES.items():
        (standard / name).write_text(text, encoding="utf-8")
    jobs = [("xlsm", xlsm, ""), ("xlam", xlam, OOXML_VBA_FILTER), ("broken", broken, "")]
    lines = [f"{p.resolve().as_uri()}\t{flt}\t{(root / (key + '.txt')).resolve().as_uri()}\t{ribbon.VBA_MODULE}"
             for key, p, flt in jobs]
    (root / "jobs.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_soffice([f'macro:///Standard.XlToolsCheck.RunJobs("{(root / "jobs.txt").resolve().as_uri()}")'],
                       profile=profile)
    out = {}
    for key, _, _ in jobs:
        report = root / (key + ".txt")
        assert report.is_file(), f"LibreOffice wrote no report for {key}: {done.returncode} {done.stderr[-500:]}"
        out[key] = report.read_text(encoding="utf-8")
    return out


def modules(report: str) -> dict[str, set[str]]:
    libs: dict[str, set[str]] = {}
    for line in report.split("\n"):
        fields = line.split("\t")
        if fields[0] == "LIBRARY":
            libs.setdefault(fields[1], set())
        elif fields[0] == "MODULE":
            libs.setdefault(fields[1], set()).add(fields[2])
    return libs


def expected_modules() -> set[str]:
    from xl_tools.addin.sources import read_sources

    return {m.name for m in build.project_modules(read_sources())}


@pytest.mark.parametrize("kind", ["xlsm", "xlam"])
def test_libreoffice_lists_our_vba_project(reports, kind):
    report = reports[kind]
    assert report.startswith("LOADED\tTrue\n"), report[:300]
    libs = modules(report)
    assert libs.get(build.PROJECT_NAME) == expected_modules(), libs


@pytest.mark.parametrize("kind", ["xlsm", "xlam"])
def test_libreoffice_decodes_our_module_source(reports, kind):
    """LibreOffice's own VBA import gives back our module: its two header lines, then our source without the
    Attribute lines (which LibreOffice keeps out of the Basic text)."""
    source = reports[kind].split("SOURCE\n", 1)[1]
    ours = (Path(__file__).resolve().parents[1] / "macros" / ribbon.VBA_FILE).read_bytes().decode("ascii")
    body = [line for line in ours.split("\r\n") if not line.startswith("Attribute ")]
    lines = source.split("\n")
    assert lines[:2] == ["Rem Attribute VBA_ModuleType=VBAModule", "Option VBASupport 1"]
    # Equal line for line; only the number of blank lines at the very end may differ.
    assert "\n".join(lines[2:]).rstrip("\n") == "\n".join(body).rstrip("\n")
    for button in ribbon.BUTTONS:
        assert f"Public Sub {button.sub}(control As IRibbonControl)" in source
        assert f'RunPython "{button.python_command}"' in source


def test_a_corrupt_vba_project_is_not_listed(reports):
    report = reports["broken"]
    assert build.PROJECT_NAME not in modules(report), "the check must be able to fail"
