"""The 指标值 (indicator value) grammar: parse a cell into a typed value, and format it back.

Stdlib only, no Excel library: it runs on a ribbon click. The grammar is described in the design notes
(domain.md, "指标值 grammar"); its words, units and patterns are in :mod:`.value_grammar`.

Decisions the grammar leaves open, fixed here:

- 达到 reads as ≥ (a target to reach); 超过/大于/高于/多于 are strict (>), 低于/小于/少于 strict (<).
- "=" is rendered bare: `format` gives "9份", not "=9份".
- Money is kept in 万元: 3亿 = 30000万元, 5000元 = 0.5万元. A bare 亿 or 万 after a number, with no unit,
  is money (≥3亿 → ≥30000万元); 万/亿 before another unit is a multiplier (1.5万人次 = 15000人次).
- An integer year 1900..2199 with unit 年 and operator = or ≤ is a deadline (2021年, ≤2021年, 2021年以内);
  other 年 values are durations (3年, ≥2021年). Deadlines always carry op "≤".
- In a sentence, an operator word (至少, 不少于, …) governs the next number in the same clause (clauses end at
  , ; 。 ! ?); a number counts as a target only with a unit or an attached symbol (≥5); years, ordinals (第3期),
  titles in 《》 and a lone 一 with no operator (一场主论坛, 一次性) are skipped.
- Vague wording (vague=True) is set only on QUALITATIVE values: a degree adverb before a change verb
  (进一步提升, 有所提高, 明显改善, 有力推动 …) or a bare verb/adjective (提升, 良好).
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .numerals import parse_chinese_int, to_halfwidth
from .value_grammar import (
    CTX, DEADLINE_RE, FILLER_RE, LABEL_RE, MONEY_SCALE, MULTIPLIERS, SCAN_RE, SPACE_RE, SUFFIX_OPS, SYM, SYMBOL_OPS,
    TAG_RE, TRAILING, UNIT_ALIASES, VALUE_RE, WAN, WORD, WORD_OPS, YEAR_MAX, YEAR_MIN, canon, fmt_number, vague_re,
)

__all__ = [
    "Kind",
    "Target",
    "ParsedValue",
    "OPERATORS",
    "parse_value",
    "format_value",
    "extract_targets",
    "split_inline_value",
    "is_placeholder_text",
    "normalise",
]


class Kind(str, enum.Enum):
    QUANTITATIVE = "quantitative"  # op + number + unit (unit may be None)
    RATE = "rate"  # a % value
    DEADLINE = "deadline"  # 2021年, 2021年12月底前, 2021年6月30日前
    QUALITATIVE = "qualitative"  # text with no target
    PLACEHOLDER = "placeholder"  # "", "....", "指标4:", "指标9: ...."
    SENTENCE = "sentence-with-targets"  # a sentence holding targets


OPERATORS = ("≥", "≤", "=", ">", "<")

# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Target:
    """One quantitative target: operator, number (money in 万元) and normalised unit."""

    op: str
    number: Decimal
    unit: str | None
    text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        number = self.number if isinstance(self.number, Decimal) else Decimal(str(self.number))
        object.__setattr__(self, "number", canon(number))

    def format(self) -> str:
        """Canonical text: "≥2场次", "9份" (= is bare), "≥6亿元" for whole 亿, else "≥120万元"."""
        op = "" if self.op == "=" else self.op
        number, unit = self.number, self.unit or ""
        if unit == "万元" and number >= WAN:
            in_yi = CTX.scaleb(number, -4)
            if in_yi == in_yi.to_integral_value():
                number, unit = in_yi, "亿元"
        return f"{op}{fmt_number(number)}{unit}"


@dataclass(frozen=True)
class ParsedValue:
    """A parsed 指标值. Equality ignores `raw`."""

    raw: str = field(compare=False)
    kind: Kind
    op: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    deadline: tuple[int, int | None, int | None] | None = None
    targets: tuple[Target, ...] = ()
    vague: bool = False
    label: str | None = None


# ---------------------------------------------------------------- text preparation


def _as_text(value: object) -> str:
    """Cell value → text. Excel numbers come as int/float: 460 → "460", 2020.0 → "2020"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return fmt_number(Decimal(repr(value)))
    if isinstance(value, (int, Decimal)):
        try:
            return fmt_number(Decimal(value)) if Decimal(value).is_finite() else str(value)
        except (ValueError, ArithmeticError):
            return str(value)
    return str(value)


def _strip_tags(text: str) -> str:
    if "<" not in text:  # every tag starts with "<": most cells have none
        return text
    while True:  # to a fixed point: "<<p>p>" leaves "< p>", "<p<p>>" leaves "<p >" which is a tag too
        stripped = TAG_RE.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


def _normalise(text: str) -> str:
    """Half-width forms, no HTML tags, single spaces, trimmed. Idempotent."""
    return SPACE_RE.sub(" ", _strip_tags(to_halfwidth(text))).strip()


def normalise(text: object) -> str:
    """A cell's text as the grammar reads it: half-width forms, no HTML tags, single spaces, trimmed."""
    return _normalise(_as_text(text))


def _split_label(text: str) -> tuple[str | None, str]:
    match = LABEL_RE.match(text)
    if match is None:
        return None, text
    return f"指标{match.group(1)}", text[match.end() :].strip()


def _is_filler(body: str) -> bool:
    return FILLER_RE.fullmatch(body) is not None


# ---------------------------------------------------------------- targets


def _number_of(match: re.Match) -> tuple[Decimal, bool] | None:
    """(value, ends_with_big_multiplier) of the number groups of a VALUE_RE/SCAN_RE match."""
    if match.group("ar") is not None:
        number = Decimal(match.group("ar").replace(",", ""))
        mult = match.group("mult")
        for ch in mult:
            number = CTX.scaleb(number, MULTIPLIERS[ch])
        return number, mult[-1:] in ("万", "亿")
    value = parse_chinese_int(match.group("cn"))
    if value is None:
        return None
    return Decimal(value), match.group("cn")[-1] in "万亿"


def _target_of(match: re.Match, sign: str | None, word_op: str | None, text: str | None = None) -> Target | None:
    """The target a match denotes (money → 万元, 百分之 → %), or None when the number is malformed.

    ``text`` is the target's source text (default: the match itself); callers that know a wider text pass
    it here rather than building the Target twice (each build re-canonicalises the number).
    """
    parsed = _number_of(match)
    if parsed is None:
        return None
    number, money_multiplier = parsed
    unit = match.group("unit")
    if match.group("pct"):
        if unit is not None:
            return None
        unit = "%"
    elif unit is None and money_multiplier:
        unit = "元"  # ≥3亿, 十五万: a bare 亿/万 is money
    if sign == "-":
        number = -number
    if unit in MONEY_SCALE:
        number, unit = CTX.scaleb(number, MONEY_SCALE[unit]), "万元"
    unit = UNIT_ALIASES.get(unit, unit)
    symbol = match.group("sym")
    suffix = match.group("suf")
    op = (
        SYMBOL_OPS[symbol] if symbol
        else word_op or (SUFFIX_OPS[suffix] if suffix else "=")
    )  # fmt: skip
    return Target(op, number, unit, text=match.group(0).strip() if text is None else text)


def _is_year(target: Target) -> bool:
    number = target.number
    return target.unit == "年" and number == number.to_integral_value() and YEAR_MIN <= number <= YEAR_MAX


def _scan_targets(body: str) -> tuple[Target, ...]:
    """Target candidates in a sentence (see the module docstring for the rules)."""
    found: list[Target] = []
    pending: tuple[str, int] | None = None  # (operator, start) of the last operator word in this clause
    for match in SCAN_RE.finditer(body):
        if match.group("word") is not None:
            pending = (WORD_OPS[match.group("word")], match.start())
            continue
        if match.group("stop") is not None:
            pending = None
            continue
        if match.group("title") is not None:
            continue
        # After an operator word the target's text runs from that word to the number's end.
        text = body[pending[1] : match.end()].strip() if pending is not None else None
        target = _target_of(match, None, pending[0] if pending else None, text)
        if target is None or _is_year(target):
            continue
        if target.unit is None and not match.group("sym"):
            continue
        if match.group("cn") == "一" and pending is None and not match.group("sym"):
            continue
        pending = None
        found.append(target)
    return tuple(found)


def _match_deadline(core: str) -> tuple[int, int | None, int | None] | None:
    match = DEADLINE_RE.fullmatch(core)
    if match is None:
        return None
    year = int(match.group("y"))
    month = int(match.group("m")) if match.group("m") else None
    day = int(match.group("d")) if match.group("d") else None
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month, day


def _match_value(core: str, text: str | None = None) -> Target | None:
    match = VALUE_RE.fullmatch(core)
    if match is None:
        return None
    word = match.group("word")
    return _target_of(match, match.group("sign"), WORD_OPS[word] if word else None, text)


# ---------------------------------------------------------------- public API


# Batches repeat the same few hundred 指标值 texts thousands of times (every city copies the template's
# wording), so parsed values are remembered by text. ParsedValue and Target are frozen and hold only
# immutable parts (str, Decimal, Kind, tuples), so handing the same object to every caller is safe.
# The bound keeps memory flat on huge batches (a few MB at most).
_CACHE_SIZE = 4096


def parse_value(text: object) -> ParsedValue:
    """Parse a 指标值 cell (str, int, float, None, …). Never raises."""
    try:
        raw = _as_text(text)
    except Exception:  # a foreign object whose str() fails
        raw = ""
    if type(raw) is str:  # exactly str: a str subclass may carry state the cache key would not see
        return _parse_cached(raw)
    return _parse_total(raw)


def _parse_total(raw: str) -> ParsedValue:
    try:
        return _parse(raw)
    except Exception:  # safety net: the grammar is total, but a ribbon click must never crash
        return ParsedValue(raw=raw, kind=Kind.QUALITATIVE)


_parse_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(_parse_total)


def _parse(raw: str) -> ParsedValue:
    label, body = _split_label(_normalise(raw))
    if _is_filler(body):
        return ParsedValue(raw=raw, kind=Kind.PLACEHOLDER, label=label)
    core = body.rstrip(TRAILING)
    deadline = _match_deadline(core)
    if deadline is not None:
        return ParsedValue(raw=raw, kind=Kind.DEADLINE, op="≤", deadline=deadline, label=label)
    target = _match_value(core, body)  # a whole-cell target's text is the cell's (label-free) text
    if target is not None:
        if target.op in ("=", "≤") and _is_year(target):
            year = (int(target.number), None, None)
            return ParsedValue(raw=raw, kind=Kind.DEADLINE, op="≤", deadline=year, label=label)
        kind = Kind.RATE if target.unit == "%" else Kind.QUANTITATIVE
        return ParsedValue(
            raw=raw, kind=kind, op=target.op, number=target.number, unit=target.unit, targets=(target,), label=label
        )
    targets = _scan_targets(body)
    if targets:
        return ParsedValue(raw=raw, kind=Kind.SENTENCE, targets=targets, label=label)
    vague = vague_re().search(core) is not None
    return ParsedValue(raw=raw, kind=Kind.QUALITATIVE, vague=vague, label=label)


def _format_deadline(deadline: tuple[int, int | None, int | None]) -> str:
    year, month, day = deadline
    if month is None:
        return f"{year}年"
    if day is None:
        return f"{year}年{month}月底前"
    return f"{year}年{month}月{day}日前"


def format_value(v: ParsedValue) -> str:
    """Canonical text of a parsed value; parse_value(format_value(v)) == v."""
    prefix = f"{v.label}: " if v.label else ""
    if v.kind is Kind.PLACEHOLDER:
        return f"{v.label}:" if v.label else ""
    if v.kind in (Kind.QUANTITATIVE, Kind.RATE) and v.op is not None and v.number is not None:
        return prefix + Target(v.op, v.number, v.unit).format()
    if v.kind is Kind.DEADLINE and v.deadline is not None:
        return prefix + _format_deadline(v.deadline)
    # QUALITATIVE and SENTENCE keep their (normalised) words.
    return prefix + _split_label(_normalise(v.raw))[1]


def extract_targets(text: str) -> tuple[Target, ...]:
    """Target candidates of a value: the target of a plain value, all candidates of a sentence, else ()."""
    return parse_value(text).targets


def is_placeholder_text(text: object) -> bool:
    """True for "", None, "....", "…", ". ..", "指标4:", "指标9: ...." (a label with nothing after it)."""
    if type(text) is str:  # asked for every 三级指标 of every form: remembered by text like parse_value
        return _placeholder_cached(text)
    return _is_placeholder_total(text)


def _is_placeholder_total(text: object) -> bool:
    try:
        return _is_filler(_split_label(_normalise(_as_text(text)))[1])
    except Exception:
        return False


_placeholder_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(_is_placeholder_total)


_OP_AT_END_RE = re.compile(rf"(?:{SYM}|{WORD}|[-+＞＜＝≧≦]|第)\s*$")
_OP_START_RE = re.compile(rf"{SYM}|{WORD}|[＞＜＝≧≦]")


def _can_split(head: str) -> bool:
    return bool(head.strip()) and head.count("《") <= head.count("》") and _OP_AT_END_RE.search(head) is None


def _is_inline_value(tail: str) -> bool:
    parsed = parse_value(tail)
    return parsed.label is None and parsed.kind in (Kind.QUANTITATIVE, Kind.RATE, Kind.DEADLINE)


def split_inline_value(text: str) -> tuple[str, str | None]:
    """Split an indicator text from a value written after it: "… 研究报告 9份" → ("… 研究报告", "9份").

    The value must follow whitespace, or start with an operator ("人员数量≥500人"); the text part keeps
    its own characters (only HTML tags and surrounding spaces are dropped). No value → (text, None).
    """
    text = _strip_tags(_as_text(text)).strip()
    for match in SPACE_RE.finditer(text):  # the longest value after a space
        head, tail = text[: match.start()], text[match.end() :]
        if _can_split(head) and _is_inline_value(tail):
            return head.rstrip(), tail
    for match in _OP_START_RE.finditer(text):
        head, tail = text[: match.start()], text[match.start() :]
        if _can_split(head) and _is_inline_value(tail):
            return head.rstrip(), tail.strip()
    return text, None
