"""Cross-city totals of the indicator tables (plain Python: a few hundred entries grouped in order).

Each indicator row of each city becomes an *entry* (canonical key, parsed 指标值, cell). Entries with the same
canonical key are grouped; within a key, entries are split by unit *dimension* (money in any of 元/万元/亿元 is
one dimension; 份 and 场 are two), because only like can be added to like. Per (key, dimension) one
IndicatorTotal row: summed with the combined operator, or — for rates, deadlines, numbers without a unit and
≥/≤ conflicts — not summed but shown per city with the minimum and maximum. Qualitative values (and sentences,
and indicators whose value is missing) are listed per city in QualitativeRow records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from xl_tools.consolidate.keys import canonical_key, display_name
from xl_tools.consolidate.library import MONEY_UNITS, IndicatorLibrary, LibraryEntry
from xl_tools.consolidate.records import (  # noqa: F401  (re-exported: the records and kinds of the totals)
    DEADLINE, LOWER, OP_CONFLICT, RATE, SUM, UNITLESS, UPPER, CityForm, CityValue, IndicatorTotal, QualitativeRow,
    Totals,
)
from xl_tools.domain.cities import order_key
from xl_tools.domain.taxonomy import taxonomy

# Money expressed in 万元 (the parser's base) → the unit shown.
_PER_WAN = {"元": Decimal(10000), "万元": Decimal(1), "亿元": Decimal("0.0001")}


# --- parsing adapter (xl_tools.domain.values is the one 指标值 parser) ------------------------------------

def _kind_name(kind: object) -> str:
    return str(getattr(kind, "value", kind) or "")


def parse(text: str):
    from xl_tools.domain.values import parse_value

    return parse_value(text)


def _dimension(unit: str | None, kind: str) -> str:
    if kind == "deadline":
        return "deadline"
    if not unit:
        return ""
    if unit in MONEY_UNITS:
        return "money"
    return unit


def money_unit_written(text: str) -> str:
    """The money unit a city wrote (a bare 亿 is 亿元), to show totals the way cities write them."""
    if "亿" in text:
        return "亿元"
    if "万" in text:
        return "万元"
    return "元"


def format_number(number: Decimal | None) -> str:
    """``Decimal('6.00')`` → ``6``; ``Decimal('0.50')`` → ``0.5``; None → ""."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    return text


def format_total(op: str | None, number: Decimal | None, unit: str) -> str:
    """``≥6亿元``; the = sign is left out (``12份``) as the forms write it."""
    if number is None:
        return ""
    sign = "" if op in (None, "", "=") else op
    return f"{sign}{format_number(number)}{unit}"


def combine_operators(ops: Sequence[str | None]) -> str | None:
    """= and = → =; ≥ with = or ≥ → ≥ (> when a strict bound is involved); ≤ likewise; ≥ with ≤ → None."""
    found = {op or "=" for op in ops}
    lower, upper = found & LOWER, found & UPPER
    if lower and upper:
        return None
    if lower:
        return ">" if ">" in lower else "≥"
    if upper:
        return "<" if "<" in upper else "≤"
    return "="


# --- entries --------------------------------------------------------------------------------------------

def _level_names(row) -> tuple[str, str]:
    tax = taxonomy()
    l1 = tax.canonical_level1(row.level1.text) or display_name(row.level1.text)
    l2 = tax.canonical_level2(row.level2.text) or display_name(row.level2.text)
    return l1, l2


def indicator_entries(city_forms: Sequence[CityForm], library: IndicatorLibrary) -> list[dict]:
    """One dict per indicator row that names an indicator (placeholder rows are left out)."""
    from xl_tools.domain.values import is_placeholder_text

    entries = []
    for position, cf in enumerate(city_forms):
        for index, row in enumerate(cf.form.rows):
            key_text = row.level3.text
            if not canonical_key(key_text) or is_placeholder_text(key_text):
                continue
            entry: LibraryEntry | None = library.lookup(key_text)
            key = entry.key if entry else canonical_key(key_text)
            value_text = row.value.text
            parsed = parse(value_text)
            kind = _kind_name(getattr(parsed, "kind", ""))
            number = getattr(parsed, "number", None)
            unit = getattr(parsed, "unit", None) or None
            if kind in ("placeholder", "") or not value_text.strip():
                kind = "missing"
            if kind == "rate" and not unit:
                unit = "%"
            l1, l2 = _level_names(row)
            entries.append({
                "position": position,
                "order": order_key(cf.city),
                "row": index,
                "city": cf.city,
                "key": key,
                "name": entry.name if entry else display_name(key_text),
                "in_library": entry is not None,
                "lib_unit": entry.unit if entry else None,
                "level1": (entry.level1 if entry and entry.level1 else l1),
                "level2": (entry.level2 if entry and entry.level2 else l2),
                "kind": kind,
                "op": getattr(parsed, "op", None) or None,
                "number": Decimal(number) if number is not None else None,
                "unit": unit,
                "dim": _dimension(unit, kind),
                "deadline": getattr(parsed, "deadline", None),
                "targets": tuple(t.format() for t in getattr(parsed, "targets", ()) or ()) if kind.startswith("sentence")
                else (),
                "text": value_text,
                "sheet": cf.form.sheet,
                "cell": row.value.cell,
                "level3_cell": row.level3.cell,
            })
    return entries


QUANTITATIVE_KINDS = ("quantitative", "rate", "deadline")


# --- grouping -------------------------------------------------------------------------------------------

def _joined_texts(records: list[dict], texts: Sequence[str]) -> str:
    """Each form's texts (a text repeated within one form once), the city's projects one after another."""
    per_form: dict[object, dict[str, None]] = {}
    for r, text in zip(records, texts):
        per_form.setdefault(r["position"], {})[text] = None
    return "；".join(t for seen in per_form.values() for t in seen)


def _city_value(records: list[dict], number_of, *, summable: bool = True) -> CityValue:
    """Merge one city's entries of one row (one per indicator row of each of the city's projects).

    ``summable``: the row's numbers add up (a unit); rates, deadlines and numbers without a unit do not, so a
    city with several of them has no one number (None), only its texts."""
    numbers = [number_of(r) for r in records]
    if not numbers or any(n is None for n in numbers):
        number = None
    elif summable:
        number = clean_number(sum(numbers, Decimal(0)))
    else:
        number = numbers[0] if len(numbers) == 1 else None
    ops = [r["op"] for r in records]
    op = combine_operators(ops) if len(ops) > 1 else (ops[0] or None)
    return CityValue(
        number=number,
        text=_joined_texts(records, [r["text"] for r in records]),
        op=op,
        conflict=len(ops) > 1 and op is None,
        sheet=records[0]["sheet"],
        cells=tuple(r["cell"] for r in records if r["cell"]),
        level3_cells=tuple(r["level3_cell"] for r in records if r["level3_cell"]),
    )


def _by_city(records: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for r in records:
        grouped.setdefault(r["city"], []).append(r)
    return grouped


def _groups(records: list[dict], column: str) -> dict[object, list[dict]]:
    """``records`` grouped by ``column``, groups in order of first appearance, records in their order."""
    grouped: dict[object, list[dict]] = {}
    for r in records:
        grouped.setdefault(r[column], []).append(r)
    return grouped


def _display_unit(records: list[dict], dim: str) -> str:
    """The unit a (key, dimension) row is shown in: the library's, else what most cities wrote (the first
    written of the most written)."""
    lib_units = [r["lib_unit"] for r in records if r["lib_unit"]]
    if dim == "money":
        if lib_units and lib_units[0] in MONEY_UNITS:
            return lib_units[0]
        written = Counter(money_unit_written(r["text"]) for r in records)
        return max(written, key=written.__getitem__)
    if dim == "deadline":
        return ""
    return dim


def _range_text(values: list[tuple[object, str]], low: str, high: str) -> str:
    """``最低 90%，最高 100%``; ``均为 2021年`` when every city wrote the same; the value itself for one city."""
    if not values:
        return ""
    if len(values) == 1:
        return values[0][1]
    ordered = sorted(values, key=lambda v: v[0])
    if ordered[0][0] == ordered[-1][0]:
        return f"均为 {ordered[0][1]}"
    return f"{low} {ordered[0][1]}，{high} {ordered[-1][1]}"


def clean_number(number: Decimal | None) -> Decimal | None:
    """A Decimal without trailing zeros or exponent noise: 3.0000 → 3, 0.50 → 0.5."""
    if number is None:
        return None
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number.normalize()


def _deadline_sort_value(deadline, text: str):
    if deadline is None:
        return text
    if isinstance(deadline, (tuple, list)):
        return tuple(x if x is not None else 99 for x in deadline)
    return deadline


def _sorted_by_city(by_city: dict[str, CityValue]) -> dict[str, CityValue]:
    return dict(sorted(by_city.items(), key=lambda kv: order_key(kv[0])))


def _indicator_rows(entries: list[dict]) -> list[IndicatorTotal]:
    rows: list[IndicatorTotal] = []
    quant = [r for r in entries if r["kind"] in QUANTITATIVE_KINDS]
    for key, by_key in _groups(quant, "key").items():
        by_dim = _groups(by_key, "dim")
        dims = list(by_dim)
        for dim, records in by_dim.items():
            first = records[0]
            unit = _display_unit(records, dim)
            factor = _PER_WAN.get(unit, Decimal(1)) if dim == "money" else Decimal(1)

            def number_of(r, factor=factor):
                return None if r["number"] is None else clean_number(r["number"] * factor)

            summable = dim not in ("%", "deadline", "")
            by_city = {city: _city_value(rs, number_of, summable=summable) for city, rs in _by_city(records).items()}
            by_city = _sorted_by_city(by_city)
            ops = [cv.op for cv in by_city.values()]
            other_units = tuple(_dimension_label(d, by_key) for d in dims if d != dim)
            if dim == "deadline":
                kind, op, total = DEADLINE, None, None
                values = [(_deadline_sort_value(r["deadline"], r["text"]), r["text"].strip()) for r in records]
                try:
                    total_text = _range_text(values, "最早", "最晚")
                except TypeError:
                    total_text = "、".join(dict.fromkeys(v[1] for v in values))
            elif dim == "%":
                kind, op, total = RATE, None, None
                # each project's rate (a city with two projects has two), never a city's rates added up
                values = [(number_of(r), r["text"].strip()) for r in sorted(records, key=lambda r: r["order"])
                          if r["number"] is not None]
                total_text = _range_text(values, "最低", "最高")
            elif dim == "":
                kind, op, total = UNITLESS, None, None
                total_text = "未写单位，未合计"
            else:
                op = None if any(cv.conflict for cv in by_city.values()) else combine_operators(ops)
                if op is None:
                    kind, total = OP_CONFLICT, None
                    total_text = "有“≥”也有“≤”，不能相加"
                elif any(cv.number is None for cv in by_city.values()):
                    kind, total, total_text = UNITLESS, None, "数值不完整，未合计"
                else:
                    kind = SUM
                    total = clean_number(sum((cv.number for cv in by_city.values()), Decimal(0)))
                    total_text = format_total(op, total, unit)
            rows.append(IndicatorTotal(
                key=key, name=first["name"], level1=first["level1"], level2=first["level2"], unit=unit,
                operator=op, kind=kind, total=total, total_text=total_text, by_city=by_city,
                in_library=bool(first["in_library"]), other_units=other_units,
            ))
    return rows


def _dimension_label(dim: str, by_key: list[dict]) -> str:
    if dim == "money":
        return _display_unit([r for r in by_key if r["dim"] == "money"], "money")
    if dim == "deadline":
        return "期限"
    return dim or "无单位"


def _qualitative_rows(entries: list[dict]) -> list[QualitativeRow]:
    rows = []
    qual = [r for r in entries if r["kind"] not in QUANTITATIVE_KINDS]
    for key, group in _groups(qual, "key").items():
        first = group[0]
        by_city = {}
        for city, records in _by_city(group).items():
            texts = [r["text"] if r["text"].strip() else "（未填写指标值）" for r in records]
            by_city[city] = CityValue(
                number=None, text=_joined_texts(records, texts), sheet=records[0]["sheet"],
                cells=tuple(r["cell"] for r in records if r["cell"]),
                level3_cells=tuple(r["level3_cell"] for r in records if r["level3_cell"]),
                targets=tuple(t for r in records for t in r["targets"]),
            )
        rows.append(QualitativeRow(key=key, name=first["name"], level1=first["level1"], level2=first["level2"],
                                   by_city=_sorted_by_city(by_city), in_library=bool(first["in_library"])))
    return rows


def _taxonomy_rank(level1: str, level2: str) -> tuple[int, int]:
    tax = taxonomy()
    names1 = tax.level1_names
    r1 = names1.index(level1) if level1 in names1 else len(names1)
    names2 = tax.level2_of(level1)
    r2 = names2.index(level2) if level2 in names2 else len(names2)
    return r1, r2


def compute_totals(city_forms: Sequence[CityForm], library: IndicatorLibrary) -> Totals:
    """Totals over the counted forms (``city_forms`` in any order; output in taxonomy, then city order)."""
    entries = indicator_entries(city_forms, library)
    if not entries:
        return Totals((), ())
    # First appearance in city order, then the form's row order, decides the order within a 二级指标.
    entries.sort(key=lambda r: (r["order"], r["row"]))
    first_seen = {k: i for i, k in reversed(list(enumerate(r["key"] for r in entries)))}

    def rank(row) -> tuple:
        return (*_taxonomy_rank(row.level1, row.level2), first_seen[row.key])

    indicators = sorted(_indicator_rows(entries), key=lambda r: (*rank(r), r.kind != SUM, r.unit))
    qualitative = sorted(_qualitative_rows(entries), key=rank)
    return Totals(tuple(indicators), tuple(qualitative))


def funding_wan(text: str) -> Decimal | None:
    """资金需求 in 万元: ``460万元`` → 460, ``460`` → 460 (the field is in 万元), ``3亿`` → 30000; else None."""
    if not text.strip():
        return None
    parsed = parse(text)
    number = getattr(parsed, "number", None)
    unit = getattr(parsed, "unit", None)
    if number is None or _kind_name(getattr(parsed, "kind", "")) != "quantitative":
        return None
    if unit and unit not in MONEY_UNITS:
        return None
    number = Decimal(number)
    if number <= 0:
        return None
    return number
