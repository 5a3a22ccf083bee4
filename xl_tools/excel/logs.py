"""The add-in's log file: one line per click, the full traceback of every failure.

Where: ``$XL_TOOLS_LOG_DIR`` when set, else ``%LOCALAPPDATA%\\xl_tools`` on Windows, else ``~/.xl_tools``;
the file is ``xl_tools.log`` there (rotated at 1 MB, three old copies kept). When that folder cannot be
written the system temp folder is used, so logging never stops a click. Stdlib only: imported per click.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

LOG_ENV = "XL_TOOLS_LOG_DIR"
LOG_NAME = "xl_tools.log"
LOGGER_NAME = "xl_tools.excel"
_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def log_dir() -> Path:
    """The folder the log goes to (not created here)."""
    override = os.environ.get(LOG_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform.startswith("win") and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "xl_tools"
    return Path.home() / ".xl_tools"


def _writable_dir() -> Path:
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "xl_tools"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / LOG_NAME
            with open(probe, "a", encoding="utf-8"):
                pass
            return folder
        except OSError:
            continue
    return Path(tempfile.gettempdir())


def log_path() -> Path:
    """The log file in use now (its folder is created when needed)."""
    return _writable_dir() / LOG_NAME


def get_logger() -> logging.Logger:
    """The ``xl_tools.excel`` logger, writing to ``log_path()`` (re-targeted when XL_TOOLS_LOG_DIR changes)."""
    from logging.handlers import RotatingFileHandler

    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    target = str(log_path())
    for handler in list(logger.handlers):
        if getattr(handler, "_xl_tools", False):
            if getattr(handler, "baseFilename", None) == os.path.abspath(target):
                return logger
            logger.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(target, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._xl_tools = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    return logger
