"""A PDF annex (with a text layer) as the lines the text annex lexes into, through pdfplumber.

Each ruled table of each page gives one Line per row; a cell's column is its left edge among the
document's column edges, so a value spanning the rest of a header row stands where the text dump puts it,
and a slot covered by a merged cell is empty. A PDF does not say where a paragraph ends: a cell's text
lines are joined where the next line's first word would not have fitted on the line before (the word
processor wrapped it) and split elsewhere (the paragraph ended). A row broken across a page is joined
again when the page's first row continues, by the same test, the lines of the page before. Text outside
the tables (headings, page numbers) gives single-cell lines, in reading order. A PDF without text (a scan)
is refused with a message to ask for the Word file: it cannot be read without OCR, and OCR would guess.
"""

from __future__ import annotations

from pathlib import Path

from xl_tools.annex.docx_reader import Document
from xl_tools.annex.lexer import Cell
from xl_tools.annex.tables import is_column_heading
from xl_tools.errors import InputError

MAX_PAGES = 500
_EDGE = 2.0           # points: column edges closer than this are one edge
_NO_LINE_START = set("，。、；：？！”’）》〉」』】〕…,.;:?!)]%")   # punctuation a line may not start with


def _open(path: Path):
    import pdfplumber

    try:
        pdf = pdfplumber.open(str(path))
        pages = pdf.pages
    except Exception as exc:  # pdfminer raises many kinds on a broken or encrypted file
        names = " ".join([type(exc).__name__, *(type(a).__name__ for a in exc.args)])  # pdfplumber wraps pdfminer's
        if "Password" in names or "Encrypt" in names:
            raise InputError("PDF 已加密（设置了打开密码），无法读取：请向发文单位索取未加密的 Word 原件（.docx）",
                             path=str(path)) from None
        raise InputError("PDF 已损坏或不完整，无法读取：请向发文单位索取附件的 Word 原件（.docx）",
                         path=str(path)) from None
    return pdf, pages


def _cell_paragraphs(page, bbox) -> tuple[list[str], tuple | None]:
    """The paragraphs of a cell, and (its first line, its last line, its right edge) to join a row broken
    over a page.

    A line wrapped when the first word of the next line (a Latin word, or a Chinese character with the
    punctuation that may not start a line) would not have fitted after it: the way a word processor breaks
    lines, undone. The right edge is the cell's border less its inner margin (the left margin, measured).
    """
    inside = page.filter(lambda obj: obj.get("object_type") == "char" and _inside(obj, bbox))
    lines = [line for line in inside.extract_text_lines(strip=True, return_chars=True) if line["text"].strip()]
    if not lines:
        return [], None
    margin = max(0.0, min(line["x0"] for line in lines) - bbox[0])
    edge = bbox[2] - margin
    paragraphs = [lines[0]["text"]]
    for prev, line in zip(lines, lines[1:]):
        if _wrapped(prev, line, edge):
            paragraphs[-1] = _join(paragraphs[-1], line["text"])
        else:
            paragraphs.append(line["text"])
    return paragraphs, (lines[0], lines[-1], edge)


def _wrapped(prev: dict, line: dict, edge: float) -> bool:
    chars = [c for c in line["chars"] if c["text"].strip()]
    if not chars:
        return False
    first = chars[0]["text"]
    if first.isascii() and not first.isspace():
        word = []
        for c in chars:
            if not c["text"].isascii() or c["text"].isspace():
                break
            word.append(c)
            if len(word) > 1 and c["x0"] - word[-2]["x1"] > 1.0:   # a space between Latin words
                word.pop()
                break
    else:
        word = [chars[0]]
        for c in chars[1:]:
            if c["text"] not in _NO_LINE_START:
                break
            word.append(c)
    width = word[-1]["x1"] - word[0]["x0"]
    gap = 1.0 if first.isascii() else 0.0
    return prev["x1"] + gap + width > edge - 0.5


def _join(left: str, right: str) -> str:
    """A wrapped line joined on: no space between Chinese characters, one between Latin words."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right


def _edges(pages) -> list[float]:
    xs = sorted({round(cell[0], 1) for page in pages for table in page.find_tables()
                 for row in table.rows for cell in row.cells if cell is not None})
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > _EDGE:
            merged.append(x)
    return merged


def _column(edges: list[float], x: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - x))


def read_pdf(path: str | Path) -> Document:
    """The lines of a PDF annex; raises InputError (Chinese) for a scan, a broken or an encrypted PDF."""
    path = Path(path)
    pdf, pages = _open(path)
    with pdf:
        if len(pages) > MAX_PAGES:
            raise InputError(f"PDF 有 {len(pages)} 页（上限 {MAX_PAGES} 页），不像绩效目标表附件，已拒绝读取："
                             "请只保留附件中的绩效目标表后重试", path=str(path))
        if not any(page.chars for page in pages):
            raise InputError("这是扫描件或图片 PDF（没有文字层），无法读取其中的表格：请向发文单位索取附件的 "
                             "Word 原件（.docx 或 .doc）后再导入", path=str(path))
        edges = _edges(pages)
        doc = Document()
        previous: list | None = None        # the last table row read: [(col, paragraphs, ends)]
        for page_number, page in enumerate(pages, start=1):
            items = []                      # (top, kind, payload)
            tables = page.find_tables()
            for t, table in enumerate(tables):
                for r, row in enumerate(table.rows):
                    items.append((row.bbox[1], "row", (t, r, row)))
            boxes = [table.bbox for table in tables]
            outside = page.filter(lambda obj: not any(_inside(obj, b) for b in boxes))
            for line in outside.extract_text_lines(strip=True):
                if line["text"].strip():
                    items.append((line["top"], "text", line["text"]))
            items.sort(key=lambda item: item[0])
            first_row = True
            for _top, kind, payload in items:
                if kind == "text":
                    doc.add((Cell.of_lines(0, [payload]),), f"PDF 第{page_number}页“{payload[:12]}”处")
                    continue
                t, r, row = payload
                cells = [(_column(edges, b[0]), *_cell_paragraphs(page, b)) for b in row.cells if b is not None]
                place = f"PDF 第{page_number}页第{t + 1}张表第{r + 1}行"
                if first_row and previous and _continues(previous, cells):
                    _merge_into(doc, previous, cells)
                    first_row = False
                    continue
                doc.tables += r == 0
                width = max((c for c, _, _ in cells), default=0) + 1
                by_col = {c: paras for c, paras, _ in cells}
                number = doc.add(tuple(Cell.of_lines(c, by_col.get(c, [])) for c in range(width)), place)
                if is_column_heading(doc.lines[number - 1]):
                    continue                # a heading row repeated at the page's top: the row after may continue
                first_row = False
                previous = cells
    return doc


def _inside(obj, bbox) -> bool:
    x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
    y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _continues(previous: list, cells: list) -> bool:
    """A page's first row is the rest of the page before's last row: its first column is empty and each of
    its texts continues a line of the same column on the page before (that line wrapped)."""
    filled = [(c, ends) for c, paras, ends in cells if paras]
    if not filled or any(c == 0 for c, _ in filled):
        return False
    before = {c: ends for c, paras, ends in previous if paras}
    return all(c in before and _wrapped(before[c][1], ends[0], before[c][2]) for c, ends in filled)


def _merge_into(doc: Document, previous: list, cells: list) -> None:
    """Join a row's continuation onto the last line read (the row as one line, as in the document)."""
    last = doc.lines[-1]
    extra = {c: paras for c, paras, _ in cells if paras}
    joined = []
    for cell in last.cells:
        more = extra.pop(cell.col, None)
        if more and cell.paragraphs:
            paras = [*cell.paragraphs[:-1], _join(cell.paragraphs[-1], more[0]), *more[1:]]
            joined.append(Cell.of_lines(cell.col, paras))
        elif more:
            joined.append(Cell.of_lines(cell.col, more))
        else:
            joined.append(cell)
    doc.lines[-1] = type(last)(last.number, "\t".join(c.raw for c in joined), tuple(joined), last.heading)
    new = {c: (paras, ends) for c, paras, ends in cells if paras}
    for i, (c, paras, ends) in enumerate(previous):
        if c in new:
            previous[i] = (c, paras + new[c][0], new[c][1])
