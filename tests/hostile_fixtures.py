"""Builders of unreadable and hostile workbooks for the issue-11 tests (real files, written and read back).

Every builder starts from a real workbook (the importer's seed city workbooks, or an openpyxl workbook) and
changes it the way a broken or hostile file would be: rezipped parts, a real compound file, a forged header.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "000_6aaa9fa76d18eacb.txt"
BUNDLED = Path(__file__).resolve().parent.parent / "xl_tools" / "data" / "annex_2020.txt"

LOL = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
       b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
       b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
       b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def annex_path() -> Path:
    return SEED if SEED.exists() else BUNDLED


def seed_city_workbooks(folder: Path) -> list[Path]:
    """The importer's four city workbooks (广州, 深圳, 珠海, 佛山) written into ``folder``."""
    from xl_tools.annex import import_annex

    folder.mkdir(parents=True, exist_ok=True)
    return import_annex(annex_path(), folder)


def seed_inputs_folder(root: Path, *, resubmitted: tuple[str, ...] = (), broken: bytes | None = None) -> Path:
    """``root``/inputs: the four seed cities, a second workbook ``zz_<city>_重报.xlsx`` of each city in
    ``resubmitted`` (duplicate-city) and, when ``broken`` is given, a file 损坏.xlsx holding those bytes."""
    import shutil

    cities = seed_city_workbooks(root / "seed")
    inputs = root / "inputs"
    inputs.mkdir()
    for path in cities:
        shutil.copy(path, inputs / path.name)
        if path.stem in resubmitted:
            shutil.copy(path, inputs / f"zz_{path.stem}_重报.xlsx")
    if broken is not None:
        (inputs / "损坏.xlsx").write_bytes(broken)
    return inputs


def counter_measure(data: bytes):
    """What the safety pre-check's element-by-element counter measures of a worksheet, or its refusal message."""
    from xml.parsers import expat

    from xl_tools.workbook.safety import SheetExtent
    from xl_tools.workbook.safety.sheets import Refused, SheetCounter

    extent = SheetExtent("p")
    counter = SheetCounter(extent)
    parser = expat.ParserCreate()
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    try:
        parser.Parse(data, True)
    except Refused as exc:
        return exc.message
    return extent


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(src: Path, dst: Path, replace: dict[str, bytes | None] | None = None,
          add: dict[str, bytes] | None = None, *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A copy of the zip ``src`` with parts replaced (``None`` drops the part) or added."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                data = replace[info.filename]
                if data is None:
                    continue
            else:
                data = zin.read(info)
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def with_prolog(xml: bytes, insert: bytes) -> bytes:
    """``insert`` (a DOCTYPE) placed after the XML declaration, where a DTD goes."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + insert + xml[end:]
    return insert + xml


def first_sheet_part(path: Path) -> str:
    names = sorted(n for n in parts(path) if n.startswith("xl/worksheets/sheet"))
    return names[0]


def forge_entry(path: Path, member: str, real: bytes) -> None:
    """Replace ``member``'s compressed data by ``real`` deflated, keeping its declared size and CRC (a forgery)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
        infos = zf.infolist()
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    comp = co.compress(real) + co.flush()
    off = info.header_offset
    n, m = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + n + m
    delta = len(comp) - info.compress_size
    new = data[:start] + comp + data[start + info.compress_size:]
    struct.pack_into("<I", new, off + 18, len(comp))
    eocd = new.rfind(b"PK\x05\x06")
    cd_off = struct.unpack_from("<I", new, eocd + 16)[0] + delta
    struct.pack_into("<I", new, eocd + 16, cd_off)
    p = cd_off
    for _ in infos:
        nl, el, cl = struct.unpack_from("<HHH", new, p + 28)
        name = bytes(new[p + 46:p + 46 + nl]).decode("utf-8", "replace")
        lho = struct.unpack_from("<I", new, p + 42)[0]
        if name == member:
            struct.pack_into("<I", new, p + 20, len(comp))
        elif lho > off:
            struct.pack_into("<I", new, p + 42, lho + delta)
        p += 46 + nl + el + cl
    path.write_bytes(bytes(new))


def compound_file(tree: dict) -> bytes:
    """A real MS-CFB compound file holding ``tree`` (the add-in builder's writer)."""
    from xl_tools.addin.cfb import write

    return write(tree)


def biff8_workbook_stream(*, password: bool = False) -> bytes:
    """A minimal BIFF8 Workbook stream: BOF (globals), optionally FILEPASS (RC4), EOF — padded past 4 KiB."""
    bof = struct.pack("<HHHHIIHH", 0x0809, 16, 0x0600, 0x0005, 0, 0, 0, 0)[:4 + 16]
    records = bof
    if password:
        records += struct.pack("<HH", 0x002F, 54) + struct.pack("<HHH", 1, 1, 2) + b"\x11" * 48
    records += struct.pack("<HH", 0x000A, 0)
    return records.ljust(4096 + 512, b"\x00")


def encrypted_container() -> bytes:
    """An ECMA-376 encrypted package container: EncryptionInfo (agile, 4.4) and EncryptedPackage streams."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>')
    package = struct.pack("<Q", 12000) + bytes(range(256)) * 48
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def real_encrypted_xlsx(src: Path, dst: Path, password: str = "secret") -> Path | None:
    """``src`` encrypted with a password the way Excel does (msoffcrypto-tool), or None when it is missing."""
    try:
        import msoffcrypto  # noqa: F401
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return None
    import io

    with open(src, "rb") as fh:
        office = OOXMLFile(fh)
        out = io.BytesIO()
        office.encrypt(password, out)
    dst.write_bytes(out.getvalue())
    return dst


def sheet_xml_cells(xml: bytes) -> list[tuple[str, str | None, bool]]:
    """(ref, type, has formula) of every cell of a worksheet part."""
    from defusedxml import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ElementTree.fromstring(xml)
    return [(c.get("r"), c.get("t"), c.find(f"{ns}f") is not None) for c in root.iter(f"{ns}c")]
