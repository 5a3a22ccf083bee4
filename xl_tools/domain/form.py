"""The Form record: one 绩效目标表 (header fields + indicator rows), each value with the cell it came from."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, fields, replace
from itertools import repeat
from typing import Any

from xl_tools.domain.cities import City, by_name, find_city
from xl_tools.domain.text import clean


@dataclass(frozen=True)
class HeaderField:
    key: str          # identifier used in code and JSON
    label: str        # the label printed on the form
    kind: str         # text | choice | year | amount
    required: bool
    hint: str         # what to write (shown as input help and in messages)


# The header block in the annex's order.
HEADER_FIELDS: tuple[HeaderField, ...] = (
    HeaderField("project_name", "项目名称", "text", True, "填写二级项目名称，多个子项目用“、”分隔"),
    HeaderField("fund_type", "资金类型", "choice", True, "从下拉列表选择，如 省级财政专项资金"),
    HeaderField("project_level", "项目等级", "choice", True, "从下拉列表选择：一级项目 或 二级项目"),
    HeaderField("provincial_department", "省级主管部门", "text", False, "填写省级主管部门全称，如 广东省市场监督管理局"),
    HeaderField("local_department", "地方主管部门", "text", True, "填写地方主管部门全称，如 广州市市场监督管理局"),
    HeaderField("budget_year", "预算年度", "year", True, "填写四位年份，如 2020"),
    HeaderField("funding", "资金需求", "amount", True, "填写金额（万元，最多两位小数），如 460"),
    HeaderField("expenditure", "支出内容", "text", True, "逐条列出支出内容，如 1. 培训费用；2. 资料印刷费"),
    HeaderField("policy_basis", "政策依据", "text", True, "逐条列出政策文件及文号，如 粤府〔2016〕56号"),
    HeaderField("overall_goal", "总体绩效目标", "text", True, "逐条写出总体绩效目标，尽量含数量和时间"),
)
HEADER_KEYS: tuple[str, ...] = tuple(f.key for f in HEADER_FIELDS)
FIELD_BY_KEY: dict[str, HeaderField] = {f.key: f for f in HEADER_FIELDS}
FIELD_BY_LABEL: dict[str, HeaderField] = {f.label: f for f in HEADER_FIELDS}

INDICATOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("value", "指标值"),
)

_set = object.__setattr__      # how a frozen dataclass sets its fields in __init__
_DEFAULT: Any = object()       # "argument not given" (None is a value a caller may pass)


def _build_many(cls: type, columns: tuple[list[Any], ...]) -> list[Any]:
    """``[cls(*values) for values in zip(*columns)]`` for Located / Indicator, whose __init__ only stores its
    arguments: the objects are made by ``object.__new__`` and filled by the fields' slot setters, each mapped
    over a whole column (C calls only; a reader makes ~600 of these objects per workbook)."""
    count = len(columns[0])
    setters = _SETTERS.get(cls)         # None for a subclass: it may have an __init__ of its own
    if setters is None or any(len(column) != count for column in columns):
        return [cls(*values) for values in zip(*columns)]
    objects = list(map(object.__new__, repeat(cls, count)))
    for setter, column in zip(setters, columns):
        deque(map(setter, objects, column), maxlen=0)
    return objects


def _slot_setters(cls: type) -> tuple:
    """The slot setters of a frozen slots dataclass, in field order (what its __init__ sets, nothing else)."""
    names = tuple(f.name for f in fields(cls))
    assert cls.__slots__ == names, f"{cls.__name__}: slots {cls.__slots__} != fields {names}"
    return tuple(cls.__dict__[name].__set__ for name in names)

FUND_TYPES: tuple[str, ...] = ("省级财政专项资金", "中央财政资金", "市县配套资金")
PROJECT_LEVELS: tuple[str, ...] = ("一级项目", "二级项目")

TITLE_PREFIX = "省财政专项转移支付绩效目标表"


def form_title(city: str | None) -> str:
    """The title row text: ``省财政专项转移支付绩效目标表(二级项目-广州)``."""
    return f"{TITLE_PREFIX}(二级项目-{city or 'XX'})"


@dataclass(frozen=True, slots=True)
class Located:
    """A cell's text and where it came from (``cell`` is A1 on the form's sheet, None when not from a sheet)."""

    text: str = ""
    cell: str | None = None

    def __init__(self, text: str = "", cell: str | None = None) -> None:
        # The generated frozen __init__ looks object.__setattr__ up on every call; a reader makes ~500 of these
        # per workbook, so bind it once (same signature, same behaviour).
        _set(self, "text", text)
        _set(self, "cell", cell)

    @classmethod
    def many(cls, texts: list[str], cells: list[str | None]) -> list["Located"]:
        """``[Located(t, c) for t, c in zip(texts, cells)]`` for equally long lists, made faster."""
        return _build_many(cls, (texts, cells))

    @property
    def empty(self) -> bool:
        return not self.text

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "cell": self.cell}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Located":
        if not data:
            return cls()
        return cls(text=data.get("text") or "", cell=data.get("cell"))

    @classmethod
    def of(cls, value: object, cell: str | None = None) -> "Located":
        return cls(clean(value), cell)


_EMPTY = Located()


@dataclass(frozen=True, slots=True)
class Indicator:
    """One row of the indicator table."""

    level1: Located = field(default_factory=Located)
    level2: Located = field(default_factory=Located)
    level3: Located = field(default_factory=Located)
    value: Located = field(default_factory=Located)

    def __init__(self, level1: Located = _DEFAULT, level2: Located = _DEFAULT, level3: Located = _DEFAULT,
                 value: Located = _DEFAULT) -> None:
        # As the generated __init__ (a fresh Located for each field not given), with object.__setattr__ bound once.
        _set(self, "level1", Located() if level1 is _DEFAULT else level1)
        _set(self, "level2", Located() if level2 is _DEFAULT else level2)
        _set(self, "level3", Located() if level3 is _DEFAULT else level3)
        _set(self, "value", Located() if value is _DEFAULT else value)

    @classmethod
    def many(cls, level1: list[Located], level2: list[Located], level3: list[Located],
             value: list[Located]) -> list["Indicator"]:
        """``[Indicator(a, b, c, d) for a, b, c, d in zip(...)]`` for equally long lists, made faster."""
        return _build_many(cls, (level1, level2, level3, value))

    @property
    def empty(self) -> bool:
        return not (self.level1.text or self.level2.text or self.level3.text or self.value.text)

    def to_dict(self) -> dict[str, Any]:
        # Spelled out (it runs for every row of every Form checked): the same keys, in INDICATOR_COLUMNS order.
        a, b, c, d = self.level1, self.level2, self.level3, self.value
        if a.__class__ is b.__class__ is c.__class__ is d.__class__ is Located:
            return {"level1": {"text": a.text, "cell": a.cell}, "level2": {"text": b.text, "cell": b.cell},
                    "level3": {"text": c.text, "cell": c.cell}, "value": {"text": d.text, "cell": d.cell}}
        return {k: getattr(self, k).to_dict() for k, _ in INDICATOR_COLUMNS}     # a subclass may differ

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Indicator":
        return cls(**{k: Located.from_dict(data.get(k)) for k, _ in INDICATOR_COLUMNS})

    @classmethod
    def of(cls, level1: object = "", level2: object = "", level3: object = "", value: object = "") -> "Indicator":
        return cls(Located.of(level1), Located.of(level2), Located.of(level3), Located.of(value))


def detect_city(*texts: object) -> str | None:
    """The name of the city the first of ``texts`` that names one names (:func:`find_city`), else None."""
    for text in texts:
        city = find_city(text)
        if city:
            return city.name
    return None


@dataclass(frozen=True)
class Form:
    """One filled 绩效目标表.

    ``header`` maps every key of HEADER_KEYS to a Located (empty when blank). ``city`` is the city the
    form belongs to (from 地方主管部门, the title or the file name), None when it cannot be told.
    ``notes`` are import notes: text that could not be placed in a field, kept for the user.
    """

    header: dict[str, Located]
    indicators: tuple[Indicator, ...] = ()
    city: str | None = None
    title: Located = field(default_factory=Located)
    source: str | None = None          # file path it was read from
    sheet: str | None = None           # sheet name it was read from
    template_version: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        missing = [k for k in HEADER_KEYS if k not in self.header]
        if missing:
            full = dict(self.header)
            for k in missing:
                full[k] = Located()
            object.__setattr__(self, "header", full)

    def get(self, key: str) -> Located:
        return self.header.get(key, Located())

    @property
    def city_record(self) -> City | None:
        return by_name(self.city) if self.city else None

    @property
    def rows(self) -> tuple[Indicator, ...]:
        """Indicator rows that hold anything."""
        return tuple(r for r in self.indicators if not r.empty)

    def with_city_detected(self, *hints: object) -> "Form":
        """A copy whose ``city`` is told from 地方主管部门, then the title, then ``hints`` (file name…)."""
        city = detect_city(self.get("local_department").text, self.title.text, *hints)
        return replace(self, city=city) if city else self

    def to_dict(self) -> dict[str, Any]:
        city = self.city_record
        header = self.header
        return {
            "source": self.source,
            "sheet": self.sheet,
            "city": self.city,
            "city_code": city.code if city else None,
            "template_version": self.template_version,
            "title": self.title.to_dict(),
            "header": {k: header.get(k, _EMPTY).to_dict() for k in HEADER_KEYS},
            "indicators": [r.to_dict() for r in self.indicators],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Form":
        return cls(
            header={k: Located.from_dict(data.get("header", {}).get(k)) for k in HEADER_KEYS},
            indicators=tuple(Indicator.from_dict(r) for r in data.get("indicators", ())),
            city=data.get("city"),
            title=Located.from_dict(data.get("title")),
            source=data.get("source"),
            sheet=data.get("sheet"),
            template_version=data.get("template_version"),
            notes=tuple(data.get("notes", ())),
        )

    @classmethod
    def blank(cls, **values: object) -> "Form":
        """A Form from plain values by header key (tests, importer): ``Form.blank(project_name="…")``."""
        return cls(header={k: Located.of(values.get(k)) for k in HEADER_KEYS})


_SETTERS: dict[type, tuple] = {Located: _slot_setters(Located), Indicator: _slot_setters(Indicator)}
