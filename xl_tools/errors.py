"""The exceptions xl_tools raises. Messages are Chinese and say what to do; the CLI maps them to exit codes."""

from __future__ import annotations


class XlToolsError(Exception):
    """Base of every failure the user can act on; ``str(err)`` is the Chinese message."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, sheet: str | None = None,
                 cell: str | None = None) -> None:
        self.message = message
        self.path = path
        self.sheet = sheet
        self.cell = cell
        super().__init__(self.where_prefix() + message)

    def __reduce__(self):
        # Rebuilt from its parts (not from the prefixed text) when it crosses a process boundary (workers).
        return (_rebuild, (type(self), self.message, self.path, self.sheet, self.cell))

    def where_prefix(self) -> str:
        """Name the file, sheet and cell the message is about, as far as they are known."""
        parts = []
        if self.path:
            parts.append(f"文件 {self.path}")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        return ("，".join(parts) + "：") if parts else ""


class NotAFormError(XlToolsError):
    """A file that is not a readable 绩效目标表 (finding code ``not-a-form``)."""

    code = "not-a-form"


class InputError(XlToolsError):
    """A bad argument or input file given by the user."""


class OutputError(XlToolsError):
    """An output could not be written; nothing partial is left behind."""


class FormSchemaError(XlToolsError):
    """A Form record that does not match the Form JSON Schema (a bug in a reader, or bad JSON input)."""


def _rebuild(cls, message, path, sheet, cell):
    return cls(message, path=path, sheet=sheet, cell=cell)
