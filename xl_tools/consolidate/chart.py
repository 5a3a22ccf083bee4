"""The 资金需求 bar chart under the 汇总表 table: one bar per city, sized to print whole on its own page."""

from __future__ import annotations

from collections.abc import Sequence

from xl_tools.consolidate.model import Consolidation
from xl_tools.workbook.addresses import quote_sheet

CHART_GAP_ROWS = 1          # empty rows between the 合计 row and the chart
CHART_CM_PER_CITY = 0.9     # column width per city: each city's name fits under its column, unrotated
CHART_FRAME_CM = 4.0        # value axis, its labels and title
CHART_MIN_WIDTH_CM = 16.0
CHART_HEIGHT_CM = 12.0
HEADER_ROW_POINTS = 20      # the header row prints at about this height (no height of its own)


def add_funding_chart(ws, cons: Consolidation, *, head: int, first: int, last: int, total_row: int,
                       widths: Sequence[float]) -> None:
    """A column chart of 资金需求, one column per city, on a page of its own.

    A manual page break ends the table's last page after the 合计 row, so the chart never straddles a page
    break (half on one page, half on the next) whatever the program's fonts and row heights; its height stays
    within what a page holds under the repeated title and header rows. It widens with the number of cities
    (up to the table's width) so every city is named under its column; each column shows its amount.
    """
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, NumFmt, StrRef
    from openpyxl.chart.label import DataLabelList
    from openpyxl.descriptors import Typed
    from openpyxl.worksheet.pagebreak import Break

    from xl_tools.workbook.printsetup import body_size_points, columns_width_points, points_to_cm

    class _DataLabels(DataLabelList):
        """Data labels with a number format of their own: openpyxl's omits sourceLinked="0", and programs then
        show the cells' #,##0.00."""

        numFmt = Typed(expected_type=NumFmt, allow_none=True)
        __elements__ = DataLabelList.__elements__
        __attrs__ = DataLabelList.__attrs__
        __nested__ = tuple(name for name in DataLabelList.__nested__ if name != "numFmt")

    count = last - first + 1
    chart = BarChart()
    chart.type = "col"
    chart.style = 10
    chart.title = "各地市资金需求（万元）"
    chart.x_axis.title = "地市"
    chart.y_axis.title = "万元"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=5, min_row=head, max_row=last), titles_from_data=True)
    (series,) = chart.series
    series.cat = AxDataSource(strRef=StrRef(f=f"{quote_sheet(ws.title)}!$A${first}:$A${last}"))  # names, not numbers
    integral = all(c.funding_wan is None or c.funding_wan == c.funding_wan.to_integral_value()
                   for c in cons.cities)
    labels = _DataLabels(numFmt=NumFmt(formatCode="#,##0" if integral else "#,##0.00", sourceLinked=False))
    labels.showVal = True
    labels.showSerName = labels.showCatName = labels.showLegendKey = False
    labels.position = "outEnd"
    chart.dataLabels = labels
    chart.x_axis.tickLblSkip = 1                   # every city's name, however many
    chart.x_axis.tickMarkSkip = 1
    chart.x_axis.delete = False
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.delete = False

    page_width, page_height = body_size_points()
    repeated = sum(ws.row_dimensions[r].height or HEADER_ROW_POINTS for r in range(1, head + 1))
    room = page_height - repeated - CHART_GAP_ROWS * HEADER_ROW_POINTS - 24      # 24 pt to spare
    table = points_to_cm(min(columns_width_points(widths), page_width))
    chart.width = round(min(max(CHART_MIN_WIDTH_CM, CHART_FRAME_CM + CHART_CM_PER_CITY * count), table), 2)
    chart.height = round(min(CHART_HEIGHT_CM, points_to_cm(room)), 2)
    ws.row_breaks.append(Break(id=total_row))        # the chart starts a new page
    ws.add_chart(chart, f"A{total_row + CHART_GAP_ROWS + 1}")
