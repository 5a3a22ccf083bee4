"""Convert workbooks with headless LibreOffice: PDF, recalculated xlsx, CSV per sheet.

Several files go through one soffice run (start-up is most of the cost). Inputs are copied under ASCII
names into a private folder first, so a Chinese file name survives any locale, an input is never touched,
and two inputs with the same name do not overwrite each other's output. Outputs are moved into place
atomically; an output never overwrites an input.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from xl_tools.errors import InputError
from xl_tools.fileio import atomic_write, refuse_input_overwrite
from xl_tools.office.soffice import ConversionError, run_soffice, timeout_seconds

#: --convert-to targets by output extension.
FILTERS = {
    "pdf": "pdf:calc_pdf_Export",
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "ods": "ods:calc8",
    "docx": "docx:MS Word 2007 XML",    # Word documents (.doc, .wps, .rtf, .odt) for the annex importer
    "doc": "doc:MS Word 97",
}
# CSV: comma, double quote, UTF-8 (76), from line 1, raw values (not "as shown"), all sheets (-1, LibreOffice ≥ 7.2).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,{as_shown},false,false,-1"

_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*?/>")
_ATTR = re.compile(r'(\w+(?::\w+)?)="([^"]*)"')
_DEFINED_NAME = re.compile(r"<(?:\w+:)?definedName\b([^>]*)>.*?</(?:\w+:)?definedName>", re.S)


def _inputs(paths: Iterable[str | os.PathLike]) -> list[Path]:
    found = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise InputError("文件不存在：请检查路径和文件名", path=str(path))
        found.append(path)
    if not found:
        raise InputError("没有要转换的文件：请至少给出一个工作簿")
    return found


def _stage(inputs: Sequence[Path], folder: Path) -> list[Path]:
    """Copy inputs to ASCII names f0.xlsx, f1.xlsx, … (the suffix tells LibreOffice the format)."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    for i, path in enumerate(inputs):
        target = folder / f"f{i}{path.suffix.lower()}"
        shutil.copyfile(path, target)
        staged.append(target)
    return staged


def _run(inputs: Sequence[Path], target: str, work: Path, timeout: float | None,
         profile: str | os.PathLike | None) -> tuple[list[Path], str]:
    staged = _stage(inputs, work / "in")
    out = work / "out"
    out.mkdir()
    done = run_soffice(["--convert-to", target, "--outdir", str(out), *map(str, staged)], cwd=work,
                       profile=profile, timeout=timeout if timeout is not None else timeout_seconds(len(staged)))
    return staged, (done.stdout + "\n" + done.stderr).strip()


def _failed(path: Path, log: str) -> ConversionError:
    tail = " ".join(line for line in log.splitlines()[-3:] if "javaldx" not in line)
    detail = f"（LibreOffice：{tail}）" if tail else ""
    return ConversionError("LibreOffice 无法打开或转换该文件：请用 Excel/WPS 打开并另存为 .xlsx，"
                           f"确认文件未损坏、未加密后重试{detail}", path=str(path))


def _unique_name(outdir: Path, name: str, taken: set[Path]) -> Path:
    candidate = outdir / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while candidate in taken:
        candidate = outdir / f"{stem}-{n}{suffix}"
        n += 1
    taken.add(candidate)
    return candidate


def _deliver(produced: Path, target: Path, inputs: Sequence[Path]) -> Path:
    refuse_input_overwrite(target, inputs)
    return atomic_write(target, lambda tmp: shutil.copyfile(produced, tmp))


def convert(paths: Iterable[str | os.PathLike], fmt: str, outdir: str | os.PathLike, *,
            timeout: float | None = None, profile: str | os.PathLike | None = None) -> list[Path]:
    """Convert each workbook to ``fmt`` (pdf | xlsx | ods) in one soffice run; return outputs in input order.

    Output names are the input names with the new extension (``-2`` added when two inputs share a name).
    LibreOffice recalculates every formula on load (private profile), so an xlsx output holds LibreOffice's
    own cached values. Raises ConversionError naming the first file LibreOffice could not convert.
    """
    if fmt not in FILTERS:
        raise InputError(f"不支持的转换格式 {fmt}：请用 {'、'.join(FILTERS)} 之一")
    inputs = _inputs(paths)
    outdir = Path(outdir)
    with tempfile.TemporaryDirectory(prefix="xl_tools-convert-") as tmp:
        work = Path(tmp)
        staged, log = _run(inputs, FILTERS[fmt], work, timeout, profile)
        results: list[Path] = []
        taken: set[Path] = set()
        for original, copy in zip(inputs, staged):
            produced = work / "out" / f"{copy.stem}.{fmt}"
            if not produced.is_file() or produced.stat().st_size == 0:
                raise _failed(original, log)
            results.append(_deliver(produced, _unique_name(outdir, f"{original.stem}.{fmt}", taken), inputs))
    return results


def to_pdf(paths: Iterable[str | os.PathLike], outdir: str | os.PathLike, **kwargs) -> list[Path]:
    """Print each workbook (all visible sheets, with its page setup) to PDF."""
    return convert(paths, "pdf", outdir, **kwargs)


def to_recalculated_xlsx(paths: Iterable[str | os.PathLike], outdir: str | os.PathLike, **kwargs) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate every formula, save as xlsx (read it with data_only=True)."""
    return convert(paths, "xlsx", outdir, **kwargs)


def to_csv(path: str | os.PathLike, outdir: str | os.PathLike, *, as_shown: bool = False,
           timeout: float | None = None, profile: str | os.PathLike | None = None) -> dict[str, Path]:
    """Write one UTF-8 CSV per sheet (``<stem>-<sheet>.csv``) after recalculation; {sheet name: path}.

    ``as_shown`` writes values as formatted on screen (``460.00``) instead of raw values.
    """
    (source,) = _inputs([path])
    outdir = Path(outdir)
    names = sheet_names(source) if source.suffix.lower() in (".xlsx", ".xlsm") else []
    with tempfile.TemporaryDirectory(prefix="xl_tools-convert-") as tmp:
        work = Path(tmp)
        _, log = _run([source], CSV_FILTER.format(as_shown=str(as_shown).lower()), work, timeout, profile)
        produced = {p.stem[len("f0-"):]: p for p in (work / "out").glob("f0-*.csv")}
        if not produced and (work / "out" / "f0.csv").is_file():  # LibreOffice < 7.2 writes the first sheet only
            produced = {names[0] if names else source.stem: work / "out" / "f0.csv"}
        if not produced:
            raise _failed(source, log)
        order = [n for n in names if n in produced] + sorted(set(produced) - set(names))
        return {name: _deliver(produced[name], outdir / f"{source.stem}-{name}.csv", [source]) for name in order}


def _workbook_xml(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.read("xl/workbook.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise InputError("不是 .xlsx 工作簿（无法读取工作表列表）：请另存为 .xlsx 后重试", path=str(path)) from exc


def _attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR.findall(tag)}


def sheet_names(path: str | os.PathLike) -> list[str]:
    """Sheet names of an xlsx in workbook order, read from xl/workbook.xml (no Excel library)."""
    return [_attrs(tag).get("name", "") for tag in _SHEET_TAG.findall(_workbook_xml(Path(path)))]


def visible_sheets(path: str | os.PathLike) -> list[str]:
    """Names of the sheets of an xlsx that are not hidden, in workbook order."""
    tags = _SHEET_TAG.findall(_workbook_xml(Path(path)))
    return [a.get("name", "") for a in map(_attrs, tags) if a.get("state", "visible") == "visible"]


def hide_other_sheets(src: str | os.PathLike, dst: str | os.PathLike, keep: Iterable[str]) -> Path:
    """Copy an xlsx with every sheet not in ``keep`` hidden, so printing it prints only ``keep``.

    LibreOffice (7.4) skips hidden sheets when printing, except a hidden sheet with a print area: so the
    print areas of the sheets we hide are dropped too. Only xl/workbook.xml changes (sheet states, those
    print areas, the active tab); every other part of the file is copied byte for byte.
    """
    source = Path(src)
    wanted = list(keep)
    xml = _workbook_xml(source)
    tags = _SHEET_TAG.findall(xml)
    names = [_attrs(t).get("name", "") for t in tags]
    missing = [k for k in wanted if k not in names]
    if missing:
        raise InputError(f"没有名为“{'、'.join(missing)}”的工作表：现有工作表为 {'、'.join(names)}",
                         path=str(source))

    def restate(match: re.Match) -> str:
        tag = re.sub(r'\s+state="[^"]*"', "", match.group(0))
        if _attrs(tag).get("name") in wanted:
            return tag
        return re.sub(r"\s*/>$", ' state="hidden"/>', tag)

    xml = _SHEET_TAG.sub(restate, xml)
    kept = {i for i, n in enumerate(names) if n in wanted}

    def drop_area(match: re.Match) -> str:
        attrs = _attrs(match.group(1))
        local = attrs.get("localSheetId")
        if attrs.get("name") == "_xlnm.Print_Area" and local is not None and int(local) not in kept:
            return ""
        return match.group(0)

    xml = _DEFINED_NAME.sub(drop_area, xml)
    first = names.index(wanted[0])
    view_attr = re.compile(r'(<(?:\w+:)?workbookView\b[^>]*?)\s+(?:activeTab|firstSheet)="\d+"')
    while view_attr.search(xml):
        xml = view_attr.sub(r"\1", xml)
    xml = re.sub(r'(<(?:\w+:)?workbookView\b[^>]*?)(\s*/?>)', rf'\1 activeTab="{first}" firstSheet="{first}"\2', xml,
                 count=1)
    target = Path(dst)
    refuse_input_overwrite(target, [source])

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = xml.encode("utf-8") if item.filename == "xl/workbook.xml" else zin.read(item.filename)
                zout.writestr(item, data)

    return atomic_write(target, write)
