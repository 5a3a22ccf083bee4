""".doc, .wps, .rtf, .odt annexes (made from the Word annex by real LibreOffice) import as the text annex does.

The importer converts them back to .docx with headless LibreOffice in a private folder; the Forms must equal
the text import's. The file's name does not decide: a .doc saved under a .txt name is still read as Word.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from annex_word import Layout, build_docx, form_digest, require_writer, seed_tables

from xl_tools.annex import parse_annex, read_annex

pytest_plugins = ("libreoffice",)
pytestmark = pytest.mark.libreoffice

FILTERS = {"doc": "doc:MS Word 97", "rtf": "rtf:Rich Text Format", "odt": "odt:writer8"}


@pytest.fixture(scope="module")
def made(tmp_path_factory, office, seed_path) -> dict[str, Path]:
    """The Word annex, and LibreOffice's .doc/.rtf/.odt of it (one soffice run per format)."""
    from xl_tools.office.soffice import run_soffice

    require_writer()
    folder = tmp_path_factory.mktemp("lo-annex")
    src = build_docx(seed_tables(seed_path.read_text(encoding="utf-8")), folder / "annex.docx",
                     Layout(split=None, title_row=None))
    found = {"docx": src}
    for ext, target in FILTERS.items():
        run_soffice(["--convert-to", target, "--outdir", str(folder), str(src)], profile=office.profile)
        found[ext] = folder / f"annex.{ext}"
        assert found[ext].is_file() and found[ext].stat().st_size > 0
    found["wps"] = folder / "annex.wps"             # WPS 文字's .wps is the Word 97 binary format
    shutil.copyfile(found["doc"], found["wps"])
    return found


@pytest.mark.parametrize("ext", [*sorted(FILTERS), "wps"])
def test_converted_annex_gives_the_text_annex_forms(made, ext, seed_path, tmp_path):
    want = [form_digest(f) for f in parse_annex(seed_path.read_text(encoding="utf-8"), source="x")]
    path = tmp_path / f"附件3.{ext}"
    shutil.copyfile(made[ext], path)
    before = path.read_bytes()
    forms = read_annex(path)
    assert path.read_bytes() == before
    assert [form_digest(f) for f in forms] == want
    assert all(f.source == str(path) for f in forms)                 # the user's file, not the temporary copy


def test_a_doc_under_a_wrong_extension_is_still_read_as_word(made, tmp_path):
    path = tmp_path / "附件3.txt"
    shutil.copyfile(made["doc"], path)
    assert [f.city for f in read_annex(path)] == ["广州", "深圳", "珠海", "佛山"]
