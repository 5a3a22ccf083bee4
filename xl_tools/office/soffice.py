"""Find LibreOffice (``soffice``) and run it headless with a private profile and a timeout.

The private profile (``-env:UserInstallation=file:///…``) keeps parallel runs (pytest-xdist workers, two
users' conversions) from colliding on the per-user lock, and carries our settings: recalculate formulas on
load for OOXML and ODF files. LibreOffice's default for OOXML is "never recalculate" (keep the cached values
the writer stored), which would hide a wrong cached total; checked on LibreOffice 7.4: a file caching 99 for
``=SUM(1,2)`` converts to 99 with the default profile and to 3 with ours.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from xl_tools.errors import InputError, XlToolsError

#: How to install the programs, in the words a user can act on.
INSTALL_HINT = (
    "Debian/Ubuntu 请运行：sudo apt-get install libreoffice-calc poppler-utils fonts-noto-cjk；"
    "Windows 请从 https://zh-cn.libreoffice.org 下载安装 LibreOffice，"
    "或设置环境变量 XL_TOOLS_SOFFICE 指向 soffice.exe 的完整路径"
)

#: Environment variables: an explicit soffice path, and the timeout of one soffice run in seconds.
ENV_SOFFICE = "XL_TOOLS_SOFFICE"
ENV_TIMEOUT = "XL_TOOLS_SOFFICE_TIMEOUT"
DEFAULT_TIMEOUT = 120.0

# Calc/Formula/Load: 0 = always recalculate, 1 = never (LibreOffice's default), 2 = ask.
REGISTRY_MODIFICATIONS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


class OfficeMissingError(XlToolsError):
    """LibreOffice or poppler is not installed (or not found); the message says how to install it."""


class ConversionError(XlToolsError):
    """LibreOffice ran but did not produce the expected output (unreadable file, timeout, crash)."""


def _candidates() -> list[str]:
    """Places soffice is usually installed, beyond PATH."""
    if sys.platform.startswith("win"):
        roots = [os.environ.get(v) for v in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
        return [str(Path(r) / "LibreOffice" / "program" / "soffice.exe") for r in roots if r]
    if sys.platform == "darwin":
        return ["/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    return ["/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice",
            "/snap/bin/libreoffice"]


def find_soffice() -> Path:
    """The soffice executable: $XL_TOOLS_SOFFICE, then PATH, then the usual install folders.

    Raises OfficeMissingError with install instructions when none is found.
    """
    explicit = os.environ.get(ENV_SOFFICE)
    if explicit:
        path = Path(explicit)
        if path.is_file():
            return path
        raise OfficeMissingError(f"环境变量 {ENV_SOFFICE} 指向的 {explicit} 不存在：请改为 soffice 的完整路径，"
                                 f"或删除该变量。{INSTALL_HINT}")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _candidates():
        if Path(candidate).is_file():
            return Path(candidate)
    raise OfficeMissingError(f"未找到 LibreOffice（soffice），无法用电子表格程序打开、重算或打印工作簿：{INSTALL_HINT}")


_profile_lock = threading.Lock()
_shared_profile: Path | None = None


def make_profile(directory: str | os.PathLike | None = None) -> Path:
    """Create a private LibreOffice profile folder that recalculates on load; returns its path."""
    root = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="xl_tools-lo-profile-"))
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    registry = user / "registrymodifications.xcu"
    if not registry.exists():
        registry.write_text(REGISTRY_MODIFICATIONS, encoding="utf-8")
    return root


def shared_profile() -> Path:
    """This process's private profile (made once, removed at exit)."""
    global _shared_profile
    if _shared_profile is None:
        _shared_profile = make_profile()
        atexit.register(shutil.rmtree, _shared_profile, True)
    return _shared_profile


def timeout_seconds(files: int = 1) -> float:
    """The timeout of one soffice run: $XL_TOOLS_SOFFICE_TIMEOUT, else 120 s plus 30 s per extra file."""
    explicit = os.environ.get(ENV_TIMEOUT)
    if explicit:
        try:
            return float(explicit)
        except ValueError:
            raise InputError(f"环境变量 {ENV_TIMEOUT}={explicit} 不是数字：请写秒数，如 300") from None
    return DEFAULT_TIMEOUT + 30.0 * max(0, files - 1)


def _kill_tree(proc: subprocess.Popen) -> None:
    """Stop a soffice run we started, with the helper processes it spawned."""
    try:
        if sys.platform.startswith("win"):
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        else:
            os.killpg(proc.pid, signal.SIGKILL)  # our own child leads its own session
    except (OSError, ProcessLookupError):
        pass
    proc.kill()
    proc.wait()


def _environment() -> dict[str, str]:
    """The environment for soffice: a UTF-8 locale on POSIX, else it writes Chinese sheet names as ``??``
    (CSV per sheet is named after the sheet; checked with LANG=C on LibreOffice 7.4)."""
    env = dict(os.environ)
    if not sys.platform.startswith("win"):
        current = env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""
        if "utf-8" not in current.lower() and "utf8" not in current.lower():
            env["LC_ALL"] = "C.UTF-8"
    return env


def run_soffice(args: list[str], *, cwd: str | os.PathLike | None = None, profile: str | os.PathLike | None = None,
                timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``soffice --headless <args>`` with a private profile; return the finished process.

    Runs sharing the process's profile are serialised (LibreOffice locks a profile). Raises ConversionError
    when soffice exceeds ``timeout`` seconds (the run and its helpers are killed).
    """
    exe = find_soffice()
    own_profile = profile is None
    prof = Path(profile) if profile else shared_profile()
    make_profile(prof)
    command = [str(exe), f"-env:UserInstallation={prof.resolve().as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nodefault", "--nolockcheck", *args]
    limit = timeout if timeout is not None else timeout_seconds()
    popen_kwargs: dict = {}
    if sys.platform.startswith("win"):
        popen_kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    else:
        popen_kwargs["start_new_session"] = True
    lock = _profile_lock if own_profile else threading.Lock()
    with lock:
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=_environment(), **popen_kwargs)
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            raise ConversionError(f"LibreOffice 在 {limit:.0f} 秒内没有完成转换，已停止：文件可能过大或已损坏；"
                                  f"可设置环境变量 {ENV_TIMEOUT} 加长时限（秒）后重试") from None
    return subprocess.CompletedProcess(command, proc.returncode, out.decode("utf-8", "replace"),
                                       err.decode("utf-8", "replace"))
