"""Mutations of real workbooks for the fuzz tests: raw byte damage and structural damage inside the zip.

Each mutator takes a ``random.Random`` and the workbook (bytes, and its parts) and returns new file bytes.
Structural mutators rezip the parts (valid CRCs), so the parsers — not only the zip layer — see the damage.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

SHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")
TEXTS = ["", " ", "=1+1", "+", "-1", "@", "≥", "#N/A", "#REF!", "TRUE", "1E+308", "-0", "NaN", "9" * 40,
         "_x0000_", "_xD800_", "_xFFFE_", "\u3000", "产出指标", "数量指标", "指标值", "项目名称", "资金需求",
         "预算年度", "广州", "2020年", "460万元", "≥3亿", "<p>", "&amp;", "&lt;", "]]>", "\t", "一" * 300]
REFS = ["A0", "A1", "ZZZZ1", "XFD1048576", "A1048577", "B", "1", "$A$1", "a1", "", "A99999999"]
TYPES = ["s", "n", "b", "e", "str", "inlineStr", "d", "x"]


def read_parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def write_parts(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            zf.writestr(name, data)
    return out.getvalue()


# --- raw bytes ---------------------------------------------------------------------------------------------------

def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def insert_junk(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + rng.randbytes(rng.randint(1, 64)) + data[i:]


def zero_block(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data))
    n = rng.randint(1, 512)
    return data[:i] + b"\0" * n + data[i + n:]


def corrupt_directory(rng: random.Random, data: bytes) -> bytes:
    """Damage the central directory, where sizes, offsets and names live."""
    start = data.rfind(b"PK\x01\x02", 0, len(data) - rng.randrange(1, 200)) if b"PK\x01\x02" in data else 0
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(max(start, 0), len(b))
        b[i] = rng.randrange(256)
    return bytes(b)


RAW = [flip_bytes, truncate, insert_junk, zero_block, corrupt_directory]


# --- structure ---------------------------------------------------------------------------------------------------

def _pick(rng: random.Random, parts, pattern=None) -> int | None:
    idx = [i for i, (n, _) in enumerate(parts) if pattern is None or re.fullmatch(pattern, n)]
    return rng.choice(idx) if idx else None


def _edit(rng, data, pattern, fn):
    parts = read_parts(data)
    i = _pick(rng, parts, pattern)
    if i is None:
        return data
    name, body = parts[i]
    parts[i] = (name, fn(body.decode("utf-8", "replace")).encode("utf-8"))
    return write_parts(parts)


def drop_part(rng: random.Random, data: bytes) -> bytes:
    parts = read_parts(data)
    del parts[rng.randrange(len(parts))]
    return write_parts(parts)


def truncate_part(rng: random.Random, data: bytes) -> bytes:
    parts = read_parts(data)
    i = rng.randrange(len(parts))
    name, body = parts[i]
    parts[i] = (name, body[: rng.randrange(len(body) + 1)])
    return write_parts(parts)


def flip_in_part(rng: random.Random, data: bytes) -> bytes:
    parts = read_parts(data)
    i = rng.randrange(len(parts))
    name, body = parts[i]
    if body:
        parts[i] = (name, flip_bytes(rng, body))
    return write_parts(parts)


def delete_element(rng: random.Random, data: bytes) -> bytes:
    def fn(xml: str) -> str:
        tags = list(re.finditer(r"<(\w+:)?(\w+)\b[^>]*/>|<(\w+:)?(\w+)\b[^>]*>.*?</\3?\4>", xml, re.S))
        if not tags:
            return xml
        m = rng.choice(tags)
        return xml[: m.start()] + xml[m.end():]
    return _edit(rng, data, r".*\.xml", fn)


def mutate_refs(rng: random.Random, data: bytes) -> bytes:
    def fn(xml: str) -> str:
        hits = list(re.finditer(r'\b(r|ref|sqref)="([^"]*)"', xml))
        for m in rng.sample(hits, min(len(hits), rng.randint(1, 5))):
            xml = xml.replace(m.group(0), f'{m.group(1)}="{rng.choice(REFS)}"', 1)
        return xml
    return _edit(rng, data, SHEET.pattern, fn)


def scramble_values(rng: random.Random, data: bytes) -> bytes:
    """Replace cell texts and values with tricky ones, or swap texts between cells."""
    def fn(xml: str) -> str:
        hits = list(re.finditer(r"(<t(?:\s[^>]*)?>)([^<]*)(</t>)|(<v>)([^<]*)(</v>)", xml))
        if not hits:
            return xml
        chosen = rng.sample(hits, min(len(hits), rng.randint(1, 12)))
        for m in sorted(chosen, key=lambda m: -m.start()):
            other = rng.choice(hits)
            new = rng.choice([rng.choice(TEXTS), other.group(2) or other.group(5) or "", str(rng.random() * 1e9)])
            new = new.replace("&", "&amp;").replace("<", "&lt;")
            if m.group(1):
                xml = xml[: m.start()] + m.group(1) + new + m.group(3) + xml[m.end():]
            else:
                xml = xml[: m.start()] + m.group(4) + new + m.group(6) + xml[m.end():]
        return xml
    return _edit(rng, data, SHEET.pattern, fn)


def mutate_types(rng: random.Random, data: bytes) -> bytes:
    def fn(xml: str) -> str:
        hits = list(re.finditer(r'<c ([^>]*?)(/?)>', xml))
        for m in sorted(rng.sample(hits, min(len(hits), rng.randint(1, 10))), key=lambda m: -m.start()):
            attrs = re.sub(r'\s*\bt="[^"]*"', "", m.group(1)) + f' t="{rng.choice(TYPES)}"'
            xml = xml[: m.start()] + f"<c {attrs}{m.group(2)}>" + xml[m.end():]
        return xml
    return _edit(rng, data, SHEET.pattern, fn)


def mutate_names(rng: random.Random, data: bytes) -> bytes:
    """Defined names pointing nowhere, at other sheets, at huge ranges, or at garbage."""
    values = ["#REF!", "'不存在'!$A$1", "$A$1:$XFD$1048576", "广州!$Z$99999", "1+1", "", "'广州'!$B$2,$C$3",
              "'广州'!$A$1:$A$3", "OFFSET(A1,0,0)", "'xl_lists'!$B$1"]

    def fn(xml: str) -> str:
        hits = list(re.finditer(r"(<definedName\b[^>]*>)([^<]*)(</definedName>)", xml))
        for m in sorted(rng.sample(hits, min(len(hits), rng.randint(1, 6))), key=lambda m: -m.start()):
            xml = xml[: m.start()] + m.group(1) + rng.choice(values) + m.group(3) + xml[m.end():]
        return xml
    return _edit(rng, data, r"xl/workbook\.xml", fn)


def mutate_merges(rng: random.Random, data: bytes) -> bytes:
    ranges = ["A1:E1", "A1:A200", "B2:B2", "C10:A5", "A1:Z100", "E40:E60", "A1:XFD1", "B12:E13"]

    def fn(xml: str) -> str:
        hits = list(re.finditer(r'<mergeCell ref="[^"]*"\s*/>', xml))
        for m in sorted(rng.sample(hits, min(len(hits), rng.randint(1, 4))), key=lambda m: -m.start()):
            xml = xml[: m.start()] + f'<mergeCell ref="{rng.choice(ranges)}"/>' + xml[m.end():]
        return xml
    return _edit(rng, data, SHEET.pattern, fn)


def shuffle_rows(rng: random.Random, data: bytes) -> bytes:
    def fn(xml: str) -> str:
        m = re.search(r"(<sheetData>)(.*)(</sheetData>)", xml, re.S)
        if not m:
            return xml
        rows = re.findall(r"<row\b.*?</row>|<row\b[^>]*/>", m.group(2), re.S)
        rng.shuffle(rows)
        if rows and rng.random() < 0.5:
            rows = rows[: rng.randrange(len(rows))]
        return xml[: m.start(2)] + "".join(rows) + xml[m.end(2):]
    return _edit(rng, data, SHEET.pattern, fn)


def rename_sheets(rng: random.Random, data: bytes) -> bytes:
    names = ["", "广州", "xl_lists", "汇总表", "校验结果", "a" * 40, "'", "广州", "Sheet1", "深圳"]

    def fn(xml: str) -> str:
        return re.sub(r'(<sheet\b[^>]*\bname=")[^"]*(")', lambda m: m.group(1) + rng.choice(names) + m.group(2)
                      if rng.random() < 0.6 else m.group(0), xml)
    return _edit(rng, data, r"xl/workbook\.xml", fn)


STRUCTURAL = [drop_part, truncate_part, flip_in_part, delete_element, mutate_refs, scramble_values, mutate_types,
              mutate_names, mutate_merges, shuffle_rows, rename_sheets]


def mutate(rng: random.Random, data: bytes, mutators) -> tuple[str, bytes]:
    """Apply one to three mutators; returns (names, new bytes)."""
    names = []
    for _ in range(rng.randint(1, 3)):
        fn = rng.choice(mutators)
        try:
            data = fn(rng, data)
        except (zipfile.BadZipFile, ValueError, EOFError, KeyError):
            break                       # an earlier raw mutation already broke the zip: keep what we have
        names.append(fn.__name__)
        if not data:
            break
    return "+".join(names), data
