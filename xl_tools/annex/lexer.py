"""The annex text dump as lines of cells: tabs split cells, ``<p>`` fragments split a cell into paragraphs.

Nothing here knows what a 绩效目标表 is; it only undoes the dump's encoding (line endings, BOM, HTML markup,
entities) so later stages see plain text with the line and column each piece came from.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cached_property

from xl_tools.domain.text import squash

# Paragraph boundaries inside a cell: <p …>, </p>, <br>, <br/>.
_BREAK = re.compile(r"<\s*/?\s*p(?:\s[^<>]*)?>|<\s*br\s*/?\s*>", re.IGNORECASE)
# Any other tag (<span>, <strong>, …) is markup only.
_TAG = re.compile(r"</?\s*[a-zA-Z][^<>]*>")
_TRIM = " \t\r\n\u3000\u00a0\ufeff"
_HEADING = re.compile(r"^[ \u3000]*#{1,6}(?:[ \u3000]+|$)")  # Markdown: the marks, then a space


@dataclass(frozen=True)
class Cell:
    """One tab-separated cell: its 0-based column, its paragraphs (markup removed) and their text."""

    col: int
    raw: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The paragraphs joined with newlines (how a multi-paragraph cell reads in Excel)."""
        return "\n".join(self.paragraphs)

    @cached_property
    def key(self) -> str:
        """The comparison key: no spaces, full-width folded."""
        return squash(self.text)

    @property
    def empty(self) -> bool:
        return not self.paragraphs

    @classmethod
    def of_lines(cls, col: int, lines: list[str]) -> "Cell":
        """A cell read from a document (Word, PDF): its lines trimmed like a dump's paragraphs, empty ones dropped."""
        found = tuple(t for t in (line.replace("\u00a0", " ").strip(_TRIM) for line in lines) if t)
        return cls(col, "\n".join(found), found)


@dataclass(frozen=True)
class Line:
    """One line of the annex (``number`` is 1-based, as a text editor shows it)."""

    number: int
    raw: str
    cells: tuple[Cell, ...]
    heading: bool  # the line was a Markdown heading (``## …``)

    @property
    def filled(self) -> tuple[Cell, ...]:
        """The non-empty cells, left to right."""
        return tuple(c for c in self.cells if not c.empty)

    @property
    def blank(self) -> bool:
        return not self.filled

    @property
    def single_text(self) -> str | None:
        """The text of a line that holds exactly one non-empty cell, else None."""
        filled = self.filled
        return filled[0].text if len(filled) == 1 else None


def paragraphs(raw: str) -> tuple[str, ...]:
    """The non-empty paragraphs of a cell: split on ``<p>``/``</p>``/``<br>``, other tags dropped, trimmed."""
    found = []
    for part in _BREAK.split(raw):
        part = html.unescape(_TAG.sub(" ", part))
        part = part.replace("\u00a0", " ")
        part = part.strip(_TRIM)
        if part:
            found.append(part)
    return tuple(found)


def split_line(number: int, raw: str) -> Line:
    """Lex one line: a heading's ``#`` marks are dropped, the rest split on tabs."""
    heading = bool(_HEADING.match(raw))
    body = _HEADING.sub("", raw, count=1)
    cells = tuple(Cell(col, part, paragraphs(part)) for col, part in enumerate(body.split("\t")))
    return Line(number, raw, cells, heading)


def decode(data: bytes) -> str:
    """Text of an annex file: UTF-16 with a BOM (Notepad's "Unicode"), UTF-8 (with or without BOM), else
    GB18030 (Chinese Windows' ANSI code page).

    Raises UnicodeDecodeError when it is none of these.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def lex(text: str) -> list[Line]:
    """All lines of the annex, numbered from 1; ``\\r\\n``/``\\r`` endings and BOMs are accepted."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")  # BOM / zero-width no-break space
    return [split_line(i, raw) for i, raw in enumerate(text.split("\n"), start=1)]
