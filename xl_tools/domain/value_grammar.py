"""The words, symbols, units and patterns of the 指标值 grammar (:mod:`xl_tools.domain.values` parses with them),
and the exact decimal arithmetic it uses. Stdlib only."""

from __future__ import annotations

import decimal
import functools
import re
from decimal import Decimal

from .numerals import CN_NUMERAL_CHARS

# ---------------------------------------------------------------- numbers

# Wide exponent range so no input can overflow; 100 significant digits are plenty for any target.
CTX = decimal.Context(prec=100, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
WAN = Decimal(10000)


def canon(number: Decimal) -> Decimal:
    """One representation per value: no trailing zeros, no exponent (9.0 → 9, 3E+4 → 30000)."""
    number = CTX.normalize(number)
    if number.is_zero():
        return Decimal(0)
    return Decimal(format(number, "f"))


def fmt_number(number: Decimal) -> str:
    return format(canon(number), "f")


# ---------------------------------------------------------------- grammar tables

SYMBOL_OPS = {">=": "≥", "=>": "≥", "≥": "≥", "<=": "≤", "=<": "≤", "≤": "≤", ">": ">", "<": "<", "=": "="}
WORD_OPS = {
    "大于或等于": "≥", "大于等于": "≥", "不少于": "≥", "不低于": "≥", "不小于": "≥", "至少": "≥", "最少": "≥",
    "达到": "≥",
    "小于或等于": "≤", "小于等于": "≤", "不超过": "≤", "不高于": "≤", "不多于": "≤", "不大于": "≤", "最多": "≤",
    "至多": "≤",
    "超过": ">", "大于": ">", "高于": ">", "多于": ">",
    "小于": "<", "低于": "<", "少于": "<",
    "等于": "=",
}  # fmt: skip
SUFFIX_OPS = {
    "及以上": "≥", "或以上": "≥", "以上": "≥",
    "及以下": "≤", "或以下": "≤", "以下": "≤", "以内": "≤", "之内": "≤",
}  # fmt: skip
UNITS = (
    "个百分点", "平方公里", "平方米", "百分点", "场次", "人次", "家次", "件次", "项次", "户次", "万元", "亿元", "个月",
    "公里", "小时", "学时", "课时",
    "份", "场", "支", "家", "个", "人", "次", "期", "项", "篇", "件", "年", "元", "%", "‰", "天", "周", "户", "座",
    "台", "套", "本", "册", "条", "名", "所", "批", "处", "类", "种", "部", "间", "米", "吨", "亩", "届", "轮", "门",
    "节", "款", "张", "幅", "例", "笔", "宗", "栋", "辆",
)  # fmt: skip
UNIT_ALIASES = {"百分点": "个百分点"}
MONEY_SCALE = {"元": -4, "万元": 0, "亿元": 4}  # power of ten to 万元
MULTIPLIERS = {"十": 1, "百": 2, "千": 3, "万": 4, "亿": 8}


def alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


SYM = alternation(SYMBOL_OPS)
WORD = alternation(WORD_OPS)
SUFFIX = alternation(SUFFIX_OPS)
UNIT = alternation(UNITS)
NUMBER = (
    r"(?P<pct>百分之)?(?:(?P<ar>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)\s*(?P<mult>[十百千万亿]{0,2})"
    rf"|(?P<cn>[{CN_NUMERAL_CHARS}]+))"
)
TAIL = rf"\s*(?P<unit>{UNIT})?\s*(?P<suf>{SUFFIX})?"

# A whole cell that is one target: [op word [为]] [op symbol] [sign] number [unit] [以上/以下…].
VALUE_RE = re.compile(rf"(?:(?P<word>{WORD})\s*(?:为\s*)?)?(?P<sym>{SYM})?\s*(?P<sign>[-+])?\s*{NUMBER}{TAIL}")
# Scanning a sentence: operator words, clause stops, 《titles》 to skip, and numbers (not after 第, letters, digits).
SCAN_RE = re.compile(
    rf"(?P<word>{WORD})|(?P<stop>[,;。!?])|(?P<title>《[^《》]*》|〈[^〈〉]*〉)"
    rf"|(?P<sym>{SYM})?\s*(?<![第A-Za-z0-9.{CN_NUMERAL_CHARS}]){NUMBER}{TAIL}"
)
DEADLINE_RE = re.compile(
    r"(?:在|于|截至|截止(?:到|至)?|不晚于|不迟于|最迟|≤)?\s*(?P<y>[0-9]{4})\s*年\s*"
    r"(?:(?P<m>[0-9]{1,2})\s*月\s*(?:(?P<d>[0-9]{1,2})\s*[日号]\s*)?)?"
    r"(?:年底|年末|底|末|内)?\s*(?:之前|以前|为止|前|止)?\s*(?:完成)?"
)
LABEL_RE = re.compile(r"指标\s*([0-9]+)\s*:\s*")
TAG_RE = re.compile(r"</?(?:p|br|span|div|b|i|u|strong|em|font|sup|sub)\b[^<>]*>", re.IGNORECASE)
SPACE_RE = re.compile(r"\s+")
FILLER_RE = re.compile(r"[.…·‥⋯。\-—–_/\s]*")
TRAILING = ".。,;、!? "
YEAR_MIN, YEAR_MAX = 1900, 2199




@functools.lru_cache(maxsize=1)
def vague_re() -> re.Pattern:
    """Vague wording, built from the one list kept as data (data/vague_wording.json): a degree word before a
    change verb anywhere, or the whole value one bare word."""
    from .data_files import load_json

    data = load_json("vague_wording.json")
    degree, verbs, bare = alternation(data["degree_words"]), alternation(data["change_verbs"]), \
        alternation(data["bare_words"])
    return re.compile(rf"(?:{degree})地?(?:{verbs})|^(?:{bare})$")
