"""校验+汇总 in one read (``xl_tools.jobs.consolidate``) gives exactly what the two commands give apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_fixtures import seed_inputs_folder, sha256

from xl_tools.jobs.consolidate import check_and_consolidate, check_and_consolidate_paths
from xl_tools.jobs.consolidate import consolidate, consolidate_paths
from xl_tools.workbook import reader
from xl_tools.jobs.validate import validate_files


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The four seed cities, a second 广州 workbook (duplicate-city) and a file that is not a workbook."""
    return seed_inputs_folder(tmp_path_factory.mktemp("batch"), resubmitted=("广州",), broken=b"not a zip file at all")


def _findings(cons) -> list[dict]:
    return [f.to_dict() for f in cons.findings]


def test_one_pass_equals_validate_then_consolidate(folder):
    report, cons = check_and_consolidate([folder])
    apart = validate_files([folder])
    assert report.to_json_dict() == apart.to_json_dict()
    assert [t.path for t in report.tasks] == [t.path for t in apart.tasks]

    alone = consolidate([folder])
    assert cons.to_json() == alone.to_json()
    assert (cons.cities, cons.indicators, cons.qualitative) == (alone.cities, alone.indicators, alone.qualitative)
    assert _findings(cons) == _findings(alone)
    assert cons.counted == alone.counted
    # The fixture really exercises the branches: an unreadable file, a duplicate city, findings on forms.
    codes = {f.code for f in cons.findings}
    assert {"not-a-form", "duplicate-city"} <= codes
    assert any(t.findings and t.readable for t in report.tasks)


def test_each_workbook_is_read_once(folder, monkeypatch):
    calls: list[str] = []
    real = reader.read_forms

    def counting(path, **kwargs):
        calls.append(Path(path).name)
        return real(path, **kwargs)

    monkeypatch.setattr(reader, "read_forms", counting)
    check_and_consolidate([folder])
    assert sorted(calls) == sorted(p.name for p in folder.iterdir())


def test_paths_variant_writes_the_same_workbook_and_leaves_inputs_alone(folder, tmp_path):
    before = {p.name: sha256(p) for p in folder.iterdir()}
    report, cons, written = check_and_consolidate_paths([folder], tmp_path / "一次.xlsx")
    _, alone_path = consolidate_paths([folder], tmp_path / "两次.xlsx")
    assert written.read_bytes() == alone_path.read_bytes()     # the provincial workbook is byte-deterministic
    assert report.errors == validate_files([folder]).errors
    assert {p.name: sha256(p) for p in folder.iterdir()} == before


def test_paths_variant_refuses_to_write_onto_an_input(folder):
    from xl_tools.errors import OutputError

    target = next(p for p in folder.iterdir() if "深圳" in p.name)
    before = sha256(target)
    with pytest.raises(OutputError):
        check_and_consolidate_paths([folder], target)
    assert sha256(target) == before
