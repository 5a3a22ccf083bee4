"""Annex tables → Form records (+ import notes), and the city workbooks written from them.

``parse_annex`` is pure (text in, Forms out). ``import_annex`` reads a file and writes one workbook per city
through the workbook writer; openpyxl is only imported there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from xl_tools.annex.lexer import Line, decode, lex
from xl_tools.annex.tables import Row, Table, is_placeholder, read_table, short, split_tables
from xl_tools.domain.cities import find_city, order_key
from xl_tools.domain.form import HEADER_KEYS, Form, Indicator, Located
from xl_tools.errors import InputError

BUNDLED_ANNEX = "annex_2020.txt"

# "... .." left after a 三级指标's text: the unfilled continuation row of the original, run into the cell.
_TRAILING_PLACEHOLDER = re.compile(r"^(?P<head>.*?\S)\s+(?P<tail>[.．。…·・][\s.．。…·・]*)$", re.DOTALL)
_DOTS = re.compile(r"[.．。…·・]")
_NOTE_LINE = re.compile(r"^附件第(\d+)行")
_NOTE_LEAD = re.compile(r"^附件第(\d+(?:、\d+)*)行")
_MOVED_TAIL = "已依次填入下方缺少指标值的指标："
_MOVED_TARGET = re.compile(r"第(\d+)行“")


def split_trailing_placeholder(text: str) -> tuple[str, str]:
    """``指标1: 项目申报…要求 ... ..`` → (``指标1: 项目申报…要求``, ``... ..``); otherwise (text, "")."""
    m = _TRAILING_PLACEHOLDER.match(text)
    if not m or len(_DOTS.findall(m.group("tail"))) < 3 or is_placeholder(m.group("head")):
        return text, ""
    return m.group("head"), m.group("tail").strip()


@dataclass
class _Entry:
    line: int
    level1: str
    level2: str
    label: str
    value: str | None = None
    placeholder: bool = False

    def wants_value(self) -> bool:
        return not self.value and not self.placeholder and bool(self.label) and not is_placeholder(self.label)


def _row_entries(row: Row, notes: list[str]) -> tuple[list[_Entry], list[str]]:
    """The indicator rows one annex line makes, and the 指标值 paragraphs left over for the rows below."""
    from xl_tools.domain.values import split_inline_value

    entries: list[_Entry] = []
    multi = len(row.level3) >= 2
    for para in row.level3 or ("",):
        head, tail = split_trailing_placeholder(para)
        label, inline = split_inline_value(head) if multi else (head, None)
        entries.append(_Entry(row.line, row.level1, row.level2, label, inline))
        if tail:
            entries.append(_Entry(row.line, row.level1, row.level2, tail, placeholder=True))
            notes.append(f"附件第{row.line}行：三级指标“{para}”末尾的“{tail}”是未填写的占位，已拆成单独一行保留："
                         f"请填写该指标或删除该行")
    if multi:
        with_inline = sum(1 for e in entries if e.value)
        notes.append(f"附件第{row.line}行：“{row.level2 or row.level1}”的三级指标一格有{len(row.level3)}段，"
                     f"每段一个指标，已拆成{len(row.level3)}行"
                     + (f"，其中{with_inline}个的指标值写在指标名称后面，已移到指标值列" if with_inline else "")
                     + "：请核对")
        values = list(row.value)
        for entry in entries:
            if values and entry.value is None and not entry.placeholder:
                entry.value = values.pop(0)
        return entries, values
    if row.value:
        target = next((e for e in entries if not e.placeholder), entries[0])
        target.value = "\n".join(row.value)
    return entries, []


def _expand(table: Table) -> tuple[list[Indicator], list[str]]:
    """Indicator rows of a table; 指标值 paragraphs that belong to rows below are moved there (with a note)."""
    notes: list[str] = []
    pending: list[tuple[int, str]] = []          # (annex line, value text) waiting for a row below
    moved: dict[int, list[tuple[str, _Entry]]] = {}
    indicators: list[Indicator] = []
    for row in table.rows:
        entries, leftover = _row_entries(row, notes)
        for entry in entries:
            if pending and entry.wants_value():
                src, value = pending.pop(0)
                entry.value = value
                moved.setdefault(src, []).append((value, entry))
            indicators.append(Indicator.of(entry.level1, entry.level2, entry.label, entry.value or ""))
        pending.extend((row.line, v) for v in leftover)
    for src, items in moved.items():
        values = "".join(f"“{v}”" for v, _ in items)
        where = "、".join(f"第{e.line}行“{short(e.label, 24)}”" for _, e in items)
        notes.append(f"附件第{src}行：指标值一格多出{values}，不属于该格的指标（它们的指标值已写在指标名称后面），"
                     f"已依次填入下方缺少指标值的指标：{where}：请核对")
    for src, value in pending:
        notes.append(f"附件第{src}行：指标值“{value}”找不到对应的指标，原文保留在此：请手工填入合适的指标")
    return indicators, notes


def _note_order(note: str) -> int:
    m = _NOTE_LINE.match(note)
    return int(m.group(1)) if m else 0


def table_form(table: Table, *, source: str, document: str = "", extra_notes: tuple[str, ...] = (),
               place: Callable[[int], str] | None = None) -> Form:
    """The Form of one annex table: header fields, indicator rows, title, city and import notes.

    ``place`` names an annex line for a reader (a Word table row, a PDF page); the default is ``附件第N行``.
    """
    indicators, expand_notes = _expand(table)
    form = Form(
        header={k: Located(table.header.get(k, "")) for k in HEADER_KEYS},
        indicators=tuple(indicators),
        title=Located(table.title),
        source=source,
    ).with_city_detected()
    notes = sorted([*table.notes, *expand_notes, *extra_notes], key=_note_order)
    if place is not None:
        notes = [relabel(note, place) for note in notes]
    title_city = find_city(table.title)
    dept_city = find_city(form.get("local_department").text)
    if title_city and dept_city and title_city != dept_city:
        notes.insert(0, f"表题写的是{title_city.name}，地方主管部门“{form.get('local_department').text}”"
                        f"却是{dept_city.name}：已按地方主管部门归入{dept_city.name}，请核对")
    if not table.title and form.city:
        notes.insert(0, f"本表在附件中没有标题，已按地方主管部门“{form.get('local_department').text}”归入{form.city}："
                        f"请核对")
    if form.city is None:
        notes.insert(0, "无法从表题或地方主管部门判断本表属于哪个地市：请在“地方主管部门”填写如“广州市市场监管局”")
    name = Path(source).name if source else "附件"
    span = (f"第{table.first_line}–{table.last_line}行" if place is None
            else span_label(place(table.first_line), place(table.last_line)))
    origin = f"本表导入自附件“{name}”" + (f"（{document}）" if document else "") + span
    origin += "；以下是导入时所作的调整，请逐条核对。" if notes else "。"
    return replace(form, notes=(origin, *notes))


def relabel(note: str, place: Callable[[int], str]) -> str:
    """A note's line references (``附件第3、4行：``, ``第12行“…”`` in a moved-value note) in ``place``'s words."""
    m = _NOTE_LEAD.match(note)
    if not m:
        return note
    lead = "、".join(place(int(n)) for n in m.group(1).split("、"))
    rest = note[m.end():]
    if rest.startswith("：指标值一格多出") and _MOVED_TAIL in rest:
        head, tail = rest.split(_MOVED_TAIL, 1)
        rest = head + _MOVED_TAIL + _MOVED_TARGET.sub(lambda t: place(int(t.group(1))) + "“", tail)
    return lead + rest


def span_label(first: str, last: str) -> str:
    """Where a table lies: one place, or ``first至last``."""
    return first if first == last else f"{first}至{last}"


def parse_lines(lines: list[Line], *, source: str, place: Callable[[int], str] | None = None,
                attached: dict[int, list[str]] | None = None) -> list[Form]:
    """Every table of lexed annex lines (a text dump, or a Word/PDF document read into the same lines).

    ``attached`` maps a line number to notes a reader made there (a text box, a nested table), each starting
    ``附件第N行：`` like every note (``place`` rewords them): each goes to the table holding that line, else the
    table before it, else the first table.
    """
    preamble, raw_tables = split_tables(lines)
    headings = [line for line in preamble if line.heading and line.single_text]
    document = " ".join(line.single_text or "" for line in headings)
    loose = [f"附件第{line.number}行：“{' '.join(c.text for c in line.filled)}”在第一张表之前，不属于任何一栏，"
             f"原文保留在此" for line in preamble if line not in headings]
    extra: list[list[str]] = [[] for _ in raw_tables]
    if raw_tables:
        extra[0] += loose
        for number, found in sorted((attached or {}).items()):
            index = max((i for i, t in enumerate(raw_tables) if t.first_line <= number), default=0)
            extra[index] += found
    forms = []
    for raw, notes in zip(raw_tables, extra):
        forms.append(table_form(read_table(raw), source=source, document=document, extra_notes=tuple(notes),
                                place=place))
    return forms


def parse_annex(text: str, *, source: str) -> list[Form]:
    """Every table of an annex text, as Forms in the annex's order (pure: no file or Excel access)."""
    return parse_lines(lex(text), source=source)


# ---------------------------------------------------------------------------------------------- files


def bundled_annex_path() -> Path:
    """The copy of the published 2020 annex shipped inside the package."""
    from importlib import resources

    return Path(str(resources.files("xl_tools.data").joinpath(BUNDLED_ANNEX)))


def read_annex(path: str | Path) -> list[Form]:
    """Parse an annex file: the text dump (UTF-8 or GB18030), a Word document (.docx/.docm; .doc/.wps/.rtf/.odt
    through LibreOffice) or a PDF with a text layer, told apart by content. Raises InputError (Chinese, naming
    the file) when it cannot be read or holds no table."""
    from xl_tools.annex.sources import check_size, read_document, sniff

    path = Path(path)
    try:
        check_size(path)
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("找不到附件文件：请检查文件名和路径", path=str(path)) from exc
    except IsADirectoryError as exc:
        raise InputError("这是一个文件夹，不是附件文件：请指定附件的 Word 文件（.docx）或文本文件（.txt）",
                         path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"无法读取附件文件（{exc.strerror or exc}）：请检查文件权限", path=str(path)) from exc
    kind = sniff(path, data)
    if kind != "text":
        doc, caution = read_document(path, kind)
        forms = parse_lines(doc.lines, source=str(path), place=doc.place, attached=doc.attached)
        if caution:             # said on every form of the file, right after where it came from
            forms = [replace(f, notes=(f.notes[0], caution, *f.notes[1:])) for f in forms]
    else:
        try:
            text = decode(data)
        except UnicodeDecodeError as exc:
            raise InputError("附件不是文本文件（既不是 UTF-8 也不是 GBK 编码），也不是 Word 或 PDF 文件：请给出附件的 "
                             "Word 文件（.docx），或另存为 UTF-8 编码的 .txt 文件后重试", path=str(path)) from exc
        forms = parse_annex(text, source=str(path))
    if not forms:
        raise InputError("附件中没有找到绩效目标表：表格应以“省财政专项转移支付绩效目标表(二级项目-地市)”为标题，"
                         "文本附件每行各栏用制表符分隔", path=str(path))
    return forms


def workbook_names(forms: list[Form]) -> dict[str, list[Form]]:
    """File stem → Forms: one workbook per city (cities in GB/T 2260 order), 未识别地市N for the rest."""
    groups: dict[str, list[Form]] = {}
    unknown = 0
    for form in sorted(forms, key=lambda f: order_key(f.city)):
        if form.city:
            groups.setdefault(form.city, []).append(form)
        else:
            unknown += 1
            groups[f"未识别地市{unknown}"] = [form]
    return groups


def write_city_workbooks(forms: list[Form], out_dir: str | Path, *,
                         inputs: tuple[str | Path, ...] = ()) -> list[tuple[Path, list[Form]]]:
    """Write ``out_dir/<city>.xlsx`` for each city (atomically); never over one of ``inputs``."""
    from xl_tools.fileio import refuse_input_overwrite
    from xl_tools.workbook.writer import write_forms

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("输出位置是一个文件，不是文件夹：请用 -o 指定一个文件夹", path=str(out))
    plan = [(out / f"{stem}.xlsx", group) for stem, group in workbook_names(forms).items()]
    for target, _ in plan:                      # check every target before writing any
        refuse_input_overwrite(target, inputs)
    return [(Path(write_forms(group, target)), group) for target, group in plan]


def import_annex(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Import an annex file into ``out_dir/<city>.xlsx`` workbooks; returns the paths written."""
    forms = read_annex(path)
    return [p for p, _ in write_city_workbooks(forms, out_dir, inputs=(path,))]
