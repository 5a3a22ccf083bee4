"""Safe file output: atomic writes, and never overwriting an input."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from xl_tools.errors import OutputError


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when two paths name the same file (resolving links and case where the OS does)."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(pa)) == os.path.normcase(os.path.abspath(pb))


def refuse_input_overwrite(output: str | os.PathLike, inputs: Iterable[str | os.PathLike]) -> None:
    """Raise OutputError when ``output`` is one of ``inputs``."""
    for inp in inputs:
        if same_file(output, inp):
            raise OutputError(
                "输出文件与输入文件相同，已拒绝覆盖输入：请用 -o 指定另一个文件名",
                path=str(output),
            )


_REASONS = {
    getattr(errno, name): reason for name, reason in (
        ("ENOSPC", "磁盘空间不足"), ("EDQUOT", "磁盘配额已满"), ("EROFS", "该位置只读"),
        ("EACCES", "没有写入权限"), ("EPERM", "没有写入权限"), ("ENOENT", "文件夹不存在"),
        ("ENOTDIR", "路径中有一段是文件而不是文件夹"), ("EISDIR", "已有同名的文件夹"),
        ("ENAMETOOLONG", "文件名或路径太长"), ("EIO", "磁盘读写出错"),
    ) if hasattr(errno, name)                       # not every errno exists on Windows
}


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an OS error (the system's own words only when there is none)."""
    return _REASONS.get(exc.errno) or exc.strerror or type(exc).__name__


def _settle(tmp: Path, target: Path) -> None:
    """Flush the finished temporary file to disk and give it the mode a plain ``open()`` would.

    mkstemp makes it 0600 (unreadable to colleagues on a shared folder); a replaced file keeps its own mode.
    """
    if os.name == "posix":
        try:
            if target.exists():
                mode = target.stat().st_mode & 0o777
            else:
                mask = os.umask(0)
                os.umask(mask)
                mode = 0o666 & ~mask
            os.chmod(tmp, mode)
        except OSError:
            pass
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` to produce the file, then rename it onto ``path``.

    A failure midway (disk full, permission denied) leaves no partial file and raises OutputError.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".~xl_tools-", suffix=target.suffix, dir=directory)
    except OSError as exc:
        raise OutputError(f"无法在该文件夹创建文件（{os_reason(exc)}）：请检查文件夹是否存在、是否有写入权限",
                          path=str(target)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        _settle(tmp, target)
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError("没有写入权限，或文件正被 Excel/WPS 打开：请关闭该文件或换一个保存位置后重试",
                          path=str(target)) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"写入失败（{os_reason(exc)}），未留下不完整的文件：请检查磁盘空间和写入权限后重试",
                          path=str(target)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
