"""Assemble the ribbon add-in: an Open XML package (zip) with an add-in workbook, ``xl/vbaProject.bin`` and
``customUI/customUI14.xml``.

The VBA project holds two document modules (ThisWorkbook, Sheet1), our ribbon module(s) from macros/, and
xlwings' VBA runtime taken from the installed xlwings (``xlwings/addin/*.bas|*.cls``), so the VBA and the
Python side of xlwings always have the same version. As xlwings' own release build does, ``Main`` gets the
version pinned: ``xlwings64-dev.dll`` → ``xlwings64-<version>.dll``, ``XLWINGS_VERSION = "dev"`` → the version.

The workbook's only sheet is ``xlwings.conf`` (see ``xlconf``). The same package with the macro-enabled
workbook content type is a valid .xlsm (used to check the result with other spreadsheet programs).
Two builds with the same inputs are byte-identical: fixed zip timestamps, order and attributes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from xl_tools.addin import ovba, xlconf
from xl_tools.addin.sources import Sources, read_sources

PROJECT_NAME = "XlTools"
SHEET_CODENAME = "Sheet1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

CONTENT_TYPES = {
    "xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOCUMENT = f"{NS_REL}/officeDocument"
REL_WORKSHEET = f"{NS_REL}/worksheet"
REL_STYLES = f"{NS_REL}/styles"
REL_VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_RIBBON = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
CUSTOMUI_PART = "customUI/customUI14.xml"

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# --------------------------------------------------------------------------------------------- VBA modules


def xlwings_addin_dir() -> Path:
    """``xlwings/addin`` of the installed xlwings: the VBA runtime's source files."""
    import xlwings

    return Path(xlwings.__file__).resolve().parent / "addin"


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def pin_xlwings_version(text: str, version: str) -> str:
    """Main.bas as xlwings' release build stores it: DLL names and XLWINGS_VERSION carry the version."""
    text = re.sub(r"xlwings(32|64)-dev\.dll", lambda m: f"xlwings{m.group(1)}-{version}.dll", text)
    return text.replace('XLWINGS_VERSION As String = "dev"', f'XLWINGS_VERSION As String = "{version}"')


def module_name(export_text: str, file_name: str) -> str:
    """The module name from the ``Attribute VB_Name`` line of a VBA export file."""
    match = re.search(r'^Attribute VB_Name = "([^"]+)"', export_text, re.M)
    if not match:
        from xl_tools.errors import InputError

        raise InputError('缺少 Attribute VB_Name = "模块名" 这一行：VBA 导出文件的第一行应写明模块名', path=file_name)
    return match.group(1)


def xlwings_modules() -> list[ovba.Module]:
    """xlwings' VBA runtime modules, in file-name order, as stored in a VBA project."""
    folder = xlwings_addin_dir()
    version = xlwings_version()
    modules = []
    for path in sorted(folder.glob("*.bas")) + sorted(folder.glob("*.cls")):
        text = path.read_bytes().decode("cp1252")
        kind = "class" if path.suffix == ".cls" else "standard"
        name = module_name(text, path.name)
        source = ovba.stored_source(text, kind)
        if name == "Main":
            source = pin_xlwings_version(source, version)
        modules.append(ovba.Module(name, kind, source))
    if not any(m.name == "Main" for m in modules):
        raise RuntimeError(f"xlwings VBA runtime not found in {folder}")
    return modules


def project_modules(sources: Sources) -> list[ovba.Module]:
    """Every module of the add-in's VBA project, in project order."""
    modules = [ovba.document_module("ThisWorkbook", ovba.WORKBOOK_BASE),
               ovba.document_module(SHEET_CODENAME, ovba.WORKSHEET_BASE)]
    for file_name, text in sorted(sources.modules.items()):
        modules.append(ovba.Module(module_name(text, file_name), "standard", ovba.stored_source(text, "standard")))
    return modules + xlwings_modules()


# --------------------------------------------------------------------------------------------- package parts


def _content_types(kind: str) -> str:
    overrides = [
        ("/xl/workbook.xml", CONTENT_TYPES[kind]),
        ("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
        ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"),
        ("/xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"),
    ]
    return (XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
            + "</Types>")


def _relationships(rels: list[tuple[str, str, str]]) -> str:
    return (XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">'
            + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in rels)
            + "</Relationships>")


def _workbook(kind: str) -> str:
    view = '<workbookView visibility="hidden"/>' if kind == "xlam" else "<workbookView/>"
    return (XML_DECL + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
            '<workbookPr codeName="ThisWorkbook"/>'
            f"<bookViews>{view}</bookViews>"
            f'<sheets><sheet name={quoteattr(xlconf.SHEET_NAME)} sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>")


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _config_sheet(rows: list[tuple[str, str]]) -> str:
    body = "".join(f'<row r="{n}">{_cell(f"A{n}", key)}{_cell(f"B{n}", value)}</row>'
                   for n, (key, value) in enumerate(rows, start=1))
    dimension = f'<dimension ref="A1:B{len(rows)}"/>' if rows else '<dimension ref="A1"/>'
    return (XML_DECL + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
            f'<sheetPr codeName="{SHEET_CODENAME}"/>{dimension}'
            '<cols><col min="1" max="1" width="32" customWidth="1"/><col min="2" max="2" width="60" customWidth="1"/>'
            f"</cols><sheetData>{body}</sheetData></worksheet>")


STYLES = (XML_DECL + f'<styleSheet xmlns="{NS_MAIN}">'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          "</styleSheet>")


def package_parts(sources: Sources, *, kind: str = "xlam",
                  settings: dict[str, str] | None = None) -> list[tuple[str, bytes]]:
    """(part name, bytes) of the package, in the order they are zipped."""
    if kind not in CONTENT_TYPES:
        raise ValueError(f"kind must be one of {sorted(CONTENT_TYPES)}")
    rows = xlconf.render(sources.conf_template, settings, source=f"{sources.origin}/{xlconf.FILE_NAME}")
    vba = ovba.vba_project_bin(PROJECT_NAME, project_modules(sources))
    parts = [
        ("[Content_Types].xml", _content_types(kind)),
        ("_rels/.rels", _relationships([("rId1", REL_OFFICE_DOCUMENT, "xl/workbook.xml"),
                                        ("rId2", REL_RIBBON, CUSTOMUI_PART)])),
        ("xl/workbook.xml", _workbook(kind)),
        ("xl/_rels/workbook.xml.rels", _relationships([("rId1", REL_WORKSHEET, "worksheets/sheet1.xml"),
                                                       ("rId2", REL_STYLES, "styles.xml"),
                                                       ("rId3", REL_VBA_PROJECT, "vbaProject.bin")])),
        ("xl/worksheets/sheet1.xml", _config_sheet(rows)),
        ("xl/styles.xml", STYLES),
        ("xl/vbaProject.bin", vba),
        (CUSTOMUI_PART, sources.customui),
    ]
    return [(name, data.encode("utf-8") if isinstance(data, str) else data) for name, data in parts]


def zip_parts(parts: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``parts`` with fixed timestamps, attributes and order (byte-identical for equal parts)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def build_bytes(*, kind: str = "xlam", macros: Path | None = None,
                settings: dict[str, str] | None = None) -> bytes:
    """The add-in (``kind`` "xlam") or the same project as a macro-enabled workbook ("xlsm"), as bytes."""
    return zip_parts(package_parts(read_sources(macros), kind=kind, settings=settings))


def build_addin(output: str | Path, *, macros: Path | None = None, settings: dict[str, str] | None = None,
                kind: str | None = None) -> Path:
    """Write the add-in to ``output`` atomically; the kind follows the suffix (.xlam, or .xlsm) unless given."""
    from xl_tools.errors import InputError
    from xl_tools.fileio import atomic_write

    output = Path(output)
    if kind is None:
        kind = output.suffix.lower().lstrip(".")
        if kind not in CONTENT_TYPES:
            raise InputError("输出文件的扩展名应为 .xlam（加载项）或 .xlsm（启用宏的工作簿），例如 -o xl_tools.xlam",
                             path=str(output))
    data = build_bytes(kind=kind, macros=macros, settings=settings)
    return atomic_write(output, lambda tmp: tmp.write_bytes(data))
