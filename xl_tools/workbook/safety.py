"""Pre-flight checks of an input workbook BEFORE any parser touches it, and text that is never a formula.

``check_input_file(path)`` raises :class:`~xl_tools.errors.NotAFormError` (Chinese, naming the file and the fix)
for: a missing file, a folder or device, an Office lock file (``~$``), an empty file, a file that is not a zip
(legacy .xls, a password-encrypted workbook, HTML/CSV/PDF/… renamed .xlsx), a truncated or corrupt zip, a zip
bomb, XML with a DOCTYPE/ENTITY declaration, and a workbook with an absurd amount of content.

Limits, and why:

- declared sizes first: the sum of the entries' uncompressed sizes above :data:`MAX_TOTAL_UNCOMPRESSED`, or an
  entry above :data:`RATIO_MIN_SIZE` that inflates more than :data:`MAX_RATIO` times, is refused before
  anything is inflated;
- declared sizes are not trusted: every XML part is then inflated here, in chunks, counting the bytes (Python's
  zipfile stops at the declared size and checks the CRC, so a part that inflates past its declared size is
  caught as corrupt), before openpyxl or calamine (Rust, which would inflate on its own) sees the file;
- XML parts are parsed by expat as a stream; a DOCTYPE stops the parse at once (no entity is ever declared, let
  alone expanded). Expat calls no Python per element (C speed); a worksheet written the usual way is then measured
  with regexes over its inflated bytes (:func:`_measure_sheet_fast`), any other one element by element
  (:class:`_SheetCounter`), with the same results. openpyxl also uses defusedxml when it is installed (``openpyxl.xml.DEFUSEDXML``); calamine
  does not expand custom entities;
- worksheets: cell elements are counted (more than :data:`MAX_CELLS` is refused), so are the cells merged ranges
  cover (more than :data:`MAX_MERGED_CELLS` is refused: openpyxl makes an object per covered cell), and the
  extent of the cells holding a value is measured. A value far away (``XFD1048576``) is legal, but calamine
  allocates the whole rectangle up to it (a 16384 x 1048576 grid aborts the process): :attr:`InputScan.dense_ok`
  tells the reader whether the dense engine may be used, and :data:`GRID_MAX_ROWS` / :data:`GRID_MAX_COLS`
  bound the grid a reader builds (values beyond them are not part of any form and are ignored).

A workbook of usual size is first checked by a fast path in memory (:func:`_fast_zip_scan`): each XML part
inflated in one step, expat run only where it can find something (no DOCTYPE is possible in a UTF-8 part
without "<!"), the worksheets' <sheetData> checked and measured by one strict regex, and expat's verdicts on parts
seen before remembered. The fast path only ever accepts; anything it does not fully vouch for goes to the
step-by-step check (:func:`_check_zip`), so every limit, refusal and message is the step-by-step check's.

No network, no macros: .xlsm files are read as data (the VBA project is never loaded or run).
"""

from __future__ import annotations

import functools
import io
import operator
import os
import re
import stat
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from xl_tools.errors import NotAFormError
from xl_tools.workbook.inputs import is_lock_file  # noqa: F401  (re-exported)

# --- limits -----------------------------------------------------------------------------------------------------

MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024     # bytes, sum of all entries' declared uncompressed sizes
MAX_RATIO = 100                                 # uncompressed / compressed, for entries above RATIO_MIN_SIZE
RATIO_MIN_SIZE = 1024 * 1024                    # small entries may compress very well and are harmless
MAX_ENTRIES = 10_000                            # zip entries
MAX_CELLS = 500_000                             # cell elements (with a value or only a style), all sheets together
MAX_MERGED_CELLS = 10_000                       # cells covered by merged ranges, all sheets: openpyxl styles one
                                                # object per covered cell (~0.4 ms each: A1:XFD1 takes 6 s,
                                                # A1:XFD1048576 never finishes); a form covers a few hundred
GRID_MAX_ROWS = 20_000                          # the form area a reader looks at (rows)
GRID_MAX_COLS = 256                             # the form area a reader looks at (columns, up to IV)
DENSE_MAX_AREA = 2_000_000                      # rows x columns a dense engine (calamine) may allocate per sheet
EXCEL_CELL_MAX_CHARS = 32767                    # Excel's limit for the text of one cell
_CHUNK = 1 << 16
FAST_FILE_MAX = 4 * 1024 * 1024                 # workbooks up to this size are checked in memory (fast path)
FAST_PART_MAX = 8 * 1024 * 1024                 # XML parts up to this size are inflated in one step (fast path)
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")   # what openpyxl and calamine open as OOXML workbooks

FIX_SAVE_AS = "请在 Excel 或 WPS 中打开它，“另存为” Excel 工作簿（.xlsx）后重试"
FIX_RESEND = "请在 Excel 或 WPS 中打开并“另存为” .xlsx 后重试；打不开时请报送单位重新发送原文件"

WORKBOOK_XML = "xl/workbook.xml"                # the part whose defined names the calamine reader uses
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


# --- result -----------------------------------------------------------------------------------------------------

@dataclass
class SheetExtent:
    """What a worksheet part really holds: cells with a value, and the last row/column among them."""

    part: str
    cells: int = 0                 # cells holding a value
    elements: int = 0              # every <c> element, styled-only ones too
    merged_cells: int = 0          # cells covered by merged ranges
    max_row: int = 0
    max_col: int = 0
    odd_refs: bool = False         # a cell reference that is not plain A1 ("$A$1", "B"): extent unknown

    @property
    def area(self) -> int:
        return self.max_row * self.max_col


@dataclass
class InputScan:
    """The result of a pre-flight check of one workbook file that passed."""

    path: str
    size: int
    macros: bool = False                                   # .xlsm / a vbaProject part (read as data only)
    sheets: list[SheetExtent] = field(default_factory=list)
    uncompressed: int = 0                                  # bytes inflated while checking
    workbook_xml: bytes | None = field(default=None, repr=False)   # the inflated xl/workbook.xml, for the reader

    @property
    def cells(self) -> int:
        return sum(s.cells for s in self.sheets)

    @property
    def dense_ok(self) -> bool:
        """True when an engine that allocates each sheet's full rectangle (calamine) is safe to use."""
        return all(s.area <= DENSE_MAX_AREA and not s.odd_refs for s in self.sheets)

    @property
    def beyond_grid(self) -> bool:
        """True when some value lies outside the area a reader looks at (it is ignored, never allocated)."""
        return any(s.max_row > GRID_MAX_ROWS or s.max_col > GRID_MAX_COLS for s in self.sheets)


# --- public API -------------------------------------------------------------------------------------------------

def check_input_file(path: str | os.PathLike) -> None:
    """Raise NotAFormError (naming the file and the fix) when ``path`` is not a workbook a parser may open."""
    inspect_input_file(path)


def inspect_input_file(path: str | os.PathLike) -> InputScan:
    """Like :func:`check_input_file`, returning what was measured (sheet extents, macros)."""
    name = str(path)
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise NotAFormError("文件不存在：请检查文件名和路径是否写对（含扩展名 .xlsx）", path=name) from None
    except OSError as exc:
        raise NotAFormError(f"无法访问该文件（{exc.strerror or exc}）：请检查路径和访问权限后重试", path=name) from exc
    if stat.S_ISDIR(st.st_mode):
        raise NotAFormError("这是一个文件夹，不是工作簿：请给出其中的 .xlsx 文件，或用支持文件夹的命令（如 xl-tools validate 文件夹）",
                            path=name)
    if not stat.S_ISREG(st.st_mode):
        raise NotAFormError("这不是普通文件（可能是设备或管道）：请给出保存在磁盘上的 .xlsx 文件", path=name)
    if is_lock_file(p):
        raise NotAFormError("这是 Excel/WPS 打开工作簿时生成的临时锁定文件（文件名以 ~$ 或 .~ 开头），不是绩效目标表："
                            "请忽略它，改选不带 ~$ 的原文件", path=name)
    if st.st_size == 0:
        raise NotAFormError("文件是空的（0 字节），可能在保存或复制时中断：" + FIX_RESEND, path=name)
    try:
        with open(p, "rb") as fh:
            # a workbook of usual size is read whole: the fast path (:func:`_fast_zip_scan`) works in memory
            data = fh.read(st.st_size + 1 if st.st_size <= FAST_FILE_MAX else _CHUNK)
            head = data[:_CHUNK]
    except PermissionError as exc:
        raise NotAFormError("无法读取：文件正被其他程序占用，或没有读取权限：请在 Excel/WPS 中关闭该文件后重试",
                            path=name) from exc
    except OSError as exc:
        raise NotAFormError(f"无法读取该文件（{exc.strerror or exc}）：请把它复制到本机磁盘后重试", path=name) from exc
    if head.startswith(_OLE_MAGIC):
        raise NotAFormError(_describe_ole(p), path=name)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if zipfile.is_zipfile(p):      # a zip with something prepended (self-extracting archive and the like)
            raise NotAFormError("这是压缩包或安装程序，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件", path=name)
        raise NotAFormError(_describe_not_zip(head), path=name)
    scan = InputScan(path=name, size=st.st_size)
    if len(data) <= FAST_FILE_MAX and len(data) == st.st_size:
        fast = _fast_scan_remembered(p, data)
        if fast is not None:
            scan.macros, scan.sheets, scan.uncompressed, scan.workbook_xml = fast
            return scan
    _check_zip(p, name, scan)            # anything unusual: the step-by-step check, which names the problem
    return scan


def check_template_version(version: str | None, path: str | os.PathLike | None = None) -> None:
    """Raise NotAFormError when a workbook was made from a template newer than this xl_tools knows."""
    from xl_tools.workbook.template import TEMPLATE_VERSION

    if not version:
        return
    known = _version_key(TEMPLATE_VERSION)
    found = _version_key(version)
    if found is None or (known is not None and found > known):
        raise NotAFormError(f"该表用更新版本的模板（版本 {version}）制作，本工具只认识到版本 {TEMPLATE_VERSION}："
                            "请更新 xl_tools（pip install -U xl_tools 或安装新版加载项）后重试",
                            path=str(path) if path is not None else None)


def is_formula_like(text: object) -> bool:
    """True when a spreadsheet program would take ``text`` as a formula if typed or set as a value."""
    return isinstance(text, str) and text.startswith(("=", "+", "-", "@"))


def as_text_cell(value: object) -> object:
    """The value to give Excel (xlwings ``Range.value`` / COM) so that text stays text, never a formula.

    Strings that Excel would parse as a formula (``=…``, ``+…``, ``-…``, ``@…``) or that start with an apostrophe
    get Excel's quote prefix ``'`` (Excel stores the text without it and shows it as typed). Other values
    are returned unchanged. For openpyxl cells use :func:`write_text_cell`.
    """
    if isinstance(value, str) and (is_formula_like(value) or value.startswith("'")):
        return "'" + value
    return value


def write_text_cell(cell, value: object) -> None:
    """Set an openpyxl cell to ``value`` as text: a string starting with ``=`` is stored as text, not a formula.

    openpyxl turns any string starting with ``=`` into a formula (data_type ``f``); this writes it as a string
    (``t="s"``) with the quote prefix style so Excel shows and keeps it as text. Illegal XML control
    characters are dropped; over-long text is cut to Excel's limit (see :func:`fit_cell_text`).
    """
    if value is None or value == "":
        cell.value = None
        return
    if not isinstance(value, str):
        cell.value = value
        return
    text = fit_cell_text(xml_safe_text(value))
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF).

    openpyxl drops only the control characters; a U+FFFE written as is makes a workbook nobody can open.
    """
    return _XML_ILLEGAL.sub("", text)


def fit_cell_text(text: str, limit: int = EXCEL_CELL_MAX_CHARS) -> str:
    """``text`` cut to Excel's cell limit, ending with a Chinese note saying it was cut and how long it was.

    Inputs are never changed: the full text stays in the city's own file, which the note points to.
    """
    if len(text) <= limit:
        return text
    note = f"……（内容共 {len(text)} 字，超过 Excel 单元格上限 {limit} 字，以上已截断；完整内容见原文件）"
    return text[: limit - len(note)] + note


def fit_long_cells(wb) -> list[tuple[str, str]]:
    """Cut every text cell of an openpyxl workbook that exceeds Excel's limit (:func:`fit_cell_text`).

    For copies of a city's workbook (the marked copy): Excel refuses such a cell ("发现不可读取的内容") and
    openpyxl keeps whatever a file held. Returns (sheet, cell) of the cells cut.
    """
    cut = []
    for ws in wb.worksheets:
        for cell in list(getattr(ws, "_cells", {}).values()):
            value = cell.value
            if isinstance(value, str) and len(value) > EXCEL_CELL_MAX_CHARS:
                text = fit_cell_text(value)
                if cell.data_type == "f":
                    write_text_cell(cell, text)
                else:
                    cell._value = text
                cut.append((ws.title, cell.coordinate))
    return cut


# --- OLE compound files (legacy .xls, encrypted OOXML, .doc) ----------------------------------------------------

@dataclass
class _OleEntry:
    name: str
    kind: int
    start: int
    size: int


def _ole_directory(data: bytes) -> tuple[dict[str, _OleEntry], list[int], int]:
    """(entries by name, FAT, sector size) of a compound file (MS-CFB); ({}, [], 0) when it is broken."""
    if len(data) < 512 or not data.startswith(_OLE_MAGIC):
        return {}, [], 0
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    if sector_shift not in (9, 12):
        return {}, [], 0
    size = 1 << sector_shift
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    first_difat, n_difat = struct.unpack_from("<II", data, 68)
    max_sector = len(data) // size - 1
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < max_sector][:n_fat]
    seen: set[int] = set()
    sector = first_difat
    while len(fat_sectors) < n_fat and sector < max_sector and sector not in seen and len(seen) <= n_difat:
        seen.add(sector)
        ids = struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size)
        fat_sectors += [s for s in ids[:-1] if s < max_sector]
        sector = ids[-1]
    fat: list[int] = []
    for s in fat_sectors:
        fat += struct.unpack_from(f"<{size // 4}I", data, (s + 1) * size)
    entries: dict[str, _OleEntry] = {}
    sector, visited = first_dir, set()
    while sector < max_sector and sector not in visited:
        visited.add(sector)
        off = (sector + 1) * size
        for i in range(size // 128):
            entry = data[off + i * 128: off + (i + 1) * 128]
            if len(entry) < 128:
                break
            length = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                name = entry[: length - 2].decode("utf-16-le", "replace")
                start, low = struct.unpack_from("<II", entry, 116)
                entries.setdefault(name, _OleEntry(name, kind, start, low))
        if sector >= len(fat):
            break
        sector = fat[sector]
    return entries, fat, size


def ole_stream_names(data: bytes) -> set[str]:
    """Names of the entries of a compound file's directory (MS-CFB), read from its FAT chain; {} when broken."""
    return set(_ole_directory(data)[0])


def _xls_has_password(data: bytes, entry: _OleEntry, size: int) -> bool:
    """True when a BIFF8 Workbook stream starts BOF … FILEPASS (the workbook is encrypted with a password)."""
    if entry.size < 4096 or (entry.start + 2) * size > len(data):       # small streams live in the mini stream
        return False
    head = data[(entry.start + 1) * size: (entry.start + 2) * size]
    pos = 0
    for _ in range(8):                                   # FILEPASS follows BOF (and maybe a few records)
        if pos + 4 > len(head):
            return False
        rec, length = struct.unpack_from("<HH", head, pos)
        if rec == 0x002F:
            return True
        pos += 4 + length
    return False


def _describe_ole(p: Path) -> str:
    try:
        with open(p, "rb") as fh:
            data = fh.read(64 * 1024 * 1024)
        entries, _fat, size = _ole_directory(data)
    except (OSError, struct.error):
        entries, size, data = {}, 0, b""
    names = set(entries)
    if {"EncryptionInfo", "EncryptedPackage"} <= names:
        return ("文件已加密（设置了打开密码）：请在 Excel 中取消密码后另存为 .xlsx"
                "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码后保存），再重试")
    book = entries.get("Workbook") or entries.get("Book")
    if book is not None:
        try:
            locked = _xls_has_password(data, book, size)
        except struct.error:
            locked = False
        if locked:
            return ("这是设置了打开密码的旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 中输入密码打开、取消密码，"
                    "再“另存为” .xlsx 后重试")
        return "这是旧版 Excel 97-2003 工作簿（.xls），本工具只读 .xlsx：请在 Excel 中“另存为” .xlsx 后重试"
    if "WordDocument" in names:
        return "这是 Word 文档（.doc），不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    if "PowerPoint Document" in names:
        return "这是 PowerPoint 文件，不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    return ("这是旧版 Office 格式的文件（如 .xls、.et），或已设置打开密码，本工具只读 .xlsx："
            "请在 Excel 中打开（如有密码先取消），“另存为” .xlsx 后重试")


# --- not a zip: say what it looks like ---------------------------------------------------------------------------

_BINARY_KINDS = (
    (b"%PDF", "这是 PDF 文件，不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表（PDF 或扫描件无法读取）"),
    (b"{\\rtf", "这是 RTF/Word 文档，不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"),
    (b"\x89PNG", "这是图片（PNG），不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表"),
    (b"\xff\xd8\xff", "这是图片（JPEG），不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表"),
    (b"GIF8", "这是图片（GIF），不是 Excel 工作簿：请提供 .xlsx 格式的绩效目标表"),
    (b"Rar!", "这是 RAR 压缩包，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩包，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"),
    (b"\x1f\x8b", "这是 gzip 压缩文件，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"),
)


def _decode_head(head: bytes) -> str | None:
    """The start of a text file as text (UTF-8/UTF-16/GB18030), or None when it is binary."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "ignore")
    sample = head[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return sample.decode("utf-16-le", "ignore")
    if b"\x00" in sample:
        return None
    for codec in ("utf-8", "gb18030"):
        try:
            return sample.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start > len(sample) - 4:          # cut mid-character at the end of the sample
                return sample[: exc.start].decode(codec, "ignore")
    return None


def _describe_not_zip(head: bytes) -> str:
    for magic, message in _BINARY_KINDS:
        if head.startswith(magic):
            return message
    text = _decode_head(head)
    if text is None:
        return "不是有效的 .xlsx 工作簿（文件已损坏，或是其他格式改了扩展名）：" + FIX_RESEND
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low or "progid=\"excel.sheet\"" in low:
        return "这是“XML 电子表格 2003”格式，不是 .xlsx 工作簿：" + FIX_SAVE_AS
    if re.search(r"<\s*(html|!doctype\s+html|table|head|body|meta)\b", low[:4096]):
        return "这是网页（HTML）文件改了扩展名（一些系统导出的“Excel”其实是网页），不是 .xlsx 工作簿：" + FIX_SAVE_AS
    if low.startswith("<?xml") or low.startswith("<"):
        return "这是 XML 文本文件，不是 .xlsx 工作簿：" + FIX_SAVE_AS
    if any(sep in text for sep in (",", "\t", "，")):
        return "这是文本或 CSV 文件改了扩展名，不是 .xlsx 工作簿：" + FIX_SAVE_AS
    return "这是文本文件，不是 .xlsx 工作簿：请在 Excel 或 WPS 中按模板填写并保存为 .xlsx 后重试"


# --- the zip container -------------------------------------------------------------------------------------------

def _corrupt(name: str, detail: str = "") -> NotAFormError:
    why = f"（{detail}）" if detail else ""
    return NotAFormError(f"工作簿已损坏或不完整{why}，无法读取（可能下载或复制时中断）：" + FIX_RESEND, path=name)


def _describe_other_zip(members: set[str], zf: zipfile.ZipFile) -> str:
    if "xl/workbook.bin" in members:
        return "这是 Excel 二进制工作簿（.xlsb），本工具只读 .xlsx：请在 Excel 中“另存为” .xlsx 后重试"
    if "word/document.xml" in members:
        return "这是 Word 文档（.docx），不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    if "ppt/presentation.xml" in members:
        return "这是 PowerPoint 文件（.pptx），不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    if "mimetype" in members:
        try:
            info = zf.getinfo("mimetype")
            kind = zf.read(info)[:100].decode("ascii", "ignore") if info.file_size <= 100 else ""
        except Exception:  # a broken mimetype entry: describe it as an archive
            kind = ""
        if "spreadsheet" in kind:
            return "这是 OpenDocument 表格（.ods，WPS/LibreOffice 格式），不是 .xlsx：" + FIX_SAVE_AS
        if kind:
            return "这是 OpenDocument 文件（如 .odt），不是 Excel 工作簿：请给出填写好的绩效目标表 .xlsx"
    return "这是压缩包（.zip），不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件"


def _check_zip(p: Path, name: str, scan: InputScan) -> None:
    try:
        zf = zipfile.ZipFile(p)
    except Exception as exc:  # BadZipFile, NotImplementedError ("zip file version"), struct.error, OSError, …
        raise _corrupt(name, "压缩结构不完整") from exc
    with zf:
        try:
            infos = zf.infolist()
        except Exception as exc:  # defensive: zipfile may raise anything on a mangled directory
            raise _corrupt(name, "压缩结构不完整") from exc
        if len(infos) > MAX_ENTRIES:
            raise NotAFormError(f"工作簿内部文件过多（{len(infos)} 个），不像绩效目标表，可能是恶意构造的文件，已拒绝读取："
                                + FIX_RESEND, path=name)
        members = {i.filename for i in infos}
        _check_declared_sizes(infos, name)
        workbook_part = _workbook_part(zf, members)
        if workbook_part is None:
            raise NotAFormError(_describe_other_zip(members, zf), path=name)
        suffix = p.suffix.lower()
        if suffix not in READABLE_SUFFIXES:
            raise NotAFormError(f"文件内容是 Excel 工作簿，但扩展名是“{p.suffix or '（无）'}”，无法按工作簿打开："
                                "请把文件改名为以 .xlsx 结尾（如 广州.xlsx）后重试", path=name)
        content_types = _content_types(zf, members, name, scan)
        scan.macros = _has_macros(members, content_types, workbook_part)
        sheet_parts = _sheet_parts(members, content_types)
        cells = merged = 0
        for info in infos:
            if info.is_dir() or not _is_xml_part(info.filename):
                continue
            extent = SheetExtent(info.filename) if info.filename in sheet_parts else None
            kept = _scan_xml(zf, info, name, scan, extent,
                             strict=_is_essential(info.filename, workbook_part, sheet_parts),
                             keep=info.filename == WORKBOOK_XML, workbook=info.filename == workbook_part)
            if info.filename == WORKBOOK_XML:
                scan.workbook_xml = kept          # the last entry of that name, as zipfile reads it
            if extent is not None:
                scan.sheets.append(extent)
                cells += extent.elements
                merged += extent.merged_cells
                if cells > MAX_CELLS:
                    raise NotAFormError(_too_many_cells(), path=name)
                if merged > MAX_MERGED_CELLS:
                    raise NotAFormError("工作表中的合并单元格异常多，不像绩效目标表：请取消多余的合并，"
                                        "另存为 .xlsx 后重试", path=name)


def _has_macros(members: set[str], content_types: dict[str, str], workbook_part: str) -> bool:
    return (content_types.get("/" + workbook_part) == _MACRO_CT
            or any(m.lower().endswith("vbaproject.bin") for m in members))


def _sheet_parts(members: set[str], content_types: dict[str, str]) -> set[str]:
    return {m for m in members
            if content_types.get("/" + m, "").endswith(".worksheet+xml")
            or _WORKSHEET_NAME.fullmatch(m)}


_WORKSHEET_NAME = re.compile(r"xl/worksheets/[^/]+\.xml")


def _check_declared_sizes(infos: list[zipfile.ZipInfo], name: str) -> None:
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
            raise NotAFormError(f"工作簿内部文件 {info.filename} 的压缩比异常（{ratio:.0f} 倍，疑似“压缩炸弹”），"
                                "已拒绝解压：" + FIX_RESEND, path=name)
    if total > MAX_TOTAL_UNCOMPRESSED:
        mb = MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)
        raise NotAFormError(f"工作簿解压后过大（{total / 1024 / 1024:.0f} MB，上限 {mb} MB），不像绩效目标表，已拒绝读取："
                            "请删除多余的工作表和图片，另存为新的 .xlsx 后重试", path=name)


def _workbook_part(zf: zipfile.ZipFile, members: set[str]) -> str | None:
    """The main workbook part: the package relationship's officeDocument target, else xl/workbook.xml."""
    if "_rels/.rels" in members:
        try:
            info = zf.getinfo("_rels/.rels")
            if info.file_size <= 1024 * 1024:
                part = _office_document(zf.read(info), members)
                if part is not None:
                    return part
        except Exception:  # a broken _rels/.rels is caught when the XML parts are scanned
            pass
    return "xl/workbook.xml" if "xl/workbook.xml" in members else None


def _office_document(rels: bytes, members: set[str]) -> str | None:
    """The officeDocument target named in the package relationships ``rels`` when it is a member, else None."""
    return next((part for part in _office_targets(rels) if part in members), None)


def _office_targets(rels: bytes) -> tuple[str, ...]:
    """The .xml targets of the officeDocument relationships in ``rels``, in order."""
    text = rels.decode("utf-8", "ignore")
    if "<!DOCTYPE" in text.upper():
        return ()
    targets = []
    for m in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", text):
        tag = m.group(0)
        if re.search(r'Type="[^"]*/officeDocument"', tag):
            target = re.search(r'Target="([^"]*)"', tag)
            if target:
                part = str(PurePosixPath(target.group(1).lstrip("/")))
                if part.endswith(".xml"):
                    targets.append(part)
    return tuple(targets)


def _content_types(zf: zipfile.ZipFile, members: set[str], name: str, scan: InputScan) -> dict[str, str]:
    """Part name → content type from ``[Content_Types].xml`` overrides (after the DOCTYPE check)."""
    ct = "[Content_Types].xml"
    if ct not in members:
        raise _corrupt(name, "缺少 [Content_Types].xml")
    info = zf.getinfo(ct)
    return _overrides(_scan_xml(zf, info, name, scan, None, strict=True, keep=True))


def _overrides(data: bytes) -> dict[str, str]:
    """Part name → content type of the ``Override`` elements of a ``[Content_Types].xml``."""
    out: dict[str, str] = {}
    text = data.decode("utf-8", "ignore")
    for m in re.finditer(r"<(?:\w+:)?Override\b[^>]*>", text):
        part = re.search(r'PartName="([^"]*)"', m.group(0))
        kind = re.search(r'ContentType="([^"]*)"', m.group(0))
        if part and kind:
            out[part.group(1)] = kind.group(1)
    return out


def _is_xml_part(filename: str) -> bool:
    return filename.lower().endswith((".xml", ".rels", ".vml"))


def _is_essential(filename: str, workbook_part: str, sheet_parts: set[str]) -> bool:
    """Parts a reader cannot do without: broken XML there is a broken workbook (elsewhere it is tolerated)."""
    return (filename in sheet_parts or filename == workbook_part or filename.endswith(".rels")
            or filename in ("[Content_Types].xml", "xl/sharedStrings.xml", "xl/styles.xml"))


# --- fast path: the whole check in memory, for workbooks written the usual way ----------------------------------
#
# A workbook of usual size is read whole; each XML part is inflated in one step and checked with as few passes
# over its bytes as will do. The fast path only ever ACCEPTS: on anything it does not fully vouch for (a limit
# reached, a corrupt or forged entry, a DOCTYPE, broken XML, an unusual encoding or way of writing) it gives up
# (_Decline) and the step-by-step check (_check_zip) runs from the start. Every refusal, and its wording, is
# therefore the step-by-step check's; what the fast path must guarantee is that it accepts nothing the
# step-by-step check refuses and measures exactly what it measures (tests/test_safety_fast_path.py).
#
# - every XML part is inflated from the file in memory, its inflated size and CRC checked (zip bombs, corrupt or
#   forged entries); the total counts [Content_Types].xml twice, as the step-by-step check does;
# - a part no reader needs intact (broken XML is tolerated there) is parsed only to refuse a DOCTYPE: when its
#   encoding is ASCII-compatible and the bytes "<!" do not occur, it has none, and expat is not needed;
# - essential parts (workbook, relationships, content types, shared strings, styles) go through expat as before;
# - worksheets: the <sheetData> element, nearly all of a sheet, is checked by one regex (_SHEET_DATA_SOURCE)
#   describing cells as Excel, WPS, LibreOffice and openpyxl write them; every tag, attribute, character, character and
#   entity reference is checked, and its bytes must be UTF-8 without U+FFFE/U+FFFF, so what it accepts is
#   well-formed. The rest of the sheet, with <sheetData/> in place of the element, goes through expat. The whole
#   is then well-formed: the cut is an element, and the rest has no comment, CDATA section or processing
#   instruction that could hide it (none is accepted there). The cells are measured from the element (count of
#   "<c ", the valued cells' references), merged ranges from the rest, exactly as _SheetCounter measures;
# - expat's verdict on a part, and what the rest of a sheet holds, are functions of the bytes alone and are
#   remembered (_remembered): workbooks made from one template repeat styles, themes and most of each sheet.
# The regexes use possessive quantifiers (Python 3.11); on Python 3.10 worksheets are checked with expat instead.

class _Decline(Exception):
    """The fast path does not vouch for this file: the step-by-step check decides."""


# What the fast path found in files seen before (validate, then consolidate in the same process, reads every file
# twice): SHA-256 of the bytes, whether the name's suffix is readable, and the limits → (macros, sheets as tuples,
# uncompressed). Only acceptances are kept; new SheetExtent objects are made for every caller.
_SCANS_MAX = 8192
_scans: dict[tuple, tuple] = {}
_scans_lock = threading.Lock()


def _limits() -> tuple:
    return (MAX_TOTAL_UNCOMPRESSED, MAX_RATIO, RATIO_MIN_SIZE, MAX_ENTRIES, MAX_CELLS, MAX_MERGED_CELLS,
            FAST_SHEET_MAX, FAST_PART_MAX)


def _fast_scan_remembered(p: Path, data: bytes) -> tuple[bool, list[SheetExtent], int, bytes | None] | None:
    """_fast_zip_scan, remembered for the same bytes, suffix rule and limits."""
    import hashlib

    key = (hashlib.sha256(data).digest(), p.suffix.lower() in READABLE_SUFFIXES, _limits())
    found = _scans.get(key)
    if found is None:
        fast = _fast_zip_scan(p, data)
        if fast is None:
            return None
        macros, sheets, uncompressed, workbook_xml = fast
        found = (macros, tuple((e.part, e.cells, e.elements, e.merged_cells, e.max_row, e.max_col, e.odd_refs)
                               for e in sheets), uncompressed, workbook_xml)
        with _scans_lock:
            if len(_scans) >= _SCANS_MAX:
                _scans.pop(next(iter(_scans)), None)
            _scans[key] = found
    macros, sheets, uncompressed, workbook_xml = found
    return macros, [SheetExtent(*fields) for fields in sheets], uncompressed, workbook_xml


def _fast_zip_scan(p: Path, data: bytes) -> tuple[bool, list[SheetExtent], int] | None:
    """(macros, sheets, uncompressed) of the workbook whose bytes are ``data``, or None when the step-by-step
    check must decide."""
    try:
        return _fast_zip_scan_checked(p, data)
    except Exception:  # _Decline, or anything a mangled file makes zipfile, zlib or expat raise
        return None


def _fast_zip_scan_checked(p: Path, data: bytes) -> tuple[bool, list[SheetExtent], int]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    members = {i.filename for i in infos}
    if len(infos) > MAX_ENTRIES or len(members) != len(infos) or p.suffix.lower() not in READABLE_SUFFIXES:
        raise _Decline
    _check_declared_sizes(infos, "")
    parts = {i.filename: _inflate_in_memory(data, i) for i in infos if not i.is_dir() and _is_xml_part(i.filename)}
    content_types = parts.get("[Content_Types].xml")
    if content_types is None:
        raise _Decline
    uncompressed = sum(map(len, parts.values())) + len(content_types)   # counted twice, as _check_zip does
    if uncompressed > MAX_TOTAL_UNCOMPRESSED:
        raise _Decline
    rels = parts.get("_rels/.rels")
    workbook_part = None
    if rels is not None and len(rels) <= 1024 * 1024:
        workbook_part = next((t for t in _remembered("office targets", rels, _office_targets) if t in members), None)
    if workbook_part is None:
        workbook_part = "xl/workbook.xml" if "xl/workbook.xml" in members else None
    if workbook_part is None or not _remembered("strict", content_types, _well_formed):
        raise _Decline
    types = dict(_remembered("overrides", content_types, lambda data: tuple(_overrides(data).items())))
    sheet_parts = _sheet_parts(members, types)
    sheets: list[SheetExtent] = []
    cells = merged = 0
    for filename, part in parts.items():                  # in the order of the zip directory
        if filename in sheet_parts:
            extent = _fast_sheet(filename, part)
            sheets.append(extent)
            cells += extent.elements
            merged += extent.merged_cells
            if cells > MAX_CELLS or merged > MAX_MERGED_CELLS:
                raise _Decline
        elif filename == workbook_part:
            if not _remembered("workbook", part, _well_formed_workbook):
                raise _Decline
        elif _is_essential(filename, workbook_part, sheet_parts):
            if not (filename == "xl/sharedStrings.xml" and _plain_shared_strings(part)
                    or _remembered("strict", part, _well_formed)):
                raise _Decline
        elif not _no_doctype(part):
            raise _Decline
    return _has_macros(members, types, workbook_part), sheets, uncompressed, parts.get(WORKBOOK_XML)


def _inflate_in_memory(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The inflated bytes of one entry of the zip file ``data``: exactly its declared size, CRC checked."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Decline
    if info.file_size > FAST_PART_MAX:
        raise _Decline
    offset = info.header_offset
    header = data[offset: offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _Decline
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start: start + info.compress_size]
    if len(raw) < info.compress_size:
        raise _Decline
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw)
    else:
        inflater = zlib.decompressobj(-15)
        out = inflater.decompress(raw, info.file_size + 1)     # never more than one byte past the declared size
        if not inflater.eof:
            raise _Decline
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise _Decline
    return out


# the XML declarations the fast path reads itself; any other goes to expat
_DECL_SPACE = rb"[ \t\r\n]"
_XML_DECL = re.compile(
    rb"(?:\xef\xbb\xbf)?<\?xml" + _DECL_SPACE + rb"+version" + _DECL_SPACE + rb"*=" + _DECL_SPACE
    + rb"""*(?:"1\.0"|'1\.0')(?:""" + _DECL_SPACE + rb"+encoding" + _DECL_SPACE + rb"*=" + _DECL_SPACE
    + rb"""*(?:"([A-Za-z0-9._-]+)"|'([A-Za-z0-9._-]+)'))?(?:""" + _DECL_SPACE + rb"+standalone" + _DECL_SPACE
    + rb"*=" + _DECL_SPACE + rb"""*(?:"(?:yes|no)"|'(?:yes|no)'))?""" + _DECL_SPACE + rb"*\?>")
_ASCII_ENCODINGS = (b"utf-8", b"us-ascii", b"iso-8859-1")


def _declared_encoding(data: bytes) -> bytes | None:
    """The encoding expat reads ``data`` in, lower-cased (b"utf-8" when nothing is declared), or None when the
    start of ``data`` is unusual (UTF-16/32, a declaration this function does not read)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return None
    if not data.startswith((b"<?xml", b"\xef\xbb\xbf<?xml")):
        return b"utf-8"
    m = _XML_DECL.match(data)
    if m is None:
        return None
    return (m.group(1) or m.group(2) or b"utf-8").lower()


def _no_doctype(data: bytes) -> bool:
    """A part where broken XML is tolerated: False when expat would refuse it (a DOCTYPE or ENTITY declaration)."""
    if b"<!" not in data and _declared_encoding(data) in _ASCII_ENCODINGS:
        return True          # a DOCTYPE starts with "<!" in any ASCII-compatible encoding
    return _remembered("tolerant", data, _tolerated)


def _expat_parser(*, workbook: bool = False):
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    if workbook:
        parser.StartElementHandler = _check_sheet_name
    return parser


def _well_formed(data: bytes, *, workbook: bool = False) -> bool:
    """True when expat parses ``data`` with no error, DOCTYPE or ENTITY declaration (and, in the workbook part,
    no sheet name Excel refuses): what _scan_xml accepts in an essential part."""
    try:
        _expat_parser(workbook=workbook).Parse(data, True)
    except Exception:  # ExpatError, _Refused, or anything a mangled part makes expat raise
        return False
    return True


def _well_formed_workbook(data: bytes) -> bool:
    return _well_formed(data, workbook=True)


def _tolerated(data: bytes) -> bool:
    """What _scan_xml accepts in a part where broken XML is tolerated: no DOCTYPE/ENTITY before any error."""
    from xml.parsers import expat

    try:
        _expat_parser().Parse(data, True)
    except expat.ExpatError:
        return True
    except Exception:  # _Refused, or anything a mangled part makes expat raise
        return False
    return True


def _fast_sheet(filename: str, data: bytes) -> SheetExtent:
    """A worksheet part checked (well-formed, no DOCTYPE) and measured exactly as _scan_xml does."""
    if _plain_sheet(data) is None and not _remembered("strict", data, _well_formed):
        raise _Decline
    extent = SheetExtent(filename)
    try:
        if not _measure_sheet_fast(data, extent):       # looked up at call time (tests watch it)
            _count_sheet(data, extent)
    except _Refused:
        raise _Decline from None
    return extent


def _count_sheet(data: bytes, extent: SheetExtent) -> None:
    """Measure a well-formed worksheet element by element (_SheetCounter)."""
    from xml.parsers import expat

    counter = _SheetCounter(extent)
    parser = expat.ParserCreate()
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.Parse(data, True)


# Remembered verdicts: (kind, bytes) → result, for parts up to _REMEMBER_PART_MAX, at most _REMEMBER_MAX_BYTES of
# parts in all (the oldest are forgotten first). Results are immutable (bool, None, tuples).
_REMEMBER_PART_MAX = 256 * 1024
_REMEMBER_MAX_BYTES = 8 * 1024 * 1024
_remembered_results: dict[tuple[str, bytes], object] = {}
_remembered_bytes = 0
_remembered_lock = threading.Lock()


def _remembered(kind: str, data: bytes, compute):
    """``compute(data)``, remembered for the same ``kind`` and bytes (``compute`` must depend on nothing else)."""
    global _remembered_bytes
    key = (kind, data)
    try:
        return _remembered_results[key]
    except KeyError:
        pass
    value = compute(data)
    if len(data) <= min(_REMEMBER_PART_MAX, _REMEMBER_MAX_BYTES):
        with _remembered_lock:
            while _remembered_results and _remembered_bytes + len(data) > _REMEMBER_MAX_BYTES:
                oldest = next(iter(_remembered_results))
                _remembered_bytes -= len(oldest[1])
                del _remembered_results[oldest]
            if key not in _remembered_results:
                _remembered_results[key] = value
                _remembered_bytes += len(data)
    return value


# --- the <sheetData> element as the usual writers write it ------------------------------------------------------

_S = rb"[ \t\r\n]*+"                                                   # XML white space between tags
_AV = rb'="[ !#-%\'-;=?-~]*+"'                                         # attribute value: printable ASCII, no " & < >
_TEXT = (rb"(?:[^<&\]\x00-\x08\x0b\x0c\x0e-\x1f]++"                    # no markup, no control character
         rb"|\](?!\]>)"                                                # "]" but never "]]>"
         rb"|&(?:amp|lt|gt|quot|apos"                                  # the predefined entities
         rb"|#(?:9|10|13|3[2-9]|[4-9][0-9]|[1-9][0-9]{2,3})"           # character references to 9, 10, 13, 32-9999
         rb"|#x(?:9|[aAdD]|[2-9a-fA-F][0-9a-fA-F]|[1-9a-fA-F][0-9a-fA-F]{2}));)*+")   # x9, xA, xD, x20-xFFF


def _attrs(*names: bytes) -> bytes:
    """Optional attributes in this order, each at most once (so never a duplicate attribute)."""
    return b"".join(rb"(?: " + n + _AV + rb")?+" for n in names)


_V = rb"(?:<v>" + _TEXT + rb"</v>|<v ?/>)"
_IS = rb"<is>" + _S + rb'<t(?: xml:space="preserve")?+(?:>' + _TEXT + rb"</t>| ?/>)" + _S + rb"</is>"
_F = (rb"<f" + _attrs(b"t", b"aca", b"ref", b"dt2D", b"dtr", b"del1", b"del2", b"r1", b"r2", b"ca", b"si", b"bx")
      + rb"(?: ?/>|>" + _TEXT + rb"</f>)")
_CELL = (rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?: s="[0-9]{1,9}")?+(?: t="[a-zA-Z]{1,9}")?+(?: cm="[0-9]{1,9}")?+'
         rb'(?: vm="[0-9]{1,9}")?+(?: ph="[01a-z]{1,5}")?+'
         rb"(?: ?/>|>" + _S + rb"(?:" + _V + rb"|" + _IS + rb"|" + _F + rb"(?:" + _S + _V + rb")?+)" + _S + rb"</c>)")
_ROW = (rb"<row(?:"
        + _attrs(b"r", b"spans", b"s", b"customFormat", b"ht", b"hidden", b"customHeight", b"outlineLevel",
                 b"collapsed", b"thickTop", b"thickBot", b"ph", b"x14ac:dyDescent")        # the schema's order
        + rb"|" + _attrs(b"r", b"hidden", b"outlineLevel", b"collapsed", b"ht", b"customFormat", b"customHeight",
                         b"s", b"thickBot", b"thickTop")                                    # openpyxl's order
        + rb")(?: ?/>|>" + _S + rb"(?:" + _CELL + _S + rb")*+</row>)")
_SHEET_DATA_SOURCE = rb"<sheetData>" + _S + rb"(?:" + _ROW + _S + rb")*+</sheetData>"
# the shared strings part as Excel, WPS, LibreOffice and openpyxl write it (rich text runs, phonetic properties)
_T = rb'<t(?: xml:space="preserve")?+(?:>' + _TEXT + rb"</t>| ?/>)"
_RPR_CHILD = (rb"<(?:b|i|u|strike|condense|extend|outline|shadow|sz|rFont|family|charset|scheme|vertAlign)"
              rb'(?: val="[^"<&\x00-\x1f]*+")?+ ?/>'                     # val may be a font name (宋体)
              rb"|<color" + _attrs(b"auto", b"indexed", b"rgb", b"theme", b"tint") + rb" ?/>")
_SI = (rb"<si>(?:" + _T + rb"|(?:<r>(?:<rPr>(?:" + _RPR_CHILD + rb")*+</rPr>)?+" + _T + rb"</r>)++)"
       rb"(?:<phoneticPr" + _attrs(b"fontId", b"type", b"alignment") + rb" ?/>)?+</si>|<si/>")
_SHARED_STRINGS_SOURCE = (
    _S + rb'<sst xmlns="[ !#-%\'-;=?-~]*+"(?: count="[0-9]{1,10}")?+(?: uniqueCount="[0-9]{1,10}")?+ ?>'
    + _S + rb"(?:" + _SI + _S + rb")*+</sst>" + _S)


@functools.lru_cache(maxsize=None)
def _usual_way(source: bytes) -> re.Pattern | None:
    """A compiled _SHEET_DATA_SOURCE or _SHARED_STRINGS_SOURCE, compiled when first needed (modules that import
    this one for its text helpers never pay for it); None on Python 3.10 (no possessive quantifiers), where
    these parts go through expat."""
    try:
        return re.compile(source)
    except re.error:
        return None


def _plain_shared_strings(data: bytes) -> bool:
    """True when ``data`` is a shared strings part written the usual way: then it is well-formed, with no
    DOCTYPE (what expat would say); False leaves it to expat."""
    pattern = _usual_way(_SHARED_STRINGS_SOURCE)
    if pattern is None or _declared_encoding(data) != b"utf-8":
        return False
    decl = _XML_DECL.match(data)
    start = decl.end() if decl else 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if pattern.fullmatch(data, start) is None:
        return False
    try:
        text = str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError:
        return False
    return "\ufffe" not in text and "\uffff" not in text


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_VALUED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>/]*>')      # in <sheetData>: the cells with a value
_REST_CELL = re.compile(rb"<c[\s/>]")                                   # a cell outside <sheetData>
_REST_PREFIXED = re.compile(rb":(?:c|mergeCell)[\s/>]")                  # x:c, x:mergeCell


_plain_last: tuple = (None, None)          # (the last part analysed, what _analyse_plain_sheet answered)


def _plain_sheet(data: bytes):
    """What a worksheet written the usual way holds, (elements, cells, max_row, max_col, merges), or None.

    Not None only when the part is well-formed XML without DOCTYPE and _SheetCounter would measure the same.
    The last answer is kept: the pre-flight asks twice about the same part (well-formed? measure).
    """
    global _plain_last
    last = _plain_last
    if last[0] is data:
        return last[1]
    result = _analyse_plain_sheet(data)
    if len(data) <= FAST_SHEET_MAX:
        _plain_last = (data, result)
    return result


def _analyse_plain_sheet(data: bytes):
    pattern = _usual_way(_SHEET_DATA_SOURCE)
    if pattern is None or _declared_encoding(data) != b"utf-8":
        return None
    start = data.find(b"<sheetData>")
    end = data.find(b"</sheetData>", start) + 12
    if start < 0 or end < 12 or pattern.fullmatch(data, start, end) is None:
        return None
    try:
        text = str(memoryview(data)[start:end], "utf-8")
    except UnicodeDecodeError:
        return None
    if "\ufffe" in text or "\uffff" in text:          # valid UTF-8, but not XML characters
        return None
    merges = _remembered("sheet rest", data[:start] + b"<sheetData/>" + data[end:], _analyse_sheet_rest)
    if merges is None:
        return None
    elements = data.count(b"<c ", start, end)
    valued = _VALUED_CELL.findall(data, start, end)
    max_row = max_col = 0
    if valued:
        max_row = max(map(int, set(map(_SECOND, valued))))         # rows and columns repeat: sets first
        max_col = max(_col_index(x.decode("ascii")) for x in set(map(_FIRST, valued)))
    return (elements, len(valued), max_row, max_col, merges)


def _analyse_sheet_rest(rest: bytes) -> tuple[str, ...] | None:
    """The merged range references of a worksheet whose <sheetData> is cut out (``rest``), or None when the
    rest is not well-formed, or holds a cell, a comment, CDATA section or processing instruction, or a merged
    range not written ``<mergeCell ref="…"/>``."""
    if b"<!" in rest or rest.find(b"<?", _FAST_DECL.match(rest).end()) != -1:
        return None
    if _REST_CELL.search(rest) or _REST_PREFIXED.search(rest):
        return None
    merges = _FAST_MERGE.findall(rest)
    if len(merges) != len(_FAST_MERGE_START.findall(rest)) or not _well_formed(rest):
        return None
    # the value as expat gives it: line ends become "\n", then each whitespace character a space
    return tuple(raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b" ").replace(b"\t", b" ")
                 .decode("utf-8") for raw in merges)


@functools.lru_cache(maxsize=256)
def _merged_total(merges: tuple[str, ...], limit: int) -> int | str:
    """Cells covered by the merged ranges ``merges`` of one sheet, or _add_merge's refusal message."""
    extent = SheetExtent("")
    covered: dict[tuple[int, int], str] = {}
    largest: list = [0, ""]
    try:
        for ref in merges:
            _add_merge(extent, covered, largest, ref)
    except _Refused as exc:
        return exc.message
    return extent.merged_cells


def _measure_plain(plain, extent: SheetExtent) -> None:
    """Fill ``extent`` from _plain_sheet's answer, refusing as _SheetCounter does."""
    elements, cells, max_row, max_col, merges = plain
    if elements > MAX_CELLS:
        extent.elements = elements
        raise _Refused(_too_many_cells())
    merged = _merged_total(merges, MAX_MERGED_CELLS) if merges else 0
    if isinstance(merged, str):
        raise _Refused(merged)
    extent.elements, extent.cells, extent.max_row, extent.max_col = elements, cells, max_row, max_col
    extent.merged_cells = merged


# --- streaming XML scan ------------------------------------------------------------------------------------------

class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_CELL_REF = re.compile(r"([A-Za-z]+)(\d+)$")      # no length limits: "A99999999" is measured, not skipped


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _SheetCounter:
    """Expat handlers measuring a worksheet: cells holding a value (``v``/``is``/``f`` child) and their extent."""

    def __init__(self, extent: SheetExtent) -> None:
        self.extent = extent
        self.row = 0
        self.col = 0
        self.in_cell = False
        self.filled = False
        self.columns: dict[str, int] = {}
        self.covered: dict[tuple[int, int], str] = {}      # merged cells seen → their range
        self.largest: list = [0, ""]                       # the largest merged range: [area, ref]

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if tag == "c":
            self.extent.elements += 1
            ref = attrs.get("r")
            m = _CELL_REF.match(ref) if ref else None
            if m:
                letters = m.group(1)
                col = self.columns.get(letters)
                if col is None:
                    col = self.columns[letters] = _col_index(letters)
                self.col, self.row = col, int(m.group(2))
            else:
                if ref:
                    self.extent.odd_refs = True    # a reference we cannot measure: keep calamine away
                self.col += 1
            self.in_cell = True
            self.filled = False
        elif tag in _VALUE_TAGS:
            if self.in_cell:
                self.filled = True
        elif tag == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isascii() and r.isdigit() else self.row + 1
            self.col = 0
        elif tag == "mergeCell":
            _add_merge(self.extent, self.covered, self.largest, attrs.get("ref") or "")

    def end(self, tag: str) -> None:
        if not self.in_cell or not (tag == "c" or tag.endswith(":c")):
            return
        self.in_cell = False
        e = self.extent
        if self.filled:
            e.cells += 1
            if self.row > e.max_row:
                e.max_row = self.row
            if self.col > e.max_col:
                e.max_col = self.col
        if e.elements > MAX_CELLS:
            raise _Refused(_too_many_cells())


def _add_merge(extent: SheetExtent, covered: dict[tuple[int, int], str], largest: list, ref: str) -> None:
    """Count one merged range (``ref`` as the attribute reads); refuse too many merged cells or an overlap."""
    box = _range_box(ref)
    if box is None:
        return
    r1, c1, r2, c2 = box
    area = (r2 - r1 + 1) * (c2 - c1 + 1)
    extent.merged_cells += area
    if area > largest[0]:
        largest[0], largest[1] = area, ref
    if extent.merged_cells > MAX_MERGED_CELLS:
        raise _Refused(f"工作表中有异常大的合并单元格（{largest[1]}），不像绩效目标表：请选中它，"
                       "点“合并后居中”取消合并，另存为 .xlsx 后重试")
    for r in range(r1, r2 + 1):           # at most MAX_MERGED_CELLS cells in all
        for c in range(c1, c2 + 1):
            if (r, c) in covered:
                raise _Refused(f"工作表中的合并单元格互相重叠（{ref} 与 {covered[(r, c)]}），Excel 也认为"
                               "文件已损坏：请在 Excel 中打开并让它修复，“另存为” .xlsx 后重试")
            covered[(r, c)] = ref


# --- fast worksheet measure (regexes over the inflated bytes, same results as _SheetCounter) ---------------------
#
# Expat has already parsed the part without element handlers (C speed): it is well-formed and has no DOCTYPE.
# The part is then measured with regexes when it is written the way Excel, WPS and openpyxl write worksheets:
# small (FAST_SHEET_MAX), UTF-8, no comment, CDATA section or processing instruction (where "<c" could be mere
# text), no namespace prefix on the elements measured, and every <c> element plain: ``r="A1"`` (letters+digits)
# as its first attribute, double-quoted attributes, and either no content, or a <v>, <is> or <f> first child and
# no <c> or <row> inside. Every <c> start tag must be such a plain cell, and every <mergeCell> must be
# ``<mergeCell ref="…"/>``; otherwise nothing is changed and _SheetCounter measures the part element by element
# (cells without r, odd references, prefixes like <x:c>, …), as it always did.

FAST_SHEET_MAX = 2 * 1024 * 1024     # bytes of one worksheet part measured with regexes (a 40-row form: ~30 KB)

_FAST_DECL = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml\s(?:[^?]|\?(?!>))*?\?>)?")
_FAST_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_FAST_PREFIXED = re.compile(rb":(?:c|v|is|f|row|mergeCell)[\s/>]")     # <x:c …>, </x:c>, <x:row …>, …
_FAST_C_START = re.compile(rb"<c[\s/>]()")                            # every <c> start tag (b"" each: no copies)
_FAST_CELL = re.compile(                                               # (letters, digits, b"<" when it holds a value)
    rb'<c r="([A-Za-z]+)([0-9]+)"(?:\s+[\w:.-]+="[^"]*")*\s*'
    rb"(?:/>|>\s*(?:</c>|(<)(?:v>[^<]*</v>|is><t>[^<]*</t></is>"         # the usual two first, then any content
    rb"|(?:v|is|f)[\s/>][^<]*(?:<(?!/?(?:c|row)[\s/>])[^<]*)*)</c>))")
_FAST_MERGE_START = re.compile(rb"<mergeCell[\s/>]()")
_FAST_MERGE = re.compile(rb'<mergeCell ref="([^"&]*)"\s*/>')


def _measure_sheet_fast(data: bytes, extent: SheetExtent) -> bool:
    """Measure a well-formed worksheet part exactly as _SheetCounter would; False (extent untouched) when the
    part is not written in the plain way the regexes read."""
    if len(data) > FAST_SHEET_MAX:
        return False
    plain = _plain_sheet(data)
    if plain is not None:
        _measure_plain(plain, extent)
        return True
    return _measure_sheet_regex(data, extent)


def _measure_sheet_regex(data: bytes, extent: SheetExtent) -> bool:
    """_measure_sheet_fast for parts outside _SHEET_DATA_SOURCE's way of writing: regexes over the whole part."""
    decl = _FAST_DECL.match(data)
    enc = _FAST_DECL_ENCODING.search(decl.group(0)) if decl.group(0) else None
    if enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8"):
        return False
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:        # UTF-16/32
        return False
    if b"<!" in data or data.find(b"<?", decl.end()) != -1 or _FAST_PREFIXED.search(data):
        return False
    elements = len(_FAST_C_START.findall(data))
    if elements > MAX_CELLS:
        extent.elements = elements
        raise _Refused(_too_many_cells())
    cells = _FAST_CELL.findall(data) if elements else []
    if len(cells) != elements:
        return False
    merges = _FAST_MERGE.findall(data)
    if len(merges) != len(_FAST_MERGE_START.findall(data)):
        return False
    filled = [(letters, digits) for letters, digits, value in cells if value]
    extent.elements = elements
    extent.cells = len(filled)
    if filled:
        extent.max_row = max(map(int, [digits for _letters, digits in filled]))
        extent.max_col = max(_col_index(letters.decode("ascii")) for letters in {l for l, _d in filled})
    covered: dict[tuple[int, int], str] = {}
    largest: list = [0, ""]
    for raw in merges:
        # the value as expat gives it: line ends become "\n", then each whitespace character a space
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b" ").replace(b"\t", b" ")
        _add_merge(extent, covered, largest, raw.decode("utf-8"))
    return True

_VALUE_TAGS = frozenset(("v", "is", "f"))


def _too_many_cells() -> str:
    return (f"工作表的单元格过多（超过 {MAX_CELLS} 个），不像绩效目标表："
            "请只保留绩效目标表所在的工作表（删除多余的工作表和行列），另存为新的 .xlsx 后重试")


@functools.lru_cache(maxsize=4096)       # every workbook made from the template repeats the same merged ranges
def _range_box(ref: str) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of an A1 range such as ``A1:E3``; None when unreadable."""
    coords = []
    for end in ref.replace("$", "").split(":")[:2]:
        m = _CELL_REF.match(end)
        if not m:
            return None
        coords.append((int(m.group(2)), _col_index(m.group(1))))
    (r1, c1), (r2, c2) = coords[0], coords[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _check_sheet_name(tag: str, attrs: dict[str, str]) -> None:
    """Expat handler for the workbook part: sheet names Excel accepts (1-31 characters, none of ``[]:*?/`` or a
    backslash)."""
    if tag.rsplit(":", 1)[-1] != "sheet":
        return
    title = attrs.get("name", "")
    if not title or len(title) > 31 or _BAD_SHEET_CHARS.search(title):
        shown = title if len(title) <= 40 else title[:40] + "…"
        raise _Refused(f"工作表名称“{shown}”不合规（Excel 要求 1 到 31 个字符，不含 [ ] : * ? / \\）："
                       "请在 Excel 或 WPS 中重命名该工作表，另存为 .xlsx 后重试")


def _refuse_doctype(*_args) -> None:
    raise _Refused("文件内部含有 XML 文档类型/实体声明（DOCTYPE/ENTITY），正常的 Excel 文件不会有，"
                   "可能被篡改或恶意构造（实体扩展攻击），已拒绝读取：请报送单位用 Excel 或 WPS 重新保存为 .xlsx 后再发送")


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, scan: InputScan,
              extent: SheetExtent | None, *, strict: bool, keep: bool = False, workbook: bool = False) -> bytes:
    """Inflate one XML part in chunks (bytes counted, CRC checked) and parse it with expat as a stream."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    fast = extent is not None and info.file_size <= FAST_SHEET_MAX
    if fast:
        keep = True             # measured below from the whole part: expat only checks it (no Python per element)
    elif extent is not None:
        counter = _SheetCounter(extent)
        parser.StartElementHandler = counter.start
        parser.EndElementHandler = counter.end
    elif workbook:
        parser.StartElementHandler = _check_sheet_name
    kept = bytearray()
    xml_broken = False
    try:
        for chunk in _inflate(zf, info, name, scan):
            if keep:
                kept += chunk
            if not xml_broken:
                try:
                    parser.Parse(chunk, False)
                except expat.ExpatError:
                    xml_broken = True
        if not xml_broken:
            try:
                parser.Parse(b"", True)
            except expat.ExpatError:
                xml_broken = True
        if fast and not xml_broken and not _measure_sheet_fast(bytes(kept), extent):
            counter = _SheetCounter(extent)            # an unusual part: measure it element by element
            exact = expat.ParserCreate()
            exact.StartElementHandler = counter.start
            exact.EndElementHandler = counter.end
            exact.Parse(bytes(kept), True)
    except _Refused as exc:
        raise NotAFormError(exc.message, path=name) from None
    except NotAFormError:
        raise
    except Exception as exc:  # anything a mangled part makes the parser or a handler raise
        raise _corrupt(name, f"{info.filename} 无法解析") from exc
    if xml_broken and strict:
        raise _corrupt(name, f"{info.filename} 的 XML 格式错误")
    return bytes(kept)


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, scan: InputScan):
    """Yield the inflated bytes of one entry, never more than its declared size, checking its CRC.

    The compressed bytes are read straight from the archive and inflated here in bounded steps, so an entry
    whose data inflates past its declared size (a forged header) is refused without inflating the rest.
    """
    import zlib

    if info.flag_bits & 0x1:
        raise NotAFormError("工作簿内部文件被加密，无法读取：请在 Excel 中取消密码后另存为 .xlsx 重试", path=name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _corrupt(name, f"{info.filename} 使用了不支持的压缩方式")
    try:
        fp = zf.fp
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise _corrupt(name, f"{info.filename} 的文件头已损坏")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        fp.seek(info.header_offset + 30 + name_len + extra_len)
        left_in = info.compress_size
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        crc = 0
        produced = 0
        pending = b""
        while True:
            if not pending:
                if left_in <= 0:
                    break
                pending = fp.read(min(_CHUNK, left_in))
                if not pending:
                    raise _corrupt(name, f"{info.filename} 数据不完整")
                left_in -= len(pending)
            if inflater is None:
                out, pending = pending, b""
            else:
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
            produced += len(out)
            scan.uncompressed += len(out)
            if produced > info.file_size:
                raise NotAFormError(f"工作簿内部文件 {info.filename} 解压后超出它声明的大小（疑似“压缩炸弹”），已拒绝读取："
                                    + FIX_RESEND, path=name)
            if scan.uncompressed > MAX_TOTAL_UNCOMPRESSED:
                raise NotAFormError("工作簿解压后过大，不像绩效目标表，已拒绝读取：" + FIX_RESEND, path=name)
            if out:
                crc = zlib.crc32(out, crc)
                yield out
            if inflater is not None and inflater.eof:
                break
        if inflater is not None and not inflater.eof:
            raise _corrupt(name, f"{info.filename} 数据不完整")
        if produced != info.file_size or crc != info.CRC:
            raise _corrupt(name, f"{info.filename} 校验失败")
    except NotAFormError:
        raise
    except (zlib.error, OSError, ValueError, struct.error) as exc:
        raise _corrupt(name, f"{info.filename} 无法解压") from exc


def _version_key(text: str) -> tuple[int, ...] | None:
    parts = str(text).strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)
