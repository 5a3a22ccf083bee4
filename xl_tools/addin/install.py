"""``xl-tools addin install``: build the add-in for this Python and put it where Excel loads it at start.

- Windows: ``%APPDATA%\\Microsoft\\Excel\\XLSTART`` (Excel's user startup folder, a trusted location);
- macOS: Excel's sandboxed startup folder, plus xlwings' AppleScript that RunPython needs on a Mac
  (what ``xlwings runpython install`` does);
- anything else: there is no Excel, so say so (exit code 2).

The add-in's ``xlwings.conf`` sheet gets this interpreter (``sys.executable``), so a click runs the same
Python that has xl_tools installed, whatever else is on PATH.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from xl_tools.errors import InputError, OutputError, XlToolsError

ADDIN_FILE = "xl_tools.xlam"
MAC_STARTUP = ("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized", "Startup.localized",
               "Excel")
MAC_SCRIPTS = ("Library", "Application Scripts", "com.microsoft.Excel")


class NoExcelError(XlToolsError):
    """This operating system has no Microsoft Excel to install the add-in into."""


@dataclass(frozen=True)
class Installed:
    addin: Path
    interpreter: str
    extra: tuple[Path, ...] = ()


def platform_kind(platform: str | None = None) -> str:
    """"windows", "mac", or raise NoExcelError."""
    platform = sys.platform if platform is None else platform
    if platform.startswith("win") or platform == "cygwin":
        return "windows"
    if platform == "darwin":
        return "mac"
    raise NoExcelError(
        "本系统（" + ("Linux" if platform.startswith("linux") else platform) + "）上没有 Microsoft Excel，"
        "无法安装加载项：请在装有 Excel 的 Windows 或 macOS 电脑上运行 xl-tools addin install；"
        "如只需生成加载项文件，请运行 xl-tools addin build -o xl_tools.xlam"
    )


def startup_dir(kind: str, *, env: dict[str, str] | None = None, home: Path | None = None) -> Path:
    """Excel's user startup folder (files in it load when Excel starts) for ``kind`` "windows" or "mac"."""
    env = dict(os.environ) if env is None else env
    home = Path.home() if home is None else home
    if kind == "windows":
        appdata = env.get("APPDATA")
        if not appdata:
            raise InputError("找不到 APPDATA 环境变量，无法确定 Excel 的启动文件夹：请用 --dir 指定安装文件夹")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if kind == "mac":
        return home.joinpath(*MAC_STARTUP)
    raise ValueError(kind)


def settings_for(kind: str, interpreter: str) -> dict[str, str]:
    """The xlwings.conf placeholders this install fills."""
    return {"interpreter_win": interpreter} if kind == "windows" else {"interpreter_mac": interpreter}


def install(*, folder: Path | None = None, interpreter: str | None = None, platform: str | None = None,
            env: dict[str, str] | None = None, home: Path | None = None) -> Installed:
    """Build the add-in for ``interpreter`` and write it into Excel's startup folder (or ``folder``)."""
    from xl_tools.addin.build import build_addin, xlwings_version

    kind = platform_kind(platform)
    interpreter = interpreter or sys.executable
    if not interpreter or not Path(interpreter).is_file():
        raise InputError("找不到 Python 解释器：请用 --interpreter 指定 python.exe 的完整路径", path=interpreter or None)
    target_dir = Path(folder) if folder is not None else startup_dir(kind, env=env, home=home)
    addin = build_addin(target_dir / ADDIN_FILE, settings=settings_for(kind, interpreter), kind="xlam")
    extra: list[Path] = []
    if kind == "mac":
        import xlwings

        script = Path(xlwings.__file__).resolve().parent / f"xlwings-{xlwings_version()}.applescript"
        scripts_dir = (home or Path.home()).joinpath(*MAC_SCRIPTS)
        try:
            scripts_dir.mkdir(parents=True, exist_ok=True)
            extra.append(Path(shutil.copy(script, scripts_dir)))
        except OSError as exc:
            raise OutputError(f"无法复制 RunPython 所需的 AppleScript（{exc.strerror or exc}）：请检查该文件夹的写入权限",
                              path=str(scripts_dir)) from exc
    return Installed(addin, interpreter, tuple(extra))
