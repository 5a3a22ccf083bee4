"""Without LibreOffice: the library and ``xl-tools render`` say, in Chinese, how to install it.

These tests need no spreadsheet program and run everywhere.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def _workbook(path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "汇总表"
    wb.save(path)
    return path


def test_missing_soffice_says_how_to_install(monkeypatch, tmp_path):
    from xl_tools.office import soffice

    monkeypatch.delenv(soffice.ENV_SOFFICE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(soffice, "_candidates", lambda: [])
    with pytest.raises(soffice.OfficeMissingError) as err:
        soffice.find_soffice()
    assert "sudo apt-get install libreoffice-calc poppler-utils" in str(err.value)
    assert "XL_TOOLS_SOFFICE" in str(err.value)


def test_render_without_soffice_exits_2_in_chinese(tmp_path):
    book = _workbook(tmp_path / "汇总.xlsx")
    env = {"XL_TOOLS_SOFFICE": str(tmp_path / "没有这个程序"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "xl_tools", "render", str(book), "-o", str(tmp_path)],
                          capture_output=True, text=True, encoding="utf-8", env=env)
    assert done.returncode == 2
    assert "XL_TOOLS_SOFFICE" in done.stderr and "apt-get install libreoffice-calc" in done.stderr
    assert not list(tmp_path.glob("*.pdf"))
