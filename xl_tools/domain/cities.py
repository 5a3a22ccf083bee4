"""The 21 prefecture-level cities of Guangdong (GB/T 2260) and how to tell a city from a text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from xl_tools.domain.data_files import load_json
from xl_tools.domain.text import squash


@dataclass(frozen=True)
class City:
    code: str
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return self.name + "市"


@lru_cache(maxsize=1)
def cities() -> tuple[City, ...]:
    """All 21 cities in GB/T 2260 code order."""
    data = load_json("cities.json")
    found = [City(c["code"], c["name"], tuple(c.get("aliases", ()))) for c in data["cities"]]
    return tuple(sorted(found, key=lambda c: c.code))


def city_names() -> tuple[str, ...]:
    return tuple(c.name for c in cities())


def by_name(name: object) -> City | None:
    """The city whose name is exactly ``name`` (with or without 市), else None."""
    key = squash(name).removesuffix("市")
    return _by_exact_name().get(key)


@lru_cache(maxsize=1)
def _by_exact_name() -> dict[str, City]:
    return {c.name: c for c in cities()}


def by_code(code: object) -> City | None:
    key = squash(code)
    return next((c for c in cities() if c.code == key), None)


def find_city(text: object) -> City | None:
    """The one city a text names: a department (深圳市场监管局, 广州市市场监管局), a title, a file name.

    The earliest mention wins, so ``广州市市场监管局`` is 广州 even though it also holds 市场.
    Returns None when no city is named.
    """
    key = squash(text)
    if not key:
        return None
    best: tuple[int, City] | None = None
    for city in cities():
        for token in (city.name, *city.aliases):
            pos = key.find(token)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, city)
    return best[1] if best else None


def order_key(city_name: str | None) -> tuple[str, str]:
    """Sort key putting cities in GB/T 2260 order and unknown names last."""
    city = by_name(city_name) if city_name else None
    return (city.code if city else "999999", city_name or "")
