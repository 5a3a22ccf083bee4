"""Turn a workbook into a PDF and PNG pages, as LibreOffice prints it, so a person can look at the layout."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xl_tools.office.convert import hide_other_sheets, to_pdf, visible_sheets
from xl_tools.office.poppler import PageInfo, pdf_pages, pdf_to_png


@dataclass(frozen=True)
class Rendering:
    """What ``render_workbook`` wrote."""

    source: Path
    pdf: Path
    pages: list[PageInfo]
    pngs: list[Path] = field(default_factory=list)
    sheets: tuple[str, ...] = ()   # the sheets printed; empty = every visible sheet

    def summary(self) -> str:
        """Chinese lines for the user: what was written, how many pages, which paper."""
        papers = sorted({p.describe() for p in self.pages})
        lines = [f"已生成 PDF：{self.pdf}（共 {len(self.pages)} 页，{'、'.join(papers)}）"]
        if self.pngs:
            span = str(self.pngs[0]) if len(self.pngs) == 1 else f"{self.pngs[0]} … {self.pngs[-1].name}"
            lines.append(f"已生成图片 {len(self.pngs)} 张：{span}")
        return "\n".join(lines)


def render_workbook(path: str | os.PathLike, outdir: str | os.PathLike, *, sheets: Iterable[str] | None = None,
                    dpi: int = 110, png: bool = True, timeout: float | None = None) -> Rendering:
    """Print ``path`` to ``outdir/<stem>.pdf`` with headless LibreOffice, then one PNG per page.

    ``sheets`` limits the print to those sheets (the others are hidden in a temporary copy; the PDF is then
    ``<stem>-<sheet>….pdf``). Raises OfficeMissingError when LibreOffice or poppler is missing, with how to
    install them; the PDF is kept when only pdftoppm is missing.
    """
    source = Path(path)
    chosen = tuple(sheets or ())
    outdir = Path(outdir)
    stem = "-".join((source.stem, *chosen))
    with tempfile.TemporaryDirectory(prefix="xl_tools-render-") as tmp:
        printable = source
        if chosen:
            printable = hide_other_sheets(source, Path(tmp) / f"{stem}{source.suffix}", chosen)
        (pdf,) = to_pdf([printable], outdir, timeout=timeout)
    pages = pdf_pages(pdf)
    pngs = pdf_to_png(pdf, outdir, stem=stem, dpi=dpi) if png else []
    return Rendering(source=source, pdf=pdf, pages=pages, pngs=pngs, sheets=chosen)


def check_print(path: str | os.PathLike, *, sheets: Iterable[str] | None = None, timeout: float | None = None):
    """Print each sheet alone (one soffice run for all) and check it: list of PrintCheck, in sheet order.

    Checks one A4 page width, the header row repeated on every page, nothing left out of the print area and
    no text printed cut off (see xl_tools.office.printcheck).
    """
    from xl_tools.office.printcheck import check_sheet_print

    source = Path(path)
    names = list(sheets) if sheets else visible_sheets(source)
    with tempfile.TemporaryDirectory(prefix="xl_tools-check-") as tmp:
        work = Path(tmp)
        copies = [hide_other_sheets(source, work / "in" / f"{i}{source.suffix}", [name])
                  for i, name in enumerate(names)]
        pdfs = to_pdf(copies, work / "pdf", timeout=timeout)
        return [check_sheet_print(source, name, pdf) for name, pdf in zip(names, pdfs)]


def describe_check(check) -> str:
    """One Chinese line for a sheet whose print is fine, else its problems."""
    papers = "、".join(sorted({p.describe() for p in check.pages}))
    head = f"工作表“{check.sheet}”：共 {len(check.pages)} 页，{papers}"
    problems = check.problems()
    if not problems:
        extra = "，表头每页重复" if len(check.pages) > 1 else ""
        return f"{head}，一页宽{extra}，无截断：正常"
    return head + "\n" + "\n".join(f"  问题：{p}" for p in problems)
