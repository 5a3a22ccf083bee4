"""A PDF annex printed by real LibreOffice from the Word annex: read through its text layer (pdfplumber).

A PDF does not say where a cell's paragraphs end or how a row continues over a page, so the import is
measured, not required to be exact: cells right / cells total against the text import of the same annex
(header fields and indicator cells). Measured when written (LibreOffice 7.4), rows compared in order:
400 of 460 cells exactly equal (87 %), 409 (89 %) ignoring spaces and line breaks; rows aligned first (an
extra or a missing row costs only its own cells): 442 (96 %) and 451 (98 %). The floors leave room for
LibreOffice's line breaking to change a little between versions. Every city's form must come out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from annex_word import Layout, build_docx, cells_right, require_writer, seed_tables

from xl_tools.annex import parse_annex, read_annex
from xl_tools.domain.text import squash

pytest_plugins = ("libreoffice",)
pytestmark = pytest.mark.libreoffice

FLOOR_EXACT = 0.80
FLOOR_SQUASHED = 0.83
FLOOR_ALIGNED = 0.92


@pytest.fixture(scope="module")
def pdf_annex(tmp_path_factory, office, seed_path) -> Path:
    from xl_tools.office.soffice import run_soffice

    require_writer()
    folder = tmp_path_factory.mktemp("pdf-annex")
    src = build_docx(seed_tables(seed_path.read_text(encoding="utf-8")), folder / "附件3.docx", Layout())
    run_soffice(["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folder), str(src)],
                profile=office.profile)
    pdf = folder / "附件3.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    return pdf


def test_pdf_annex_cells_right_against_the_text_import(pdf_annex, seed_path):
    want = parse_annex(seed_path.read_text(encoding="utf-8"), source="x")
    got = read_annex(pdf_annex)
    assert [f.city for f in got] == ["广州", "深圳", "珠海", "佛山"]
    right, total = cells_right(want, got)
    loose, _ = cells_right(want, got, key=squash)
    aligned, _ = cells_right(want, got, align=True)
    print(f"PDF: {right}/{total} cells exactly right, {loose}/{total} ignoring spaces and line breaks, "
          f"{aligned}/{total} with rows aligned")
    assert right / total >= FLOOR_EXACT and loose / total >= FLOOR_SQUASHED and aligned / total >= FLOOR_ALIGNED
    header = {k: v.text for k, v in got[0].header.items()}
    assert header["funding"] == "460万元" and header["local_department"] == "广州市市场监管局"


def test_pdf_notes_say_the_page(pdf_annex):
    forms = read_annex(pdf_annex)
    assert all(f.notes[0].startswith("本表导入自附件“附件3.pdf”") for f in forms)
    assert "PDF 第1页" in forms[0].notes[0]
    assert all(any("PDF 不记录单元格里哪里分段" in n for n in f.notes) for f in forms)   # each form says to check


def test_password_protected_pdf_says_so(tmp_path, office, seed_path):
    """A PDF LibreOffice exported with an open password: a Chinese message, exit 2, the file untouched."""
    import subprocess
    import sys

    from xl_tools.office.soffice import run_soffice

    require_writer()
    src = build_docx(seed_tables(seed_path.read_text(encoding="utf-8"))[:1], tmp_path / "加密.docx",
                     Layout(split=None))
    secret = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
              '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    run_soffice(["--convert-to", secret, "--outdir", str(tmp_path), str(src)], profile=office.profile)
    pdf = tmp_path / "加密.pdf"
    before = pdf.read_bytes()
    assert b"/Encrypt" in before
    done = subprocess.run([sys.executable, "-m", "xl_tools", "import-annex", str(pdf), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert str(pdf) in done.stderr and "PDF 已加密" in done.stderr
    assert pdf.read_bytes() == before
