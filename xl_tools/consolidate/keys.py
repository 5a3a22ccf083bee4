"""Canonical indicator keys: the text of a 三级指标 reduced to what identifies it across cities.

``指标1: 组织编写……研究报告`` (珠海) and ``组织编写……研究报告`` (广州) must give the same key, so the key drops
``指标N:`` labels, every space, markup and punctuation (full- and half-width alike, after NFKC folding).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from xl_tools.domain.text import clean

# A leading label such as "指标1:", "指标 4：", "指标十:" (the colon may be full-width or missing before text).
_LABEL = re.compile(r"^\s*指标\s*[0-9０-９一二三四五六七八九十]+\s*[:：.、．]?\s*")
_SPACE = re.compile(r"[\s\u3000\u00a0]+")
# Trailing placeholder dots the annex leaves after a label ("... ..", "…").
_TRAILING_DOTS = re.compile(r"[\s.．。…·]+$")


def strip_label(text: object) -> str:
    """``指标1: 项目完成期限符合相关要求 ... ..`` → ``项目完成期限符合相关要求``; spaces collapsed to one."""
    value = clean(text)
    value = _LABEL.sub("", value)
    value = _TRAILING_DOTS.sub("", value)
    return _SPACE.sub(" ", value).strip()


def _is_key_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "N")


def canonical_key(text: object) -> str:
    """The comparison key of a 三级指标: label stripped, NFKC-folded, letters and digits only, lower case."""
    if isinstance(text, str):
        return _canonical_key(text)     # the same names recur in every city and every project: remember them
    return _canonical_key_uncached(text)


@lru_cache(maxsize=8192)
def _canonical_key(text: str) -> str:
    return _canonical_key_uncached(text)


def _canonical_key_uncached(text: object) -> str:
    folded = unicodedata.normalize("NFKC", strip_label(text)).lower()
    return "".join(ch for ch in folded if _is_key_char(ch))


def display_name(text: object) -> str:
    """The text shown for an indicator with no library entry: the label stripped, spaces tidied."""
    return strip_label(text)
