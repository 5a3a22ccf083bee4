"""Which reader an annex file needs, told by its content (magic bytes and package parts), not its extension.

``sniff`` names the kind: text (the tab-separated dump), docx (also .docm: read as data, its macros never
run), doc/wps/rtf/odt (converted to .docx by headless LibreOffice in a private folder), pdf. Files that are
none of these, or that no reader may open (encrypted, corrupt, oversized), get a Chinese message naming the
file. ``read_document`` reads the non-text kinds into the lines the text annex's own pipeline parses.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from xl_tools.errors import InputError

MAX_FILE_BYTES = 100 * 1024 * 1024          # an annex with every city's table is well under 5 MB
MAX_UNCOMPRESSED = 200 * 1024 * 1024        # a .docx's parts, inflated (as for workbooks)
MAX_RATIO = 100                             # inflated / compressed, for parts above 1 MB
CONVERTED = {"doc": "Word 97-2003 文档（.doc）", "wps": "WPS 文字文档（.wps）", "rtf": "RTF 文档（.rtf）",
             "odt": "OpenDocument 文字文档（.odt）"}
WRITER_HINT = ("Debian/Ubuntu 请运行：sudo apt-get install libreoffice-writer；Windows 请从 https://zh-cn.libreoffice.org "
               "下载安装 LibreOffice，或设置环境变量 XL_TOOLS_SOFFICE 指向 soffice.exe 的完整路径")
SAVE_AS_DOCX = "请在 Word/WPS 中打开并“另存为” Word 文档（.docx）后重试"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODT = b"application/vnd.oasis.opendocument.text"


def _fail(path: Path, message: str) -> InputError:
    return InputError(message, path=str(path))


def check_size(path: Path) -> None:
    """Refuse a file too large to be an annex before reading it (OSError when it cannot be looked at)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES and path.is_file():
        raise _fail(path, f"附件文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），"
                          "不像绩效目标表附件，已拒绝读取：请只保留附件中的绩效目标表后重试")


def sniff(path: Path, data: bytes) -> str:
    """The kind of annex ``data`` (the file's bytes) holds; raises InputError for the ones no reader opens."""
    if data.startswith(_OLE_MAGIC):
        return _sniff_ole(path, data)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"%PDF"):
        return "pdf"
    return "text"


def _sniff_ole(path: Path, data: bytes) -> str:
    from xl_tools.workbook.safety import ole_stream_names

    names = ole_stream_names(data)
    if {"EncryptionInfo", "EncryptedPackage"} <= names:
        raise _fail(path, "Word 文档已加密（设置了打开密码），无法读取：请在 Word 中打开，"
                          "“文件 → 信息 → 保护文档 → 用密码进行加密”清空密码后另存为 .docx，再重试")
    if "WordDocument" in names:
        return "wps" if path.suffix.lower() == ".wps" else "doc"
    if "Workbook" in names or "Book" in names:
        raise _fail(path, "这是 Excel 工作簿（.xls），不是附件：附件应是省里发布的 Word 文件（附件3.docx）或其文本")
    if names and path.suffix.lower() == ".wps":
        return "wps"
    raise _fail(path, "这是旧版 Office 格式的文件，但不是 Word 文档，或已损坏：" + SAVE_AS_DOCX)


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            members = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            bomb = any(i.file_size > 1024 * 1024 and i.file_size / max(i.compress_size, 1) > MAX_RATIO for i in infos)
            if total > MAX_UNCOMPRESSED or bomb:
                raise _fail(path, "Word 文档解压后异常大（疑似“压缩炸弹”），不像绩效目标表附件，已拒绝读取："
                                  "请只保留附件中的绩效目标表，另存为新的 .docx 后重试")
            if "word/document.xml" in members:
                return "docm" if any(m.lower().endswith("vbaproject.bin") for m in members) else "docx"
            if "mimetype" in members and zf.read("mimetype")[:len(_ODT) + 8].startswith(_ODT):
                return "odt"
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise _fail(path, "Word 文档已损坏或不完整（压缩结构无法读取），可能下载或复制时中断：" + SAVE_AS_DOCX
                    + "；打不开时请向发文单位索取原文件") from exc
    if "xl/workbook.xml" in members:
        raise _fail(path, "这是 Excel 工作簿，不是附件：要校验它请用 xl-tools validate；"
                          "附件应是省里发布的 Word 文件（附件3.docx）或其文本")
    raise _fail(path, "这是压缩包，不是 Word 文档：请解压后给出其中的附件（.docx）")


# ---------------------------------------------------------------------------------------------- reading


PDF_CAUTION = ("本表导入自 PDF：PDF 不记录单元格里哪里分段、哪里只是自动换行，也不记录跨页断开的行，这些是按文字位置"
               "推断的：请对照 Word 原件核对三级指标和指标值是否分对了行")
MACRO_NOTE = "附件是含宏的 Word 文档（.docm）：宏没有运行，只读取了其中的文字和表格"


def read_document(path: Path, kind: str):
    """(document, caution) of a Word/PDF annex (``kind`` from :func:`sniff`): its lexed lines (``doc.lines``,
    ``doc.place``, ``doc.attached``) for the importer, and the note every form made from it carries (or None)."""
    caution = None
    if kind == "pdf":
        from xl_tools.annex.pdf_reader import read_pdf

        doc = read_pdf(path)
        what, caution = "PDF", PDF_CAUTION
    elif kind in ("docx", "docm"):
        from xl_tools.annex.docx_reader import read_docx

        doc = read_docx(path)
        what = "Word 文档"
        caution = MACRO_NOTE if kind == "docm" else None
    else:
        doc = _read_converted(path, kind)
        what = CONVERTED[kind]
    if doc.tables == 0:
        raise _fail(path, f"{what}中没有表格：附件里的绩效目标表应是表格（不是图片或文本框）；"
                          "请向发文单位索取可编辑的 Word 原件（.docx）")
    return doc, caution


def _read_converted(path: Path, kind: str):
    """A .doc/.wps/.rtf/.odt converted to .docx by LibreOffice in a private folder, then read as a .docx."""
    from xl_tools.annex.docx_reader import read_docx
    from xl_tools.office.convert import convert
    from xl_tools.office.soffice import ConversionError, OfficeMissingError, find_soffice

    try:
        find_soffice()
    except OfficeMissingError as exc:
        raise OfficeMissingError(f"读取{CONVERTED[kind]}需要 LibreOffice，但未找到：请把附件另存为 .docx 后重试，"
                                 f"或安装 LibreOffice（{WRITER_HINT}）", path=str(path)) from exc
    if writer_missing():
        raise OfficeMissingError(f"读取{CONVERTED[kind]}需要 LibreOffice Writer（文字处理组件），但只安装了 LibreOffice 的"
                                 f"其他组件：请把附件另存为 .docx 后重试，或安装它（{WRITER_HINT}）", path=str(path))
    with tempfile.TemporaryDirectory(prefix="xl_tools-annex-") as tmp:
        staged = Path(tmp) / f"annex.{kind}"          # the extension LibreOffice expects, whatever the file's name
        shutil.copyfile(path, staged)
        try:
            [docx] = convert([staged], "docx", Path(tmp) / "out")
        except ConversionError as exc:
            raise ConversionError(f"LibreOffice 无法把{CONVERTED[kind]}转换为 .docx（文件可能已损坏、已加密，"
                                  f"或未安装 LibreOffice Writer：{WRITER_HINT}）：" + SAVE_AS_DOCX,
                                  path=str(path)) from exc
        return read_docx(docx)


def writer_missing() -> bool:
    """True when soffice is there without its word processor (Debian ships it apart: libreoffice-writer)."""
    from xl_tools.office.soffice import OfficeMissingError, find_soffice

    try:
        program = find_soffice().resolve().parent
    except OfficeMissingError:
        return False
    return (program / "libmergedlo.so").exists() and not (program / "libswlo.so").exists()
