"""[MS-OVBA] pieces checked by tools that did not make them: our compressor against oletools' decompressor
(property test), our PROJECT-stream encryption against what Office wrote into the add-ins xlwings ships."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from xl_tools.addin import ovba

CHUNK = 4096


def chunks(container: bytes) -> list[tuple[bool, bytes]]:
    """(compressed flag, whole chunk bytes) of a CompressedContainer, read by header only."""
    assert container[0] == 0x01, "signature byte"
    out, pos = [], 1
    while pos < len(container):
        header = struct.unpack_from("<H", container, pos)[0]
        assert (header >> 12) & 0b111 == 0b011, "chunk signature"
        size = (header & 0x0FFF) + 3
        out.append((bool(header >> 15), container[pos:pos + size]))
        pos += size
    assert pos == len(container), "chunks must tile the container exactly"
    return out


def assert_round_trip(data: bytes) -> None:
    packed = ovba.compress(data)
    parts = chunks(packed)
    assert len(parts) == -(-len(data) // CHUNK)
    # Every chunk but the last holds exactly 4096 decompressed bytes, and each decodes on its own.
    for i, (_, chunk) in enumerate(parts):
        alone = decompress_stream(bytearray(b"\x01" + chunk))
        expected = data[i * CHUNK:(i + 1) * CHUNK]
        if i < len(parts) - 1:
            assert alone == expected
    unpacked = decompress_stream(bytearray(packed))
    tail = len(data) % CHUNK
    last_raw = bool(parts) and not parts[-1][0]
    if last_raw and tail:
        # [MS-OVBA] 2.4.1.3.10: a raw chunk is 4096 bytes, so a short incompressible tail is zero-padded.
        assert tail > 3640, "a raw short chunk only when the tail cannot fit a compressed chunk"
        assert unpacked == data + bytes(CHUNK - tail)
    else:
        assert unpacked == data


RANDOM = st.binary(max_size=3 * CHUNK + 500)
REPETITIVE = st.lists(st.sampled_from([b"a", b"ab", b"Sub ", b"End Sub\r\n", b"\x00", b"RunPython \"x\"", b"\xff"]),
                      max_size=4000).map(b"".join)
PERIODIC = st.tuples(st.binary(min_size=1, max_size=40), st.integers(1, 12000)).map(
    lambda t: (t[0] * (t[1] // len(t[0]) + 1))[:t[1]])
TEXT = st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=3 * CHUNK).map(
    lambda s: s.encode("ascii"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(RANDOM, REPETITIVE, PERIODIC, TEXT))
@example(b"")
@example(b"a")
@example(b"abc" * 3000)
@example(b"\x00" * CHUNK)
@example(b"\x00" * (CHUNK + 1))
@example(bytes(range(256)) * 48)
@example(bytes((i * 7919 + 13) % 251 for i in range(CHUNK * 2)))
def test_compressor_round_trips_through_oletools(data):
    assert_round_trip(data)


@pytest.mark.parametrize("size", [3640, 3641, 4095, 4096, 4097, 8192, 9000])
def test_incompressible_sizes(size):
    import random

    rng = random.Random(size)
    assert_round_trip(bytes(rng.getrandbits(8) for _ in range(size)))


def test_compression_actually_compresses_vba_source():
    source = (Path(__file__).resolve().parents[1] / "macros" / "XlToolsRibbon.bas").read_bytes()
    assert len(ovba.compress(source)) < len(source) / 2
    # Each 4096-byte chunk is compressed on its own (MS-OVBA 2.4.1), so repeating the module helps only within
    # a chunk: with the 1.3 KB ribbon module, 20 copies pack to about a fifth.
    packed = ovba.compress(source * 20)
    assert len(packed) < len(source * 20) / 4
    assert decompress_stream(bytearray(packed)) == source * 20


def test_copy_token_bit_split_follows_the_spec():
    # 2.4.1.3.19.1: offset bits = max(ceil(log2(difference)), 4); maximum length = (0xFFFF >> bits) + 3
    assert ovba._copy_token_help(1) == (4, 4098)
    assert ovba._copy_token_help(16) == (4, 4098)
    assert ovba._copy_token_help(17) == (5, 2050)
    assert ovba._copy_token_help(4096) == (12, 18)


def _xlwings_project_stream(name: str) -> dict[str, str]:
    import zipfile

    import olefile
    import xlwings

    path = Path(xlwings.__file__).resolve().parent / name
    with zipfile.ZipFile(path) as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
    text = ole.openstream("PROJECT").read().decode("cp1252")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("&H"))


def test_encryption_reproduces_what_office_wrote():
    """With Office's own seed and ignored bytes, our 2.4.3.2 encryption gives Office's CMG/DPB/GC byte for byte."""
    props = _xlwings_project_stream("quickstart_addin_ribbon.xlam")
    project_id = props["ID"].strip('"')
    cmg, dpb, gc = (props[k].strip('"') for k in ("CMG", "DPB", "GC"))
    seed = int(cmg[:2], 16)
    # The ignored bytes are the implementation's free choice; recover Office's from the stream itself.
    ignored = _decrypt(cmg)["ignored"]
    assert ovba.encrypt(project_id, struct.pack("<I", 0), seed=seed, ignored=ignored) == cmg
    assert ovba.encrypt(project_id, b"\x00", seed=seed, ignored=ignored) == dpb
    assert ovba.encrypt(project_id, b"\xff", seed=seed, ignored=ignored) == gc


def _decrypt(hex_text: str) -> dict:
    """[MS-OVBA] 2.4.3.3 Decryption, written from the spec for this test."""
    data = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = data[:3]
    unencrypted1, encrypted1, encrypted2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for byte_enc in data[3:]:
        byte = byte_enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte_enc, byte
    n = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, n)[0]
    return {"version": seed ^ version_enc, "key": seed ^ key_enc, "ignored": bytes(plain[:n]),
            "data": bytes(plain[n + 4:n + 4 + length]), "rest": bytes(plain[n + 4 + length:])}


def test_our_project_stream_says_unprotected_no_password_visible():
    modules = [ovba.Module("Module1", "standard", 'Attribute VB_Name = "Module1"\r\n')]
    text = ovba.project_stream("{11111111-2222-3333-4444-555555555555}", "P", modules).decode("cp1252")
    props = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("&H"))
    key = sum(b"{11111111-2222-3333-4444-555555555555}") & 0xFF
    for name, expected in (("CMG", b"\x00\x00\x00\x00"), ("DPB", b"\x00"), ("GC", b"\xff")):
        dec = _decrypt(props[name].strip('"'))
        assert (dec["version"], dec["key"], dec["data"], dec["rest"]) == (2, key, expected, b"")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert "Module=Module1\r\n" in text and 'Name="P"\r\n' in text


def test_vba_project_header_is_the_seven_byte_source_only_header():
    assert ovba.VBA_PROJECT_HEADER == bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])


def test_cls_export_header_becomes_stored_attributes():
    export = ("VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
              'Attribute VB_Name = "Foo"\r\nAttribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n'
              "Attribute VB_PredeclaredId = False\r\nAttribute VB_Exposed = True\r\nOption Explicit\r\n")
    assert ovba.stored_source(export, "class").split("\r\n") == [
        'Attribute VB_Name = "Foo"',
        'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = False",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
        "Option Explicit",
        "",
    ]
    assert ovba.stored_source('Attribute VB_Name = "M"\nSub A()\nEnd Sub', "standard") == \
        'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\n'


def test_module_names_are_checked():
    with pytest.raises(ValueError):
        ovba.Module("1bad", "standard", "")
    with pytest.raises(ValueError):
        ovba.Module("Good", "form", "")
    with pytest.raises(ValueError):
        ovba.vba_project_bin("P", [ovba.Module("A", "standard", ""), ovba.Module("a", "standard", "")])
