"""The xlwings configuration of the add-in: ``macros/xlwings.conf`` is a template in xlwings' file format.

xlwings reads settings as ``"KEY","VALUE"`` lines (VBA ``Write #`` format) from, in order: a sheet named
``xlwings.conf`` in the active workbook, the same sheet in the add-in itself, an ``xlwings.conf`` file next
to the workbook, and ``%USERPROFILE%\\.xlwings\\xlwings.conf``. The built add-in carries the rendered
template as its own ``xlwings.conf`` sheet. ``{placeholders}`` are filled at build/install time; a line whose
value stays empty is left out, because an empty entry in the add-in's sheet would hide the user's own
config file.
"""

from __future__ import annotations

import re

from xl_tools.errors import InputError

FILE_NAME = "xlwings.conf"
SHEET_NAME = "xlwings.conf"
PLACEHOLDERS = ("interpreter_win", "interpreter_mac", "pythonpath")

DEFAULT_TEMPLATE = (
    '"INTERPRETER_WIN","{interpreter_win}"\r\n'
    '"INTERPRETER_MAC","{interpreter_mac}"\r\n'
    '"PYTHONPATH","{pythonpath}"\r\n'
    '"ADD_WORKBOOK_TO_PYTHONPATH","false"\r\n'
)
"""The template written to macros/xlwings.conf. ADD_WORKBOOK_TO_PYTHONPATH is off so a stray ``xl_tools``
folder or ``.py`` file beside a user's workbook can never shadow the installed package."""

_LINE = re.compile(r'"([^"]*)","([^"]*)"')
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def parse(text: str, *, source: str = FILE_NAME) -> list[tuple[str, str]]:
    """The (key, value) lines of an xlwings.conf text; raises InputError naming the bad line."""
    rows = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line.strip())
        if not match:
            raise InputError(f'第 {number} 行格式不对：每行应为 "键","值"（英文双引号和逗号），例如 "PYTHONPATH",""',
                             path=source)
        rows.append((match.group(1), match.group(2)))
    return rows


def render(template: str, values: dict[str, str] | None = None, *, source: str = FILE_NAME) -> list[tuple[str, str]]:
    """The template's rows with placeholders filled from ``values``; rows left with an empty value are dropped."""
    values = {key: "" for key in PLACEHOLDERS} | dict(values or {})
    rows = []
    for key, value in parse(template, source=source):
        unknown = [name for name in _PLACEHOLDER.findall(value) if name not in values]
        if unknown:
            raise InputError(f"未知的占位符 {{{unknown[0]}}}：可用的占位符有 "
                             + "、".join("{" + k + "}" for k in PLACEHOLDERS), path=source)
        filled = _PLACEHOLDER.sub(lambda m: values[m.group(1)], value)
        if '"' in filled:
            raise InputError(f"配置项 {key} 的值含有英文双引号：路径中不能有双引号", path=source)
        if filled:
            rows.append((key, filled))
    return rows


def format_file(rows: list[tuple[str, str]]) -> str:
    """Rows as an xlwings.conf file text."""
    return "".join(f'"{key}","{value}"\r\n' for key, value in rows)
