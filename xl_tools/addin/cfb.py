"""A minimal, deterministic [MS-CFB] compound file writer (version 3, 512-byte sectors).

``write(tree)`` turns a nested ``{name: bytes | dict}`` into a compound file: dicts are storages, bytes are
streams. Streams shorter than 4096 bytes go to the mini stream (64-byte mini sectors), longer ones to regular
sectors. CLSIDs, state bits and timestamps are zero, so equal input gives equal bytes. Each storage's
children form a balanced binary search tree in the spec's order (name length, then upper-cased name), all
nodes black: that satisfies the red-black constraints of MS-CFB 2.6.4 (root black, no two consecutive red
nodes, left < right).

Layout: header, stream sectors, mini stream sectors, directory sectors, mini FAT sectors, FAT sectors; the
FAT is addressed from the header's 109 DIFAT slots (files up to about 6.8 MB, plenty for a VBA project).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
ENTRIES_PER_SECTOR = SECTOR // 128
IDS_PER_SECTOR = SECTOR // 4

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
STORAGE, STREAM, ROOT = 1, 2, 5
BLACK = 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def sort_key(name: str) -> tuple[int, str]:
    """Sibling order of MS-CFB 2.6.4: shorter names first, then by upper-cased UTF-16 code points."""
    return len(name.encode("utf-16-le")), name.upper()


def _check_name(name: str) -> None:
    if not name or len(name) > 31 or any(c in name for c in "/\\:!"):
        raise ValueError(f"invalid compound file entry name: {name!r}")


def _build(name: str, node: bytes | dict, kind: int) -> _Entry:
    if isinstance(node, dict):
        entry = _Entry(name, kind)
        for child_name, child in node.items():
            _check_name(child_name)
            entry.children.append(_build(child_name, child, STORAGE if isinstance(child, dict) else STREAM))
        keys = [sort_key(c.name) for c in entry.children]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate entry names (case-insensitive) under {name!r}")
        entry.children.sort(key=lambda c: sort_key(c.name))
        return entry
    return _Entry(name, kind, data=bytes(node))


def _flatten(root: _Entry) -> list[_Entry]:
    """Entries in directory order (pre-order), with sibling trees and child pointers filled in."""
    order: list[_Entry] = []

    def visit(entry: _Entry) -> int:
        index = len(order)
        order.append(entry)
        entry.child = balanced(entry.children)
        return index

    def balanced(siblings: list[_Entry]) -> int:
        if not siblings:
            return NOSTREAM
        mid = len(siblings) // 2
        index = visit(siblings[mid])
        node = siblings[mid]
        node.left = balanced(siblings[:mid])
        node.right = balanced(siblings[mid + 1:])
        return index

    visit(root)
    return order


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


def _dir_entry(e: _Entry) -> bytes:
    raw_name = e.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        raw_name, len(raw_name), e.kind, BLACK, e.left, e.right, e.child,
        b"\x00" * 16, 0, 0, 0, e.start if e.kind != STORAGE else 0, e.size,
    )


# An unused directory entry: all zero except the sibling and child ids, which are NOSTREAM (MS-CFB 2.6.3).
_EMPTY_ENTRY = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                           b"\x00" * 16, 0, 0, 0, 0, 0)


def write(tree: dict) -> bytes:
    """The compound file holding ``tree`` (``{name: bytes | dict}``) under its root storage."""
    root = _build("Root Entry", tree, ROOT)
    entries = _flatten(root)
    streams = [e for e in entries if e.kind == STREAM]
    small = [e for e in streams if len(e.data) < MINI_CUTOFF]
    large = [e for e in streams if len(e.data) >= MINI_CUTOFF]

    # Mini stream: small streams back to back, each padded to whole mini sectors.
    mini_fat: list[int] = []
    mini = bytearray()
    for e in small:
        n = -(-len(e.data) // MINI_SECTOR)
        e.size = len(e.data)
        if n == 0:
            e.start = ENDOFCHAIN
            continue
        e.start = len(mini_fat)
        mini_fat += [0] * n
        _chain(mini_fat, e.start, n)
        mini += e.data.ljust(n * MINI_SECTOR, b"\x00")

    # Regular sectors: large streams, then the mini stream, directory, mini FAT and FAT.
    sectors = 0
    placed: list[tuple[int, bytes]] = []
    for e in large:
        n = -(-len(e.data) // SECTOR)
        e.start, e.size = sectors, len(e.data)
        placed.append((sectors, e.data))
        sectors += n
    n_mini = -(-len(mini) // SECTOR)
    root.start, root.size = (sectors, len(mini)) if mini else (ENDOFCHAIN, 0)
    if mini:
        placed.append((sectors, bytes(mini)))
    mini_start = sectors
    sectors += n_mini
    dir_start = sectors
    n_dir = -(-len(entries) // ENTRIES_PER_SECTOR)
    sectors += n_dir
    minifat_start = sectors
    n_minifat = -(-len(mini_fat) // IDS_PER_SECTOR)
    sectors += n_minifat
    n_fat = 1
    while -(-(sectors + n_fat) // IDS_PER_SECTOR) > n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_start = sectors
    sectors += n_fat

    fat = [FREESECT] * (n_fat * IDS_PER_SECTOR)
    for e in large:
        _chain(fat, e.start, -(-e.size // SECTOR))
    if n_mini:
        _chain(fat, mini_start, n_mini)
    _chain(fat, dir_start, n_dir)
    if n_minifat:
        _chain(fat, minifat_start, n_minifat)
    for i in range(n_fat):
        fat[fat_start + i] = FATSECT

    body = bytearray(sectors * SECTOR)
    for at, data in placed:
        body[at * SECTOR: at * SECTOR + len(data)] = data
    directory = b"".join(_dir_entry(e) for e in entries)
    directory += _EMPTY_ENTRY * (n_dir * ENTRIES_PER_SECTOR - len(entries))
    body[dir_start * SECTOR:(dir_start + n_dir) * SECTOR] = directory
    if n_minifat:
        mf = mini_fat + [FREESECT] * (n_minifat * IDS_PER_SECTOR - len(mini_fat))
        body[minifat_start * SECTOR:(minifat_start + n_minifat) * SECTOR] = struct.pack(f"<{len(mf)}I", *mf)
    body[fat_start * SECTOR:(fat_start + n_fat) * SECTOR] = struct.pack(f"<{len(fat)}I", *fat)

    difat = [fat_start + i for i in range(n_fat)] + [FREESECT] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE, b"\x00" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6, b"\x00" * 6,
        0,  # number of directory sectors: 0 in version 3
        n_fat, dir_start, 0, MINI_CUTOFF,
        minifat_start if n_minifat else ENDOFCHAIN, n_minifat,
        ENDOFCHAIN, 0,  # no DIFAT sectors
    ) + struct.pack("<109I", *difat)
    assert len(header) == SECTOR
    return header + bytes(body)
