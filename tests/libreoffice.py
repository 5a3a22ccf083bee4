"""pytest plugin: headless LibreOffice for the tests marked ``libreoffice``.

Load it from a test module with ``pytest_plugins = ("libreoffice",)`` (tests/ is on sys.path).

- A test marked ``@pytest.mark.libreoffice`` (or using the ``office`` fixture) is skipped with install
  instructions when soffice / poppler are missing, unless XL_TOOLS_REQUIRE_LIBREOFFICE=1 (CI): then it fails.
- ``office`` (session): one private LibreOffice profile for the whole run (each xdist worker has its own)
  and conversion caches, so each workbook goes through LibreOffice once per format and several workbooks
  share one soffice start (``office.xlsx([...])``, ``office.pdf([...])``).
- Comparison helpers: ``cell_values``, ``formula_cells``, ``validations`` (meaning, not XML bytes).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = "sudo apt-get install libreoffice-calc poppler-utils fonts-noto-cjk"
REQUIRE_ENV = "XL_TOOLS_REQUIRE_LIBREOFFICE"
POPPLER_TOOLS = ("pdftoppm", "pdfinfo", "pdftotext")

ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "Err:")


def tools_missing() -> str | None:
    """Why the LibreOffice tests cannot run here (Chinese, with the install command), or None."""
    from xl_tools.office.soffice import OfficeMissingError, find_soffice

    missing = []
    try:
        find_soffice()
    except OfficeMissingError:
        missing.append("LibreOffice（soffice）")
    missing += [tool for tool in POPPLER_TOOLS if not shutil.which(tool)]
    if not missing:
        return None
    return f"未安装 {'、'.join(missing)}，跳过电子表格程序测试：请运行 {INSTALL}"


def require_tools() -> None:
    """Skip (or, with XL_TOOLS_REQUIRE_LIBREOFFICE=1, fail) when LibreOffice or poppler is missing."""
    reason = tools_missing()
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 但{reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("libreoffice"):
        require_tools()


class Office:
    """Conversions through one private LibreOffice profile, each (file, format) done once per session."""

    def __init__(self, root: Path):
        from xl_tools.office.soffice import make_profile

        self.root = root
        self.profile = make_profile(root / "profile")
        self._xlsx: dict[Path, Path] = {}
        self._pdf: dict[tuple[Path, tuple[str, ...]], Path] = {}
        self._count = 0

    def _folder(self, kind: str) -> Path:
        self._count += 1
        folder = self.root / f"{kind}{self._count}"
        folder.mkdir(parents=True)
        return folder

    def xlsx(self, paths: list[Path]) -> list[Path]:
        """Each workbook opened, recalculated and saved as xlsx by LibreOffice (one soffice run for new ones)."""
        from xl_tools.office.convert import to_recalculated_xlsx

        todo = [p for p in dict.fromkeys(Path(p) for p in paths) if p not in self._xlsx]
        if todo:
            for src, out in zip(todo, to_recalculated_xlsx(todo, self._folder("xlsx"), profile=self.profile)):
                self._xlsx[src] = out
        return [self._xlsx[Path(p)] for p in paths]

    def pdf(self, specs: list[tuple[Path, tuple[str, ...]]]) -> list[Path]:
        """PDFs of (workbook, sheets) pairs; empty sheets = every visible sheet. One soffice run for new ones."""
        from xl_tools.office.convert import hide_other_sheets, to_pdf

        todo = [s for s in dict.fromkeys((Path(p), tuple(sh)) for p, sh in specs) if s not in self._pdf]
        if todo:
            staging = self._folder("only")
            printable = []
            for i, (path, sheets) in enumerate(todo):
                printable.append(hide_other_sheets(path, staging / f"{i}-{path.name}", sheets) if sheets else path)
            for spec, out in zip(todo, to_pdf(printable, self._folder("pdf"), profile=self.profile)):
                self._pdf[spec] = out
        return [self._pdf[(Path(p), tuple(sh))] for p, sh in specs]


@pytest.fixture(scope="session")
def office(tmp_path_factory) -> Office:
    """The session's LibreOffice (skips or fails like a ``libreoffice`` test when it is missing)."""
    require_tools()
    return Office(tmp_path_factory.mktemp("libreoffice"))


# ---- comparing workbooks by meaning ------------------------------------------------------------------------

def cell_values(path: Path, *, data_only: bool = False) -> dict[str, dict[str, object]]:
    """{sheet: {A1: value}} of every non-empty cell."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=data_only)
    found = {}
    for ws in wb.worksheets:
        found[ws.title] = {c.coordinate: c.value for row in ws.iter_rows() for c in row
                           if c.value is not None and c.value != ""}
    return found


def formula_cells(path: Path) -> dict[str, dict[str, str]]:
    """{sheet: {A1: formula}} of every formula cell."""
    return {sheet: {a1: v for a1, v in cells.items() if isinstance(v, str) and v.startswith("=")}
            for sheet, cells in cell_values(path).items()}


def is_error(value: object) -> bool:
    return isinstance(value, str) and value.startswith(ERROR_VALUES)


@dataclass(frozen=True)
class Validation:
    """A data validation by meaning: what is allowed, where, and the Chinese help shown."""

    type: str
    operator: str | None
    formula1: str | None
    formula2: str | None
    cells: frozenset[str] | str
    prompt: str | None
    error: str | None
    strict: bool          # showErrorMessage: a wrong entry is refused
    arrow: bool           # the in-cell dropdown arrow shows (OOXML's showDropDown means *hide* it)


def _cells(sqref: str) -> frozenset[str] | str:
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    cells: set[str] = set()
    for part in sqref.split():
        min_col, min_row, max_col, max_row = range_boundaries(part)
        if (max_col - min_col + 1) * (max_row - min_row + 1) > 200_000:
            return sqref  # whole columns: compare the text
        cells |= {f"{get_column_letter(c)}{r}" for c in range(min_col, max_col + 1)
                  for r in range(min_row, max_row + 1)}
    return frozenset(cells)


def _formula(text: str | None) -> str | None:
    if text is None:
        return None
    return text.lstrip("=").replace("'", "").replace("$", "")


def _operator(dv) -> str | None:
    return None if dv.type in ("list", "custom", "any", None) else (dv.operator or "between")


def validations(path: Path) -> dict[str, set[Validation]]:
    """{sheet: {Validation}} by meaning.

    Ignored noise: the operator of a list (LibreOffice writes between, openpyxl none), a second formula the
    operator does not use (LibreOffice writes formula2 0 for lists), the formula of an input-help-only rule
    (type any: LibreOffice writes formula1 0); ``$`` and quotes in references.
    """
    import openpyxl

    wb = openpyxl.load_workbook(path)
    found = {}
    for ws in wb.worksheets:
        found[ws.title] = {
            Validation(type=dv.type or "any", operator=_operator(dv),
                       formula1=_formula(dv.formula1) if dv.type not in (None, "any") else None,
                       formula2=_formula(dv.formula2) if _operator(dv) in ("between", "notBetween") else None,
                       cells=_cells(str(dv.sqref)), prompt=dv.prompt or None, error=dv.error or None,
                       strict=bool(dv.showErrorMessage), arrow=not dv.showDropDown)
            for dv in ws.data_validations.dataValidation}
    return found
