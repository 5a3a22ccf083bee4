"""Nothing lost: inputs are never changed, outputs appear whole or not at all, an output never replaces an input.

Failures are real: a write that raises ENOSPC after writing half a file, a folder where the file should go,
a path under /proc, a file where a folder is expected, and (where the machine allows mounting) a real
64 KB disk that fills up while the provincial workbook is saved.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hostile_fixtures import encrypted_container, seed_city_workbooks, sha256

from xl_tools.errors import OutputError
from xl_tools.fileio import atomic_write, refuse_input_overwrite


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> list[Path]:
    return seed_city_workbooks(tmp_path_factory.mktemp("cities"))


def _copy(cities: list[Path], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for c in cities:
        shutil.copy2(c, folder / c.name)
        out.append(folder / c.name)
    return out


def _state(paths) -> dict[str, tuple[str, int, int]]:
    """Hash, size and modification time of each file: any change to an input shows."""
    return {str(p): (sha256(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~xl_tools-"))


# --- inputs are byte-identical --------------------------------------------------------------------------------------

def test_validate_and_consolidate_leave_every_input_byte_identical(tmp_path, cities, capsys):
    from xl_tools.cli import main

    folder = tmp_path / "各地市"
    inputs = _copy(cities, folder)
    broken = folder / "加密.xlsx"
    broken.write_bytes(encrypted_container())
    inputs.append(broken)
    before = _state(inputs)
    assert main(["validate", str(folder), "--annotate"]) == 2          # the encrypted file: exit 2
    assert main(["validate", *map(str, inputs[:2]), "--json"]) in (0, 1)
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "全省.xlsx")]) == 1
    assert main(["consolidate", *map(str, inputs[:4]), "-o", str(folder / "汇总.xlsx"), "--json"]) in (0, 1)
    capsys.readouterr()
    assert _state(inputs) == before
    marked = sorted(p.name for p in folder.glob("*.校验.xlsx"))
    assert marked == sorted(f"{c.stem}.校验.xlsx" for c in cities)      # beside, never instead of, the inputs
    assert _leftovers(folder) == [] and _leftovers(tmp_path) == []


def test_reading_never_writes(tmp_path, cities):
    from xl_tools.rules import validate_forms
    from xl_tools.workbook.reader import ENGINES, read_forms

    inputs = _copy(cities, tmp_path / "in")
    before = _state(inputs)
    for path in inputs:
        for engine in ENGINES:
            validate_forms(read_forms(path, engine=engine))
    assert _state(inputs) == before and sorted(os.listdir(tmp_path / "in")) == sorted(p.name for p in inputs)


# --- an output never replaces an input ---------------------------------------------------------------------------

def test_output_equal_to_an_input_is_refused(tmp_path, cities, capsys):
    from xl_tools.cli import main

    inputs = _copy(cities, tmp_path / "in")
    before = _state(inputs)
    same = [str(inputs[0]), str(tmp_path / "in" / ".." / "in" / inputs[0].name)]
    link = tmp_path / "链接.xlsx"
    link.symlink_to(inputs[0])
    for output in (*same, str(link)):
        code = main(["consolidate", *map(str, inputs), "-o", output])
        err = capsys.readouterr().err
        assert code == 2 and "拒绝覆盖" in err and "-o" in err, err
    with pytest.raises(OutputError, match="拒绝覆盖"):
        refuse_input_overwrite(Path(same[1]), inputs)
    from xl_tools.workbook.reader import read_forms
    from xl_tools.workbook.writer import write_forms

    form = read_forms(inputs[1])[0]
    with pytest.raises(OutputError, match="拒绝覆盖"):
        write_forms([form], inputs[1])
    assert _state(inputs) == before


def test_marked_copy_never_replaces_its_input(tmp_path, cities):
    from xl_tools.workbook.annotate import annotate_file

    (path,) = _copy(cities[:1], tmp_path)
    before = _state([path])
    with pytest.raises(OutputError, match="拒绝覆盖"):
        annotate_file(path, [], output=path)
    assert _state([path]) == before


# --- outputs are whole or absent ----------------------------------------------------------------------------------

def _half_then_enospc(tmp: Path) -> None:
    with open(tmp, "wb") as fh:
        fh.write(b"PK\x03\x04" + b"x" * 50_000)         # half a workbook is on disk ...
        fh.flush()
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))   # ... when the disk fills up


def test_a_write_failing_midway_leaves_no_partial_file(tmp_path):
    target = tmp_path / "全省.xlsx"
    with pytest.raises(OutputError) as exc:
        atomic_write(target, _half_then_enospc)
    message = str(exc.value)
    assert str(target) in message and "磁盘空间不足" in message and "请" in message and "No space" not in message
    assert not target.exists() and os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_previous_output(tmp_path):
    target = tmp_path / "全省.xlsx"
    atomic_write(target, lambda tmp: tmp.write_bytes(b"old complete file"))
    for failure in (_half_then_enospc, _permission_denied, _interrupted):
        with pytest.raises((OutputError, KeyboardInterrupt)):
            atomic_write(target, failure)
        assert target.read_bytes() == b"old complete file"
        assert os.listdir(tmp_path) == ["全省.xlsx"]


def _permission_denied(tmp: Path) -> None:
    tmp.write_bytes(b"partial")
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))


def _interrupted(tmp: Path) -> None:
    tmp.write_bytes(b"partial")
    raise KeyboardInterrupt


def test_permission_denied_says_close_the_file(tmp_path):
    target = tmp_path / "全省.xlsx"
    with pytest.raises(OutputError) as exc:
        atomic_write(target, _permission_denied)
    assert "关闭该文件" in str(exc.value) and os.listdir(tmp_path) == []


def test_unwritable_places_give_clear_messages(tmp_path):
    a_file = tmp_path / "不是文件夹.txt"
    a_file.write_text("x", encoding="utf-8")
    folder = tmp_path / "同名文件夹.xlsx"
    folder.mkdir()
    cases = [
        (a_file / "全省.xlsx", "无法在该文件夹创建文件"),            # a file where a folder is expected
        (Path("/proc/xl_tools_test/全省.xlsx"), "无法在该文件夹创建文件"),
        (folder, "同名的文件夹"),                                  # the output name is taken by a folder
    ]
    for target, words in cases:
        with pytest.raises(OutputError) as exc:
            atomic_write(target, lambda tmp: tmp.write_bytes(b"data"))
        message = str(exc.value)
        assert str(target) in message and words in message and "请" in message, message
    assert sorted(os.listdir(tmp_path)) == sorted([a_file.name, folder.name]) and os.listdir(folder) == []


def test_outputs_are_readable_by_others_and_complete(tmp_path):
    target = atomic_write(tmp_path / "a.xlsx", lambda tmp: tmp.write_bytes(b"abc"))
    mask = os.umask(0)
    os.umask(mask)
    assert target.read_bytes() == b"abc" and (target.stat().st_mode & 0o777) == (0o666 & ~mask)


def test_consolidate_into_a_folder_that_is_a_file_exits_2_and_writes_nothing(tmp_path, cities, capsys):
    from xl_tools.cli import main

    inputs = _copy(cities, tmp_path / "in")
    blocker = tmp_path / "输出"
    blocker.write_text("我是文件", encoding="utf-8")
    code = main(["consolidate", *map(str, inputs), "-o", str(blocker / "全省.xlsx")])
    err = capsys.readouterr().err
    assert code == 2 and "无法在该文件夹创建文件" in err and "请" in err and "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "我是文件"


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 64 KB tmpfs (the provincial workbook does not fit), or skip where mounting is not allowed."""
    mount = tmp_path / "小磁盘"
    mount.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("需要 root 和 mount 才能模拟磁盘已满")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"此环境不允许挂载 tmpfs，无法模拟磁盘已满：{done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_really_full_disk(tmp_path, cities, tiny_disk, capsys):
    from xl_tools.cli import main

    inputs = _copy(cities, tmp_path / "in")
    before = _state(inputs)
    filler = tiny_disk / "已有文件.bin"
    filler.write_bytes(b"\0" * 40_000)
    code = main(["consolidate", *map(str, inputs), "-o", str(tiny_disk / "全省.xlsx"), "--json"])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "磁盘空间不足" in captured.err and "未留下不完整的文件" in captured.err and "请" in captured.err
    assert sorted(os.listdir(tiny_disk)) == ["已有文件.bin"]         # no partial output, no temporary file
    assert filler.stat().st_size == 40_000 and _state(inputs) == before
    assert not captured.out.strip() or "total_funding_wan" not in json.loads(captured.out or "{}")
