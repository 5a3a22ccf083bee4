"""A thin writer over one worksheet of the provincial workbook: styles built once, text that is never a formula,
numbers, and formulas that carry their computed value (kept in ``cached`` for :mod:`.saving`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from xl_tools.workbook.addresses import col_letter, quote_sheet
from xl_tools.workbook.celltext import write_text_cell

LINE_HEIGHT = 13.5                     # points per wrapped line at 10pt


class SheetWriter:
    """A thin writer over one worksheet: styles, text that is never a formula, formulas with cached values."""

    def __init__(self, ws, cached: dict) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.ws = ws
        self.cached = cached
        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name="宋体", size=10)
        self.bold = Font(name="宋体", size=10, bold=True)
        self.title_font = Font(name="黑体", size=14, bold=True)
        self.link_font = Font(name="宋体", size=10, color="0563C1", underline="single")
        self.head_fill = PatternFill("solid", fgColor="D9E1F2")
        self.total_fill = PatternFill("solid", fgColor="F2F2F2")
        self.error_fill = PatternFill("solid", fgColor="FFC7CE")
        self.warning_fill = PatternFill("solid", fgColor="FFEB9C")
        self.unreported_fill = PatternFill("solid", fgColor="EDEDED")
        self.wrap = Alignment(wrap_text=True, vertical="center")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.number_align = Alignment(horizontal="right", vertical="center")
        self._styles: dict[tuple, object] = {}

    def text(self, row: int, col: int, value: object, *, bold: bool = False, wrap: bool = True, fill=None):
        """A text cell: written as a string even when it starts with = + - @ (never a formula), without the
        characters XML cannot hold, cut to Excel's limit (:func:`xl_tools.workbook.celltext.write_text_cell`)."""
        cell = self.ws.cell(row=row, column=col)
        attrs = {"fill": fill} if fill is not None else {}
        self._style(cell, ("text", bold, wrap, id(fill) if fill is not None else None),
                    font=self.bold if bold else self.font, alignment=self.wrap if wrap else self.center,
                    border=self.border, **attrs)
        write_text_cell(cell, "" if value is None else str(value))      # after the style: it sets quotePrefix
        return cell

    def _style(self, cell, key: tuple, **attrs) -> None:
        """Apply a style combination; openpyxl is slow to hash styles, so each combination is built once."""
        from copy import copy

        proto = self._styles.get(key)
        if proto is None:
            for name, value in attrs.items():
                setattr(cell, name, value)
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(proto)

    def number(self, row: int, col: int, value: Decimal | int | None, *, fmt: str = "General", bold=False):
        cell = self.ws.cell(row=row, column=col)
        cell.value = excel_number(value)
        self._style(cell, ("number", fmt, bold), number_format=fmt, font=self.bold if bold else self.font,
                    alignment=self.number_align, border=self.border)
        return cell

    def formula(self, row: int, col: int, formula: str, cached: Decimal | int | None, *, fmt="General",
                bold=False):
        """A live formula whose computed value is stored too (patched into the XML on save)."""
        cell = self.ws.cell(row=row, column=col)
        cell.value = "=" + formula.lstrip("=")
        self._style(cell, ("number", fmt, bold), number_format=fmt, font=self.bold if bold else self.font,
                    alignment=self.number_align, border=self.border)
        if cached is not None:
            self.cached.setdefault(self.ws.title, {})[cell.coordinate] = excel_number(cached)
        return cell

    def link(self, cell, sheet: str | None, target: str | None) -> None:
        """An internal hyperlink (``#'广州'!D15``): a location inside this workbook, never a file or URL."""
        from openpyxl.worksheet.hyperlink import Hyperlink

        if not sheet:
            return
        location = f"{quote_sheet(sheet)}!{target or 'A1'}"
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location, display=str(cell.value or ""))
        cell.font = self.link_font

    def title(self, text: str, width: int, subtitle: str | None = None) -> int:
        """Title (row 1) and optional subtitle (row 2) across ``width`` columns; returns the header row."""
        from openpyxl.styles import Alignment

        self.ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        cell = self.ws.cell(row=1, column=1, value=text)
        cell.data_type = "s"
        cell.font = self.title_font
        cell.alignment = Alignment(horizontal="center", vertical="center")
        self.ws.row_dimensions[1].height = 28
        if subtitle is None:
            return 2
        self.ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        sub = self.ws.cell(row=2, column=1, value=subtitle)
        sub.data_type = "s"
        sub.font = self.font
        sub.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.ws.row_dimensions[2].height = 30
        return 3

    def header(self, row: int, labels: Sequence[str]) -> None:
        for col, label in enumerate(labels, start=1):
            cell = self.text(row, col, label, bold=True, wrap=False)
            cell.fill = self.head_fill

    def widths(self, widths: Sequence[float]) -> None:
        for col, width in enumerate(widths, start=1):
            self.ws.column_dimensions[col_letter(col)].width = width

    def fit_rows(self, first: int, last: int) -> None:
        """Grow rows so wrapped text shows in full (LibreOffice and phone previews do not auto-fit)."""
        from xl_tools.workbook.printsetup import fit_row_heights

        fit_row_heights(self.ws, first, last, line_height=LINE_HEIGHT)

    def print_ready(self, header_row: int, *, filter_cols: int | None = None, last_row: int | None = None) -> None:
        """A4 landscape, fit to one page wide, title rows repeated, frozen header, page numbers."""
        from xl_tools.workbook.printsetup import print_one_page_wide

        ws = self.ws
        print_one_page_wide(ws, title_rows=(1, header_row))
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
        if filter_cols and last_row and last_row > header_row:
            ws.auto_filter.ref = f"A{header_row}:{col_letter(filter_cols)}{last_row}"


def excel_number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def replace_sheet(wb, title: str, index: int):
    if title in wb.sheetnames:
        old = wb[title]
        wb.remove(old)
    return wb.create_sheet(title, index)
