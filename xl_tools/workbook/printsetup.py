"""Print setup shared by the list-like sheets we write (the 校验结果 of a marked copy, the provincial summary
sheets): A4 landscape, one page wide and as many pages high as needed, the header rows repeated on every
page, page numbers in the footer.

The footer sits 0.3 in above the paper edge and the body ends 0.75 in above it, so the footer line has room
(LibreOffice cuts a footer whose margin is too close to the bottom margin).

Also the page geometry a writer needs to keep a drawing (a chart) within one printed page.
"""

from __future__ import annotations

from collections.abc import Iterable

PAGE_NUMBER_FOOTER = "第 &P 页，共 &N 页"

A4_INCHES = (8.27, 11.69)                 # portrait width, height
SIDE_MARGIN = 0.4                         # inches, left and right
TOP_MARGIN = BOTTOM_MARGIN = 0.75         # where the body starts / ends
HEADER_MARGIN = FOOTER_MARGIN = 0.3       # where the header / footer line sits
POINTS_PER_INCH = 72
CM_PER_INCH = 2.54


def print_one_page_wide(ws, *, title_rows: tuple[int, int] = (1, 1), landscape: bool = True) -> None:
    """A4 (landscape unless told), fit to one page wide and any number high, rows ``title_rows`` (first,
    last) repeated at the top of every page, centred horizontally, ``第 N 页，共 M 页`` in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = TOP_MARGIN
    ws.page_margins.bottom = BOTTOM_MARGIN
    ws.page_margins.header = HEADER_MARGIN
    ws.page_margins.footer = FOOTER_MARGIN
    first, last = title_rows
    ws.print_title_rows = f"{first}:{last}"
    ws.oddFooter.center.text = PAGE_NUMBER_FOOTER


def body_size_points(*, landscape: bool = True) -> tuple[float, float]:
    """Width and height (points) of the printed body of an A4 page set up by :func:`print_one_page_wide`,
    before any scaling."""
    width, height = A4_INCHES if not landscape else (A4_INCHES[1], A4_INCHES[0])
    return ((width - 2 * SIDE_MARGIN) * POINTS_PER_INCH,
            (height - TOP_MARGIN - BOTTOM_MARGIN) * POINTS_PER_INCH)


def column_width_points(width: float) -> float:
    """A column ``width`` (Excel's characters of the default 11 pt font) in points, as Excel on Windows
    draws it (7 px per character plus 5 px padding at 96 px per inch). Programs substituting a wider font
    for the default one (LibreOffice without Calibri) draw columns wider and print them scaled down."""
    return (width * 7 + 5) * 0.75


def columns_width_points(widths: Iterable[float]) -> float:
    return sum(column_width_points(w) for w in widths)


def points_to_cm(points: float) -> float:
    return points / POINTS_PER_INCH * CM_PER_INCH


def fit_row_heights(ws, first: int, last: int, *, line_height: float) -> None:
    """Grow rows ``first``..``last`` so their wrapped text shows in full when printed: LibreOffice and phone
    previews do not auto-fit row heights, so a row left at the default shows one line and cuts the rest.

    ``line_height`` is the points per wrapped line of the cells' font (13.5 at 10 pt, 15 at 11 pt). Only
    text cells with wrapping on count; the widest need of a row sets its height (at most Excel's 409 pt).
    """
    from xl_tools.workbook.writer import estimate_lines

    widths: dict[str, float] = {}
    wraps: dict[int, bool] = {}             # alignment id → wrap_text: the style proxy is slow to build per cell
    # One pass with the width fixed once: ``ws[row]`` rescans every cell for the max column on each row,
    # which made a 校验结果 of 30,000 findings take minutes.
    rows = ws.iter_rows(min_row=first, max_row=last, max_col=ws.max_column) if last >= first else ()
    for row, cells in enumerate(rows, start=first):
        lines = 1
        for cell in cells:
            if not isinstance(cell.value, str) or cell.data_type == "f":
                continue
            align_id = cell._style.alignmentId if cell.has_style else 0
            if align_id not in wraps:
                wraps[align_id] = bool(cell.alignment.wrap_text)
            if not wraps[align_id]:
                continue
            letter = cell.column_letter
            if letter not in widths:
                dim = ws.column_dimensions.get(letter)
                widths[letter] = dim.width if dim is not None and dim.width else 8.43
            lines = max(lines, estimate_lines(cell.value, widths[letter]))
        if lines > 1:
            ws.row_dimensions[row].height = min(lines * line_height + 4, 409)
