"""One XML part of the zip: inflated in bounded steps (bytes counted, CRC checked), parsed by expat as a stream.

A DOCTYPE or ENTITY declaration stops the parse at once (no entity is ever declared, let alone expanded);
the workbook part's sheet names must be ones Excel accepts; worksheets are measured on the way
(:mod:`xl_tools.workbook.safety.sheets`).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib

from xl_tools.errors import NotAFormError
from xl_tools.workbook.safety import limits
from xl_tools.workbook.safety.limits import CHUNK, FIX_RESEND, InputScan, SheetExtent, corrupt
from xl_tools.workbook.safety.sheets import FAST_SHEET_MAX, Refused, SheetCounter, count_sheet, measure_plain_sheet

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def check_sheet_name(tag: str, attrs: dict[str, str]) -> None:
    """Expat handler for the workbook part: sheet names Excel accepts (1-31 characters, none of ``[]:*?/`` or a
    backslash)."""
    if tag.rsplit(":", 1)[-1] != "sheet":
        return
    title = attrs.get("name", "")
    if not title or len(title) > 31 or _BAD_SHEET_CHARS.search(title):
        shown = title if len(title) <= 40 else title[:40] + "…"
        raise Refused(f"工作表名称“{shown}”不合规（Excel 要求 1 到 31 个字符，不含 [ ] : * ? / \\）："
                       "请在 Excel 或 WPS 中重命名该工作表，另存为 .xlsx 后重试")


def refuse_doctype(*_args) -> None:
    raise Refused("文件内部含有 XML 文档类型/实体声明（DOCTYPE/ENTITY），正常的 Excel 文件不会有，"
                   "可能被篡改或恶意构造（实体扩展攻击），已拒绝读取：请报送单位用 Excel 或 WPS 重新保存为 .xlsx 后再发送")


def scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, scan: InputScan,
              extent: SheetExtent | None, *, strict: bool, keep: bool = False, workbook: bool = False) -> bytes:
    """Inflate one XML part in chunks (bytes counted, CRC checked) and parse it with expat as a stream."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    measure = extent is not None and info.file_size <= FAST_SHEET_MAX
    if measure:
        keep = True             # measured below from the whole part: expat only checks it (no Python per element)
    elif extent is not None:
        counter = SheetCounter(extent)
        parser.StartElementHandler = counter.start
        parser.EndElementHandler = counter.end
    elif workbook:
        parser.StartElementHandler = check_sheet_name
    kept = bytearray()
    xml_broken = False
    try:
        for chunk in inflate(zf, info, name, scan):
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
        if measure and not xml_broken and not measure_plain_sheet(bytes(kept), extent):
            count_sheet(bytes(kept), extent)           # an unusual part: measure it element by element
    except Refused as exc:
        raise NotAFormError(exc.message, path=name) from None
    except NotAFormError:
        raise
    except Exception as exc:  # anything a mangled part makes the parser or a handler raise
        raise corrupt(name, f"{info.filename} 无法解析") from exc
    if xml_broken and strict:
        raise corrupt(name, f"{info.filename} 的 XML 格式错误")
    return bytes(kept)


def inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, scan: InputScan):
    """Yield the inflated bytes of one entry, never more than its declared size, checking its CRC.

    The compressed bytes are read straight from the archive and inflated here in bounded steps, so an entry
    whose data inflates past its declared size (a forged header) is refused without inflating the rest.
    """
    if info.flag_bits & 0x1:
        raise NotAFormError("工作簿内部文件被加密，无法读取：请在 Excel 中取消密码后另存为 .xlsx 重试", path=name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise corrupt(name, f"{info.filename} 使用了不支持的压缩方式")
    try:
        fp = zf.fp
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise corrupt(name, f"{info.filename} 的文件头已损坏")
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
                pending = fp.read(min(CHUNK, left_in))
                if not pending:
                    raise corrupt(name, f"{info.filename} 数据不完整")
                left_in -= len(pending)
            if inflater is None:
                out, pending = pending, b""
            else:
                out = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
            produced += len(out)
            scan.uncompressed += len(out)
            if produced > info.file_size:
                raise NotAFormError(f"工作簿内部文件 {info.filename} 解压后超出它声明的大小（疑似“压缩炸弹”），已拒绝读取："
                                    + FIX_RESEND, path=name)
            if scan.uncompressed > limits.MAX_TOTAL_UNCOMPRESSED:
                raise NotAFormError("工作簿解压后过大，不像绩效目标表，已拒绝读取：" + FIX_RESEND, path=name)
            if out:
                crc = zlib.crc32(out, crc)
                yield out
            if inflater is not None and inflater.eof:
                break
        if inflater is not None and not inflater.eof:
            raise corrupt(name, f"{info.filename} 数据不完整")
        if produced != info.file_size or crc != info.CRC:
            raise corrupt(name, f"{info.filename} 校验失败")
    except NotAFormError:
        raise
    except (zlib.error, OSError, ValueError, struct.error) as exc:
        raise corrupt(name, f"{info.filename} 无法解压") from exc
