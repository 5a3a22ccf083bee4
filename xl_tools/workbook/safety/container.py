"""The zip container of a workbook: entries counted, declared sizes and ratios checked before anything is
inflated, the workbook part found, then every XML part inflated and parsed (:mod:`.parts`)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from xl_tools.errors import NotAFormError
from xl_tools.workbook.safety import limits
from xl_tools.workbook.safety.limits import (FIX_RESEND, READABLE_SUFFIXES, WORKBOOK_XML, InputScan, SheetExtent,
                                             corrupt)
from xl_tools.workbook.safety.not_workbook import describe_other_zip
from xl_tools.workbook.safety.parts import scan_xml

_MACRO_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def check_zip(p: Path, name: str, scan: InputScan) -> None:
    """Check the zip at ``p`` part by part, filling ``scan``; raise NotAFormError naming what is wrong."""
    try:
        zf = zipfile.ZipFile(p)
    except Exception as exc:  # BadZipFile, NotImplementedError ("zip file version"), struct.error, OSError, …
        raise corrupt(name, "压缩结构不完整") from exc
    with zf:
        try:
            infos = zf.infolist()
        except Exception as exc:  # defensive: zipfile may raise anything on a mangled directory
            raise corrupt(name, "压缩结构不完整") from exc
        if len(infos) > limits.MAX_ENTRIES:
            raise NotAFormError(f"工作簿内部文件过多（{len(infos)} 个），不像绩效目标表，可能是恶意构造的文件，已拒绝读取："
                                + FIX_RESEND, path=name)
        members = {i.filename for i in infos}
        _check_declared_sizes(infos, name)
        workbook_part = _workbook_part(zf, members)
        if workbook_part is None:
            raise NotAFormError(describe_other_zip(members, zf), path=name)
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
            kept = scan_xml(zf, info, name, scan, extent,
                             strict=_is_essential(info.filename, workbook_part, sheet_parts),
                             keep=info.filename == WORKBOOK_XML, workbook=info.filename == workbook_part)
            if info.filename == WORKBOOK_XML:
                scan.workbook_xml = kept          # the last entry of that name, as zipfile reads it
            if extent is not None:
                scan.sheets.append(extent)
                cells += extent.elements
                merged += extent.merged_cells
                if cells > limits.MAX_CELLS:
                    raise NotAFormError(limits.too_many_cells(), path=name)
                if merged > limits.MAX_MERGED_CELLS:
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
        if info.file_size > limits.RATIO_MIN_SIZE and ratio > limits.MAX_RATIO:
            raise NotAFormError(f"工作簿内部文件 {info.filename} 的压缩比异常（{ratio:.0f} 倍，疑似“压缩炸弹”），"
                                "已拒绝解压：" + FIX_RESEND, path=name)
    if total > limits.MAX_TOTAL_UNCOMPRESSED:
        mb = limits.MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)
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
        raise corrupt(name, "缺少 [Content_Types].xml")
    info = zf.getinfo(ct)
    return _overrides(scan_xml(zf, info, name, scan, None, strict=True, keep=True))


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
