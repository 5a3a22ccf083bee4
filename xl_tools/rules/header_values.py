"""Readers for the header's typed fields: 预算年度 (a year) and 资金需求 (万元). Stdlib only."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from xl_tools.domain.text import squash

YEAR_MIN, YEAR_MAX = 2000, 2099

_YEAR = re.compile(r"^(\d{4})(?:年度?)?$")
_CN_YEAR = re.compile(r"^([〇零一二三四五六七八九]{4})(?:年度?)?$")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?)(万元|万|元|亿元|亿)?$")
_AMOUNT_SCALE = {None: Decimal(1), "万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001"),
                 "亿元": Decimal(10000), "亿": Decimal(10000)}


def parse_year(text: str) -> int | None:
    """The year of a 预算年度 cell (``2020``, ``2020年``, ``2020年度``) when plausible, else None."""
    m = _YEAR.match(squash(text))
    if m and YEAR_MIN <= int(m.group(1)) <= YEAR_MAX:
        return int(m.group(1))
    return None


def suggest_year(text: str) -> str | None:
    """A four-digit year read from a wrongly written one (``二〇二〇年`` → 2020), else None."""
    key = squash(text)
    m = _CN_YEAR.match(key)
    if m:
        year = int("".join(_CN_DIGIT[c] for c in m.group(1)))
        return str(year) if YEAR_MIN <= year <= YEAR_MAX else None
    digits = re.findall(r"(?<!\d)(\d{4})(?!\d)", key)
    if len(digits) == 1 and YEAR_MIN <= int(digits[0]) <= YEAR_MAX:
        return digits[0]
    return None


def read_amount(text: str) -> tuple[Decimal, str | None] | None:
    """(number, unit as written) of a money text like ``460万元``/``4,600,000元``, else None."""
    key = squash(text).replace(",", "")
    m = _AMOUNT.match(key)
    if not m:
        return None
    try:
        return Decimal(m.group(1)), m.group(2)
    except InvalidOperation:
        return None


def parse_funding(text: str) -> Decimal | None:
    """资金需求 in 万元 when it is a valid amount (positive, 万元 or a bare number, ≤ 2 decimals), else None."""
    read = read_amount(text)
    if not read:
        return None
    number, unit = read
    if unit not in (None, "万元", "万") or number <= 0 or _decimals(number) > 2:
        return None
    return number


def amount_in_wan(text: str) -> Decimal | None:
    """Any money text converted to 万元 (``3亿元`` → 30000), used to suggest a corrected 资金需求."""
    read = read_amount(text)
    if not read:
        return None
    number, unit = read
    return number * _AMOUNT_SCALE[unit]


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_number(number: Decimal) -> str:
    """``Decimal('460.00')`` → ``460``; ``Decimal('0.50')`` → ``0.5``; no exponent notation."""
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
