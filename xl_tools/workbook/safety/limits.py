"""The pre-flight's limits, what it hands on (:class:`InputScan`), and the wording its refusals share."""

from __future__ import annotations

from dataclasses import dataclass, field

from xl_tools.errors import NotAFormError

MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024     # bytes, sum of all entries' declared uncompressed sizes
MAX_RATIO = 100                                 # uncompressed / compressed, for entries above RATIO_MIN_SIZE
RATIO_MIN_SIZE = 1024 * 1024                    # small entries may compress very well and are harmless
MAX_ENTRIES = 10_000                            # zip entries
MAX_CELLS = 500_000                             # cell elements (with a value or only a style), all sheets together
MAX_MERGED_CELLS = 10_000                       # cells covered by merged ranges, all sheets: openpyxl styles one
                                                # object per covered cell (~0.4 ms each: A1:XFD1 takes 6 s,
                                                # A1:XFD1048576 never finishes); a form covers a few hundred
GRID_MAX_ROWS = 20_000                          # the form area a reader looks at (rows)
GRID_MAX_COLS = 256                             # the form area a reader looks at (columns, up to IV)
DENSE_MAX_AREA = 2_000_000                      # rows x columns a dense engine (calamine) may allocate per sheet
CHUNK = 1 << 16                                 # bytes read or inflated in one step
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")   # what openpyxl and calamine open as OOXML workbooks
WORKBOOK_XML = "xl/workbook.xml"                # the part whose defined names the calamine reader uses

FIX_SAVE_AS = "请在 Excel 或 WPS 中打开它，“另存为” Excel 工作簿（.xlsx）后重试"
FIX_RESEND = "请在 Excel 或 WPS 中打开并“另存为” .xlsx 后重试；打不开时请报送单位重新发送原文件"


@dataclass
class SheetExtent:
    """What a worksheet part really holds: cells with a value, and the last row/column among them."""

    part: str
    cells: int = 0                 # cells holding a value
    elements: int = 0              # every <c> element, styled-only ones too
    merged_cells: int = 0          # cells covered by merged ranges
    max_row: int = 0
    max_col: int = 0
    odd_refs: bool = False         # a cell reference that is not plain A1 ("$A$1", "B"): extent unknown

    @property
    def area(self) -> int:
        return self.max_row * self.max_col


@dataclass
class InputScan:
    """The result of a pre-flight check of one workbook file that passed."""

    path: str
    size: int
    macros: bool = False                                   # .xlsm / a vbaProject part (read as data only)
    sheets: list[SheetExtent] = field(default_factory=list)
    uncompressed: int = 0                                  # bytes inflated while checking
    workbook_xml: bytes | None = field(default=None, repr=False)   # the inflated xl/workbook.xml, for the reader

    @property
    def cells(self) -> int:
        return sum(s.cells for s in self.sheets)

    @property
    def dense_ok(self) -> bool:
        """True when an engine that allocates each sheet's full rectangle (calamine) is safe to use."""
        return all(s.area <= DENSE_MAX_AREA and not s.odd_refs for s in self.sheets)

    @property
    def beyond_grid(self) -> bool:
        """True when some value lies outside the area a reader looks at (it is ignored, never allocated)."""
        return any(s.max_row > GRID_MAX_ROWS or s.max_col > GRID_MAX_COLS for s in self.sheets)


def corrupt(name: str, detail: str = "") -> NotAFormError:
    """The refusal of a damaged workbook (``detail`` says which part, in Chinese)."""
    why = f"（{detail}）" if detail else ""
    return NotAFormError(f"工作簿已损坏或不完整{why}，无法读取（可能下载或复制时中断）：" + FIX_RESEND, path=name)


def too_many_cells() -> str:
    return (f"工作表的单元格过多（超过 {MAX_CELLS} 个），不像绩效目标表："
            "请只保留绩效目标表所在的工作表（删除多余的工作表和行列），另存为新的 .xlsx 后重试")
