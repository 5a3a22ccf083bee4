"""The wrapper around every ribbon entry point: find the workbook, log, and turn any failure into an alert.

RunPython shows a raw Python traceback when a function raises; staff must never see one. ``entry_point``
catches everything: known failures (``XlToolsError``, whose message says what to do) become that message,
anything else a Chinese alert naming the log file, and the traceback goes to the log. Stdlib only.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

ADDIN_SUFFIXES = (".xlam", ".xla")


class Cancelled(Exception):
    """The user closed a dialog without choosing: end the click quietly."""


def caller_book():
    """The workbook a ribbon click is about.

    ``xw.Book.caller()`` is the workbook whose VBA ran RunPython: for a button in our .xlam that is the
    add-in itself, so the click is about the active workbook of the same Excel instead. A workbook's own
    button (or a test's ``Book.set_mock_caller``) names the workbook directly.
    """
    import xlwings as xw

    caller = xw.Book.caller()
    if is_addin(caller):
        try:
            active = caller.app.books.active
        except Exception:          # no workbook open at all (Excel has no ActiveWorkbook)
            active = None
        return active if active is not None else caller
    return caller


def is_addin(book) -> bool:
    return book is not None and book.name.lower().endswith(ADDIN_SUFFIXES)


def entry_point(action: str) -> Callable[[F], F]:
    """Decorate ``fn(book)`` as a ribbon entry point named ``action`` (新建, 校验, …)."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(book=None):
            from xl_tools.excel import alerts
            from xl_tools.excel.logs import get_logger, log_path

            log = get_logger()
            started = time.perf_counter()
            try:
                if book is None:
                    book = caller_book()
            except Exception as exc:  # no workbook to show an alert in: log, then a Chinese error for RunPython
                log.exception("%s：找不到调用的工作簿", action)
                raise RuntimeError(f"{action}没有完成：找不到 Excel 工作簿（{exc}）。请在 Excel 中打开工作簿后，"
                                   f"从“绩效目标”选项卡点击按钮；详细信息见日志 {log_path()}") from None
            name = _safe_name(book)
            log.info("%s：开始（工作簿 %s）", action, name)
            try:
                result = fn(book)
            except Cancelled:
                log.info("%s：用户取消", action)
                return None
            except Exception as exc:
                from xl_tools.errors import XlToolsError

                if isinstance(exc, XlToolsError):
                    log.warning("%s：未完成（工作簿 %s）：%s", action, name, exc, exc_info=True)
                    prompt = alerts.known_failure(action, str(exc))
                else:
                    log.exception("%s：意外错误（工作簿 %s）", action, name)
                    prompt = alerts.unexpected_failure(action, exc, str(log_path()))
                try:
                    alerts.alert(book, prompt, critical=True)
                except Exception:
                    log.exception("%s：无法显示提示框", action)
                return None
            log.info("%s：完成（工作簿 %s，%.2f 秒）", action, name, time.perf_counter() - started)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate


def _safe_name(book) -> str:
    try:
        return str(book.name)
    except Exception:
        return "?"
