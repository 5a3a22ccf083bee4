"""[MS-OVBA] writer: a source-only VBA project (``vbaProject.bin``) that Office compiles from source.

What is written, by section of [MS-OVBA]:

- 2.4.1 compression (``compress``), used for the dir stream and for every module's source;
- 2.3.4.1 ``_VBA_PROJECT``: only the 7-byte header, version 0xFFFF, no performance cache, so Office
  ignores any p-code and recompiles the project from source;
- 2.3.4.2 ``dir`` stream: project information, references (stdole, Office), one module record per
  module with MODULEOFFSET 0 (each module stream is nothing but its compressed source);
- 2.3.1 ``PROJECT`` stream, with CMG/DPB/GC encrypted per 2.4.3 (not protected, no password, visible);
- 2.3.3 ``PROJECTwm`` stream (module names in MBCS and UTF-16).

The layout mirrors the add-ins xlwings ships (``xlwings/addin/xlwings.xlam``, ``quickstart_addin_ribbon.xlam``).
Everything is deterministic: fixed project GUID, fixed encryption seed, no timestamps.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from xl_tools.addin import cfb

CHUNK = 4096  # bytes of decompressed data per CompressedChunk (2.4.1.1.3)
CODEPAGE = 1252  # Windows-1252: VBA sources here are ASCII, the PROJECT stream uses this code page
LCID = 0x0409

# References every xlwings add-in carries (mirrors xlwings/addin/xlwings.xlam); Office resolves them by GUID
# and version, the path is only a hint.
REFERENCES: tuple[tuple[str, str], ...] = (
    ("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation"),
    ("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files\Microsoft Shared"
               r"\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library"),
)

# Class-module base (VB_Base) of ordinary class modules, and of Excel's workbook and worksheet document modules.
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


# --------------------------------------------------------------------------------------------- compression


def _copy_token_help(difference: int) -> tuple[int, int]:
    """(bit count of the offset field, maximum match length) at ``difference`` bytes into a chunk (2.4.1.3.19.1)."""
    bit_count = max((difference - 1).bit_length(), 4)  # ceil(log2(difference)), at least 4
    return bit_count, (0xFFFF >> bit_count) + 3


def _longest_match(data: bytes, pos: int, end: int, candidates: list[int], max_length: int) -> tuple[int, int]:
    """The nearest of the longest earlier matches for ``data[pos:]`` (2.4.1.3.19.4), as (candidate, length).

    Length 0 when no match of at least 3 bytes exists. A match may overlap ``pos``: decompression copies byte
    by byte, so comparing the original buffer is exactly what the decompressor reproduces.
    """
    limit = min(max_length, end - pos)
    best_length, best = 2, -1
    if limit < 3:
        return -1, 0
    for cand in reversed(candidates):
        probe = best_length + 1
        if data[cand:cand + probe] != data[pos:pos + probe]:
            continue
        lo, hi = probe, limit  # data[cand:cand+lo] is known to match
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if data[cand:cand + mid] == data[pos:pos + mid]:
                lo = mid
            else:
                hi = mid - 1
        best_length, best = lo, cand
        if best_length == limit:
            break
    return (best, best_length) if best >= 0 else (-1, 0)


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """One CompressedChunk (header + data) for ``data[start:end]`` (2.4.1.3.7)."""
    body = bytearray()
    chains: dict[bytes, list[int]] = {}

    def remember(p: int) -> None:
        if p + 3 <= end:
            chains.setdefault(data[p:p + 3], []).append(p)

    pos = start
    while pos < end and len(body) <= CHUNK:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            length = 0
            if pos + 3 <= end and pos > start:
                bit_count, max_length = _copy_token_help(pos - start)
                cand, length = _longest_match(data, pos, end, chains.get(data[pos:pos + 3], []), max_length)
            if length:
                token = ((pos - cand - 1) << (16 - bit_count)) | (length - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
                for p in range(pos, pos + length):
                    remember(p)
                pos += length
            else:
                body.append(data[pos])
                remember(pos)
                pos += 1
        body[flag_at] = flags
    if pos < end or len(body) > CHUNK:
        # Incompressible: a raw chunk holds exactly 4096 bytes, zero-padded at the end of data (2.4.1.3.10).
        raw = data[start:end].ljust(CHUNK, b"\x00")
        return struct.pack("<H", (CHUNK - 1) | 0x3000) + raw
    return struct.pack("<H", (len(body) + 2 - 3) | 0x3000 | 0x8000) + bytes(body)


def compress(data: bytes) -> bytes:
    """A CompressedContainer (2.4.1.1.1) holding ``data``.

    Exact for any input whose final chunk is compressible or a full 4096 bytes. A final chunk of 3641..4095
    incompressible bytes cannot fit a compressed chunk, and [MS-OVBA] stores it as a raw chunk padded with
    zero bytes; VBA source text never comes near that case.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data, start, min(start + CHUNK, len(data)))
    return bytes(out)


# --------------------------------------------------------------------------------------------- encryption


def encrypt(project_id: str, data: bytes, *, seed: int = 0x4A, ignored: bytes = b"\x00\x00\x00") -> str:
    """[MS-OVBA] 2.4.3.2 Data Encryption of ``data`` for the PROJECT stream, as uppercase hex.

    ``project_id`` is the ``{GUID}`` text of the ID= line; ``seed`` and the ignored bytes are the
    implementation's free choices (fixed here so builds are reproducible).
    """
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    out = [seed, seed ^ version, seed ^ proj_key]
    unencrypted1, encrypted1, encrypted2 = proj_key, seed ^ proj_key, seed ^ version
    ignored_length = (seed & 6) // 2
    plain = bytes(ignored[:ignored_length]).ljust(ignored_length, b"\x00") + struct.pack("<I", len(data)) + data
    for byte in plain:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return "".join(f"{b:02X}" for b in out)


# --------------------------------------------------------------------------------------------- modules


@dataclass(frozen=True)
class Module:
    """One VBA module: ``kind`` is "standard", "class" or "document"; ``source`` is the stored source text.

    The stored source is what the VBA editor keeps in the module stream: attribute lines first, CRLF line
    ends, code page 1252 (see ``stored_source``).
    """

    name: str
    kind: str
    source: str

    def __post_init__(self) -> None:
        if self.kind not in ("standard", "class", "document"):
            raise ValueError(f"unknown module kind {self.kind!r}")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", self.name):
            raise ValueError(f"not a VBA module name: {self.name!r}")


def crlf(text: str) -> str:
    """``text`` with every line ending CRLF and a final line end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + "\r\n" for line in lines)


_CLS_HEADER = re.compile(r"\AVERSION 1\.0 CLASS\r\nBEGIN\r\n(?:.*?\r\n)*?END\r\n", re.S)


def stored_source(export_text: str, kind: str) -> str:
    """The module-stream source for a file in VBA export format (.bas or .cls).

    A .bas file is stored as it is (CRLF line ends). A .cls export starts with a ``VERSION 1.0 CLASS`` /
    ``BEGIN`` ... ``END`` block that the module stream does not hold; the stream instead carries the
    attributes the editor adds on import: ``VB_Base`` after ``VB_Name``, and ``VB_TemplateDerived`` and
    ``VB_Customizable`` after ``VB_Exposed`` (the layout of the class modules in xlwings.xlam).
    """
    text = crlf(export_text)
    if kind != "class":
        return text
    text = _CLS_HEADER.sub("", text, count=1)
    lines = text.split("\r\n")
    out: list[str] = []
    have = {line.split("=")[0].strip() for line in lines if line.startswith("Attribute ")}
    for line in lines:
        out.append(line)
        if line.startswith("Attribute VB_Name ") and "Attribute VB_Base" not in have:
            out.append(f'Attribute VB_Base = "{CLASS_BASE}"')
        if line.startswith("Attribute VB_Exposed ") and "Attribute VB_TemplateDerived" not in have:
            out.append("Attribute VB_TemplateDerived = False")
            out.append("Attribute VB_Customizable = False")
    return "\r\n".join(out)


def document_module(name: str, base: str) -> Module:
    """An empty Excel document module (ThisWorkbook or a worksheet) with the attributes Excel gives it."""
    source = crlf("\n".join([
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]))
    return Module(name, "document", source)


# --------------------------------------------------------------------------------------------- streams


def _mbcs(text: str) -> bytes:
    return text.encode("cp1252")


def _record(rec_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rec_id, len(payload)) + payload


def _text_pair(rec_id: int, unicode_id: int, text: str) -> bytes:
    """A record holding MBCS text followed by its UTF-16 twin (which the spec gives its own Id)."""
    return _record(rec_id, _mbcs(text)) + _record(unicode_id, text.encode("utf-16-le"))


def dir_stream(project_name: str, modules: list[Module]) -> bytes:
    """The decompressed ``dir`` stream (2.3.4.2)."""
    out = bytearray()
    # PROJECTINFORMATION
    out += _record(0x0001, struct.pack("<I", 1))  # SYSKIND: 32-bit Windows
    out += _record(0x0002, struct.pack("<I", LCID))  # LCID
    out += _record(0x0014, struct.pack("<I", LCID))  # LCIDINVOKE
    out += _record(0x0003, struct.pack("<H", CODEPAGE))  # CODEPAGE
    out += _record(0x0004, _mbcs(project_name))  # NAME
    out += _text_pair(0x0005, 0x0040, "")  # DOCSTRING
    out += _record(0x0006, b"") + _record(0x003D, b"")  # HELPFILEPATH: HelpFile1, HelpFile2 (both MBCS)
    out += _record(0x0007, struct.pack("<I", 0))  # HELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # LIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # VERSION: Reserved=4, major 1, minor 0
    out += _text_pair(0x000C, 0x003C, "")  # CONSTANTS
    # PROJECTREFERENCES
    for name, libid in REFERENCES:
        out += _text_pair(0x0016, 0x003E, name)  # REFERENCENAME
        lib = _mbcs(libid)
        out += _record(0x000D, struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0))  # REFERENCEREGISTERED
    # PROJECTMODULES
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _text_pair(0x0019, 0x0047, module.name)  # MODULENAME + MODULENAMEUNICODE
        out += _text_pair(0x001A, 0x0032, module.name)  # MODULESTREAMNAME
        out += _text_pair(0x001C, 0x0048, "")  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source starts at 0, no p-code
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if module.kind == "standard" else 0x0022, b"")  # MODULETYPE
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # dir terminator
    return bytes(out)


def project_stream(project_id: str, project_name: str, modules: list[Module]) -> bytes:
    """The ``PROJECT`` stream text (2.3.1): module list, name, protection state, host extender, workspace."""
    keyword = {"document": "Document", "standard": "Module", "class": "Class"}
    lines = [f'ID="{project_id}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.kind == "document" else f"{keyword[m.kind]}={m.name}")
    cmg = encrypt(project_id, struct.pack("<I", 0))  # protection state: not protected
    dpb = encrypt(project_id, bytes([0x00]))  # password: none
    gc = encrypt(project_id, bytes([0xFF]))  # visibility: visible
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{cmg}"',
        f'DPB="{dpb}"',
        f'GC="{gc}"',
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return _mbcs("".join(line + "\r\n" for line in lines))


def projectwm_stream(modules: list[Module]) -> bytes:
    """The ``PROJECTwm`` stream (2.3.3): each module name in MBCS and UTF-16, then a terminator."""
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


VBA_PROJECT_HEADER = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)
"""``_VBA_PROJECT`` (2.3.4.1): Reserved1 0x61CC, Version 0xFFFF, Reserved2 0, Reserved3 1 (as in the spec's
example 3.1.1 and in every add-in xlwings ships), and no PerformanceCache."""


def vba_project_bin(project_name: str, modules: list[Module],
                    project_id: str = "{5F1B3C5E-7A2D-4E7B-9C61-58A5D0C2B7E1}") -> bytes:
    """The compound file ``vbaProject.bin`` holding ``modules`` as source-only modules."""
    names = [m.name.upper() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("duplicate module names")
    vba: dict[str, bytes | dict] = {
        "_VBA_PROJECT": VBA_PROJECT_HEADER,
        "dir": compress(dir_stream(project_name, modules)),
    }
    for m in modules:
        vba[m.name] = compress(_mbcs(m.source))
    root: dict[str, bytes | dict] = {
        "PROJECT": project_stream(project_id, project_name, modules),
        "PROJECTwm": projectwm_stream(modules),
        "VBA": vba,
    }
    return cfb.write(root)
