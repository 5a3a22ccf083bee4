"""Receiving uploaded workbooks: a streaming multipart reader with limits, and safe on-disk names.

An upload's file name never becomes a path of its own: each file goes into a numbered subfolder of the
batch folder (``0003/``) under a sanitised copy of its name, so the reader still sees the city hint in the
file stem (``广州.xlsx`` → hint ``广州``) while nothing the browser sends can choose where a file lands.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 200
MAX_FIELD_BYTES = 64 * 1024          # a text field (the submitter's name)
MAX_NAME_CHARS = 120
MAX_DRAIN_BYTES = 64 * 1024 * 1024   # read at most this much more of a refused request before answering

_RESERVED = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}


class UploadError(Exception):
    """An upload refused before any file was checked; ``str(err)`` is the Chinese message, ``status`` HTTP."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def display_name(raw: str | None) -> str:
    """The name to show for an uploaded file: its last path component, control characters removed."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name or "未命名.xlsx"


def safe_name(raw: str | None) -> str:
    """A file name safe on every desktop OS, keeping the stem (the city hint) and the extension."""
    name = _RESERVED.sub("_", display_name(raw)).strip(" ")
    name = name.rstrip(". ") or "未命名.xlsx"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if not stem.strip("."):
        stem = "未命名"
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    ext = ext[:16]
    stem = stem[:MAX_NAME_CHARS - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


@dataclass
class Upload:
    """One received file: where it was saved, the name the user gave it, its size and SHA-256."""

    path: Path
    name: str
    size: int
    sha256: str


@dataclass
class Received:
    files: list[Upload] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


def _too_big(name: str) -> UploadError:
    return UploadError(f"文件“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，未接收：绩效目标表通常只有几十 KB，"
                       "请确认选对了文件（只保留绩效目标表所在的工作表后另存再上传）", 413)


def _too_many() -> UploadError:
    return UploadError(f"一次最多上传 {MAX_FILES} 个文件：请分批上传，或在命令行用 xl-tools validate 校验整个文件夹", 413)


async def _drain(stream, limit: int = MAX_DRAIN_BYTES) -> None:
    """Read (and drop) what the browser is still sending, so it sees the refusal instead of a reset connection."""
    left = limit
    try:
        async for chunk in stream:
            left -= len(chunk)
            if left < 0:
                return
    except Exception:         # the client went away: nothing more to read
        return


async def receive(request, folder: Path, *, field_name: str = "files") -> Received:
    """Stream a multipart/form-data request into ``folder``; files of ``field_name`` only, with the limits."""
    import hashlib

    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError("请求格式不对：请用 multipart/form-data 上传，文件放在字段 files 中", 400)
    received = Received()
    state: dict = {}

    def on_part_begin() -> None:
        state.update(headers={}, field=b"", value=b"", out=None, text=None, upload=None)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"] = state["value"] = b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        filename = disp.get(b"filename")
        if filename is None:
            state["text"] = bytearray() if name and name != field_name else None
            state["name"] = name
            return
        if name != field_name:
            return                                   # a file under another field: ignored
        if len(received.files) >= MAX_FILES:
            raise _too_many()
        shown = display_name(filename.decode("utf-8", "replace"))
        sub = folder / f"{len(received.files):04d}"
        sub.mkdir(parents=True)
        path = sub / safe_name(shown)
        upload = Upload(path, shown, 0, "")
        received.files.append(upload)
        state.update(upload=upload, out=open(path, "wb"), digest=hashlib.sha256())

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if state.get("out") is not None:
            upload = state["upload"]
            upload.size += len(chunk)
            if upload.size > MAX_FILE_BYTES:
                raise _too_big(upload.name)
            state["out"].write(chunk)
            state["digest"].update(chunk)
        elif state.get("text") is not None:
            state["text"] += chunk
            if len(state["text"]) > MAX_FIELD_BYTES:
                raise UploadError("表单中的文字太长：姓名等请不超过 100 字", 413)

    def on_part_end() -> None:
        if state.get("out") is not None:
            state["out"].close()
            state["upload"].sha256 = state["digest"].hexdigest()
            state["out"] = None
        elif state.get("text") is not None:
            received.fields[state["name"]] = bytes(state["text"]).decode("utf-8", "replace")
            state["text"] = None

    def on_end() -> None:
        state["ended"] = True

    parser = MultipartParser(params[b"boundary"], {
        "on_end": on_end,
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
    })
    stream = request.stream()
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
        if not state.get("ended"):
            raise ValueError("multipart body ended before its closing boundary")
    except UploadError:
        await _drain(stream)
        raise
    except Exception as exc:                          # python-multipart's parse errors, a dropped connection
        raise UploadError("上传的数据不完整或格式不对：请重新上传", 400) from exc
    finally:
        if state.get("out") is not None:
            state["out"].close()
    if not received.files:
        raise UploadError("没有收到文件：请选择或拖入 .xlsx 文件（字段名 files）", 400)
    return received
