"""The public pre-flight check of one input file: what is it, may a parser open it, and what does it hold."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from xl_tools.errors import NotAFormError
from xl_tools.workbook.inputs import is_lock_file
from xl_tools.workbook.safety.container import check_zip
from xl_tools.workbook.safety.limits import CHUNK, FIX_RESEND, InputScan
from xl_tools.workbook.safety.not_workbook import describe_not_zip
from xl_tools.workbook.safety.ole import OLE_MAGIC, describe_ole


# --- public API -------------------------------------------------------------------------------------------------

def check_input_file(path: str | os.PathLike) -> None:
    """Raise NotAFormError (naming the file and the fix) when ``path`` is not a workbook a parser may open."""
    inspect_input_file(path)


def inspect_input_file(path: str | os.PathLike) -> InputScan:
    """Like :func:`check_input_file`, returning what was measured (sheet extents, macros)."""
    name = str(path)
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise NotAFormError("文件不存在：请检查文件名和路径是否写对（含扩展名 .xlsx）", path=name) from None
    except OSError as exc:
        raise NotAFormError(f"无法访问该文件（{exc.strerror or exc}）：请检查路径和访问权限后重试", path=name) from exc
    if stat.S_ISDIR(st.st_mode):
        raise NotAFormError("这是一个文件夹，不是工作簿：请给出其中的 .xlsx 文件，或用支持文件夹的命令（如 xl-tools validate 文件夹）",
                            path=name)
    if not stat.S_ISREG(st.st_mode):
        raise NotAFormError("这不是普通文件（可能是设备或管道）：请给出保存在磁盘上的 .xlsx 文件", path=name)
    if is_lock_file(p):
        raise NotAFormError("这是 Excel/WPS 打开工作簿时生成的临时锁定文件（文件名以 ~$ 或 .~ 开头），不是绩效目标表："
                            "请忽略它，改选不带 ~$ 的原文件", path=name)
    if st.st_size == 0:
        raise NotAFormError("文件是空的（0 字节），可能在保存或复制时中断：" + FIX_RESEND, path=name)
    try:
        with open(p, "rb") as fh:
            head = fh.read(CHUNK)
    except PermissionError as exc:
        raise NotAFormError("无法读取：文件正被其他程序占用，或没有读取权限：请在 Excel/WPS 中关闭该文件后重试",
                            path=name) from exc
    except OSError as exc:
        raise NotAFormError(f"无法读取该文件（{exc.strerror or exc}）：请把它复制到本机磁盘后重试", path=name) from exc
    if head.startswith(OLE_MAGIC):
        raise NotAFormError(describe_ole(p), path=name)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if zipfile.is_zipfile(p):      # a zip with something prepended (self-extracting archive and the like)
            raise NotAFormError("这是压缩包或安装程序，不是 Excel 工作簿：请解压后给出其中的 .xlsx 文件", path=name)
        raise NotAFormError(describe_not_zip(head), path=name)
    scan = InputScan(path=name, size=st.st_size)
    check_zip(p, name, scan)
    return scan


def check_template_version(version: str | None, path: str | os.PathLike | None = None) -> None:
    """Raise NotAFormError when a workbook was made from a template newer than this xl_tools knows."""
    from xl_tools.workbook.template import TEMPLATE_VERSION

    if not version:
        return
    known = _version_key(TEMPLATE_VERSION)
    found = _version_key(version)
    if found is None or (known is not None and found > known):
        raise NotAFormError(f"该表用更新版本的模板（版本 {version}）制作，本工具只认识到版本 {TEMPLATE_VERSION}："
                            "请更新 xl_tools（pip install -U xl_tools 或安装新版加载项）后重试",
                            path=str(path) if path is not None else None)


def _version_key(text: str) -> tuple[int, ...] | None:
    parts = str(text).strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)
