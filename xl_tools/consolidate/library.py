"""The indicator library: synonyms → one canonical 三级指标 name (+ unit, 一级/二级), kept as JSON data.

The default library ships in ``data/indicator_library.json`` and is checked against
``data/indicator_library.schema.json``. Staff extend it with their own file (``--library FILE``, same format):
its entries are added to the default ones, and an entry or synonym they define wins over the default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from xl_tools.consolidate.keys import canonical_key
from xl_tools.errors import InputError

MONEY_UNITS = ("元", "万元", "亿元")


@dataclass(frozen=True)
class LibraryEntry:
    name: str
    unit: str | None = None
    level1: str | None = None
    level2: str | None = None
    synonyms: tuple[str, ...] = ()
    source: str = "默认指标库"

    @property
    def key(self) -> str:
        return canonical_key(self.name)


@dataclass(frozen=True)
class IndicatorLibrary:
    """Entries plus an index from every canonical key (name and synonyms) to its entry."""

    entries: tuple[LibraryEntry, ...] = ()
    version: str = ""
    sources: tuple[str, ...] = ()
    _index: dict[str, LibraryEntry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, LibraryEntry] = {}
        for entry in self.entries:          # later entries (user files) override earlier ones
            for text in (entry.name, *entry.synonyms):
                key = canonical_key(text)
                if key:
                    index[key] = entry
        object.__setattr__(self, "_index", index)

    def lookup(self, text: object) -> LibraryEntry | None:
        """The entry whose name or a synonym normalises to the same key as ``text``, else None."""
        return self._index.get(canonical_key(text))

    def extended(self, other: "IndicatorLibrary") -> "IndicatorLibrary":
        """This library with ``other``'s entries added; other's entries win where names or synonyms meet."""
        replaced = {e.key for e in other.entries}
        kept = tuple(e for e in self.entries if e.key not in replaced)
        return IndicatorLibrary(kept + other.entries, other.version or self.version, self.sources + other.sources)


def library_schema() -> dict[str, Any]:
    text = resources.files("xl_tools.consolidate").joinpath("data", "indicator_library.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    from xl_tools.domain.schema import compiled_validator

    return compiled_validator(library_schema())


def library_errors(data: Any) -> list[str]:
    """Every schema violation of a library document as a Chinese line naming where it is."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    lines = []
    for err in errors:
        where = "/".join(str(p) for p in err.absolute_path) or "(根)"
        lines.append(f"位置 {where}：{err.message}")
    return lines


def _duplicate_errors(entries: tuple[LibraryEntry, ...]) -> list[str]:
    """Within one file, a name or synonym may belong to one indicator only."""
    owner: dict[str, str] = {}
    problems = []
    for entry in entries:
        for text in dict.fromkeys((entry.name, *entry.synonyms)):
            key = canonical_key(text)
            if key in owner and owner[key] != entry.name:
                problems.append(f"“{text}”同时属于指标“{owner[key]}”和“{entry.name}”")
            owner.setdefault(key, entry.name)
    return problems


def parse_library(data: Any, *, source: str, check: bool = True) -> IndicatorLibrary:
    """An IndicatorLibrary from a parsed JSON document; InputError naming the problem when it is invalid.

    ``check=False`` skips the schema (for the library shipped with xl_tools, which a test holds to it: the
    check costs a jsonschema import, ~50 ms of every 汇总)."""
    problems = library_errors(data) if check else []
    if problems:
        raise InputError("指标库文件格式不正确：" + "；".join(problems[:5])
                         + "。请对照 indicator_library.schema.json 修改（每个指标至少要有 name）", path=source)
    entries = tuple(
        LibraryEntry(
            name=d["name"].strip(), unit=d.get("unit"), level1=d.get("level1"), level2=d.get("level2"),
            synonyms=tuple(s.strip() for s in d.get("synonyms", ())), source=source,
        )
        for d in data["indicators"]
    )
    clashes = _duplicate_errors(entries)
    if clashes:
        raise InputError("指标库中有重复的写法：" + "；".join(clashes[:5]) + "。请只保留在一个指标下", path=source)
    return IndicatorLibrary(entries, data["version"], (source,))


@lru_cache(maxsize=1)
def default_library() -> IndicatorLibrary:
    """The library shipped with xl_tools."""
    text = resources.files("xl_tools.consolidate").joinpath("data", "indicator_library.json").read_text("utf-8")
    return parse_library(json.loads(text), source="默认指标库", check=False)


def read_library_file(path: str | Path) -> IndicatorLibrary:
    """A user's library file (UTF-8 JSON, BOM allowed); InputError when missing, not JSON or invalid."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("找不到指标库文件：请检查 --library 后的路径", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取指标库文件（{exc}）：请确认它是 UTF-8 编码的 JSON 文件", path=str(p)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"指标库文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）："
                         "请检查引号、逗号和括号", path=str(p)) from None
    return parse_library(data, source=str(p))


def load_library(path: str | Path | IndicatorLibrary | None = None) -> IndicatorLibrary:
    """The default library, extended by the user's file ``path`` when given."""
    if isinstance(path, IndicatorLibrary):
        return path
    base = default_library()
    if path is None:
        return base
    return base.extended(read_library_file(path))
