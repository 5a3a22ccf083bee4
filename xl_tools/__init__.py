"""xl_tools: the 绩效目标表 toolkit (validate, consolidate, summarise) for Excel and the command line.

Keep this module import-light: a ribbon click imports it.
"""

import os as _os

__version__ = "0.1.0"

# openpyxl writes through lxml when lxml is installed (python-docx, for Word annexes, brings it) and through
# ElementTree otherwise, and the two give different bytes. Pin ElementTree before openpyxl is first imported,
# so a workbook we write is the same file on every machine, and xl_tools.workbook.serialise (which writes
# plain cells as openpyxl's ElementTree writer does) is the writer in use. A user may still set the variable.
_os.environ.setdefault("OPENPYXL_LXML", "False")
