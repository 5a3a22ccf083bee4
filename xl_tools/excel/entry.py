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
    from xl_tools.excel.book_sheets import find_sheet, screen_frozen
    from xl_tools.excel.logs import get_logger
    from xl_tools.rules import validate_forms
    from xl_tools.workbook.layout import RESULT_SHEET

    _require_workbook(book, "校验")
    active = book.sheets.active.name
    forms = read_book_forms(book)
    report = validate_forms(forms)
    with screen_frozen(book):
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
    from xl_tools.excel.book_sheets import screen_frozen

    _require_workbook(book, "清除标记")
    with screen_frozen(book):
        outcome = clear(book)
    if outcome.restored:
        alerts.alert(book, f"已清除 {len(outcome.restored)} 个单元格的校验标记和“校验结果”表")
    else:
        alerts.alert(book, "没有需要清除的校验标记")
    return outcome


# --------------------------------------------------------------------------------------------- 采纳建议

def apply_fixes(book):
    """采纳建议: write every exact 建议值 into its cell (green, note 原值 → 新值), re-validate, list the changes."""
    from xl_tools.excel import alerts
    from xl_tools.excel.book_fixes import apply_fixes as apply
    from xl_tools.excel.book_sheets import find_sheet, screen_frozen
    from xl_tools.excel.logs import get_logger
    from xl_tools.workbook.layout import RESULT_SHEET

    _require_workbook(book, "采纳建议")
    with screen_frozen(book):
        outcome = apply(book)
    report = outcome.report
    get_logger().info("采纳建议：改动 %d 格，之后错误 %d 个，警告 %d 个", len(outcome.changes), report.errors,
                      report.warnings)
    if not outcome.changes:
        alerts.alert(book, alerts.no_fixes(report.errors, report.warnings))
        return outcome
    sheet = find_sheet(book, RESULT_SHEET)
    if sheet is not None:
        sheet.activate()
    alerts.alert(book, alerts.fixes_summary(len(outcome.changes), report.errors, report.warnings, RESULT_SHEET))
    return outcome


def undo_fixes(book):
    """撤销采纳: put back every value 采纳建议 changed (and its look), then validate again."""
    from xl_tools.excel import alerts
    from xl_tools.excel.book_fixes import undo_fixes as undo
    from xl_tools.excel.book_sheets import screen_frozen
    from xl_tools.excel.logs import get_logger

    _require_workbook(book, "撤销采纳")
    with screen_frozen(book):
        outcome = undo(book)
    get_logger().info("撤销采纳：恢复 %d 格，保留用户改过的 %d 格", len(outcome.changes), len(outcome.kept))
    alerts.alert(book, alerts.undo_summary(len(outcome.changes), [f"{c.sheet}!{c.cell}" for c in outcome.kept]))
    return outcome


# --------------------------------------------------------------------------------------------- 新建

NEW_DIR_ENV = "XL_TOOLS_NEW_DIR"
NEW_NAME = "绩效目标表"


def new_form_folder():
    """Where 新建 saves: ``$XL_TOOLS_NEW_DIR``, else 文档/绩效目标表 (Documents), else the home folder."""
    import os
    from pathlib import Path

    override = os.environ.get(NEW_DIR_ENV)
    if override:
        return Path(override).expanduser()
    home = Path.home()
    for docs in (home / "Documents", home / "文档", home / "My Documents"):
        if docs.is_dir():
            return docs / NEW_NAME
    return home / NEW_NAME


def free_path(folder, stem: str, suffix: str = ".xlsx"):
    """``folder/stem.xlsx``, or ``stem(2).xlsx``, ``stem(3).xlsx`` … — the first name not taken."""
    candidate = folder / f"{stem}{suffix}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}({n}){suffix}"
    return candidate


def new_form(book):
    """新建: write the template to the user's folder under a new name and open it in this Excel."""
    from xl_tools.excel import alerts, opener
    from xl_tools.workbook.template import write_template

    folder = new_form_folder()
    path = write_template(free_path(folder, NEW_NAME))
    opened = opener.open_workbook(book.app, path)
    if opened is None:
        alerts.alert(book, f"已按模板新建绩效目标表：\n{path}\n请在 Excel 中打开该文件填写。")
    return path


# --------------------------------------------------------------------------------------------- 汇总

SUMMARY_STEM = "广东省汇总"


def consolidate(book):
    """汇总: pick city workbooks, consolidate them, save 广东省汇总.xlsx next to them, open it."""
    from pathlib import Path

    from xl_tools.jobs import consolidate_paths
    from xl_tools.excel import alerts, opener, picker

    from xl_tools.jobs.consolidate import is_consolidation_workbook
    from xl_tools.excel.guard import Cancelled

    picked = [Path(p) for p in picker.choose_city_workbooks(book)]
    if not picked:
        raise Cancelled()
    files = [p for p in picked if not is_consolidation_workbook(p)]
    skipped = [p for p in picked if p not in files]
    if not files:
        from xl_tools.errors import InputError

        raise InputError("所选文件都是汇总工作簿，不是地市的绩效目标表：请选择各地市填好的表（可按住 Ctrl 多选）；"
                         "要更新已有的汇总工作簿，请打开它并点击“生成汇总表”")
    folder = files[0].parent
    output = free_path(folder, SUMMARY_STEM)
    cons, written = consolidate_paths(files, output)
    from xl_tools.consolidate.totals import format_number

    message = (f"汇总完成：{len(cons.cities)} 个地市，资金需求合计 {format_number(cons.total_funding_wan)} 万元。\n"
               f"汇总工作簿已保存为：\n{written}")
    if cons.unreported:
        message += (f"\n未报送的地市（{len(cons.unreported)} 个）：" + "、".join(c.name for c in cons.unreported)
                    + "。汇总表中已标为“未报送”，收到这些地市的表后请重新汇总。")
    if skipped:
        message += "\n已跳过汇总工作簿：" + "、".join(p.name for p in skipped) + "（汇总工作簿不能再作为地市的表汇总）。"
    if cons.unreadable:
        message += f"\n另有 {len(cons.unreadable)} 个文件无法读取，未计入合计，详见“校验结果”表。"
    if cons.has_crosscity_error:
        message += "\n各地市之间有需要处理的问题（如同一地市两份表、预算年度不一致），详见“校验结果”表。"
    opened = opener.open_workbook(book.app, written)
    alerts.alert(opened if opened is not None else book, message)
    return cons, written


# --------------------------------------------------------------------------------------------- 生成汇总表

def build_summary(book):
    """生成汇总表: rebuild the summary sheets of the open consolidated workbook from its city sheets."""
    from xl_tools.consolidate.totals import format_number
    from xl_tools.excel import alerts
    from xl_tools.excel.book_summary import rebuild_summary

    _require_workbook(book, "生成汇总表")
    cons = rebuild_summary(book)
    alerts.alert(book, f"已按各地市工作表重新生成汇总表、指标汇总、定性指标和校验结果：{len(cons.cities)} 个地市，"
                       f"资金需求合计 {format_number(cons.total_funding_wan)} 万元。")
    return cons
