"""What each ribbon button does, given the workbook (the guard in ``__init__`` handles failures)."""

from __future__ import annotations


def show_help(book):
    """帮助: one message box listing the buttons, the log file and the version."""
    from xl_tools import __version__
    from xl_tools.excel import alerts
    from xl_tools.excel.help_text import help_message
    from xl_tools.excel.logs import log_path

    message = help_message(str(log_path()), __version__)
    alerts.alert(book, message)
    return message


def _require_workbook(book, action: str) -> None:
    from xl_tools.errors import InputError
    from xl_tools.excel.guard import is_addin

    if is_addin(book):
        raise InputError(f"没有打开的工作簿：请先打开要{action}的绩效目标表，再点击“{action}”")


def validate(book):
    """校验: read every form sheet through the layout module, run the rules, mark the workbook in place."""
    from xl_tools.excel import alerts
    from xl_tools.excel.book_marks import apply_marks
    from xl_tools.excel.book_reader import read_book_forms
    from xl_tools.excel.book_sheets import find_sheet
    from xl_tools.excel.logs import get_logger
    from xl_tools.rules import validate_forms
    from xl_tools.workbook.layout import RESULT_SHEET

    _require_workbook(book, "校验")
    active = book.sheets.active.name
    forms = read_book_forms(book)
    report = validate_forms(forms)
    outcome = apply_marks(book, report.findings)
    get_logger().info("校验：%d 张表，错误 %d 个，警告 %d 个，标记 %d 格，恢复 %d 格", len(forms), report.errors,
                      report.warnings, len(outcome.marked), len(outcome.restored))
    target = RESULT_SHEET if report.findings else active
    sheet = find_sheet(book, target)
    if sheet is not None:
        sheet.activate()
    alerts.alert(book, alerts.validation_summary(report.errors, report.warnings, RESULT_SHEET))
    return ValidationClick(report, outcome)


class ValidationClick:
    """What 校验 did: the report (findings) and the marks applied."""

    def __init__(self, report, outcome):
        self.report = report
        self.outcome = outcome


def clear_marks(book):
    """清除标记: put every marked cell back and remove 校验结果."""
    from xl_tools.excel import alerts
    from xl_tools.excel.book_marks import clear_marks as clear

    _require_workbook(book, "清除标记")
    outcome = clear(book)
    if outcome.restored:
        alerts.alert(book, f"已清除 {len(outcome.restored)} 个单元格的校验标记和“校验结果”表")
    else:
        alerts.alert(book, "没有需要清除的校验标记")
    return outcome
