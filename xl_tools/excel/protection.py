"""Sheet protection around marking: the template protects its form sheets (labels locked, no password).

Desktop Excel refuses to colour a cell or add a note on a protected sheet, even an unlocked cell, so 校验 and
清除标记 lift the protection of the sheets they mark and put it back exactly as it was (same permissions).
A sheet protected with a password cannot be lifted: the user is told how to do it. The remote engine has no
protection model (nothing to do there).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

# Windows Excel: Protection.Allow* property → the matching keyword of Worksheet.Protect.
_ALLOW = (
    "AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
    "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
    "AllowSorting", "AllowFiltering", "AllowUsingPivotTables",
)


def _password_error(sheet_name: str):
    from xl_tools.errors import InputError

    return InputError("该工作表设置了保护密码，无法标记：请先点击“审阅 → 撤消工作表保护”输入密码撤消保护，"
                      "再点击按钮", sheet=sheet_name)


class _WindowsProtection:
    def __init__(self, sheet):
        self.sheet = sheet
        self.api = sheet.api
        self.saved: dict | None = None

    def lift(self) -> None:
        api = self.api
        if not (api.ProtectContents or api.ProtectDrawingObjects or api.ProtectScenarios):
            return
        prot = api.Protection
        self.saved = {name: bool(getattr(prot, name)) for name in _ALLOW}
        self.saved.update(DrawingObjects=bool(api.ProtectDrawingObjects), Contents=bool(api.ProtectContents),
                          Scenarios=bool(api.ProtectScenarios))
        self.selection = api.EnableSelection
        try:
            api.Unprotect()
        except Exception as exc:
            raise _password_error(self.sheet.name) from exc

    def restore(self) -> None:
        if self.saved is None:
            return
        self.api.Protect(**self.saved)
        self.api.EnableSelection = self.selection


class _MacProtection:
    """Excel for Mac through appscript: unprotect / protect with contents locked (permissions best effort)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.api = sheet.api
        self.was_protected = False

    def lift(self) -> None:
        try:
            self.was_protected = bool(self.api.protect_contents.get())
        except Exception:
            return
        if not self.was_protected:
            return
        try:
            self.api.unprotect()
        except Exception as exc:
            raise _password_error(self.sheet.name) from exc

    def restore(self) -> None:
        if self.was_protected:
            self.api.protect_worksheet(contents=True, allow_formatting_rows=True, allow_inserting_rows=True,
                                       allow_deleting_rows=True)


@contextlib.contextmanager
def unprotected(sheets) -> Iterator[None]:
    """Lift the protection of ``sheets`` (xlwings sheets) for the duration of the block, then restore it."""
    lifted = []
    try:
        for sheet in sheets:
            if sheet.book.app.engine.name != "excel":
                continue
            guard = _WindowsProtection(sheet) if sys.platform.startswith("win") else _MacProtection(sheet)
            guard.lift()
            lifted.append(guard)
        yield
    finally:
        for guard in reversed(lifted):
            guard.restore()
