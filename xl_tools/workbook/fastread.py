"""The fast reading path: python-calamine for values and merges, the workbook XML for defined names.

The workbook XML comes from the pre-flight (:attr:`xl_tools.workbook.safety.InputScan.workbook_xml`), which
inflated every part of the file already: nothing here opens the archive again.
"""

from __future__ import annotations

import re
from pathlib import Path

from xl_tools.errors import NotAFormError
from xl_tools.workbook import layout as L

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_EXPAT = _NS[1:]          # expat (namespace_separator "}") names elements "uri}local", without the "{"
_DEFINED_NAMES = _NS_EXPAT + "definedNames"

Names = tuple[dict[str, str], dict[int, dict[str, str]]]


def defined_names_from_xml(data: bytes) -> Names:
    """The defined names of a workbook part, as :func:`defined_names_tree` reads them, at expat's speed.

    ElementTree builds an object per element of the part just to reach ``<definedNames>``; here expat calls
    back only at element boundaries and the text of each name is gathered directly. Anything unusual
    (broken XML, a DTD) goes through the defusedxml reading, so errors stay exactly what they were.
    """
    from xml.parsers import expat

    plain = _plain_names(data)
    if plain is not None:
        return plain
    collector = _NameCollector()
    parser = expat.ParserCreate(None, "}")
    parser.buffer_text = True
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.chars
    parser.StartDoctypeDeclHandler = collector.refuse
    parser.EntityDeclHandler = collector.refuse
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Unusual):
        return defined_names_tree(data)
    return collector.result()


# --- the plain case: a workbook part as Excel, WPS and openpyxl write it ------------------------------------------
#
# expat checks the part (well-formed, namespaces bound, no DTD) without calling back into Python; then the names
# are cut out by regexes. That is used only when the part is plain enough that they surely see what ElementTree
# sees: UTF-8, one unprefixed <definedNames> right under a root in the spreadsheet namespace, holding only
# <definedName name="…" [localSheetId="N"]>ref</definedName> with no entity, markup or CR in it. Anything else
# (a comment, CDATA, a prefix, another attribute, an &amp;…) goes to the expat callbacks.

_XML_DECL = re.compile(rb'<\?xml\s[^?>]*\?>\s*')
_UTF8_DECL = re.compile(rb'\sencoding\s*=\s*["\'](?i:utf-8)["\']')
_TAG = re.compile(rb'<(/?)[^\s/>!?]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*\s*(/?)>')
_ROOT = re.compile(rb'<[^\s/>:!?]+(?:[^>"\']|"[^"]*"|\'[^\']*\')*?\sxmlns\s*=\s*'
                   rb'(["\'])http://schemas\.openxmlformats\.org/spreadsheetml/2006/main\1')


def _plain_names(data: bytes) -> Names | None:
    """The defined names of a plain workbook part (see above), None when the part is not plain or not valid."""
    from xml.parsers import expat

    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    decl = _XML_DECL.match(body)
    if decl and b"encoding" in decl.group(0) and not _UTF8_DECL.search(decl.group(0)):
        return None
    if not body.startswith(b"<"):
        return None
    parser = expat.ParserCreate(None, "}")      # namespace-aware, as ElementTree: unbound prefixes are errors
    parser.StartDoctypeDeclHandler = _refuse
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Unusual):
        return None
    count = body.count(b"definedNames")
    if count == 0:
        return {}, {}                           # no element of that name anywhere (markup is never escaped)
    start, end = body.find(b"<definedNames>"), body.find(b"</definedNames>")
    if count != 2 or start < 0 or end < start:
        return None
    head = body[decl.end() if decl else 0:start]
    if b"<!" in head or b"<?" in head or not _ROOT.match(head):
        return None
    depth = tags = 0
    for m in _TAG.finditer(head):
        tags += 1
        depth += 0 if m.group(2) else (-1 if m.group(1) else 1)
    if depth != 1 or tags != head.count(b"<"):  # <definedNames> is a child of the root
        return None
    return _plain_block(body[start + len(b"<definedNames>"):end])


# The shape Excel, WPS and openpyxl give every name: name="…", maybe localSheetId="N", then the ref as text.
_PLAIN_NAME = r'<definedName name="([^"&<>\t\n\r]*)"(?: localSheetId="([0-9]+)")?>([^<&\r]*)</definedName>'
_PLAIN_NAMES = re.compile(r"(?:" + _PLAIN_NAME + r")*")
_PLAIN_NAME_RE = re.compile(_PLAIN_NAME)


def _plain_block(block: bytes) -> Names | None:
    """The names in the content of <definedNames> when it is only names of the usual shape (no entity, no
    other attribute or markup), else None: two C-level regex passes instead of Python work per element."""
    text = block.decode("utf-8")
    if not _PLAIN_NAMES.fullmatch(text):
        return None
    return _split_scopes((name, ref or None, scope or None) for name, scope, ref in _PLAIN_NAME_RE.findall(text))


def _refuse(*_args) -> None:
    raise _Unusual


def defined_names_tree(data: bytes) -> Names:
    """The reference reading through defusedxml's ElementTree (the slow path, and the one errors come from)."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(data)
    pairs = []
    names = root.find(f"{_NS}definedNames")
    for dn in names if names is not None else ():
        pairs.append((dn.get("name"), dn.text, dn.get("localSheetId")))
    return _split_scopes(pairs)


def _split_scopes(pairs) -> Names:
    """(name, text, localSheetId) triples → (workbook names, {sheet index: names}); blank ones dropped."""
    book: dict[str, str] = {}
    local: dict[int, dict[str, str]] = {}
    for name, text, scope in pairs:
        text = (text or "").strip()
        if not name or not text:
            continue
        if scope is None:
            book[name] = text
        else:
            local.setdefault(int(scope), {})[name] = text
    return book, local


class _Unusual(Exception):
    """A DTD or entity declaration: leave it to defusedxml (which refuses it the way it always has)."""


class _NameCollector:
    """Expat callbacks that keep what ElementTree's ``root.find(definedNames)`` children would show.

    Only the first ``definedNames`` element directly under the root counts (as ``find`` does); each child's
    text is the character data before its first sub-element (ElementTree's ``.text``).
    """

    __slots__ = ("depth", "state", "pairs", "current", "text", "child_depth")

    def __init__(self) -> None:
        self.depth = 0
        self.state = 0          # 0: before definedNames, 1: inside it, 2: after it (ignore the rest)
        self.pairs: list[list] = []
        self.current: list | None = None     # [name, text parts, localSheetId] of the name being read
        self.text: list[str] | None = None   # where character data goes (None: nowhere)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.state == 0:
            if self.depth == 2 and tag == _DEFINED_NAMES:
                self.state = 1
        elif self.state == 1:
            if self.depth == 3:
                parts: list[str] = []
                self.current = [attrs.get("name"), parts, attrs.get("localSheetId")]
                self.pairs.append(self.current)
                self.text = parts
            else:
                self.text = None        # a sub-element ends the child's .text

    def end(self, tag: str) -> None:
        self.depth -= 1
        if self.state == 1:
            if self.depth == 2:
                self.text = None
            elif self.depth == 1:
                self.state = 2

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def refuse(self, *_args) -> None:
        raise _Unusual

    def result(self) -> Names:
        return _split_scopes((name, "".join(parts) if parts else None, scope)
                             for name, parts, scope in self.pairs)


def read_grids(p: Path, name: str, workbook_xml: bytes | None) -> tuple[list[L.Grid], str | None]:
    """Every worksheet of the workbook as a Grid, and the template version (None for hand-made workbooks).

    ``workbook_xml`` is the file's ``xl/workbook.xml`` as the pre-flight inflated it (None: there is none).

    Reserved sheets (:func:`layout.is_reserved_sheet`: never forms) come back with their title only, the hidden
    lists sheet with the row of its version cell.
    """
    import python_calamine

    from xl_tools.workbook.safety.limits import GRID_MAX_COLS, GRID_MAX_ROWS

    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(p))
        if workbook_xml is None:
            raise KeyError("There is no item named 'xl/workbook.xml' in the archive")   # as zipfile says it
        book_names, local_names = defined_names_from_xml(workbook_xml)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise NotAFormError(f"工作簿已损坏或格式不受支持，无法打开（{type(exc).__name__}）："
                            "请在 Excel/WPS 中打开并“另存为” .xlsx 后再试", path=name) from exc
    grids: list[L.Grid] = []
    version = None
    try:
        for index, meta in enumerate(wb.sheets_metadata):
            if "WorkSheet" not in str(meta.typ):
                continue
            sheet = wb.get_sheet_by_name(meta.name)        # every sheet is loaded: a broken one is refused
            if L.is_reserved_sheet(meta.name):
                # Never a form: only the title counts, and the lists sheet's version row.
                version_row = L.parse_a1(L.VERSION_CELL)[0]
                rows = sheet.to_python(skip_empty_area=False, nrows=version_row) if meta.name == L.LISTS_SHEET else []
                grid = L.Grid(rows=rows, title=meta.name, hidden="Visible" not in str(meta.visible))
                if meta.name == L.LISTS_SHEET:
                    version = grid.text(version_row, L.parse_a1(L.VERSION_CELL)[1]) or None
                grids.append(grid)
                continue
            rows = sheet.to_python(skip_empty_area=False)
            if len(rows) > GRID_MAX_ROWS:
                rows = rows[:GRID_MAX_ROWS]
            if rows and max(map(len, rows)) > GRID_MAX_COLS:    # else calamine's own lists are kept as they are
                rows = [r[:GRID_MAX_COLS] for r in rows]
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                      for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or ())]
            names = L.names_for_sheet(meta.name, local_names.get(index, {}), book_names)
            grids.append(L.Grid(rows=rows, names=names, merged=merged, title=meta.name,
                                hidden="Visible" not in str(meta.visible)))
    except Exception as exc:  # a sheet calamine cannot load (missing part, broken XML): the file is broken
        raise NotAFormError(f"工作簿已损坏，其中的工作表无法读取（{type(exc).__name__}）："
                            "请在 Excel/WPS 中打开并“另存为” .xlsx 后再试", path=name) from exc
    finally:
        wb.close()
    return grids, version
