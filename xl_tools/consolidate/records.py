"""The records of the cross-city totals: each city's form, one city's value of an indicator, a summed or
listed indicator row, a qualitative row; and the kinds of a row (summed, rate, deadline, …)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xl_tools.domain.form import Form

# Kinds of an IndicatorTotal row.
SUM = "sum"                     # summed: total + combined operator
RATE = "rate"                   # percentages: min / max, not summed
DEADLINE = "deadline"           # 时效: earliest / latest, not summed
UNITLESS = "unitless"           # numbers without a unit: not summed (value-without-unit per city)
OP_CONFLICT = "operator-conflict"  # ≥ in one city (or project), ≤ in another: not summed

LOWER = {"≥", ">"}
UPPER = {"≤", "<"}


@dataclass(frozen=True)
class CityForm:
    """One counted form with its city (``city`` is the display name; ``code`` "" when unknown)."""

    city: str
    code: str
    form: Form


@dataclass(frozen=True)
class CityValue:
    """What one city wrote for one indicator row: the number in the row's unit (None when not numeric)."""

    number: Decimal | None
    text: str
    op: str | None = None
    sheet: str | None = None
    cells: tuple[str, ...] = ()
    level3_cells: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()       # targets found inside a sentence value (``≥2场次``), for 定性指标
    conflict: bool = False              # the city's own projects write ≥ and ≤ for this indicator (op is None)

    @property
    def cell(self) -> str | None:
        return self.cells[0] if self.cells else None


@dataclass(frozen=True)
class IndicatorTotal:
    """One row of 指标汇总: a canonical indicator in one unit, per city and in total."""

    key: str
    name: str
    level1: str
    level2: str
    unit: str
    operator: str | None
    kind: str
    total: Decimal | None
    total_text: str
    by_city: dict[str, CityValue] = field(default_factory=dict)
    in_library: bool = False
    other_units: tuple[str, ...] = ()      # units of the same indicator listed on other rows (unit-conflict)

    @property
    def summed(self) -> bool:
        return self.kind == SUM

    @property
    def city_count(self) -> int:
        return len(self.by_city)


@dataclass(frozen=True)
class QualitativeRow:
    """One row of 定性指标: a canonical indicator whose values are words, listed per city."""

    key: str
    name: str
    level1: str
    level2: str
    by_city: dict[str, CityValue] = field(default_factory=dict)
    in_library: bool = False

    @property
    def city_count(self) -> int:
        return len(self.by_city)


@dataclass(frozen=True)
class Totals:
    indicators: tuple[IndicatorTotal, ...]
    qualitative: tuple[QualitativeRow, ...]
