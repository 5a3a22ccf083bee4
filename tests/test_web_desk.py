"""收表台: every submission kept and recorded (SQLite, WAL, versioned schema), one server per folder."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest
from hostile_fixtures import seed_city_workbooks
from web_fixtures import RunningServer, cli, cli_validate_json, free_port

from xl_tools.web.desk import DB_NAME, MIGRATIONS, Desk, DeskError

NAMES = ["广州.xlsx", "深圳.xlsx", "珠海.xlsx", "佛山.xlsx"]


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    seed_city_workbooks(folder)
    return folder


def _submit(url: str, folder: Path, names, who: str = "省厅 王五", client=httpx):
    files = [("files", (n, (folder / n).read_bytes())) for n in names]
    return client.post(f"{url}/api/desk", files=files, data={"who": who}, timeout=120)


def test_submissions_survive_a_restart_and_files_are_content_addressed(seed, tmp_path):
    folder = tmp_path / "收表台"
    desk = Desk(folder)
    server = RunningServer(desk=desk)
    try:
        first = _submit(server.url, seed, NAMES)
        assert first.status_code == 200
        again = _submit(server.url, seed, ["广州.xlsx"], who="广州市局 张三")
        status = httpx.get(f"{server.url}/api/desk").json()
    finally:
        server.stop()
        desk.close()
    subs = first.json()["submissions"] + again.json()["submissions"]
    assert [s["city"] for s in subs] == ["广州", "深圳", "珠海", "佛山", "广州"]
    assert subs[0]["sha256"] == hashlib.sha256((seed / "广州.xlsx").read_bytes()).hexdigest()
    assert subs[0]["year"] == "2020" and subs[0]["status"] == "有错误" and subs[0]["who"] == "省厅 王五"
    assert [s["report"] for s in subs[:4]] == cli_validate_json(seed, NAMES)["files"]     # the CLI's 校验
    stored = sorted(p for p in (folder / "files").rglob("*") if p.is_file())
    assert len(stored) == 4                                        # the same content is kept once
    for path in stored:
        assert path.stem == hashlib.sha256(path.read_bytes()).hexdigest() and path.suffix == ".xlsx"

    reopened = Desk(folder)
    try:
        assert reopened.status() == status
        assert [s.id for s in reopened.submissions()] == [s["id"] for s in subs]
        guangzhou = status["cities"][0]
        assert guangzhou["city"] == "广州" and guangzhou["latest"]["who"] == "广州市局 张三"
        assert len(guangzhou["history"]) == 2
        assert status["counts"]["未报送"] == 17 and status["submissions"] == 5
    finally:
        reopened.close()


def test_database_is_wal_and_schema_is_versioned(tmp_path):
    desk = Desk(tmp_path)
    try:
        assert desk.schema_version == len(MIGRATIONS)
    finally:
        desk.close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(len(MIGRATIONS),)]
    db.close()


def test_an_older_database_is_migrated_keeping_its_rows(tmp_path):
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);"
                     + MIGRATIONS[0])
    db.execute("INSERT INTO submissions (received_at, file_name, sha256, size, stored, city, year, errors, warnings, "
               "readable, who, report) VALUES ('2026-01-01T00:00:00+08:00', '广州.xlsx', 'ab', 1, 'files/ab/ab.xlsx', "
               "'广州', '2020', 0, 1, 1, '张三', '{}')")
    db.commit()
    db.close()
    desk = Desk(tmp_path)
    try:
        assert desk.schema_version == len(MIGRATIONS)
        assert [(s.city, s.who, s.status) for s in desk.submissions()] == [("广州", "张三", "仅警告")]
    finally:
        desk.close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    assert "submissions_city" in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    db.close()


def test_a_newer_database_is_refused(tmp_path):
    Desk(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(DeskError, match="更新版本"):
        Desk(tmp_path)


def test_a_second_server_on_the_same_folder_refuses(tmp_path):
    desk = Desk(tmp_path / "desk")
    try:
        with pytest.raises(DeskError, match="正由另一个 xl-tools serve 使用"):
            Desk(tmp_path / "desk")
        done = cli("serve", "--desk", str(tmp_path / "desk"), "--port", str(free_port()), "--no-browser", timeout=60)
        assert done.returncode == 2
        assert "正由另一个 xl-tools serve 使用" in done.stderr and "Traceback" not in done.stderr
    finally:
        desk.close()
    Desk(tmp_path / "desk").close()                                 # free again once the first one closed


def test_desk_needs_a_name_and_consolidates_the_latest(seed, tmp_path):
    desk = Desk(tmp_path / "desk")
    server = RunningServer(desk=desk)
    try:
        nameless = _submit(server.url, seed, ["广州.xlsx"], who="  ")
        assert nameless.status_code == 400 and "报送人" in nameless.json()["error"]
        assert httpx.get(f"{server.url}/api/desk").json()["submissions"] == 0
        empty = httpx.get(f"{server.url}/api/desk/consolidate")
        assert empty.status_code == 422 and "还没有收到" in empty.json()["error"]
        assert _submit(server.url, seed, NAMES).status_code == 200
        workbook = httpx.get(f"{server.url}/api/desk/consolidate", timeout=60)
        expected = tmp_path / "cli.xlsx"
        assert cli("consolidate", *NAMES, "-o", str(expected), cwd=seed).returncode in (0, 1)
        assert workbook.content == expected.read_bytes()
        original = httpx.get(f"{server.url}/api/desk/files/2")
        assert original.content == (seed / "深圳.xlsx").read_bytes()
        marked = httpx.get(f"{server.url}/api/desk/files/2/marked", timeout=60)
        assert marked.status_code == 200 and marked.content[:2] == b"PK"
    finally:
        server.stop()
        desk.close()


@pytest.mark.slow
def test_twenty_clients_ten_uploads_each_every_submission_recorded_once(seed, tmp_path):
    """Load on loopback: 20 concurrent clients × 10 uploads against one desk; nothing lost, nothing twice."""
    desk = Desk(tmp_path / "desk")
    server = RunningServer(desk=desk)
    contents = [(seed / n).read_bytes() for n in NAMES]
    failures: list[str] = []

    def client(c: int) -> None:
        with httpx.Client(timeout=300) as http:
            for u in range(10):
                name = f"{NAMES[(c + u) % 4][:2]}_客户{c:02d}_第{u:02d}次.xlsx"
                response = http.post(f"{server.url}/api/desk", files=[("files", (name, contents[(c + u) % 4]))],
                                     data={"who": f"客户{c:02d}"})
                if response.status_code != 200 or len(response.json()["submissions"]) != 1:
                    failures.append(f"{name}: {response.status_code} {response.text[:200]}")

    try:
        threads = [threading.Thread(target=client, args=(c,)) for c in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        assert not failures, failures[:3]
        status = httpx.get(f"{server.url}/api/desk", timeout=60)
        assert status.status_code == 200 and status.json()["submissions"] == 200
        assert httpx.get(f"{server.url}/api/info").status_code == 200        # still answers
    finally:
        server.stop()
        desk.close()
    reopened = Desk(tmp_path / "desk")
    try:
        subs = reopened.submissions()
    finally:
        reopened.close()
    names = sorted(s.file_name for s in subs)
    assert names == sorted(f"{NAMES[(c + u) % 4][:2]}_客户{c:02d}_第{u:02d}次.xlsx" for c in range(20) for u in range(10))
    assert sorted({s.city for s in subs}) == sorted(n[:2] for n in NAMES)      # the city from the file name
    assert all(s.who == "客户" + s.file_name.split("客户")[1][:2] for s in subs)
    assert len({p for p in (tmp_path / "desk" / "files").rglob("*.xlsx")}) == 4
    assert not list((tmp_path / "desk" / "files").rglob("*.tmp"))
