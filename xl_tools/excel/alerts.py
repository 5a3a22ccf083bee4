"""Every message box the ribbon shows: one place for the Chinese wording."""

from __future__ import annotations

TITLE = "绩效目标表"


def alert(book, prompt: str, *, title: str = TITLE, critical: bool = False) -> None:
    """Show ``prompt`` in Excel (a MsgBox on the desktop, an ``alert`` action on the remote engine)."""
    book.app.alert(prompt, title=title, mode="critical" if critical else "info")


def validation_summary(errors: int, warnings: int, result_sheet: str) -> str:
    """``校验完成：2 个错误，3 个警告，详见“校验结果”表`` or ``校验通过``."""
    if errors == 0 and warnings == 0:
        return "校验通过"
    return f"校验完成：{errors} 个错误，{warnings} 个警告，详见“{result_sheet}”表"


def fixes_summary(changed: int, errors: int, warnings: int, result_sheet: str) -> str:
    """After 采纳建议: how many cells changed, what is left, how to undo."""
    left = "没有其他问题" if errors == 0 and warnings == 0 else f"还有 {errors} 个错误，{warnings} 个警告"
    return (f"已采纳 {changed} 条建议值：改动的单元格标为绿色，批注中写明原值，“{result_sheet}”表末尾列出全部改动。"
            f"重新校验后{left}。\n要恢复原值，请点“撤销采纳”（Excel 的撤消按钮不能撤消本操作）。")


def no_fixes(errors: int, warnings: int) -> str:
    """采纳建议 found nothing it may write: nothing was changed."""
    return ("没有可以直接采纳的建议值，工作簿未改动。"
            + (f"当前有 {errors} 个错误，{warnings} 个警告：请点“校验”查看，并按批注中的说明修改。"
               if errors or warnings else "校验通过。"))


def undo_summary(restored: int, kept: list[str]) -> str:
    """After 撤销采纳."""
    if not restored and not kept:
        return "没有可以撤销的采纳建议"
    text = f"已撤销采纳：{restored} 个单元格恢复为原值，并已重新校验。"
    if kept:
        text += (f"\n{'、'.join(kept)} 在采纳后又被修改过，保留了您改的内容（只去掉了绿色和采纳批注）。")
    return text


def known_failure(action: str, message: str) -> str:
    """A failure the user can fix: the library's message already says what to do."""
    return f"{action}没有完成。\n{message}"


def unexpected_failure(action: str, exc: BaseException, log_file: str) -> str:
    """A failure nobody foresaw: say what to try and where the details are."""
    return (f"{action}没有完成：程序出现意外错误（{type(exc).__name__}：{exc}）。\n"
            f"请保存工作簿后再试一次；如果仍然出错，请把日志文件发给技术支持：\n{log_file}")
