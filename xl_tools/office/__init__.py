"""Run a real spreadsheet program (headless LibreOffice) and poppler over the workbooks we write.

``soffice``  finds LibreOffice and runs it headless with a private profile (recalculate on load, timeout).
``convert``  workbook → PDF / recalculated xlsx / CSV per sheet; a copy showing only some sheets.
``poppler``  PDF page sizes, page text, PNG pages (pdfinfo, pdftotext, pdftoppm).
``render``   the ``xl-tools render`` library function: workbook → PDF + PNG pages for a person to look at.

Only the standard library is imported at module level (a ribbon click must stay fast).
"""

from __future__ import annotations

from xl_tools.office.convert import (
    convert,
    hide_other_sheets,
    to_csv,
    to_pdf,
    to_recalculated_xlsx,
)
from xl_tools.office.poppler import PageInfo, find_poppler, pdf_pages, pdf_text, pdf_to_png
from xl_tools.office.render import Rendering, render_workbook
from xl_tools.office.soffice import (
    INSTALL_HINT,
    ConversionError,
    OfficeMissingError,
    find_soffice,
    run_soffice,
)

__all__ = [
    "INSTALL_HINT", "ConversionError", "OfficeMissingError", "PageInfo", "Rendering", "convert",
    "find_poppler", "find_soffice", "hide_other_sheets", "pdf_pages", "pdf_text", "pdf_to_png",
    "render_workbook", "run_soffice", "to_csv", "to_pdf", "to_recalculated_xlsx",
]
