"""OLE compound files (MS-CFB: legacy .xls, password-encrypted OOXML, .doc, .ppt): recognised and described."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class _OleEntry:
    name: str
    kind: int
    start: int
    size: int


def _ole_directory(data: bytes) -> tuple[dict[str, _OleEntry], list[int], int]:
    """(entries by name, FAT, sector size) of a compound file (MS-CFB); ({}, [], 0) when it is broken."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
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


def describe_ole(p: Path) -> str:
    """What a compound file is (encrypted workbook, .xls with or without a password, .doc, .ppt), and the fix."""
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
