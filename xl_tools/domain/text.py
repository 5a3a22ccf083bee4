"""Small text normalisers shared by the domain (stdlib only)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TAGS = re.compile(r"</?\s*[a-zA-Z][^<>]*>")
_SPACE = re.compile(r"[\s\u3000\u00a0]+")


def clean(value: object) -> str:
    """Cell text as the user meant it: None → "", numbers without ".0", HTML tags dropped, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if "<" in text:
        text = _TAGS.sub(" ", text)
    return text.replace("\r\n", "\n").strip()


def squash(value: object) -> str:
    """Text with every space removed and full-width forms folded (NFKC): a key for comparisons."""
    if type(value) is str:      # the common case, remembered: the same cell texts come back on every form
        return _squash_text(value)
    return _squash(value)


def _squash(value: object) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", clean(value)))


# Keyed by exact str only: an lru_cache would treat 1, 1.0 and True as one key, and they squash differently.
_squash_text = lru_cache(maxsize=4096)(_squash)
