"""A Word annex (.docx/.docm) as the lines the text annex lexes into: one Line per table row, one per paragraph.

Each table's true grid is rebuilt from the XML (``w:gridBefore``, ``w:gridSpan``, ``w:vMerge``), not from
python-docx's cell objects (which repeat a merged cell in every slot it covers). A cell becomes a
:class:`~xl_tools.annex.lexer.Cell` at the grid column it starts in, its paragraphs and line breaks its lines,
like ``<p>`` in the dump; a slot covered by a horizontal span or a vertical merge is an empty cell, as the
dump leaves it, and the table reader carries 一级/二级 down through it. So the rest of the pipeline (tables,
importer) is the text annex's, and the same content gives the same Forms.

Nothing is dropped: text boxes (``w:txbxContent``), nested tables and the text Word hides in a merged-over
cell become notes at the line they stand on. Macros of a .docm are never run: only ``word/document.xml``
and the styles are read, as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xl_tools.annex.lexer import Cell, Line
from xl_tools.annex.tables import is_title_line, starts_project
from xl_tools.domain.cities import find_city
from xl_tools.errors import InputError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"

MAX_ROWS = 20_000           # table rows in the whole document: an annex of all 21 cities has about 1,000
MAX_GRID_COLUMNS = 64       # grid columns of one table: the form has 5
MAX_CHARACTERS = 5_000_000  # text characters: the 2020 annex has about 20,000

_HEADING_STYLE = re.compile(r"^(heading|标题|title)\s*\d*$", re.IGNORECASE)
_WRAPPERS = (W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag")  # content controls and tags: look inside
_SKIPPED = frozenset({W + "delText", W + "instrText", W + "delInstrText", W + "pPr", W + "rPr", W + "tblPr",
                      W + "trPr", W + "tcPr", MC_FALLBACK})


@dataclass
class Document:
    """The lines of a Word document, where each stands (for notes), and what a reader found beside them."""

    lines: list[Line] = field(default_factory=list)
    places: dict[int, str] = field(default_factory=dict)
    attached: dict[int, list[str]] = field(default_factory=dict)
    tables: int = 0
    characters: int = 0

    def place(self, number: int) -> str:
        return self.places.get(number, f"文档第{number}处")

    def add(self, line_cells: tuple[Cell, ...], place: str, *, heading: bool = False) -> int:
        number = len(self.lines) + 1
        raw = "\t".join(c.raw for c in line_cells)
        self.lines.append(Line(number, raw, line_cells, heading))
        self.places[number] = place
        self.characters += len(raw)
        return number

    def note(self, number: int, text: str) -> None:
        self.attached.setdefault(number, []).append(f"附件第{number}行：{text}")


class _TooBig(Exception):
    pass


# ---------------------------------------------------------------------------------------------- text


def _children(el, tag: str):
    """The ``tag`` children of ``el``, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _collect(el, out: list[str], boxes: list[str], nested: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == W + "t":
            out.append(child.text or "")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag in (W + "tab", W + "ptab"):
            out.append(" ")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "sym" and child.get(W + "char"):
            try:
                out.append(chr(int(child.get(W + "char"), 16)))
            except ValueError:
                pass
        elif tag == W + "txbxContent":
            text = block_text(child)
            if text:
                boxes.append(text)
        elif tag == W + "tbl":
            text = block_text(child)
            if text:
                nested.append(text)
        else:
            _collect(child, out, boxes, nested)


def paragraph_lines(p, boxes: list[str], nested: list[str]) -> list[str]:
    """A paragraph's text split at its line breaks; text boxes and tables inside it go to ``boxes``/``nested``."""
    out: list[str] = []
    _collect(p, out, boxes, nested)
    return "".join(out).split("\n")


def block_text(el) -> str:
    """All text under a text box or nested table, its paragraphs and cells separated by `` / ``."""
    parts = []
    for p in el.iter(W + "p"):
        out: list[str] = []
        for t in p.iter(W + "t", W + "br", W + "tab"):
            out.append((t.text or "") if t.tag == W + "t" else " ")
        text = " ".join("".join(out).split())
        if text:
            parts.append(text)
    return " / ".join(parts)


def _is_heading(p, styles: dict[str, str]) -> bool:
    ppr = p.find(W + "pPr")
    if ppr is None:
        return False
    style = ppr.find(W + "pStyle")
    name = styles.get(style.get(W + "val", ""), style.get(W + "val", "")) if style is not None else ""
    level = ppr.find(W + "outlineLvl")
    return bool(_HEADING_STYLE.match(name.strip())) or (level is not None and level.get(W + "val", "9") < "9")


# ---------------------------------------------------------------------------------------------- tables


@dataclass
class _Cell:
    lines: list[str]
    span: int
    boxes: list[str]
    nested: list[str]


def _cell_content(tc) -> _Cell:
    tcpr = tc.find(W + "tcPr")
    span = 1
    if tcpr is not None and tcpr.find(W + "gridSpan") is not None:
        try:
            span = max(1, int(tcpr.find(W + "gridSpan").get(W + "val", "1")))
        except ValueError:
            span = 1
    lines: list[str] = []
    boxes: list[str] = []
    nested: list[str] = []
    for child in tc:
        if child.tag == W + "p" or child.tag in _WRAPPERS:
            for p in ([child] if child.tag == W + "p" else list(_children(child, W + "p"))):
                lines += paragraph_lines(p, boxes, nested)
        elif child.tag == W + "tbl":
            text = block_text(child)
            if text:
                nested.append(text)
    return _Cell(lines, min(span, MAX_GRID_COLUMNS), boxes, nested)


def _vmerge(tc) -> str | None:
    """``restart``, ``continue`` or None (not merged vertically)."""
    tcpr = tc.find(W + "tcPr")
    merge = tcpr.find(W + "vMerge") if tcpr is not None else None
    if merge is None:
        return None
    return "restart" if merge.get(W + "val") == "restart" else "continue"


def _grid_before(tr) -> int:
    trpr = tr.find(W + "trPr")
    before = trpr.find(W + "gridBefore") if trpr is not None else None
    try:
        return int(before.get(W + "val", "0")) if before is not None else 0
    except ValueError:
        return 0


def read_word_table(tbl, index: int, doc: Document, first_row_may_be_title: bool) -> None:
    """Add one Word table's rows to ``doc`` as lines, the grid rebuilt from gridSpan and vMerge."""
    grid = tbl.find(W + "tblGrid")                 # its own grid, not that of a table nested in a cell
    grid_cols = len(grid.findall(W + "gridCol")) if grid is not None else 0
    rows = list(_children(tbl, W + "tr"))
    above: dict[int, tuple[int, int]] = {}     # column → origin (row, col) of the cell in the row above
    parsed = []
    width = grid_cols
    for r, tr in enumerate(rows):
        col = _grid_before(tr)
        slots: dict[int, tuple[int, int]] = {}
        starts: dict[int, _Cell] = {}
        hidden: list[str] = []
        for tc in _children(tr, W + "tc"):
            cell = _cell_content(tc)
            merge = _vmerge(tc)
            origin = above.get(col) if merge == "continue" else None
            if origin is None:
                origin = (r, col)
                starts[col] = cell
            elif any(t.strip() for t in cell.lines):
                hidden.append(" ".join(t.strip() for t in cell.lines if t.strip()))
            if origin != (r, col):
                starts.setdefault(col, _Cell([], cell.span, cell.boxes, cell.nested))
            for k in range(cell.span):
                slots[col + k] = origin
            col += cell.span
        width = max(width, col)
        if width > MAX_GRID_COLUMNS:
            raise _TooBig(f"第{index}张表有 {width} 列")
        above = slots
        parsed.append((starts, slots, hidden))
    for r, (starts, slots, hidden) in enumerate(parsed):
        place = f"文档第{index}张表第{r + 1}行"
        own = [c for c, o in sorted(slots.items()) if o == (r, c)]
        if len(own) == 1 and starts[own[0]].span >= width and len(slots) >= width:   # one cell across the row
            cell = Cell.of_lines(own[0], starts[own[0]].lines)
            heading = r == 0 and first_row_may_be_title and find_city(cell.text) is not None
            number = doc.add((cell,), place, heading=heading)
        else:
            cells = tuple(Cell.of_lines(c, starts[c].lines if slots.get(c) == (r, c) and c in starts else [])
                          for c in range(width))
            number = doc.add(cells, place)
        for c, cell in sorted(starts.items()):
            for text in cell.boxes:
                doc.note(number, f"第{c + 1}列单元格中的文本框写有“{text}”，不在表格的栏目里，原文保留在此：如有需要请手工填入")
            for text in cell.nested:
                doc.note(number, f"第{c + 1}列单元格中嵌有一张小表格，内容为“{text}”，原文保留在此："
                                 f"请把它们填入合适的单元格")
        for text in hidden:
            doc.note(number, f"被合并单元格遮住的文字“{text}”（Word 中看不到），原文保留在此：如有需要请手工填入")


# ---------------------------------------------------------------------------------------------- document


_SIDE_PARTS = {"header": "页眉", "footer": "页脚", "footnotes": "脚注", "endnotes": "尾注", "comments": "批注"}


def _side_texts(part, parse_xml) -> list[tuple[str, str]]:
    """(where, text) of the headers, footers, footnotes, endnotes and comments: not tables, but kept."""
    found = []
    for rel in part.rels.values():
        kind = _SIDE_PARTS.get(rel.reltype.rsplit("/", 1)[-1])
        if kind is None or rel.is_external:
            continue
        target = rel.target_part
        root = target.element if hasattr(target, "element") else parse_xml(target.blob)
        text = block_text(root)
        if text and (kind, text) not in found:
            found.append((kind, text))
    return found


def _open(path: Path):
    """(body element, {styleId: style name}, side texts) of a .docx/.docm, through python-docx's package
    reader."""
    import zipfile

    from docx.opc.exceptions import OpcError
    from docx.oxml.parser import parse_xml
    from docx.package import Package
    from lxml.etree import XMLSyntaxError

    try:
        part = Package.open(str(path)).main_document_part
        element = part.element if hasattr(part, "element") else parse_xml(part.blob)
        styles: dict[str, str] = {}
        for rel in part.rels.values():
            if rel.reltype == RT_STYLES and not rel.is_external:
                target = rel.target_part
                root = target.element if hasattr(target, "element") else parse_xml(target.blob)
                for style in root.iter(W + "style"):
                    name = style.find(W + "name")
                    styles[style.get(W + "styleId", "")] = name.get(W + "val", "") if name is not None else ""
        side = _side_texts(part, parse_xml)
    except (OpcError, zipfile.BadZipFile, XMLSyntaxError, KeyError, ValueError, EOFError, OSError) as exc:
        raise InputError("Word 文档已损坏或不完整，无法读取：请在 Word/WPS 中打开并另存为 .docx 后重试",
                         path=str(path)) from exc
    if str(element.tag).startswith("{http://purl.oclc.org/ooxml/"):
        raise InputError("这是“Strict Open XML”格式的 Word 文档，无法读取：请在 Word 中“另存为” Word 文档（.docx）后重试",
                         path=str(path))
    body = element.find(W + "body")
    if body is None:
        raise InputError("Word 文档中没有正文：请确认这是附件的 Word 文件", path=str(path))
    return body, styles, side


def _continues(doc: Document, since: int) -> bool:
    """A table straight after another (nothing but empty paragraphs between): a page-break continuation."""
    return since == 0 and doc.tables > 0


def read_docx(path: str | Path) -> Document:
    """The lines of a Word document's body, in order; raises InputError (Chinese) when it cannot be read."""
    path = Path(path)
    body, styles, side = _open(path)
    doc = Document()
    for kind, text in side:
        doc.attached.setdefault(0, []).append(f"文档{kind}中的文字“{text}”不在表格里，原文保留在此：如有需要请手工填入")
    opaque = sum(1 for _ in body.iter(W + "object", W + "altChunk"))
    if opaque:
        doc.attached.setdefault(0, []).append(
            f"文档中有 {opaque} 个嵌入的对象（如嵌入的 Excel 表格或其他格式的内容），其中的文字无法读取：如果绩效目标表在其中，"
            "请在 Word 中把它复制为 Word 表格，另存为 .docx 后重新导入")
    paragraphs = 0
    since_table = -1          # paragraphs with text since the last table (-1: no table yet)
    rows = 0
    try:
        for el in _children_blocks(body):
            if el.tag == W + "p":
                boxes: list[str] = []
                nested: list[str] = []
                lines = paragraph_lines(el, boxes, nested)
                cell = Cell.of_lines(0, lines)
                if cell.empty and not boxes and not nested:
                    continue
                paragraphs += 1
                number = doc.add((cell,) if not cell.empty else (), f"文档正文第{paragraphs}段",
                                 heading=_is_heading(el, styles) and not cell.empty)
                for text in boxes:
                    doc.note(number, f"文本框中写有“{text}”，不在表格里，原文保留在此：如有需要请手工填入")
                for text in nested:
                    doc.note(number, f"段落中嵌有表格，内容为“{text}”，原文保留在此：如有需要请手工填入")
                if not cell.empty and since_table >= 0:
                    since_table += 1
            elif el.tag == W + "tbl":
                rows += sum(1 for _ in _children(el, W + "tr"))
                if rows > MAX_ROWS:
                    raise _TooBig(f"表格超过 {MAX_ROWS} 行")
                continued = _continues(doc, since_table)
                doc.tables += 1
                first = len(doc.lines) + 1
                _mark_city_heading(doc)
                read_word_table(el, doc.tables, doc, first_row_may_be_title=not continued)
                opening = doc.lines[first - 1] if len(doc.lines) >= first else None
                if continued and opening and not is_title_line(opening) and not starts_project(opening):
                    doc.note(first, f"这张表格紧接在第{doc.tables - 1}张表格之后（跨页续表），已接在上一张表后面读取：请核对")
                since_table = 0
            if doc.characters > MAX_CHARACTERS:
                raise _TooBig(f"文字超过 {MAX_CHARACTERS} 个")
    except _TooBig as exc:
        raise InputError(f"Word 文档过大（{exc}），不像绩效目标表附件，已拒绝读取：请只保留附件中的绩效目标表后重试",
                         path=str(path)) from None
    return doc


def _children_blocks(body):
    for child in body:
        if child.tag in (W + "p", W + "tbl"):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children_blocks(child)


def _mark_city_heading(doc: Document) -> None:
    """The short paragraph right before a table naming a city (``广州市``) is that table's heading."""
    if not doc.lines:
        return
    last = doc.lines[-1]
    text = last.single_text
    if (text and not last.heading and len(last.cells) == 1 and len(text) <= 30
            and find_city(text) is not None and doc.places[last.number].startswith("文档正文")):
        doc.lines[-1] = Line(last.number, last.raw, last.cells, True)
