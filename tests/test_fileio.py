"""Atomic output: the finished file appears whole, with ordinary permissions; a failure leaves nothing."""

from __future__ import annotations

import os
import stat

import pytest

from xl_tools.errors import OutputError
from xl_tools.fileio import atomic_write, refuse_input_overwrite


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_new_file_gets_the_umask_mode_not_0600(tmp_path):
    target = tmp_path / "汇总.xlsx"
    atomic_write(target, lambda p: p.write_bytes(b"data"))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write(target, lambda p: p.write_bytes(b"new"))
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_failure_midway_leaves_no_file_and_a_chinese_message(tmp_path):
    target = tmp_path / "out.xlsx"

    def half_then_full_disk(p):
        p.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError) as exc:
        atomic_write(target, half_then_full_disk)
    assert "写入失败" in str(exc.value) and "out.xlsx" in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_output_equal_to_input_is_refused(tmp_path):
    src = tmp_path / "广州.xlsx"
    src.write_bytes(b"x")
    with pytest.raises(OutputError) as exc:
        refuse_input_overwrite(tmp_path / "." / "广州.xlsx", [src])
    assert "拒绝覆盖" in str(exc.value)
