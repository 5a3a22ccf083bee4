"""Shared test fixtures and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import xl_tools  # noqa: F401  (pins openpyxl's ElementTree writer before any test imports openpyxl)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_6aaa9fa76d18eacb.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The published annex; the copy shipped inside the package when ../shared is absent."""
    if SEED.exists():
        return SEED
    from importlib import resources

    return Path(str(resources.files("xl_tools").joinpath("data", "annex_2020.txt")))
