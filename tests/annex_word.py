"""Word annexes built with python-docx from the seed annex's content, laid out as the province's 附件3 is.

Each table of the seed (as the text importer reads it) becomes a real Word table of 5 grid columns: header
rows ``label | value`` with the value spanning the rest of the row (``w:gridSpan``), the column heading row,
then one row per indicator line of the annex with 绩效指标 / 一级指标 / 二级指标 merged down the rows they
span (``w:vMerge``), multi-paragraph cells as paragraphs (or line breaks). Options add the layouts a real
annex has: a table continued across a page break as a second table starting with a repeated heading row, a
title written as the table's own first row, a text box, a nested table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xl_tools.annex.lexer import lex
from xl_tools.annex.tables import Table, read_table, split_tables
from xl_tools.domain.form import HEADER_FIELDS
from xl_tools.domain.text import squash

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def seed_tables(text: str) -> list[Table]:
    """The seed annex's tables as the text importer reads them (header texts, indicator lines as placed)."""
    return [read_table(raw) for raw in split_tables(lex(text))[1]]


@dataclass
class Layout:
    split: int | None = 3            # this table continues over a page break as a second Word table
    split_after: int = 6             # … after this many indicator lines
    title_row: int | None = 2        # this table's title is its own first row (no heading paragraph)
    breaks: bool = True              # multi-line cells of even tables (广州, 珠海) as line breaks (<w:br/>), not paragraphs
    text_box: str | None = None      # a text box after the document heading
    nested: str | None = None        # a small table nested in the first table's 资金需求 value cell
    repeat_heading: bool = True      # the continuation starts with the column heading row again
    wide: bool = False               # an irregular 7-column grid (cells spanning 2 grid columns), as Word makes


# Grid columns (first, last) of: the 5 indicator columns; a header label and value; the 省级/地方 row's four.
GRIDS = {
    False: ((0, 0), (1, 1), (2, 2), (3, 3), (4, 4)),
    True: ((0, 0), (1, 2), (3, 3), (4, 5), (6, 6)),
}
HEADER = {False: ((0, 0), (1, 4)), True: ((0, 1), (2, 6))}
PAIR = {False: ((0, 0), (1, 1), (2, 2), (3, 4)), True: ((0, 1), (2, 2), (3, 4), (5, 6))}


def _span(t, r: int, span: tuple[int, int]):
    first, last = span
    return t.cell(r, first) if first == last else t.cell(r, first).merge(t.cell(r, last))


def _fill(cell, lines: list[str], breaks: bool) -> None:
    """Write ``lines`` into a cell: one paragraph each, or one paragraph with line breaks."""
    lines = lines or [""]
    if breaks:
        run = cell.paragraphs[0].add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run = cell.paragraphs[0].add_run(line)
        return
    cell.paragraphs[0].add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line)


def _header_rows(table: Table) -> list[list[tuple[str, list[str]]]]:
    """Rows of (label, value lines): 省级/地方主管部门 share a row as on the form."""
    rows = []
    for fld in HEADER_FIELDS:
        if fld.key not in table.header:
            continue
        value = table.header[fld.key].split("\n") if table.header[fld.key] else []
        if fld.key == "local_department" and rows and rows[-1][0][0] == "省级主管部门":
            rows[-1].append((fld.label, value))
        else:
            rows.append([(fld.label, value)])
    return rows


def _merge_runs(t, first_row: int, keys: list[str], col: int) -> None:
    """Merge down the cells of grid column ``col`` over each run of equal ``keys`` (a real vMerge)."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if i - 1 > start:
                t.cell(first_row + start, col).merge(t.cell(first_row + i - 1, col))
            start = i


def _indicator_block(doc, table: Table, rows, breaks: bool, with_heading_row: bool, wide: bool = False):
    grid = GRIDS[wide]
    count = len(rows) + (1 if with_heading_row else 0)
    t = doc.add_table(rows=count, cols=grid[-1][1] + 1)
    t.style = "Table Grid"
    for r in range(count):                           # cells spanning two grid columns (the irregular grid)
        for span in grid:
            _span(t, r, span)
    r = 0
    if with_heading_row:
        for span, label in zip(grid, ("绩效指标", "一级指标", "二级指标", "三级指标", "指标值")):
            t.cell(0, span[0]).paragraphs[0].add_run(label)
        _repeat_header(t.rows[0])
        r = 1
    for i, row in enumerate(rows):
        _fill(t.cell(r + i, grid[1][0]), [row.level1] if row.level1 else [], False)
        _fill(t.cell(r + i, grid[2][0]), [row.level2] if row.level2 else [], False)
        _fill(t.cell(r + i, grid[3][0]), list(row.level3), breaks)
        _fill(t.cell(r + i, grid[4][0]), list(row.value), breaks)
    for i in range(len(rows)):                       # vMerge continuations must be empty before merging
        for c in (1, 2):
            if i and _same(rows, i, c):
                t.cell(r + i, grid[c][0]).paragraphs[0].text = ""
    if with_heading_row:                             # 绩效指标 merged from the heading row down to the last row
        t.cell(0, 0).merge(t.cell(count - 1, 0))
    _merge_runs(t, r, [row.level1 for row in rows], grid[1][0])
    _merge_runs(t, r, [f"{row.level1}|{row.level2}" for row in rows], grid[2][0])
    return t


def _same(rows, i: int, col: int) -> bool:
    if col == 1:
        return rows[i].level1 == rows[i - 1].level1
    return (rows[i].level1, rows[i].level2) == (rows[i - 1].level1, rows[i - 1].level2)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement

    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def _page_break(doc) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _text_box(doc, text: str) -> None:
    from docx.oxml import parse_xml

    xml = (f'<w:p xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict>'
           f'<v:shape style="width:200pt;height:40pt"><v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r>'
           f'</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>')
    doc.paragraphs[-1]._p.addnext(parse_xml(xml))


def build_docx(tables: list[Table], path: Path, layout: Layout | None = None) -> Path:
    """A Word annex holding ``tables``: heading 附件3, then per table a heading (or title row) and the table."""
    import docx

    layout = layout or Layout()
    doc = docx.Document()
    doc.add_heading("附件3", level=1)
    if layout.text_box:
        _text_box(doc, layout.text_box)
    for index, table in enumerate(tables):
        breaks = layout.breaks and index % 2 == 0
        if index and layout.split is not None:
            _page_break(doc)
        title_row = index == layout.title_row
        if table.title and not title_row:
            doc.add_heading(table.title, level=2)
        header = _header_rows(table)
        rows = table.rows
        cut = layout.split_after if index == layout.split and len(rows) > layout.split_after else len(rows)
        t = _indicator_block(doc, table, rows[:cut], breaks, with_heading_row=True, wide=layout.wide)
        # header rows go above the heading row: insert them in the same table, at the top
        _prepend_header(t, header, table.title if title_row else None, breaks,
                        nested=layout.nested if index == 0 else None, wide=layout.wide)
        if cut < len(rows):
            _page_break(doc)
            _indicator_block(doc, table, rows[cut:], breaks, with_heading_row=layout.repeat_heading,
                             wide=layout.wide)
    doc.add_paragraph()        # Word always ends a document with a paragraph (LibreOffice's .doc loses a last table)
    doc.save(path)
    return path


def _prepend_header(t, header, title: str | None, breaks: bool, nested: str | None, wide: bool = False) -> None:
    """Header rows (label | value spanning the rest) at the top of ``t``, the title row first when given."""
    first = t.rows[0]._tr
    count = len(header) + (1 if title else 0)
    for _ in range(count):
        t.add_row()
    new = [row._tr for row in t.rows[-count:]]
    for tr in new:
        first.addprevious(tr)
    last = GRIDS[wide][-1][1]
    i = 0
    if title:
        _span(t, 0, (0, last)).paragraphs[0].add_run(title)
        i = 1
    for pairs in header:
        if len(pairs) == 1:
            label, value = pairs[0]
            spans = HEADER[wide]
            _span(t, i, spans[0]).paragraphs[0].add_run(label)
            target = _span(t, i, spans[1])
            _fill(target, value, breaks and len(value) > 1)
            if nested and label == "资金需求":
                inner = target.add_table(rows=1, cols=2)
                inner.cell(0, 0).text, inner.cell(0, 1).text = nested.split("|")
        else:
            (l1, v1), (l2, v2) = pairs
            spans = PAIR[wide]
            _span(t, i, spans[0]).paragraphs[0].add_run(l1)
            _fill(_span(t, i, spans[1]), v1, False)
            _span(t, i, spans[2]).paragraphs[0].add_run(l2)
            _fill(_span(t, i, spans[3]), v2, False)
        i += 1


def docx_texts(path: Path) -> list[str]:
    """Every piece of text of the document (each w:t of the body, with text boxes and nested tables, and of
    the headers, footers, footnotes, endnotes and comments)."""
    import re
    import zipfile

    from lxml import etree

    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml", name):
                root = etree.fromstring(zf.read(name))
                found += [t.text for t in root.iter(f"{{{W_NS}}}t") if t.text and squash(t.text)]
    return found


def form_digest(form) -> dict:
    """What must be equal between two imports of the same content: title, city, header texts, indicator rows."""
    return {
        "title": form.title.text,
        "city": form.city,
        "header": {k: v.text for k, v in form.header.items()},
        "rows": [(r.level1.text, r.level2.text, r.level3.text, r.value.text) for r in form.indicators],
    }


def cells_right(want: list, got: list, *, key=lambda s: s, align: bool = False) -> tuple[int, int]:
    """(cells equal, cells in ``want``): header fields and indicator cells of forms matched by city.

    Rows are compared in order; with ``align`` they are first aligned (difflib), so one extra or missing
    row costs its own cells, not those of every row after it. ``key`` folds the texts before comparing
    (``squash`` ignores spaces and line breaks).
    """
    import difflib

    right = total = 0
    by_city = {f.city: f for f in got}
    for form in want:
        mine = by_city.get(form.city)
        a = form_digest(form)
        b = form_digest(mine) if mine is not None else {"header": {}, "rows": []}
        for k, v in a["header"].items():
            total += 1
            right += key(v) == key(b["header"].get(k, ""))
        rows_a = [tuple(map(key, r)) for r in a["rows"]]
        rows_b = [tuple(map(key, r)) for r in b["rows"]]
        total += 4 * len(rows_a)
        if not align:
            pairs = list(zip(rows_a, rows_b))
        else:
            pairs = []
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, rows_a, rows_b, autojunk=False).get_opcodes():
                if op in ("equal", "replace"):
                    pairs += list(zip(rows_a[i1:i2], rows_b[j1:j2]))
        right += sum(x == y for ra, rb in pairs for x, y in zip(ra, rb))
    return right, total


def require_writer() -> None:
    """Skip (or with XL_TOOLS_REQUIRE_LIBREOFFICE=1 fail) when LibreOffice has no word processor (Writer)."""
    import os

    import pytest

    from xl_tools.annex.sources import writer_missing

    if writer_missing():
        reason = "LibreOffice 未安装文字处理组件 Writer：请运行 sudo apt-get install libreoffice-writer"
        if os.environ.get("XL_TOOLS_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
