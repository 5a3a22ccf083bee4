"""Pre-flight checks of an input workbook BEFORE any parser touches it.

``check_input_file(path)`` raises :class:`~xl_tools.errors.NotAFormError` (Chinese, naming the file and the fix)
for: a missing file, a folder or device, an Office lock file (``~$``), an empty file, a file that is not a zip
(legacy .xls, a password-encrypted workbook, HTML/CSV/PDF/… renamed .xlsx), a truncated or corrupt zip, a zip
bomb, XML with a DOCTYPE/ENTITY declaration, and a workbook with an absurd amount of content.
``inspect_input_file(path)`` does the same and returns what it measured (:class:`InputScan`), including the
inflated ``xl/workbook.xml`` the reader needs, so a file is read once.

Modules, by concern:

- :mod:`.check`         the public check: the file itself (exists, kind, lock file, first bytes), then the zip;
- :mod:`.limits`        the limits, what the check hands on (:class:`InputScan`, :class:`SheetExtent`), wording;
- :mod:`.ole`           OLE compound files (legacy .xls, encrypted workbooks, .doc) recognised and described;
- :mod:`.not_workbook`  files that are not workbooks (PDF, images, HTML, CSV, .docx, .ods, …) described;
- :mod:`.container`     the zip: entries, declared sizes and ratios (before inflating), the workbook part;
- :mod:`.parts`         one XML part: inflated in bounded steps (bytes counted, CRC checked), parsed by expat;
- :mod:`.sheets`        a worksheet measured: cells, extent, merged cells (regexes for plain parts, else expat).

Limits, and why:

- declared sizes first: the sum of the entries' uncompressed sizes above :data:`MAX_TOTAL_UNCOMPRESSED`, or an
  entry above :data:`RATIO_MIN_SIZE` that inflates more than :data:`MAX_RATIO` times, is refused before
  anything is inflated;
- declared sizes are not trusted: every XML part is then inflated, in chunks, counting the bytes (an entry that
  inflates past its declared size is refused as a zip bomb, a CRC that does not match as corrupt), before
  openpyxl or calamine (Rust, which would inflate on its own) sees the file;
- XML parts are parsed by expat as a stream; a DOCTYPE stops the parse at once (no entity is ever declared, let
  alone expanded). openpyxl also uses defusedxml when it is installed; calamine does not expand custom entities;
- worksheets: cell elements are counted (more than :data:`MAX_CELLS` is refused), so are the cells merged ranges
  cover (more than :data:`MAX_MERGED_CELLS` is refused: openpyxl makes an object per covered cell), and the
  extent of the cells holding a value is measured. A value far away (``XFD1048576``) is legal, but calamine
  allocates the whole rectangle up to it (a 16384 x 1048576 grid aborts the process): :attr:`InputScan.dense_ok`
  tells the reader whether the dense engine may be used, and :data:`GRID_MAX_ROWS` / :data:`GRID_MAX_COLS`
  bound the grid a reader builds (values beyond them are not part of any form and are ignored).

No network, no macros: .xlsm files are read as data (the VBA project is never loaded or run).
"""

from __future__ import annotations

from xl_tools.workbook.inputs import is_lock_file
from xl_tools.workbook.safety.check import check_input_file, check_template_version, inspect_input_file
from xl_tools.workbook.safety.limits import (DENSE_MAX_AREA, FIX_RESEND, FIX_SAVE_AS, GRID_MAX_COLS, GRID_MAX_ROWS,
                                             MAX_CELLS, MAX_ENTRIES, MAX_MERGED_CELLS, MAX_RATIO,
                                             MAX_TOTAL_UNCOMPRESSED, RATIO_MIN_SIZE, READABLE_SUFFIXES, InputScan,
                                             SheetExtent)
from xl_tools.workbook.safety.ole import ole_stream_names

__all__ = [
    "DENSE_MAX_AREA", "FIX_RESEND", "FIX_SAVE_AS", "GRID_MAX_COLS", "GRID_MAX_ROWS", "MAX_CELLS", "MAX_ENTRIES",
    "MAX_MERGED_CELLS", "MAX_RATIO", "MAX_TOTAL_UNCOMPRESSED", "RATIO_MIN_SIZE", "READABLE_SUFFIXES", "InputScan",
    "SheetExtent", "check_input_file", "check_template_version", "inspect_input_file", "is_lock_file",
    "ole_stream_names",
]
