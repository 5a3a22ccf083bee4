"""The provincial workbook's bytes: formula cells carry their cached values, fixed properties and zip times, so
two runs give equal files; saved atomically, never onto an input."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from xl_tools.consolidate.totals import format_number

CACHE_ATTR = "_xl_tools_cached_values"     # on the openpyxl workbook: {sheet title: {cell: computed value}}
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = "2020-01-01T00:00:00Z"

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → part name (``xl/worksheets/sheet1.xml``)."""
    from defusedxml import ElementTree as ET

    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{_NS_PKG_REL}}}Relationship")}
    found = {}
    for sheet in book.iter(f"{{{_NS_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_NS_REL}}}id"), "")
        target = target.lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        found[sheet.get("name")] = target
    return found


def _format_cached(value) -> tuple[str, str]:
    """(type attribute, <v> text) of a cached formula result."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, (int, float, Decimal)):
        return "", format_number(Decimal(str(value)))
    return ' t="str"', escape(str(value))


def patch_sheet(xml: str, values: dict[str, object]) -> str:
    """Put each cached value into its formula cell's empty ``<v/>``."""
    def fill(match: re.Match) -> str:
        ref, attrs, formula = match.group(1), match.group(2), match.group(3)
        if ref not in values or values[ref] is None:
            return match.group(0)
        type_attr, text = _format_cached(values[ref])
        attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
        return f'<c r="{ref}"{attrs}{type_attr}><f>{formula}</f><v>{text}</v></c>'

    pattern = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f>(?:<v\s*/>|<v></v>)?</c>')
    return pattern.sub(fill, xml)


def workbook_bytes(wb) -> bytes:
    """The .xlsx bytes of ``wb``: formula cells carry their cached values; fixed properties and zip times."""
    from xl_tools.workbook.serialise import write_package

    raw = io.BytesIO()
    # Stored, not deflated: every part is read back and compressed once below.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        write_package(wb, archive)            # unlike Workbook.save, keeps properties.modified as set
    cached = getattr(wb, CACHE_ATTR, {})
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        paths = {part: cached[title] for title, part in sheet_paths(src).items() if title in cached}
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in paths:
                data = patch_sheet(data.decode("utf-8"), paths[info.filename]).encode("utf-8")
            elif info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms)", rf"\g<1>{_FIXED_W3CDTF}\2",
                              text)
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def save_workbook(wb, path: str | os.PathLike, *, inputs: Sequence[str | os.PathLike] = ()) -> Path:
    """Save atomically (never onto an input) with cached formula values; deterministic bytes."""
    from xl_tools.fileio import atomic_write, refuse_input_overwrite

    refuse_input_overwrite(path, inputs)
    data = workbook_bytes(wb)
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))
