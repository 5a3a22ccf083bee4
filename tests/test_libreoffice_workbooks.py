"""Every kind of workbook we write, opened by a real spreadsheet program (headless LibreOffice).

Kinds: the template (issue 3), each city imported from the annex (issue 4), an annotated copy (issue 5,
``xl-tools validate --annotate``) and the consolidated workbook (issue 6, ``xl-tools consolidate``) of the
four seed cities, plus ``province``: all 21 cities consolidated (seed forms re-addressed to each city), so
the 汇总表 runs over several pages and its header repetition is exercised.
For each: LibreOffice opens it and saves it back with the same sheets and values; its recalculated
formulas equal the values we cached; the dropdowns survive; it prints to PDF on A4 with embedded fonts
and readable Chinese text. The template's form sheet and the 汇总表 print one A4 page wide and repeat
their header row on every page.

A kind whose module has not landed yet is skipped (ImportError of that module only, with the reason);
any other failure while writing it is an error of that kind's tests. All files of all kinds go through
LibreOffice together: one soffice run to xlsx, one to PDF.
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest_plugins = ("libreoffice",)

pytestmark = pytest.mark.libreoffice

WRITTEN = ("template", "city", "annotated", "consolidated")   # every check
KINDS = (*WRITTEN, "province")                                  # province: print layout only
SEED_CITIES = ("广州", "深圳", "珠海", "佛山")
SUMMARY_SHEET = "汇总表"


class NotLanded(Exception):
    """The module that writes this kind does not exist yet."""


def _need(module: str) -> None:
    """Import ``module``; NotLanded when it (not one of its own imports) is missing."""
    import importlib

    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise NotLanded(f"{module} 尚未实现（ImportError：{exc.name}），跳过") from exc
        raise


def _cli(*args: str) -> None:
    from xl_tools.cli import main

    code = main(list(args))
    assert code == 0, f"xl-tools {' '.join(args)} exited {code}"


@dataclass
class Kind:
    name: str
    files: list[Path] = field(default_factory=list)
    print_sheets: dict[Path, list[str]] = field(default_factory=dict)  # sheets whose print layout we check
    skipped: str | None = None
    failed: BaseException | None = None


class Workbooks:
    """Writes each kind once per session, on first use; remembers why a kind could not be written."""

    def __init__(self, root: Path, seed: Path):
        self.root = root
        self.seed = seed
        self._kinds: dict[str, Kind] = {}

    def kind(self, name: str) -> Kind:
        if name not in self._kinds:
            kind = Kind(name)
            folder = self.root / name
            folder.mkdir()
            try:
                getattr(self, f"_write_{name}")(kind, folder)
            except NotLanded as exc:
                kind.skipped = str(exc)
            except (Exception, SystemExit) as exc:  # reported by that kind's tests, not by every test
                kind.failed = exc
            self._kinds[name] = kind
        return self._kinds[name]

    def require(self, name: str) -> Kind:
        kind = self.kind(name)
        if kind.skipped:
            pytest.skip(kind.skipped)
        if kind.failed:
            raise kind.failed
        return kind

    def all_files(self) -> list[Path]:
        return [f for name in WRITTEN for f in self.kind(name).files]

    # -- writers ---------------------------------------------------------------------------------------

    def _write_template(self, kind: Kind, folder: Path) -> None:
        _need("xl_tools.workbook.template")
        from xl_tools.workbook.layout import FORM_SHEET_TITLE
        from xl_tools.workbook.template import write_template

        path = write_template(folder / "绩效目标表模板.xlsx")
        kind.files.append(Path(path))
        kind.print_sheets[Path(path)] = [FORM_SHEET_TITLE]

    def _cities(self) -> list[Path]:
        kind = self.kind("city")
        if kind.skipped:
            raise NotLanded(f"需要导入的地市工作簿：{kind.skipped}")
        if kind.failed:
            raise RuntimeError("导入地市工作簿失败") from kind.failed
        return kind.files

    def _write_city(self, kind: Kind, folder: Path) -> None:
        _need("xl_tools.annex")
        from xl_tools.annex import import_annex

        paths = [Path(p) for p in import_annex(self.seed, folder)]
        assert {p.stem for p in paths} >= set(SEED_CITIES), paths
        kind.files.extend(paths)
        for path in paths:
            kind.print_sheets[path] = _visible_sheets(path)

    def _write_annotated(self, kind: Kind, folder: Path) -> None:
        cities = self._cities()
        _need("xl_tools.workbook.annotate")
        _need("xl_tools.cli.cmd_validate")
        import shutil

        from xl_tools.cli import main

        source = shutil.copyfile(next(p for p in cities if p.stem == "广州"), folder / "广州.xlsx")
        code = main(["validate", str(source), "--annotate"])
        assert code in (0, 1), f"xl-tools validate --annotate exited {code}"  # 1: the form has errors
        marked = [p for p in folder.glob("*.xlsx") if p != Path(source)]
        assert len(marked) == 1, f"validate --annotate wrote {marked}"
        kind.files.extend(marked)
        kind.print_sheets[marked[0]] = _visible_sheets(marked[0])

    def _write_consolidated(self, kind: Kind, folder: Path) -> None:
        cities = self._cities()
        _need("xl_tools.consolidate")
        _need("xl_tools.cli.cmd_consolidate")
        target = folder / "广东省汇总.xlsx"
        _cli("consolidate", *map(str, cities), "-o", str(target))
        kind.files.append(target)
        kind.print_sheets[target] = [SUMMARY_SHEET]

    def _write_province(self, kind: Kind, folder: Path) -> None:
        from dataclasses import replace

        _need("xl_tools.annex")
        _need("xl_tools.workbook.writer")
        _need("xl_tools.cli.cmd_consolidate")
        from xl_tools.annex import read_annex
        from xl_tools.domain.cities import cities
        from xl_tools.domain.form import Located, form_title
        from xl_tools.workbook.writer import write_forms

        seed = read_annex(self.seed)
        inputs = folder / "各地市"
        for i, city in enumerate(cities()):
            form = seed[i % len(seed)]
            header = {**form.header, "local_department": Located(f"{city.full_name}市场监督管理局"),
                      "budget_year": Located("2020年")}
            form = replace(form, header=header, city=city.name, title=Located(form_title(city.name)), notes=())
            write_forms([form], inputs / f"{city.name}.xlsx")
        target = folder / "广东省汇总-21市.xlsx"
        _cli("consolidate", str(inputs), "-o", str(target))
        kind.files.append(target)
        kind.print_sheets[target] = [SUMMARY_SHEET]


def _visible_sheets(path: Path) -> list[str]:
    import openpyxl

    return [ws.title for ws in openpyxl.load_workbook(path, read_only=True).worksheets if ws.sheet_state == "visible"]


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory, seed_path) -> Workbooks:
    return Workbooks(tmp_path_factory.mktemp("written"), seed_path)


@pytest.fixture(scope="session")
def roundtrip(office, workbooks) -> dict[Path, Path]:
    """Every written file → LibreOffice's recalculated xlsx of it (one soffice run for all)."""
    files = workbooks.all_files()
    return dict(zip(files, office.xlsx(files)))


@pytest.fixture(scope="session")
def printed(office, workbooks) -> dict[tuple[Path, tuple[str, ...]], Path]:
    """PDFs: every written file whole, and each print-checked sheet alone (one soffice run for all)."""
    specs = []
    for name in KINDS:
        kind = workbooks.kind(name)
        for path in kind.files:
            if name in WRITTEN:
                specs.append((path, ()))
            specs += [(path, (sheet,)) for sheet in kind.print_sheets.get(path, [])]
    return dict(zip(specs, office.pdf(specs)))


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


# ---- opens, same sheets and values ---------------------------------------------------------------------

@pytest.mark.parametrize("name", WRITTEN)
def test_opens_with_same_sheets_and_values(name, workbooks, roundtrip):
    import openpyxl

    import libreoffice as lo

    kind = workbooks.require(name)
    for path in kind.files:
        ours, theirs = openpyxl.load_workbook(path), openpyxl.load_workbook(roundtrip[path])
        assert theirs.sheetnames == ours.sheetnames, path.name
        assert [ws.sheet_state for ws in theirs.worksheets] == [ws.sheet_state for ws in ours.worksheets]
        before, after = lo.cell_values(path), lo.cell_values(roundtrip[path])
        for sheet, cells in before.items():
            constants = {a1: v for a1, v in cells.items() if not (isinstance(v, str) and v.startswith("="))}
            changed = {a1: (v, after[sheet].get(a1)) for a1, v in constants.items()
                       if not _same(v, after[sheet].get(a1))}
            assert not changed, f"{path.name}/{sheet}: LibreOffice changed {list(changed.items())[:5]}"
        assert set(theirs.defined_names) == set(ours.defined_names), path.name
        for ws in ours.worksheets:
            assert set(theirs[ws.title].defined_names) == set(ws.defined_names), f"{path.name}/{ws.title}"
            assert {str(r) for r in theirs[ws.title].merged_cells.ranges} == {str(r) for r in ws.merged_cells.ranges}


@pytest.mark.parametrize("name", ("template", "city", "annotated"))
def test_our_reader_reads_what_libreoffice_saved(name, workbooks, roundtrip):
    """A form opened and saved by a spreadsheet program still reads as the same Form (names and cells kept)."""
    kind = workbooks.require(name)
    _need_or_skip("xl_tools.workbook.reader")
    from xl_tools.workbook.reader import read_forms

    for path in kind.files:
        ours = [_comparable(f) for f in read_forms(path)]
        theirs = [_comparable(f) for f in read_forms(roundtrip[path])]
        assert theirs == ours, path.name


def _need_or_skip(module: str) -> None:
    try:
        _need(module)
    except NotLanded as exc:
        pytest.skip(str(exc))


def _comparable(form) -> dict:
    data = form.to_dict()
    data.pop("source", None)
    return data


# ---- recalculation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", WRITTEN)
def test_recalculated_formulas_equal_cached_values(name, workbooks, roundtrip):
    """LibreOffice recalculates every formula on load; where we cached a value, it computes the same."""
    import libreoffice as lo

    kind = workbooks.require(name)
    for path in kind.files:
        formulas = lo.formula_cells(path)
        cached = lo.cell_values(path, data_only=True)
        recalculated = lo.cell_values(roundtrip[path], data_only=True)
        for sheet, cells in formulas.items():
            for a1, formula in cells.items():
                theirs = recalculated[sheet].get(a1)
                assert not lo.is_error(theirs), f"{path.name}/{sheet}!{a1} {formula} → {theirs} in LibreOffice"
                if a1 in cached[sheet]:
                    assert _same(cached[sheet][a1], theirs), \
                        f"{path.name}/{sheet}!{a1} {formula}: we cached {cached[sheet][a1]!r}, LibreOffice {theirs!r}"


def test_consolidated_funding_total_is_790(workbooks, roundtrip):
    """The provincial total of 资金需求, as LibreOffice computes it, is 460+180+50+100 = 790 万元."""
    import libreoffice as lo

    kind = workbooks.require("consolidated")
    (path,) = kind.files
    formulas = lo.formula_cells(path)[SUMMARY_SHEET]
    assert formulas, "汇总表 has no formulas: its totals cannot be recalculated by the spreadsheet program"
    recalculated = lo.cell_values(roundtrip[path], data_only=True)[SUMMARY_SHEET]
    totals = {a1: recalculated.get(a1) for a1 in formulas}
    assert 790 in [v for v in totals.values() if isinstance(v, (int, float))], totals


# ---- dropdowns ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", WRITTEN)
def test_dropdown_validations_survive(name, workbooks, roundtrip):
    import libreoffice as lo

    kind = workbooks.require(name)
    seen = 0
    for path in kind.files:
        before, after = lo.validations(path), lo.validations(roundtrip[path])
        for sheet, rules in before.items():
            assert after.get(sheet) == rules, f"{path.name}/{sheet}: validations changed in LibreOffice"
            seen += sum(1 for r in rules if r.type == "list")
    if name in ("template", "city"):
        assert seen, "a form without dropdowns"


def test_dependent_level2_list_resolves_in_libreoffice(office, workbooks, tmp_path):
    """The 二级指标 dropdown's INDIRECT(…MATCH(一级…)) source gives each 一级's own 二级 list in LibreOffice."""
    import openpyxl

    kind = workbooks.require("template")
    (path,) = kind.files
    from xl_tools.domain.taxonomy import taxonomy
    from xl_tools.workbook import layout as L

    wb = openpyxl.load_workbook(path)
    probe = wb.create_sheet("probe")
    tax = taxonomy()
    for row, level1 in enumerate(tax.level1_names, start=1):
        probe.cell(row, 1, level1)
        source = L.level2_formula(f"A{row}")
        probe.cell(row, 2, f"=ROWS({source})")
        probe.cell(row, 3, f"=INDEX({source},1)")
    copy = tmp_path / "probe.xlsx"
    wb.save(copy)
    (out,) = office.xlsx([copy])
    ws = openpyxl.load_workbook(out, data_only=True)["probe"]
    for row, level1 in enumerate(tax.level1_names, start=1):
        assert ws.cell(row, 2).value == len(tax.level2_of(level1)), level1
        assert ws.cell(row, 3).value == tax.level2_of(level1)[0], level1


# ---- printing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", WRITTEN)
def test_prints_to_a4_pdf_with_embedded_fonts(name, workbooks, printed):
    import openpyxl

    from xl_tools.office.poppler import pdf_pages, pdf_text

    kind = workbooks.require(name)
    for path in kind.files:
        pdf = printed[(path, ())]
        pages = pdf_pages(pdf)
        assert pages and all(p.is_a4 for p in pages), f"{path.name}: {[p.describe() for p in pages]}"
        text = pdf_text(pdf)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            first = next((c.value for row in ws.iter_rows(max_row=3) for c in row if isinstance(c.value, str)), None)
            assert first and first.split()[0] in text, f"{path.name}/{ws.title}: {first!r} not printed"
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
        assert rows and all("yes" == r[-5] for r in rows), f"{path.name}: fonts not embedded\n{fonts}"


def _print_specs(workbooks, name):
    kind = workbooks.require(name)
    return [(path, sheet) for path in kind.files for sheet in kind.print_sheets.get(path, [])]


@pytest.mark.parametrize("name", KINDS)
def test_one_a4_page_wide_and_header_repeated(name, workbooks, printed):
    """The form sheets and the 汇总表 print one A4 page wide; a multi-page print repeats the header row."""
    from xl_tools.office.printcheck import check_sheet_print

    specs = _print_specs(workbooks, name)
    assert specs
    multi = 0
    for path, sheet in specs:
        check = check_sheet_print(path, sheet, printed[(path, (sheet,))])
        where = f"{path.name}/{sheet}"
        assert all(p.is_a4 for p in check.pages), f"{where}: {[p.describe() for p in check.pages]}"
        assert check.fits_width, f"{where}: {check.problems()}"
        if len(check.pages) > 1 or name in ("template", "consolidated", "province"):
            assert check.title_labels, f"{where}: no header row is set to repeat on every page ({len(check.pages)} pages)"
            assert check.repeats_header, f"{where}: {check.problems()}"
        assert not check.unprinted, f"{where}: {check.problems()}"
        multi += len(check.pages) > 1
    if name in ("template", "city", "province"):
        assert multi, "no multi-page print: the header repetition was not exercised"


@pytest.mark.parametrize("name", KINDS)
def test_no_text_cut_off_in_print(name, workbooks, printed):
    """Nothing prints cut off: footers fit between footer and bottom margins, rows are high enough for their
    wrapped text, charts are not split by a page break."""
    from xl_tools.office.printcheck import clipped_text

    kind = workbooks.require(name)
    pdfs = [(path.name, (), pdf) for (path, sheets), pdf in printed.items() if path in kind.files and not sheets]
    pdfs += [(path.name, sheets, pdf) for (path, sheets), pdf in printed.items()
             if path in kind.files and sheets and name not in WRITTEN]
    assert pdfs
    for label, sheets, pdf in pdfs:
        cut = clipped_text(pdf)
        assert not cut, f"{label} {'/'.join(sheets)}: printed cut off (page → words): {cut}"
