"""Character-width folding and Chinese numerals for the 指标值 grammar (stdlib only).

`to_halfwidth` folds full-width ASCII (２０, ＞, ％, ，, ：), the ideographic space and the
alternative comparison signs (≧ ≦ ⩾ ⩽ ﹥ ﹤ ﹦) to the forms the grammar uses, and drops
zero-width characters. `parse_chinese_int` reads 两, 十五, 一百二十, 一亿五千万, 二〇二一.
"""

from __future__ import annotations

# Full-width ASCII block FF01..FF5E maps onto 0021..007E.
_WIDTH: dict[int, int | str | None] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH.update(
    {
        0x3000: " ",  # ideographic space
        ord("≧"): "≥",
        ord("⩾"): "≥",
        ord("≦"): "≤",
        ord("⩽"): "≤",
        ord("﹥"): ">",
        ord("﹤"): "<",
        ord("﹦"): "=",
        ord("﹪"): "%",
    }
)
for _zero_width in "\u200b\u200c\u200d\u2060\ufeff\u00ad":
    _WIDTH[ord(_zero_width)] = None

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "亿": 10**8}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
_POSITIONAL = frozenset("零〇一二三四五六七八九")  # 二〇二一 reads digit by digit
_MAX_LEN = 24


def to_halfwidth(text: str) -> str:
    """Fold full-width forms and alternative comparison signs; drop zero-width characters."""
    return text.translate(_WIDTH)


def parse_chinese_int(text: str) -> int | None:
    """The value of a Chinese numeral, or None when `text` is not a well-formed one.

    Accepts 零/〇, 一…九, 两, 十/百/千 in descending order, 万 and 亿 groups (十五万, 一亿五千万, 三万亿),
    a leading bare 十 (十五 = 15) and digit-by-digit numerals (二〇二一 = 2021).
    """
    if not text or len(text) > _MAX_LEN or any(ch not in CN_NUMERAL_CHARS for ch in text):
        return None
    if all(ch in _POSITIONAL for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + CN_DIGITS[ch]
        return value
    yi = wan = section = 0
    digit: int | None = None
    small_cap = 10**4  # the next 十/百/千 must be smaller than the previous one in this group
    for index, ch in enumerate(text):
        if ch in CN_DIGITS:
            if digit is not None:
                return None  # two digits in a row (一二 inside a unit numeral)
            if CN_DIGITS[ch] != 0:
                digit = CN_DIGITS[ch]
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= small_cap or (digit is None and not (unit == 10 and index == 0)):
                return None
            section += (1 if digit is None else digit) * unit
            digit, small_cap = None, unit
        else:
            unit = _BIG_UNITS[ch]
            group = section + (digit or 0)
            if unit == 10**4:
                if group == 0 or wan:
                    return None
                wan = group * unit
            else:
                if group == 0 and wan == 0 and yi == 0:
                    return None
                yi = (yi + wan + group) * unit
                wan = 0
            section, digit, small_cap = 0, None, 10**4
    return yi + wan + section + (digit or 0)
