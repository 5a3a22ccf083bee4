"""The add-in's sources: the files in the repository's ``macros/`` folder, or, when the package was installed
without the repository (a wheel), the same texts rendered from ``ribbon`` and ``xlconf``. A test proves the
files in macros/ equal those renderings, so both routes build the same add-in.

``python -m xl_tools.addin.sources`` rewrites macros/ from the Python definitions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from xl_tools.addin import ribbon, xlconf
from xl_tools.errors import InputError


@dataclass(frozen=True)
class Sources:
    """Ribbon XML, our VBA modules (file name → export-format text) and the xlwings.conf template."""

    customui: bytes
    modules: dict[str, str]
    conf_template: str
    origin: str


def rendered() -> dict[str, bytes]:
    """File name → bytes of every file macros/ must hold."""
    return {
        ribbon.CUSTOMUI_FILE: ribbon.render_customui().encode("utf-8"),
        ribbon.VBA_FILE: ribbon.render_vba_module().encode("ascii"),
        xlconf.FILE_NAME: xlconf.DEFAULT_TEMPLATE.encode("ascii"),
    }


def repo_macros_dir() -> Path | None:
    """The repository's macros/ folder beside the package (source checkout or editable install), if any."""
    candidate = Path(__file__).resolve().parents[2] / "macros"
    return candidate if (candidate / ribbon.CUSTOMUI_FILE).is_file() else None


def read_sources(macros: Path | None = None) -> Sources:
    """The sources from ``macros`` (a folder), else from the repository's macros/, else the built-in renderings."""
    folder = Path(macros) if macros is not None else repo_macros_dir()
    if folder is None:
        files = rendered()
        return Sources(files[ribbon.CUSTOMUI_FILE], {ribbon.VBA_FILE: files[ribbon.VBA_FILE].decode("ascii")},
                       files[xlconf.FILE_NAME].decode("ascii"), "内置源文件")
    if not folder.is_dir():
        raise InputError("找不到 macros 文件夹：请检查 --macros 指定的路径", path=str(folder))
    customui = folder / ribbon.CUSTOMUI_FILE
    if not customui.is_file():
        raise InputError(f"macros 文件夹中缺少 {ribbon.CUSTOMUI_FILE}：请从源码仓库复制，"
                         "或运行 python -m xl_tools.addin.sources 重新生成", path=str(folder))
    modules = {}
    for path in sorted(folder.glob("*.bas")):
        data = path.read_bytes()
        try:
            modules[path.name] = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise InputError(f"VBA 源文件只能包含英文字符（ASCII），第 {exc.start} 个字节不是：请把中文移到 "
                             f"{ribbon.CUSTOMUI_FILE}", path=str(path)) from exc
    if not modules:
        raise InputError("macros 文件夹中没有 .bas 文件：请从源码仓库复制 XlToolsRibbon.bas", path=str(folder))
    conf = folder / xlconf.FILE_NAME
    conf_text = conf.read_text(encoding="utf-8") if conf.is_file() else xlconf.DEFAULT_TEMPLATE
    return Sources(customui.read_bytes(), modules, conf_text, str(folder))


def write_sources(folder: Path) -> list[Path]:
    """Write every rendered source file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in rendered().items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    return written


def main() -> int:
    folder = repo_macros_dir() or Path(__file__).resolve().parents[2] / "macros"
    for path in write_sources(folder):
        print(f"已写入 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
