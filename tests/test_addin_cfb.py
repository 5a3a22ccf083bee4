"""The compound file writer, read back by olefile (an independent reader): every stream and storage comes back
byte for byte, the header says version 3 with 512-byte sectors, and each storage's children form a valid
red-black tree in the spec's order."""

from __future__ import annotations

import io

import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_tools.addin import cfb

RED, BLACK = 0, 1  # [MS-CFB] 2.6.1 Color Flag

# Upper-case names: distinct dict keys are then distinct case-insensitively, as sibling names must be.
NAME = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ ", min_size=1, max_size=31)
STREAM = st.one_of(st.binary(max_size=200), st.binary(min_size=4090, max_size=6000).map(lambda b: b * 2))
TREE = st.recursive(
    st.dictionaries(NAME, STREAM, max_size=6),
    lambda children: st.dictionaries(NAME, st.one_of(STREAM, children), max_size=6),
    max_leaves=20,
)


def walk(tree: dict, prefix=()):
    for name, node in tree.items():
        if isinstance(node, dict):
            yield prefix + (name,), None
            yield from walk(node, prefix + (name,))
        else:
            yield prefix + (name,), node


def check_tree(ole: olefile.OleFileIO) -> None:
    """Every storage's children: BST in MS-CFB order, root of each tree black, no red node with a red child."""
    entries = ole.direntries

    def visit_siblings(sid: int, lo=None, hi=None) -> int:
        if sid == olefile.NOSTREAM:
            return 0
        e = entries[sid]
        key = cfb.sort_key(e.name)
        assert lo is None or lo < key
        assert hi is None or key < hi
        for child in (e.sid_left, e.sid_right):
            if child != olefile.NOSTREAM and e.color == RED:
                assert entries[child].color == BLACK, "two consecutive red nodes"
        visit_siblings(e.sid_left, lo, key)
        visit_siblings(e.sid_right, key, hi)
        if e.sid_child != olefile.NOSTREAM:
            assert entries[e.sid_child].color == BLACK
            visit_siblings(e.sid_child)
        return 1

    root = entries[0]
    if root.sid_child != olefile.NOSTREAM:
        assert entries[root.sid_child].color == BLACK
        visit_siblings(root.sid_child)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(TREE)
def test_olefile_reads_back_every_stream(tree):
    data = cfb.write(tree)
    assert len(data) % 512 == 0
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert ole.dll_version == 3 and ole.sector_size == 512 and ole.mini_sector_size == 64
    assert ole.mini_stream_cutoff_size == 4096
    expected = dict(walk(tree))
    found = {tuple(p) for p in ole.listdir(streams=True, storages=True)}
    assert found == set(expected)
    for path, content in expected.items():
        if content is None:
            assert ole.get_type("/".join(path)) == olefile.STGTY_STORAGE
        else:
            assert ole.get_type("/".join(path)) == olefile.STGTY_STREAM
            assert ole.openstream("/".join(path)).read() == content
    check_tree(ole)
    assert cfb.write(tree) == data, "deterministic"


def test_large_file_with_many_fat_sectors():
    tree = {"S": {f"s{i}": bytes([i]) * (5000 + i * 977) for i in range(40)}, "small": b"x" * 10}
    data = cfb.write(tree)
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert ole.num_fat_sectors > 1
    for i in range(40):
        assert ole.openstream(f"S/s{i}").read() == bytes([i]) * (5000 + i * 977)


def test_names_are_checked():
    with pytest.raises(ValueError):
        cfb.write({"a" * 32: b""})
    with pytest.raises(ValueError):
        cfb.write({"a/b": b""})
    with pytest.raises(ValueError):
        cfb.write({"Dir": b"", "DIR": b""})


def test_sibling_order_is_length_then_uppercase():
    names = ["dir", "VBA", "_VBA_PROJECT", "Main", "a", "PROJECTwm", "PROJECT"]
    assert sorted(names, key=cfb.sort_key) == ["a", "dir", "VBA", "Main", "PROJECT", "PROJECTwm", "_VBA_PROJECT"]
