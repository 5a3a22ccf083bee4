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

    def __post_init__(self) -> None:
        # The checks ask these for every row of every form: built once here (a few dozen names), not per call.
        # Plain attributes, not fields: equality and repr stay those of (version, level1).
        names1 = tuple(l1.name for l1 in self.level1)
        names2 = tuple(l2 for l1 in self.level1 for l2 in l1.level2)
        parents: dict[str, str] = {}
        children: dict[str, tuple[str, ...]] = {}
        for l1 in self.level1:
            children.setdefault(l1.name, l1.level2)          # the first 一级 of a name wins, as a scan would
            for l2 in l1.level2:
                parents.setdefault(l2, l1.name)
        set_ = object.__setattr__
        set_(self, "_names1", names1)
        set_(self, "_names2", names2)
        set_(self, "_names1_set", frozenset(names1))
        set_(self, "_names2_set", frozenset(names2))
        set_(self, "_parents", parents)
        set_(self, "_children", children)

    @property
    def level1_names(self) -> tuple[str, ...]:
        return self._names1

    @property
    def level2_names(self) -> tuple[str, ...]:
        return self._names2

    @property
    def required_level1(self) -> tuple[str, ...]:
        return tuple(l1.name for l1 in self.level1 if l1.required)

    def level2_of(self, level1: str) -> tuple[str, ...]:
        return self._children.get(level1, ())

    def parent_of(self, level2: str) -> str | None:
        return self._parents.get(level2)

    def canonical_level1(self, text: object) -> str | None:
        """The taxonomy name for ``text`` ignoring spaces/markup (``效益 指标`` → 效益指标), else None."""
        key = squash(text)
        return key if key in self._names1_set else None

    def canonical_level2(self, text: object) -> str | None:
        """The taxonomy name for ``text`` ignoring spaces/markup (``服务对象 满意度指标``), else None."""
        key = squash(text)
        return key if key in self._names2_set else None


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The taxonomy in force (loaded once)."""
    data = load_json("taxonomy.json")
    return Taxonomy(
        version=data["version"],
        level1=tuple(Level1(d["name"], bool(d["required"]), tuple(d["level2"])) for d in data["level1"]),
    )
