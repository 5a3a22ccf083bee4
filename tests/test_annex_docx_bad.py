"""Bad Word/PDF annexes: a Chinese message naming the file, exit code 2, no traceback, the input untouched.

Encrypted (a real password-encrypted .docx), no tables, a corrupt zip, broken XML, an oversized document, a
scanned PDF (an image, no text layer), a .doc when LibreOffice is missing, a workbook given as the annex.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from annex_word import Layout, build_docx, seed_tables
from hostile_fixtures import compound_file


@pytest.fixture(scope="module")
def small_docx(tmp_path_factory, seed_path) -> Path:
    tables = seed_tables(seed_path.read_text(encoding="utf-8"))[:1]
    return build_docx(tables, tmp_path_factory.mktemp("bad") / "附件3.docx", Layout(split=None))


def _import(path: Path, out: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    done = subprocess.run([sys.executable, "-m", "xl_tools", "import-annex", str(path), "-o", str(out)],
                          capture_output=True, text=True, encoding="utf-8", env=env)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before      # input byte-identical
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(path) in done.stderr                                     # names the file
    assert not out.exists() or not list(out.glob("*.xlsx"))             # nothing written
    return done


def _with_document(src: Path, dst: Path, xml: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, xml if item.filename == "word/document.xml" else zin.read(item.filename))
    return dst


def test_encrypted_docx(tmp_path, small_docx):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(small_docx, "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path = tmp_path / "加密附件.docx"
    path.write_bytes(out.getvalue())
    done = _import(path, tmp_path / "out")
    assert "已加密" in done.stderr and "清空密码" in done.stderr


def test_docx_without_tables(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("附件3", level=1)
    d.add_paragraph("各地市绩效目标表见另文。")
    path = tmp_path / "无表格.docx"
    d.save(path)
    done = _import(path, tmp_path / "out")
    assert "Word 文档中没有表格" in done.stderr and "Word 原件" in done.stderr


def test_corrupt_zip(tmp_path, small_docx):
    path = tmp_path / "损坏.docx"
    data = small_docx.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    done = _import(path, tmp_path / "out")
    assert "已损坏" in done.stderr


def test_broken_document_xml(tmp_path, small_docx):
    path = _with_document(small_docx, tmp_path / "坏XML.docx", b"<w:document><w:body><w:tbl>")
    done = _import(path, tmp_path / "out")
    assert "已损坏" in done.stderr


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _table_xml(rows: list[str]) -> bytes:
    body = "".join(f"<w:tr><w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc></w:tr>" for t in rows)
    return f'<w:document xmlns:w="{W}"><w:body><w:tbl>{body}</w:tbl></w:body></w:document>'.encode()


def test_huge_document_is_refused(tmp_path, small_docx):
    import os

    from xl_tools.annex.docx_reader import MAX_ROWS

    rows = [os.urandom(8).hex() for _ in range(MAX_ROWS + 1)]         # varied text: no compression trick
    path = _with_document(small_docx, tmp_path / "巨大.docx", _table_xml(rows))
    done = _import(path, tmp_path / "out")
    assert "Word 文档过大" in done.stderr and str(MAX_ROWS) in done.stderr


def test_zip_bomb_is_refused_before_parsing(tmp_path, small_docx):
    path = _with_document(small_docx, tmp_path / "炸弹.docx", _table_xml(["x"] * 100_000))
    done = _import(path, tmp_path / "out")
    assert "压缩炸弹" in done.stderr


def test_scanned_pdf_asks_for_the_word_file(tmp_path):
    from PIL import Image

    path = tmp_path / "扫描件.pdf"
    Image.new("RGB", (600, 800), "white").save(path, "PDF")
    assert path.read_bytes().startswith(b"%PDF")
    done = _import(path, tmp_path / "out")
    assert "扫描件" in done.stderr and "Word 原件" in done.stderr


def test_broken_pdf(tmp_path):
    path = tmp_path / "坏.pdf"
    path.write_bytes(b"%PDF-1.4\n%garbage that is no PDF at all\n")
    done = _import(path, tmp_path / "out")
    assert "PDF" in done.stderr


def test_doc_without_libreoffice_says_how_to_install_writer(tmp_path):
    path = tmp_path / "附件3.doc"
    path.write_bytes(compound_file({"WordDocument": b"\xec\xa5" + bytes(510)}))
    env = {"XL_TOOLS_SOFFICE": str(tmp_path / "没有这个程序"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = _import(path, tmp_path / "out", env=env)
    assert "LibreOffice" in done.stderr and "libreoffice-writer" in done.stderr and ".docx" in done.stderr


def test_a_workbook_is_not_an_annex(tmp_path):
    import openpyxl

    path = tmp_path / "广州表.xlsx"
    openpyxl.Workbook().save(path)
    done = _import(path, tmp_path / "out")
    assert "Excel 工作簿" in done.stderr and "xl-tools validate" in done.stderr


def test_entity_expansion_is_never_performed(tmp_path, small_docx):
    """A 'billion laughs' document.xml is refused at once (python-docx's parser does not resolve entities)."""
    levels = ['<!ENTITY a "aaaaaaaaaa">'] + [
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi")]
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [{"".join(levels)}]><w:document xmlns:w="{W}"><w:body><w:tbl>'
           f"<w:tr><w:tc><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>")
    path = _with_document(small_docx, tmp_path / "实体.docx", xml.encode())
    done = _import(path, tmp_path / "out")
    assert "已损坏" in done.stderr


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    from xl_tools.annex.sources import MAX_FILE_BYTES

    path = tmp_path / "巨大附件.docx"
    with open(path, "wb") as fh:                    # sparse: no disk is spent on it
        fh.write(b"PK\x03\x04")
        fh.truncate(MAX_FILE_BYTES + 1)
    done = _import(path, tmp_path / "out")
    assert "附件文件过大" in done.stderr
