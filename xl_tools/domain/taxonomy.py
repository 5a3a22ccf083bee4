"""The 一级/二级 indicator taxonomy, kept as data (data/taxonomy.json) because years move categories."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from xl_tools.domain.data_files import load_json
from xl_tools.domain.text import squash


@dataclass(frozen=True)
class Level1:
    name: str
    required: bool
    level2: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    version: str
    level1: tuple[Level1, ...]

    @property
    def level1_names(self) -> tuple[str, ...]:
        return tuple(l1.name for l1 in self.level1)

    @property
    def level2_names(self) -> tuple[str, ...]:
        return tuple(l2 for l1 in self.level1 for l2 in l1.level2)

    @property
    def required_level1(self) -> tuple[str, ...]:
        return tuple(l1.name for l1 in self.level1 if l1.required)

    def level2_of(self, level1: str) -> tuple[str, ...]:
        for l1 in self.level1:
            if l1.name == level1:
                return l1.level2
        return ()

    def parent_of(self, level2: str) -> str | None:
        for l1 in self.level1:
            if level2 in l1.level2:
                return l1.name
        return None

    def canonical_level1(self, text: object) -> str | None:
        """The taxonomy name for ``text`` ignoring spaces/markup (``效益 指标`` → 效益指标), else None."""
        key = squash(text)
        return next((n for n in self.level1_names if n == key), None)

    def canonical_level2(self, text: object) -> str | None:
        """The taxonomy name for ``text`` ignoring spaces/markup (``服务对象 满意度指标``), else None."""
        key = squash(text)
        return next((n for n in self.level2_names if n == key), None)


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The taxonomy in force (loaded once)."""
    data = load_json("taxonomy.json")
    return Taxonomy(
        version=data["version"],
        level1=tuple(Level1(d["name"], bool(d["required"]), tuple(d["level2"])) for d in data["level1"]),
    )
