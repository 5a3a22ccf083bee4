"""File-level findings: a file that cannot be read as a 绩效目标表 is reported, not raised, by validate."""

from __future__ import annotations

from xl_tools.rules.findings import Finding, FormReport
from xl_tools.rules.registry import get_rule, register

NOT_A_FORM = register(
    "not-a-form", severity="error", section="文件", scope="file", title="不是可读取的绩效目标表",
    template="文件“{field}”无法作为绩效目标表读取：{reason}",
    when="文件不是绩效目标表（模板不对、无法打开、已加密、.xls 旧格式等）；消息说明原因和解决办法",
    example={"field": "广州.xls", "reason": "这是旧的 .xls 格式，请在 Excel 或 WPS 中另存为 .xlsx 后再校验"},
)


def unreadable_report(path: str, reason: str, *, sheet: str | None = None, cell: str | None = None,
                      city: str | None = None) -> FormReport:
    """A one-finding report for a file that could not be read (``reason`` says why and how to fix it)."""
    from pathlib import Path

    rule = get_rule("not-a-form")
    name = Path(path).name
    finding = Finding(rule.code, rule.severity, city, sheet, cell, name, rule.message(field=name, reason=reason))
    return FormReport(path=path, sheet=sheet, city=city, findings=[finding])
