"""Check how LibreOffice printed one sheet: one page wide, header rows repeated, nothing left off.

The PDF must hold that sheet only (``render_workbook(..., sheets=[name])``). The check reads the sheet's
print-title rows (Page Setup → rows to repeat) and looks for their labels in every page's text:

- repeats_header: every page shows every label of the repeated rows;
- fits_width: page 1 shows every label of the header (the repeated rows, else the first row holding two
  or more texts: nothing cut off at the right), and every page shows the repeated labels of the first
  printed column (a page holding only overflow columns lacks them);
- unprinted: short texts of the sheet found on no page (a print area that leaves columns out);
- clipped: words the PDF holds but draws cut off (see ``clipped_text``).

Text is compared with all whitespace removed (pdftotext breaks wrapped cells into lines).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from xl_tools.office.poppler import PageInfo, pdf_gray, pdf_pages, pdf_text, pdf_words

SHORT_TEXT = 16
INK = 200  # gray level counted as ink: thin antialiased strokes are darker, light cell fills (≥ 210) are not  # cells longer than this may wrap across lines interleaved with other cells: not looked for

_SPACE = re.compile(r"\s+")
_VISIBLE = re.compile(r"[0-9A-Za-z\u3400-\u4dff\u4e01-\u9fff]")  # 一 (U+4E00) is a flat stroke mid-box: not judged


def squash(text: str) -> str:
    return _SPACE.sub("", text)


@dataclass(frozen=True)
class PrintCheck:
    """The print layout of one sheet as found in its PDF."""

    sheet: str
    pages: list[PageInfo]
    title_rows: tuple[int, int] | None          # first and last repeated row, None when none is set
    title_labels: tuple[str, ...]               # texts of the repeated rows, left to right
    first_column_labels: tuple[str, ...]        # those of them in the first printed column
    missing: dict[int, tuple[str, ...]] = field(default_factory=dict)   # page → labels absent from it
    header_labels: tuple[str, ...] = ()         # the repeated rows' labels, else the first row of 2+ texts
    width_missing: tuple[str, ...] = ()         # header labels absent from page 1 (cut off at the right)
    unprinted: tuple[str, ...] = ()
    clipped: dict[int, tuple[str, ...]] = field(default_factory=dict)   # page → words printed cut off

    @property
    def fits_width(self) -> bool | None:
        """One page wide; None when it cannot be told (no header row found)."""
        if self.width_missing:
            return False
        if self.title_labels:
            first = set(self.first_column_labels)
            return not any(first & set(gone) for gone in self.missing.values())
        return True if self.header_labels or len(self.pages) <= 1 else None

    @property
    def repeats_header(self) -> bool:
        """Every page shows the repeated header rows (trivially true for a one-page print with labels)."""
        return bool(self.title_labels) and not self.missing

    def problems(self) -> list[str]:
        """What is wrong, in Chinese, with what to do; empty when the print is fine."""
        found = []
        if self.fits_width is False:
            found.append(f"工作表“{self.sheet}”打印超出一页宽：请在页面设置中选择“调整为 1 页宽”，或缩小列宽")
        if len(self.pages) > 1 and not self.title_labels:
            found.append(f"工作表“{self.sheet}”共 {len(self.pages)} 页但没有设置重复打印的表头行："
                         "请在页面设置 → 工作表 → 顶端标题行中选择表头行")
        elif self.missing:
            shown = sorted(self.missing.items())[:3]
            detail = "；".join(f"第 {page} 页缺少“{'、'.join(labels[:4])}{'等' if len(labels) > 4 else ''}”"
                              for page, labels in shown)
            if len(self.missing) > len(shown):
                detail += f"；共 {len(self.missing)} 页有缺"
            found.append(f"工作表“{self.sheet}”的表头没有出现在每一页（{detail}）：请检查顶端标题行和打印宽度")
        if self.unprinted:
            found.append(f"工作表“{self.sheet}”有内容没有打印出来（{'、'.join(self.unprinted[:5])}）：请检查打印区域")
        if self.clipped:
            page, words = next(iter(sorted(self.clipped.items())))
            found.append(f"工作表“{self.sheet}”打印时有文字被截断（第 {page} 页“{''.join(words)[:30]}”等，共 "
                         f"{len(self.clipped)} 页）：页脚请留足与下边距的距离（下边距至少比页脚边距大 0.25 英寸），"
                         "换行的单元格请加大行高，图表请勿跨页")
        return found


def _title_rows(ws) -> tuple[int, int] | None:
    spec = ws.print_title_rows
    if not spec:
        return None
    rows = re.findall(r"\d+", spec.split("!")[-1])
    return (int(rows[0]), int(rows[-1])) if rows else None


def _print_columns(ws) -> tuple[int, int]:
    from openpyxl.utils.cell import range_boundaries

    area = ws.print_area
    if area:
        first_range = (area[0] if isinstance(area, (list, tuple)) else area).split(",")[0]
        min_col, _, max_col, _ = range_boundaries(first_range.split("!")[-1].replace("$", ""))
        return min_col, max_col
    return ws.min_column, ws.max_column


def check_sheet_print(xlsx: str | os.PathLike, sheet: str, pdf: str | os.PathLike) -> PrintCheck:
    """Check the PDF of one sheet (printed alone) against the sheet's repeated header rows and texts."""
    import openpyxl

    wb = openpyxl.load_workbook(Path(xlsx))
    ws = wb[sheet]
    first_col, last_col = _print_columns(ws)
    titles = _title_rows(ws)
    labels: list[str] = []
    first_labels: list[str] = []
    if titles:
        for row in ws.iter_rows(min_row=titles[0], max_row=titles[1], min_col=first_col, max_col=last_col):
            for cell in row:
                if isinstance(cell.value, str) and squash(cell.value) and squash(cell.value) not in labels:
                    labels.append(squash(cell.value))
                    if cell.column == first_col:
                        first_labels.append(squash(cell.value))
    pages = pdf_pages(pdf)
    texts = {page.number: squash(pdf_text(pdf, page.number)) for page in pages}
    missing = {n: tuple(label for label in labels if label not in text) for n, text in texts.items()}
    missing = {n: gone for n, gone in missing.items() if gone}
    header = labels or _first_table_row(ws, first_col, last_col)
    width_missing = tuple(label for label in header if pages and label not in texts[pages[0].number])
    everything = "".join(texts.values())
    shorts = []
    for row in ws.iter_rows(min_col=first_col, max_col=last_col):
        for cell in row:
            if isinstance(cell.value, str) and 0 < len(squash(cell.value)) <= SHORT_TEXT \
                    and "\n" not in cell.value.strip() and not cell.value.startswith("="):
                shorts.append(squash(cell.value))
    unprinted = tuple(dict.fromkeys(t for t in shorts if not printed(t, everything)))
    return PrintCheck(sheet=sheet, pages=pages, title_rows=titles, title_labels=tuple(labels),
                      first_column_labels=tuple(first_labels), missing=missing, header_labels=tuple(header),
                      width_missing=width_missing, unprinted=unprinted, clipped=clipped_text(pdf))


def printed(text: str, everything: str) -> bool:
    """Whether a short cell text is in the PDF's text: whole, or wrapped once inside its cell.

    A wrapped cell prints its lines interleaved with the neighbouring cells' lines (``2020、2021`` … ``年``), so
    a text of four or more characters also counts when a head of at least two characters and the rest are
    both found.
    """
    if text in everything:
        return True
    return len(text) >= 4 and any(text[:i] in everything and text[i:] in everything for i in range(2, len(text)))


def _first_table_row(ws, first_col: int, last_col: int) -> list[str]:
    """Labels of the first row holding two or more short texts (a table's header), for the width check."""
    for row in ws.iter_rows(min_col=first_col, max_col=last_col, max_row=min(ws.max_row, 30)):
        texts = [squash(c.value) for c in row if isinstance(c.value, str) and 0 < len(squash(c.value)) <= SHORT_TEXT
                 and not c.value.startswith("=")]
        if len(texts) >= 2:
            return list(dict.fromkeys(texts))
    return []


def clipped_text(pdf: str | os.PathLike, *, dpi: int = 150) -> dict[int, tuple[str, ...]]:
    """Words the PDF holds but draws cut off: page → words.

    LibreOffice clips text to its cell (a row too low for its wrapped lines) and to the footer area (a
    footer margin too close to the bottom margin); the text layer keeps the words, the page shows them
    cut in half or not at all, and a chart split by a page break is cut likewise. A word counts as clipped
    when the lower 40 % of its box has no ink while the word has letters, digits or Chinese characters
    (punctuation alone is ignored). Text on a fill darker than gray 200 cannot be judged (never flagged).
    """
    found: dict[int, tuple[str, ...]] = {}
    for page in pdf_pages(pdf):
        every = pdf_words(pdf, page.number)
        lines = {round(w.y1, 1) for w in every if len(w.text) > 1}
        # Rotated text (chart axis labels) comes as single characters with odd boxes: only words of two or
        # more characters, or on the baseline of such a word, are judged.
        words = [w for w in every if _VISIBLE.search(w.text) and (len(w.text) > 1 or round(w.y1, 1) in lines)]
        if not words:
            continue
        gray = pdf_gray(pdf, page.number, dpi=dpi)
        cut = tuple(w.text for w in words
                    if not gray.ink(w.x0, w.y0 + 0.6 * (w.y1 - w.y0), w.x1, w.y1, below=INK))
        if cut:
            found[page.number] = cut
    return found
