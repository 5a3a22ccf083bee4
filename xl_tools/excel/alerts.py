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


def known_failure(action: str, message: str) -> str:
    """A failure the user can fix: the library's message already says what to do."""
    return f"{action}没有完成。\n{message}"


def unexpected_failure(action: str, exc: BaseException, log_file: str) -> str:
    """A failure nobody foresaw: say what to try and where the details are."""
    return (f"{action}没有完成：程序出现意外错误（{type(exc).__name__}：{exc}）。\n"
            f"请保存工作簿后再试一次；如果仍然出错，请把日志文件发给技术支持：\n{log_file}")
