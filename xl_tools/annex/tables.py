"""Split the lexed annex into tables and read each table's header block and indicator block.

A table starts at its title: a ``## `` heading naming the form or a city, or a bare title line (珠海's has no
``## ``), or — when a table has no title — at a second ``项目名称`` line. The header block holds label/value
pairs, possibly several on one line (``省级主管部门 | 地方主管部门 | 深圳市场监管局``). The indicator block starts
at the column heading ``一级指标 二级指标 三级指标 指标值``; its cells are placed by what they are, because the
dump shifts cells left or right where the original had merged cells, and leaves merged cells blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xl_tools.annex.lexer import Line
from xl_tools.domain.cities import find_city
from xl_tools.domain.form import FIELD_BY_LABEL, TITLE_PREFIX, HeaderField
from xl_tools.domain.taxonomy import taxonomy
from xl_tools.domain.text import squash

TITLE_MARK = "绩效目标表"
ROW_LABEL = "绩效指标"  # the leading column of the indicator block: a row label, not an indicator level
COLUMN_LABELS = ("一级指标", "二级指标", "三级指标", "指标值")
DEFAULT_COLUMNS = (1, 2, 3, 4)
SLOTS = ("level1", "level2", "level3", "value")
SLOT_LABELS = dict(zip(SLOTS, COLUMN_LABELS))
# Structural labels the template prints itself; the annex repeats them on every table.
STRUCTURAL_LABELS = frozenset((ROW_LABEL, *COLUMN_LABELS, *FIELD_BY_LABEL))

_INDICATOR_LABEL = re.compile(r"^\s*指标\s*[0-9０-９一二三四五六七八九十]+\s*[:：.．、]?")
_MAX_TITLE = 60
_PROJECT_LEVEL = re.compile(r"[(（][一二]级项目")


def short(text: str, limit: int = 40) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis (for notes)."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[:limit] + "…"


def is_placeholder(text: str) -> bool:
    """An unfilled indicator: ``....``, ``指标4:``, ``指标9: ....`` (the 指标值 grammar decides)."""
    from xl_tools.domain.values import is_placeholder_text

    return bool(is_placeholder_text(text))


def indicator_like(text: str) -> bool:
    """Text that can only be a 三级指标 (or an unfilled one): a placeholder or a ``指标N:`` label."""
    return is_placeholder(text) or bool(_INDICATOR_LABEL.match(text))


# ---------------------------------------------------------------------------------------------- splitting


@dataclass
class RawTable:
    """The lines of one table (blank lines dropped) and its title line, if it had one."""

    title: Line | None
    lines: list[Line] = field(default_factory=list)
    has_project_name: bool = False

    @property
    def first_line(self) -> int:
        first = self.title or (self.lines[0] if self.lines else None)
        return first.number if first else 0

    @property
    def last_line(self) -> int:
        last = self.lines[-1] if self.lines else self.title
        return last.number if last else 0


def is_title_line(line: Line) -> bool:
    """A table title: a heading naming the form or a city, or a short bare line naming the form."""
    text = line.single_text
    if text is None or header_label(text) is not None:
        return False
    key = squash(text)
    if line.heading:
        return TITLE_MARK in key or find_city(key) is not None
    if TITLE_MARK not in key or len(key) > _MAX_TITLE or key.endswith(":"):
        return False
    return key.startswith(TITLE_PREFIX) or find_city(key) is not None or bool(_PROJECT_LEVEL.search(key))


def header_label(text: str) -> tuple[HeaderField, str] | None:
    """The header field a cell labels, and any value glued on after a colon (``预算年度：2020年``)."""
    key = squash(text)
    found = FIELD_BY_LABEL.get(key)
    if found:
        return found, ""
    for label, fld in FIELD_BY_LABEL.items():
        if key.startswith(label + ":"):
            rest = re.split(r"[:：]", text, maxsplit=1)
            return fld, rest[1].strip() if len(rest) == 2 else ""
    return None


def is_column_heading(line: Line) -> bool:
    keys = {c.key for c in line.filled}
    return sum(label in keys for label in COLUMN_LABELS) >= 2


def column_positions(line: Line) -> tuple[int, int, int, int]:
    """The 0-based columns of 一级/二级/三级/指标值 from a column heading line (gaps filled by neighbours)."""
    found: dict[int, int] = {}
    for cell in line.filled:
        if cell.key in COLUMN_LABELS:
            found.setdefault(COLUMN_LABELS.index(cell.key), cell.col)
    if not found:
        return DEFAULT_COLUMNS
    anchor_slot, anchor_col = min(found.items())
    cols = [found.get(i, anchor_col + (i - anchor_slot)) for i in range(4)]
    return tuple(max(0, c) for c in cols)  # type: ignore[return-value]


def starts_project(line: Line) -> bool:
    first = line.filled[0] if line.filled else None
    hit = header_label(first.text) if first else None
    return bool(hit and hit[0].key == "project_name")


def split_tables(lines: list[Line]) -> tuple[list[Line], list[RawTable]]:
    """The lines before the first table (the document's own heading, e.g. ``## 附件3``) and the tables."""
    preamble: list[Line] = []
    tables: list[RawTable] = []
    current: RawTable | None = None
    for line in lines:
        if line.blank:
            continue
        if is_title_line(line):
            current = RawTable(title=line)
            tables.append(current)
            continue
        if starts_project(line) and (current is None or current.has_project_name):
            current = RawTable(title=None)
            tables.append(current)
        if current is None:
            if any(header_label(c.text) for c in line.filled) or is_column_heading(line):
                current = RawTable(title=None)
                tables.append(current)
            else:
                preamble.append(line)
                continue
        if starts_project(line):
            current.has_project_name = True
        current.lines.append(line)
    return preamble, tables


# ---------------------------------------------------------------------------------------------- one table


@dataclass
class Row:
    """One indicator line of the annex, placed: 一级/二级 carried down, 三级/指标值 as cell paragraphs."""

    line: int
    level1: str
    level2: str
    level3: tuple[str, ...] = ()
    value: tuple[str, ...] = ()


@dataclass
class Table:
    """One table read from the annex: title, header texts by field key, indicator rows, import notes."""

    title: str
    first_line: int
    last_line: int
    header: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Placement:
    level1: str | None = None
    level2: str | None = None
    level3: tuple[str, ...] = ()
    value: tuple[str, ...] = ()
    given: bool = False  # any 一级/二级 text stood in this line
    kept: list[tuple[str, str]] = field(default_factory=list)  # (slot, text) kept in a level column as written

    def free(self, slot: str) -> bool:
        return not getattr(self, slot)


def _first_free(placed: _Placement, slots: tuple[str, ...]) -> str | None:
    return next((s for s in slots if placed.free(s)), None)


def place_cells(line: Line, columns: tuple[int, int, int, int], notes: list[str]) -> _Placement:
    """Put each cell of an indicator line where it belongs, by what it is.

    A taxonomy 一级/二级 name goes to its level wherever it stands, and tells how far the rest of the line
    is shifted. Other text goes by its (shift-corrected) column; ``指标N:`` labels and placeholders can only be
    三级 (or, when 三级 is taken, 指标值). Plain text in the 一级/二级 column stays there only when more text
    follows on the line (深圳's ``培训数量要求 | 举办至少2场次…``: kept as written so the validator can flag
    it); alone, it is a 三级 slid left by a lost merged cell.
    """
    tax = taxonomy()
    placed = _Placement()
    cells = [c for c in line.filled if not (c.col < columns[0] and c.key == ROW_LABEL)]
    plain_after = [0] * len(cells)
    count = 0
    for i in range(len(cells) - 1, -1, -1):
        plain_after[i] = count
        if not (tax.canonical_level1(cells[i].text) or tax.canonical_level2(cells[i].text)):
            count += 1
    shift = 0
    for i, cell in enumerate(cells):
        l1 = tax.canonical_level1(cell.text)
        l2 = tax.canonical_level2(cell.text) if not l1 else None
        if l1 or l2:
            slot, name, home = ("level1", l1, columns[0]) if l1 else ("level2", l2, columns[1])
            current = getattr(placed, slot)
            if current is None:
                setattr(placed, slot, name)
                placed.given = True
                shift = cell.col - home
            elif current != name:
                notes.append(f"附件第{line.number}行：同一行有两个{SLOT_LABELS[slot]}“{current}”和“{name}”，"
                             f"已采用前者，后者记录在此：请核对该行的{SLOT_LABELS[slot]}")
            continue
        text = cell.text
        col = cell.col - shift
        target: str | None
        if indicator_like(text):
            target = _first_free(placed, ("level3", "value"))
        elif col <= columns[1]:
            own = "level1" if col == columns[0] else "level2" if col == columns[1] else None
            if own and plain_after[i] and placed.free(own):
                target = own
                placed.kept.append((own, text))
            else:
                target = _first_free(placed, ("level3", "value"))
        elif col <= columns[2]:
            target = _first_free(placed, ("level3", "value"))
        else:
            target = "value" if placed.free("value") else None
        if target in ("level1", "level2"):
            setattr(placed, target, text)
            placed.given = True
        elif target:
            setattr(placed, target, cell.paragraphs)
        else:
            notes.append(f"附件第{line.number}行：“{text}”放不进该行的任何一栏（三级指标和指标值都已有内容），"
                         f"原文保留在此：请手工填入合适的单元格")
    return placed


def _kept_note(slot: str, items: list[tuple[int, str, str]]) -> str:
    """One note for the texts kept in the 一级/二级 column although they are not taxonomy names."""
    tax = taxonomy()
    label = SLOT_LABELS[slot]
    lines = "、".join(str(n) for n, _, _ in items)
    texts = "".join(f"“{short(t, 20)}”" for _, t, _ in items)
    under = items[0][2]
    names = tax.level1_names if slot == "level1" else (tax.level2_of(under) or tax.level2_names)
    return (f"附件第{lines}行：{texts}写在{label}列，但不是规定的{label}（可选：{'、'.join(names)}）。"
            f"已按原表保留在{label}列，同一行后面的文字依次放在后面的列。若它们其实是三级指标的小标题，"
            f"请把{label}改为规定名称（如“{names[0]}”），把小标题移到三级指标列，"
            f"并把句子改写成可量化的指标值（如 ≥2场次）")


def read_header_line(line: Line, header: dict[str, list[str]], notes: list[str]) -> None:
    """Read label/value pairs of a header line; several pairs may share one line, labels may be adjacent."""
    current: HeaderField | None = None
    for cell in line.filled:
        hit = header_label(cell.text)
        if hit:
            current, glued = hit
            if current.key in header and header[current.key]:
                notes.append(f"附件第{line.number}行：“{current.label}”在本表中出现了两次，两处内容已合并到同一栏："
                             f"请核对并删去多余的内容")
            header.setdefault(current.key, [])
            if glued:
                header[current.key].append(glued)
            continue
        if current is None:
            notes.append(f"附件第{line.number}行：“{cell.text}”前面没有栏目名称，无法判断属于哪一栏，"
                         f"原文保留在此：请手工填入合适的栏目")
        else:
            header[current.key].append(cell.text)


def _looks_like_indicator_line(line: Line) -> bool:
    tax = taxonomy()
    return any(c.key == ROW_LABEL or tax.canonical_level1(c.text) or tax.canonical_level2(c.text)
               for c in line.filled)


def read_table(raw: RawTable) -> Table:
    """Read a table's header block and indicator block; every text that cannot be placed becomes a note."""
    tax = taxonomy()
    title = (raw.title.single_text or "") if raw.title else ""
    table = Table(title=title, first_line=raw.first_line, last_line=raw.last_line)
    header: dict[str, list[str]] = {}
    notes = table.notes
    columns: tuple[int, int, int, int] | None = None
    cur1 = cur2 = ""
    kept: dict[str, list[tuple[int, str, str]]] = {}
    for line in raw.lines:
        if is_column_heading(line):
            columns = column_positions(line)  # a page break may repeat the heading: same columns again
            extra = [c.text for c in line.filled if c.key not in COLUMN_LABELS and c.key != ROW_LABEL]
            if extra:
                notes.append(f"附件第{line.number}行：表头行里多出“{' '.join(extra)}”，原文保留在此：如有需要请手工填入")
            continue
        first = line.filled[0]
        if header_label(first.text) or (columns is None and any(header_label(c.text) for c in line.filled)):
            read_header_line(line, header, notes)
            continue
        # A line without any tab is prose (a note under the table), unless it is a level name or placeholder.
        prose = len(line.cells) == 1 and not _looks_like_indicator_line(line) and not indicator_like(first.text)
        if columns is None and not prose and _looks_like_indicator_line(line):
            columns = DEFAULT_COLUMNS  # an indicator block whose column heading was lost
        if columns is None or prose:
            notes.append(f"附件第{line.number}行：“{' '.join(c.text for c in line.filled)}”不属于表格的任何一栏，"
                         f"原文保留在此：如有需要请手工填入")
            continue
        placed = place_cells(line, columns, notes)
        l1, l2 = placed.level1, placed.level2
        if l1 is None and l2 is None:
            l1, l2 = cur1, cur2
        elif l1 is None:
            parent = tax.parent_of(l2 or "")
            if parent and parent != cur1:
                notes.append(f"附件第{line.number}行：一级指标单元格为空，已按二级指标“{l2}”填为“{parent}”：请核对")
                l1 = parent
            else:
                l1 = cur1
        elif l2 is None:
            l2 = cur2 if l1 == cur1 else ""
        for slot, text in placed.kept:
            kept.setdefault(slot, []).append((line.number, text, l1 or ""))
        content = bool(placed.level3 or placed.value)
        if content or (placed.given and (l1, l2) != (cur1, cur2)):
            table.rows.append(Row(line.number, l1, l2, placed.level3, placed.value))
        cur1, cur2 = l1, l2
    notes.extend(_kept_note(slot, items) for slot, items in kept.items())
    table.header = {k: "\n".join(v) for k, v in header.items()}
    return table
