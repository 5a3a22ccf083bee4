"""Typed validation results: a Finding per problem, a FormReport per form (one task), a Report over many."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
FINDING_FIELDS: tuple[str, ...] = ("code", "severity", "city", "sheet", "cell", "field", "message", "suggestion")

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def cell_position(cell: str | None) -> tuple[int, int]:
    """(row, column) of an A1 address, for sorting; (10**9, 0) when there is no cell."""
    m = _CELL.match(cell or "")
    if not m:
        return (10**9, 0)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return (int(m.group(2)), col)


@dataclass(frozen=True)
class Finding:
    """One problem: ``cell`` is the A1 cell the user must fix on ``sheet`` (None for form-wide problems)."""

    code: str
    severity: str
    city: str | None
    sheet: str | None
    cell: str | None
    field: str
    message: str
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in FINDING_FIELDS}

    @property
    def fix_value(self) -> str | None:
        """The 建议值 when it is an exact value to write into ``cell`` (采纳建议, ``validate --fix``), else None.

        Which codes give exact values, and when: ``Rule.fix_when`` (docs/rules.md, “可直接采纳的建议值”).
        """
        from xl_tools.rules.suggest import exact_fix

        return exact_fix(self)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    def sort_key(self) -> tuple:
        rank = SEVERITIES.index(self.severity) if self.severity in SEVERITIES else len(SEVERITIES)
        return (rank, self.sheet or "", cell_position(self.cell), self.code)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings; within a severity in sheet order (top to bottom, left to right)."""
    return sorted(findings, key=Finding.sort_key)


def _flatten(findings: Sequence[Finding], fields: Sequence[str]) -> list[list[Any]]:
    unknown = [f for f in fields if f not in FINDING_FIELDS]
    if unknown:
        raise ValueError(f"unknown finding fields: {unknown}")
    return [[getattr(f, name) for name in fields] for f in findings]


@dataclass
class FormReport:
    """The result of validating one form (one task): where it came from and what was found."""

    path: str | None
    sheet: str | None
    city: str | None
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.findings = sort_findings(self.findings)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @property
    def readable(self) -> bool:
        """False when the file could not be read as a form (a not-a-form finding)."""
        return not any(f.code == "not-a-form" for f in self.findings)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def flatten(self, fields: Sequence[str] = ("code", "cell")) -> list[list[Any]]:
        """Short rows for assertions: ``report.flatten(["code", "cell"])`` → ``[["missing-field", "B7"], …]``."""
        return _flatten(self.findings, fields)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sheet": self.sheet, "city": self.city, "errors": self.errors,
                "warnings": self.warnings, "findings": [f.to_dict() for f in self.findings]}


@dataclass
class Report:
    """Results over many forms: one FormReport (task) per form, in input order."""

    tasks: list[FormReport] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for t in self.tasks for f in t.findings]

    @property
    def errors(self) -> int:
        return sum(t.errors for t in self.tasks)

    @property
    def warnings(self) -> int:
        return sum(t.warnings for t in self.tasks)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @property
    def readable(self) -> bool:
        return all(t.readable for t in self.tasks)

    def flatten(self, fields: Sequence[str] = ("code", "cell")) -> list[list[Any]]:
        """Short rows over every task, e.g. ``flatten(["city", "code"])``."""
        return _flatten(self.findings, fields)

    def by_file(self) -> list[tuple[str | None, list[FormReport]]]:
        """Tasks grouped by file path, in first-seen order."""
        groups: dict[str | None, list[FormReport]] = {}
        for task in self.tasks:
            groups.setdefault(task.path, []).append(task)
        return list(groups.items())

    def to_json_dict(self) -> dict[str, Any]:
        """The ``validate --json`` document: ``{"files": [{"path", "city", "errors", "warnings", "findings"}]}``."""
        files = []
        for path, tasks in self.by_file():
            cities = list(dict.fromkeys(t.city for t in tasks if t.city))
            findings = sort_findings(f for t in tasks for f in t.findings)
            files.append({
                "path": path,
                "city": "、".join(cities) if cities else None,
                "errors": sum(t.errors for t in tasks),
                "warnings": sum(t.warnings for t in tasks),
                "findings": [f.to_dict() for f in findings],
            })
        return {"files": files}


def finding_from_dict(data: dict[str, Any]) -> Finding:
    return Finding(**{k: data.get(k) for k in FINDING_FIELDS})


__all__ = ["Finding", "FormReport", "Report", "SEVERITIES", "SEVERITY_LABELS", "FINDING_FIELDS", "cell_position",
           "sort_findings", "finding_from_dict"]
