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
