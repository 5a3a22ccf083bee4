"""Read PDFs with poppler's command-line tools: page sizes (pdfinfo), page text (pdftotext), PNGs (pdftoppm)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from xl_tools.errors import InputError
from xl_tools.fileio import atomic_write
from xl_tools.office.soffice import ConversionError, OfficeMissingError

POPPLER_HINT = ("未找到 {tool}（poppler）：Debian/Ubuntu 请运行 sudo apt-get install poppler-utils；"
                "Windows 请安装 poppler（如 conda install -c conda-forge poppler）并把其 bin 文件夹加入 PATH")
TIMEOUT = 120

A4_PT = (595.28, 841.89)  # ISO 216 A4 in PostScript points (210 × 297 mm)

_SIZE = re.compile(r"Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts")


@dataclass(frozen=True)
class PageInfo:
    """One PDF page: its number (from 1) and size in points."""

    number: int
    width: float
    height: float

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def is_a4(self) -> bool:
        """A4 portrait or landscape, within 2 points (LibreOffice writes 595.304 × 841.89)."""
        short, long_ = sorted((self.width, self.height))
        return abs(short - A4_PT[0]) < 2 and abs(long_ - A4_PT[1]) < 2

    def describe(self) -> str:
        paper = "A4" if self.is_a4 else f"{self.width:.0f}×{self.height:.0f} 磅"
        return f"{paper} {'横向' if self.landscape else '纵向'}"


def find_poppler(tool: str) -> Path:
    """The poppler program ``tool`` (pdftoppm, pdfinfo, pdftotext); OfficeMissingError says how to install."""
    found = shutil.which(tool)
    if not found:
        raise OfficeMissingError(POPPLER_HINT.format(tool=tool))
    return Path(found)


def _run(tool: str, args: list[str], pdf: Path) -> str:
    if not pdf.is_file():
        raise InputError("PDF 文件不存在：请先生成 PDF", path=str(pdf))
    try:
        done = subprocess.run([str(find_poppler(tool)), *args], capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ConversionError(f"{tool} 在 {TIMEOUT} 秒内没有完成：PDF 可能过大或已损坏", path=str(pdf)) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise ConversionError(f"{tool} 无法读取该 PDF（{detail}）：请重新生成 PDF", path=str(pdf))
    return done.stdout.decode("utf-8", "replace")


def pdf_pages(pdf: str | os.PathLike) -> list[PageInfo]:
    """Every page of a PDF with its size."""
    path = Path(pdf)
    info = _run("pdfinfo", ["-f", "1", "-l", "100000", str(path)], path)
    return [PageInfo(int(n), float(w), float(h)) for n, w, h in _SIZE.findall(info)]


def pdf_text(pdf: str | os.PathLike, page: int | None = None, *, layout: bool = False) -> str:
    """The text of one page (from 1) or of the whole PDF (``page=None``), UTF-8."""
    path = Path(pdf)
    args = ["-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return _run("pdftotext", [*args, str(path), "-"], path)


@dataclass(frozen=True)
class Word:
    """A word pdftotext found on a page, with its box in points from the top-left corner."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pdf_words(pdf: str | os.PathLike, page: int) -> list[Word]:
    """The words of one page with their boxes (``pdftotext -bbox``); clipped-away text is listed too."""
    import html

    path = Path(pdf)
    out = _run("pdftotext", ["-bbox", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"], path)
    return [Word(html.unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in _WORD.findall(out)]


@dataclass(frozen=True)
class GrayPage:
    """A page rendered in 8-bit gray: ``pixels[y * width + x]``, 0 = black, 255 = white."""

    width: int
    height: int
    dpi: int
    pixels: bytes

    def ink(self, x0: float, y0: float, x1: float, y1: float, *, below: int = 160) -> int:
        """How many pixels darker than ``below`` lie in the box given in points."""
        scale = self.dpi / 72
        c0, c1 = max(0, int(x0 * scale)), min(self.width, int(round(x1 * scale)))
        r0, r1 = max(0, int(y0 * scale)), min(self.height, int(round(y1 * scale)))
        return sum(1 for r in range(r0, r1) for v in self.pixels[r * self.width + c0:r * self.width + c1] if v < below)


def pdf_gray(pdf: str | os.PathLike, page: int, *, dpi: int = 100) -> GrayPage:
    """Render one page as gray pixels (``pdftoppm -gray``, a binary PGM read without an image library)."""
    path = Path(pdf)
    if not path.is_file():
        raise InputError("PDF 文件不存在：请先生成 PDF", path=str(path))
    done = subprocess.run([str(find_poppler("pdftoppm")), "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page),
                           str(path)], capture_output=True, timeout=TIMEOUT, check=False)
    data = done.stdout
    if done.returncode != 0 or not data.startswith(b"P5"):
        raise ConversionError("pdftoppm 无法渲染该 PDF 页面：请重新生成 PDF", path=str(path))
    fields = data.split(maxsplit=4)  # P5, width, height, maxval, pixels (one whitespace byte after maxval)
    width, height = int(fields[1]), int(fields[2])
    header_len = len(data) - width * height
    return GrayPage(width, height, dpi, data[header_len:])


def pdf_to_png(pdf: str | os.PathLike, outdir: str | os.PathLike, *, stem: str | None = None,
               dpi: int = 110) -> list[Path]:
    """One PNG per page, ``<stem>-第01页.png`` …, in page order (each moved into place atomically)."""
    path = Path(pdf)
    outdir = Path(outdir)
    stem = stem or path.stem
    with tempfile.TemporaryDirectory(prefix="xl_tools-png-") as tmp:
        _run("pdftoppm", ["-png", "-r", str(dpi), str(path), str(Path(tmp) / "p")], path)
        produced = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if not produced:
            raise ConversionError("pdftoppm 没有生成任何图片：请确认 PDF 至少有一页", path=str(path))
        width = max(2, len(str(len(produced))))
        pages = []
        for number, png in enumerate(produced, start=1):
            target = outdir / f"{stem}-第{number:0{width}d}页.png"
            pages.append(atomic_write(target, lambda tmp_path, src=png: shutil.copyfile(src, tmp_path)))
        return pages
