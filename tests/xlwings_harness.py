"""Drive real xlwings Books without Excel: .xlsx → remote-engine payload, and recorded actions → openpyxl.

xlwings' remote engine builds a real ``xw.Book`` from the JSON payload an Office.js client would send
(``xw.Book(json=payload)``); every write is recorded as an action in ``book.json()["actions"]`` instead of
reaching a spreadsheet. This module is the missing pair of adapters:

- ``payload_from_xlsx(path)`` reads an .xlsx with openpyxl and builds that payload (book name, active sheet,
  sheets with names, visibility, values grid anchored at A1, used range, notes; defined names, book- and
  sheet-scoped);
- ``replay(actions, source)`` applies the recorded actions to an openpyxl copy of the same file, so a test
  can compare what a ribbon click did with what the file-based CLI writes, and can feed the result into the
  next click (``book_from_xlsx(replayed_path)``), as Excel would hold it.

Formats cannot be read back from a remote book (NotImplementedError), which is why tests assert on actions
or on the replayed file. Unknown actions raise ``UnsupportedAction``: a test must not silently lose a write.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The remote engine is license-gated at import time (PolyForm Noncommercial covers government use).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import openpyxl  # noqa: E402
from openpyxl.comments import Comment  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter, range_boundaries  # noqa: E402
from openpyxl.workbook.defined_name import DefinedName  # noqa: E402
from openpyxl.worksheet.hyperlink import Hyperlink  # noqa: E402

CLIENT = "Office.js"   # the client that supports notes, alignment and gridlines in xlwings 0.37


class UnsupportedAction(Exception):
    """A recorded action the replayer does not know: extend ``replay`` rather than ignore it."""


# --------------------------------------------------------------------------------------------- payload

def _payload_value(value: Any) -> Any:
    """A cell value as Office.js sends it: "" for empty, ISO text for dates, numbers and text as is."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


def _used_extent(ws) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of non-empty cells, None for an empty sheet."""
    min_r = min_c = max_r = max_c = None
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.value == "":
                continue
            r, c = cell.row, cell.column
            min_r = r if min_r is None else min(min_r, r)
            max_r = r if max_r is None else max(max_r, r)
            min_c = c if min_c is None else min(min_c, c)
            max_c = c if max_c is None else max(max_c, c)
    if min_r is None:
        return None
    return min_r, min_c, max_r, max_c


def _sheet_payload(ws_values, ws_formulas) -> dict[str, Any]:
    extent = _used_extent(ws_formulas)
    if extent is None:
        values: list[list[Any]] = [[]]
        used = None
    else:
        min_r, min_c, max_r, max_c = extent
        values = [
            [_payload_value(ws_values.cell(r, c).value) for c in range(1, max_c + 1)]
            for r in range(1, max_r + 1)
        ]
        used = f"{get_column_letter(min_c)}{min_r}:{get_column_letter(max_c)}{max_r}"
    notes = [{"address": cell.coordinate}
             for row in ws_formulas.iter_rows() for cell in row if cell.comment is not None]
    return {
        "name": ws_formulas.title,
        "visibility": _VISIBILITY.get(ws_formulas.sheet_state, "Visible"),
        "values": values,
        "used_range_address": used,
        "pictures": [],
        "shapes": [],
        "charts": [],
        "tables": [],
        "pivot_tables": [],
        "notes": notes,
        "notes_supported": True,
        "print_area": None,
        "show_gridlines": bool(ws_formulas.sheet_view.showGridLines is not False),
    }


_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def _name_payload(name: str, attr_text: str, sheet_names: list[str], scope: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "refers_to": "=" + attr_text,
        "sheet_index": None,
        "address": None,
        "book_scope": scope is None,
        "scope_sheet_index": scope,
        "scope_sheet_name": None if scope is None else sheet_names[scope],
    }
    m = _REF.match(attr_text.strip())
    if m:
        sheet = (m.group(1) or m.group(2)).replace("''", "'")
        if sheet in sheet_names:
            entry["sheet_index"] = sheet_names.index(sheet)
            address = f"{m.group(3)}{m.group(4)}"
            if m.group(5):
                address += f":{m.group(5)}{m.group(6)}"
            entry["address"] = address
    return entry


def payload_from_xlsx(path: str | os.PathLike, *, name: str | None = None, active: str | None = None,
                      selection: str = "A1", client: str = CLIENT) -> dict[str, Any]:
    """The JSON payload an Office.js client would send for the workbook at ``path``.

    Values are the cached results (``data_only``): a formula never calculated by a spreadsheet program
    (a file openpyxl wrote) arrives as "", as it would hold no value in Excel either until recalculated.
    """
    import xlwings

    path = Path(path)
    wb_formulas = openpyxl.load_workbook(path)
    wb_values = openpyxl.load_workbook(path, data_only=True)
    sheet_names = wb_formulas.sheetnames
    active_name = active or wb_formulas.active.title
    sheets = [_sheet_payload(wb_values[n], wb_formulas[n]) for n in sheet_names]
    names = []
    for defined in wb_formulas.defined_names.values():
        scope = defined.localSheetId
        names.append(_name_payload(defined.name, defined.attr_text, sheet_names, scope))
    for ix, ws in enumerate(wb_formulas.worksheets):
        for defined in ws.defined_names.values():
            names.append(_name_payload(defined.name, defined.attr_text, sheet_names, ix))
    return {
        "client": client,
        "version": xlwings.__version__,
        "book": {
            "name": name or path.name,
            "active_sheet_index": sheet_names.index(active_name),
            "selection": selection,
        },
        "sheets": sheets,
        "names": names,
    }


def ensure_remote_engine() -> None:
    """Register the remote engine when xlwings was imported before the license key was set."""
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))


def book_from_payload(payload: dict[str, Any]):
    """A real ``xw.Book`` on the remote engine; it becomes the active book of the remote app."""
    import xlwings as xw

    ensure_remote_engine()
    return xw.Book(json=payload)


def book_from_xlsx(path: str | os.PathLike, **kwargs: Any):
    """``book_from_payload(payload_from_xlsx(path))``."""
    return book_from_payload(payload_from_xlsx(path, **kwargs))


def actions_of(book) -> list[dict[str, Any]]:
    """The actions recorded on ``book`` so far."""
    return book.json()["actions"]


def funcs_of(book_or_actions) -> list[str]:
    """The action names, in order (short assertions)."""
    acts = book_or_actions if isinstance(book_or_actions, list) else actions_of(book_or_actions)
    return [a["func"] for a in acts]


def alerts_of(book_or_actions) -> list[dict[str, str]]:
    """Every alert the actions show: ``{"prompt", "title", "buttons", "mode"}``."""
    acts = book_or_actions if isinstance(book_or_actions, list) else actions_of(book_or_actions)
    out = []
    for a in acts:
        if a["func"] == "alert":
            prompt, title, buttons, mode, _callback = (list(a["args"]) + [""] * 5)[:5]
            out.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
    return out


# --------------------------------------------------------------------------------------------- replay

@dataclass
class Replayed:
    """The outcome of replaying actions: the workbook, where it was saved, and the alerts shown."""

    workbook: Any
    path: Path | None = None
    alerts: list[dict[str, str]] = field(default_factory=list)
    active_sheet: str | None = None
    ignored: list[str] = field(default_factory=list)


# Actions that change nothing a file holds (view state, layout hints) and are safe to skip.
_VIEW_ONLY = {"setAutofit", "setSheetAutofit", "setScreenUpdating", "calculate", "setCalculation",
              "rangeSelect", "save"}


def _fill(hex_color: str | None) -> PatternFill:
    if not hex_color:
        return PatternFill(fill_type=None)
    rgb = hex_color.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color="FF" + rgb, end_color="FF" + rgb)


def _cells(ws, action):
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    for r in range(r0, r0 + action["row_count"]):
        for c in range(c0, c0 + action["column_count"]):
            yield ws.cell(r, c)


def _from_payload_value(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, str):
        m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d):(\d\d))?", value)
        if m:
            parts = [int(p) for p in m.groups() if p is not None]
            return dt.datetime(*parts)
    return value


def _write_like_excel(cell, value: Any) -> None:
    """Store a written value as Excel would: "=…" is a formula, a leading apostrophe forces text."""
    if isinstance(value, str) and value.startswith("'"):
        cell.value = value[1:]
        cell.data_type = "s"
        return
    cell.value = _from_payload_value(value)


def _set_hyperlink(cell, address: str, text: str | None) -> None:
    if address.startswith("#"):
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=address[1:], display=text)
    else:
        cell.hyperlink = address
    if text is not None:
        cell.value = text


def _writable(cell):
    """The cell itself, or the top-left cell of the merged range holding it."""
    from openpyxl.cell.cell import MergedCell

    if isinstance(cell, MergedCell):
        ws = cell.parent
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def replay(actions: list[dict[str, Any]], source: str | os.PathLike, out: str | os.PathLike | None = None,
           *, strict: bool = True) -> Replayed:
    """Apply recorded xlwings actions to an openpyxl copy of ``source`` (never modified); save to ``out``."""
    wb = openpyxl.load_workbook(source)
    result = Replayed(workbook=wb)

    def sheet(action):
        return wb.worksheets[action["sheet_position"]]

    for action in actions:
        func = action["func"]
        args = action.get("args") or []
        if func in _VIEW_ONLY:
            result.ignored.append(func)
            continue
        if func == "alert":
            result.alerts.extend(alerts_of([action]))
        elif func == "setValues":
            ws = sheet(action)
            r0, c0 = action["start_row"] + 1, action["start_column"] + 1
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    cell = ws.cell(r0 + i, c0 + j)
                    if cell.__class__.__name__ == "MergedCell":
                        continue
                    _write_like_excel(cell, value)
        elif func == "setRangeColor":
            for cell in _cells(sheet(action), action):
                cell.fill = _fill(args[0])
        elif func == "setRangeColors":
            matrix = args[0]
            for i, row in enumerate(matrix):
                for j, color in enumerate(row):
                    if color == "keep":
                        continue
                    sheet(action).cell(action["start_row"] + 1 + i, action["start_column"] + 1 + j).fill = _fill(color)
        elif func == "addNote":
            address, text = args[0], args[1]
            cell = sheet(action)[address.replace("$", "")]
            if cell.comment is not None:
                raise UnsupportedAction(f"addNote on {address}, which already has a note (Excel refuses this)")
            cell.comment = Comment(text, "xl_tools")
        elif func == "setNoteText":
            cell = sheet(action)[args[0].replace("$", "")]
            cell.comment = Comment(args[1], "xl_tools")
        elif func == "deleteNote":
            sheet(action)[args[0].replace("$", "")].comment = None
        elif func == "addHyperlink":
            address, text = args[0], args[1] if len(args) > 1 else None
            for cell in _cells(sheet(action), action):
                _set_hyperlink(_writable(cell), address, text)
        elif func == "addSheet":
            ix, name = args[0], args[1]
            wb.create_sheet(title=name, index=ix)
            result.active_sheet = name
        elif func == "sheetDelete":
            wb.remove(sheet(action))
        elif func == "setSheetName":
            sheet(action).title = args[0]
        elif func == "setSheetVisibility":
            sheet(action).sheet_state = {"Visible": "visible", "Hidden": "hidden",
                                         "VeryHidden": "veryHidden"}[args[0]]
        elif func == "setSheetPosition":
            ws = sheet(action)
            wb.move_sheet(ws, offset=args[0] - wb.worksheets.index(ws))
        elif func == "activateSheet":
            result.active_sheet = wb.worksheets[int(args[0])].title
            wb.active = int(args[0])
        elif func in ("sheetClear", "sheetClearContents"):
            ws = sheet(action)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.__class__.__name__ == "MergedCell":
                        continue
                    cell.value = None
                    cell.hyperlink = None
                    if func == "sheetClear":
                        cell.style = "Normal"
                        cell.comment = None
            if func == "sheetClear":
                for rng in list(ws.merged_cells.ranges):
                    ws.unmerge_cells(str(rng))
        elif func in ("rangeClear", "rangeClearContents", "rangeClearFormats"):
            for cell in _cells(sheet(action), action):
                if cell.__class__.__name__ == "MergedCell":
                    continue
                if func != "rangeClearFormats":
                    cell.value = None
                    cell.hyperlink = None
                if func != "rangeClearContents":
                    cell.style = "Normal"
                if func == "rangeClear":
                    cell.comment = None
        elif func == "setFontProperty":
            prop, value = args[0], args[1]
            for cell in _cells(sheet(action), action):
                font = cell.font
                if prop == "bold":
                    font = Font(**{**_font_kwargs(cell.font), "bold": bool(value)})
                elif prop == "italic":
                    font = Font(**{**_font_kwargs(cell.font), "italic": bool(value)})
                elif prop == "size":
                    font = Font(**{**_font_kwargs(cell.font), "size": value})
                elif prop == "color":
                    font = Font(**{**_font_kwargs(cell.font), "color": "FF" + value.lstrip("#").upper()})
                elif prop == "name":
                    font = Font(**{**_font_kwargs(cell.font), "name": value})
                cell.font = font
        elif func == "setNumberFormat":
            for cell in _cells(sheet(action), action):
                cell.number_format = args[0]
        elif func == "setWrapText":
            for cell in _cells(sheet(action), action):
                cell.alignment = Alignment(**{**_alignment_kwargs(cell.alignment), "wrap_text": bool(args[0])})
        elif func == "setHorizontalAlignment":
            for cell in _cells(sheet(action), action):
                cell.alignment = Alignment(**{**_alignment_kwargs(cell.alignment),
                                              "horizontal": args[0].lower()})
        elif func == "setVerticalAlignment":
            for cell in _cells(sheet(action), action):
                cell.alignment = Alignment(**{**_alignment_kwargs(cell.alignment), "vertical": args[0].lower()})
        elif func == "setColumnWidth":
            ws = sheet(action)
            c0 = action["start_column"] + 1
            for c in range(c0, c0 + action["column_count"]):
                # Remote engine widths are points; Excel's character width is ~ points / 5.6 (Calibri 11).
                ws.column_dimensions[get_column_letter(c)].width = round(args[0] / 5.6, 2)
        elif func == "setRowHeight":
            ws = sheet(action)
            r0 = action["start_row"] + 1
            for r in range(r0, r0 + action["row_count"]):
                ws.row_dimensions[r].height = args[0]
        elif func == "setRowHidden":
            ws = sheet(action)
            r0 = action["start_row"] + 1
            for r in range(r0, r0 + action["row_count"]):
                ws.row_dimensions[r].hidden = bool(args[0])
        elif func == "setColumnHidden":
            ws = sheet(action)
            c0 = action["start_column"] + 1
            for c in range(c0, c0 + action["column_count"]):
                ws.column_dimensions[get_column_letter(c)].hidden = bool(args[0])
        elif func == "freezePaneAtRange":
            sheet(action).freeze_panes = _freeze_cell(args[0])
        elif func == "freezePaneUnfreeze":
            sheet(action).freeze_panes = None
        elif func == "rangeMerge":
            ws = sheet(action)
            r0, c0 = action["start_row"] + 1, action["start_column"] + 1
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r0 + action["row_count"] - 1,
                           end_column=c0 + action["column_count"] - 1)
        elif func in ("setFormula", "setFormulaArray"):
            ws = sheet(action)
            values = action["values"] if func == "setFormula" else [[args[0]]]
            if not isinstance(values, list):
                values = [[values] * action["column_count"]] * action["row_count"]
            r0, c0 = action["start_row"] + 1, action["start_column"] + 1
            for i, row in enumerate(values):
                for j, formula in enumerate(row):
                    ws.cell(r0 + i, c0 + j).value = formula
        elif func == "setBorderProperty":
            side, attribute, value = args
            for cell in _cells(sheet(action), action):
                _set_border(cell, side, attribute, value)
        elif func == "namesAdd":
            name, refers_to = args[0], args[1]
            wb.defined_names[name] = DefinedName(name, attr_text=refers_to.lstrip("="))
        elif func == "nameDelete":
            _full, _refers, bare, _sheet_ix, book_scope, scope_ix = (list(args) + [None] * 6)[:6]
            if book_scope:
                wb.defined_names.pop(bare, None)
            else:
                wb.worksheets[scope_ix].defined_names.pop(bare, None)
        elif func == "setNameRefersTo":
            bare, book_scope, scope_ix, value = args
            names = wb.defined_names if book_scope else wb.worksheets[scope_ix].defined_names
            names[bare] = DefinedName(bare, attr_text=value.lstrip("="))
        elif strict:
            raise UnsupportedAction(f"replay does not know the action {func!r}: {action}")
        else:
            result.ignored.append(func)
    if out is not None:
        out = Path(out)
        wb.save(out)
        result.path = out
    return result


def _freeze_cell(frozen: str) -> str | None:
    """openpyxl's freeze cell for an Office.js frozen range: "1:3" → "A4", "A:B" → "C1", "B2" → "C3"."""
    ref = frozen.replace("$", "").upper()
    first, _, last = ref.partition(":")
    last = last or first
    if last.isdigit():
        return f"A{int(last) + 1}"
    if last.isalpha():
        from openpyxl.utils import column_index_from_string

        return f"{get_column_letter(column_index_from_string(last) + 1)}1"
    c1, r1, c2, r2 = range_boundaries(ref)
    return f"{get_column_letter(c2 + 1)}{r2 + 1}"


_SIDES = {"edge_left": "left", "edge_right": "right", "edge_top": "top", "edge_bottom": "bottom"}


def _set_border(cell, side: str, attribute: str, value) -> None:
    """Borders, approximated per cell: edges and inside lines both become the cell's own four sides."""
    from openpyxl.styles import Border, Side

    if attribute != "line_style":
        return
    style = None if value in (None, "none") else "thin"
    sides = {"left", "right", "top", "bottom"} if side in ("all", "inside_vertical", "inside_horizontal",
                                                           "inside", "outside") else {_SIDES.get(side)}
    current = cell.border
    kwargs = {k: getattr(current, k) for k in ("left", "right", "top", "bottom")}
    for k in sides:
        if k:
            kwargs[k] = Side(style=style)
    cell.border = Border(**kwargs)


def _font_kwargs(font) -> dict[str, Any]:
    return {"name": font.name, "size": font.sz, "bold": font.b, "italic": font.i, "underline": font.u,
            "strike": font.strike, "color": font.color}


def _alignment_kwargs(al) -> dict[str, Any]:
    return {"horizontal": al.horizontal, "vertical": al.vertical, "wrap_text": al.wrap_text,
            "shrink_to_fit": al.shrink_to_fit, "indent": al.indent, "text_rotation": al.text_rotation}


def click(entry_point, xlsx: str | os.PathLike, out: str | os.PathLike, **payload_kwargs: Any):
    """Run ``entry_point()`` the way RunPython would (mock caller = the book of ``xlsx``), replay to ``out``.

    Returns ``(book, replayed, value)``; ``value`` is what the entry point returned.
    """
    book = book_from_xlsx(xlsx, **payload_kwargs)
    book.set_mock_caller()
    try:
        value = entry_point()
    finally:
        clear_mock_caller()
    replayed = replay(actions_of(book), xlsx, out)
    return book, replayed, value


def clear_mock_caller() -> None:
    """Undo ``Book.set_mock_caller()`` so a later test cannot pick up a stale book."""
    import xlwings as xw

    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller


def cell_fill(ws, address: str) -> str | None:
    """The solid fill of a cell as ``#RRGGBB``, None when it has none."""
    fill = ws[address].fill
    if fill is None or fill.fill_type != "solid":
        return None
    rgb = fill.start_color.rgb if fill.start_color is not None else None
    if not isinstance(rgb, str):
        return None
    return "#" + rgb[-6:].upper()


__all__ = [
    "CLIENT", "UnsupportedAction", "payload_from_xlsx", "book_from_payload", "book_from_xlsx", "actions_of",
    "funcs_of", "alerts_of", "Replayed", "replay", "click", "clear_mock_caller", "cell_fill", "range_boundaries",
]
