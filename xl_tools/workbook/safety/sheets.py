"""Measuring a worksheet part: cells holding a value, their extent, and the cells merged ranges cover.

Two ways, with the same results: :func:`measure_plain_sheet` reads a part written the usual way with regexes
over its inflated bytes (C speed), :class:`SheetCounter` any part element by element as expat calls it.
"""

from __future__ import annotations

import re

from xl_tools.workbook.addresses import col_index, loose_cell, loose_range
from xl_tools.workbook.safety import limits
from xl_tools.workbook.safety.limits import SheetExtent


class Refused(Exception):
    """A part breaks a limit: ``message`` is the Chinese refusal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SheetCounter:
    """Expat handlers measuring a worksheet: cells holding a value (``v``/``is``/``f`` child) and their extent."""

    def __init__(self, extent: SheetExtent) -> None:
        self.extent = extent
        self.row = 0
        self.col = 0
        self.in_cell = False
        self.filled = False
        self.covered: dict[tuple[int, int], str] = {}      # merged cells seen → their range
        self.largest: list = [0, ""]                       # the largest merged range: [area, ref]

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if tag == "c":
            self.extent.elements += 1
            ref = attrs.get("r")
            cell = loose_cell(ref) if ref else None
            if cell:
                self.row, self.col = cell
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
            add_merge(self.extent, self.covered, self.largest, attrs.get("ref") or "")

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
        if e.elements > limits.MAX_CELLS:
            raise Refused(limits.too_many_cells())


def add_merge(extent: SheetExtent, covered: dict[tuple[int, int], str], largest: list, ref: str) -> None:
    """Count one merged range (``ref`` as the attribute reads); refuse too many merged cells or an overlap."""
    box = loose_range(ref)
    if box is None:
        return
    r1, c1, r2, c2 = box
    area = (r2 - r1 + 1) * (c2 - c1 + 1)
    extent.merged_cells += area
    if area > largest[0]:
        largest[0], largest[1] = area, ref
    if extent.merged_cells > limits.MAX_MERGED_CELLS:
        raise Refused(f"工作表中有异常大的合并单元格（{largest[1]}），不像绩效目标表：请选中它，"
                       "点“合并后居中”取消合并，另存为 .xlsx 后重试")
    for r in range(r1, r2 + 1):           # at most limits.MAX_MERGED_CELLS cells in all
        for c in range(c1, c2 + 1):
            if (r, c) in covered:
                raise Refused(f"工作表中的合并单元格互相重叠（{ref} 与 {covered[(r, c)]}），Excel 也认为"
                               "文件已损坏：请在 Excel 中打开并让它修复，“另存为” .xlsx 后重试")
            covered[(r, c)] = ref



# --- fast worksheet measure (regexes over the inflated bytes, same results as SheetCounter) ---------------------
#
# Expat has already parsed the part without element handlers (C speed): it is well-formed and has no DOCTYPE.
# The part is then measured with regexes when it is written the way Excel, WPS and openpyxl write worksheets:
# small (FAST_SHEET_MAX), UTF-8, no comment, CDATA section or processing instruction (where "<c" could be mere
# text), no namespace prefix on the elements measured, and every <c> element plain: ``r="A1"`` (letters+digits)
# as its first attribute, double-quoted attributes, and either no content, or a <v>, <is> or <f> first child and
# no <c> or <row> inside. Every <c> start tag must be such a plain cell, and every <mergeCell> must be
# ``<mergeCell ref="…"/>``; otherwise nothing is changed and SheetCounter measures the part element by element
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


def measure_plain_sheet(data: bytes, extent: SheetExtent) -> bool:
    """Measure a well-formed worksheet part exactly as SheetCounter would; False (extent untouched) when the
    part is not written in the plain way the regexes read (see above)."""
    if len(data) > FAST_SHEET_MAX:
        return False
    decl = _FAST_DECL.match(data)
    enc = _FAST_DECL_ENCODING.search(decl.group(0)) if decl.group(0) else None
    if enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8"):
        return False
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:        # UTF-16/32
        return False
    if b"<!" in data or data.find(b"<?", decl.end()) != -1 or _FAST_PREFIXED.search(data):
        return False
    elements = len(_FAST_C_START.findall(data))
    if elements > limits.MAX_CELLS:
        extent.elements = elements
        raise Refused(limits.too_many_cells())
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
        extent.max_col = max(col_index(letters.decode("ascii")) for letters in {l for l, _d in filled})
    covered: dict[tuple[int, int], str] = {}
    largest: list = [0, ""]
    for raw in merges:
        # the value as expat gives it: line ends become "\n", then each whitespace character a space
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b" ").replace(b"\t", b" ")
        add_merge(extent, covered, largest, raw.decode("utf-8"))
    return True

_VALUE_TAGS = frozenset(("v", "is", "f"))


def count_sheet(data: bytes, extent: SheetExtent) -> None:
    """Measure a well-formed worksheet element by element (SheetCounter)."""
    from xml.parsers import expat

    counter = SheetCounter(extent)
    parser = expat.ParserCreate()
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.Parse(data, True)
