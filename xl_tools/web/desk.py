"""收表台: the provincial office's collection desk — every submitted file kept, every submission recorded.

A desk folder holds ``desk.sqlite3`` (WAL mode, schema versioned by ``schema_version`` and the MIGRATIONS
below), ``files/ab/<sha256>.xlsx`` (content-addressed: written once, never overwritten or renamed) and
``desk.lock``, held by the one server that uses the folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from xl_tools.errors import XlToolsError

DB_NAME = "desk.sqlite3"
LOCK_NAME = "desk.lock"

# Each entry moves the schema from version i to i + 1; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE submissions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at TEXT    NOT NULL,
        file_name   TEXT    NOT NULL,
        sha256      TEXT    NOT NULL,
        size        INTEGER NOT NULL,
        stored      TEXT    NOT NULL,
        city        TEXT,
        year        TEXT,
        errors      INTEGER NOT NULL,
        warnings    INTEGER NOT NULL,
        readable    INTEGER NOT NULL,
        who         TEXT    NOT NULL,
        report      TEXT    NOT NULL
    );
    """,
    "CREATE INDEX submissions_city ON submissions (city, id);",
)

STATUS_NONE, STATUS_ERRORS, STATUS_WARNINGS, STATUS_OK = "未报送", "有错误", "仅警告", "通过"


class DeskError(XlToolsError):
    """The desk folder cannot be used (taken by another server, unwritable, newer schema)."""


@dataclass(frozen=True)
class Submission:
    id: int
    received_at: str
    file_name: str
    sha256: str
    size: int
    stored: str
    city: str | None
    year: str | None
    errors: int
    warnings: int
    readable: bool
    who: str
    report: dict

    @property
    def status(self) -> str:
        if not self.readable or self.errors:
            return STATUS_ERRORS
        return STATUS_WARNINGS if self.warnings else STATUS_OK

    def to_json(self) -> dict:
        return {"id": self.id, "received_at": self.received_at, "file_name": self.file_name,
                "sha256": self.sha256, "size": self.size, "city": self.city, "year": self.year,
                "errors": self.errors, "warnings": self.warnings, "readable": self.readable,
                "status": self.status, "who": self.who}


_COLUMNS = ("id", "received_at", "file_name", "sha256", "size", "stored", "city", "year", "errors",
            "warnings", "readable", "who", "report")


def _row(row) -> Submission:
    data = dict(zip(_COLUMNS, row))
    data["readable"] = bool(data["readable"])
    data["report"] = json.loads(data["report"])
    return Submission(**data)


def _lock(path: Path):
    """Open and exclusively lock ``path`` without waiting; None when another process holds it."""
    handle = open(path, "a+b")
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


class Desk:
    """One desk folder, opened by one server; thread-safe (one connection behind a lock)."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / "files").mkdir(exist_ok=True)
            self._lock_handle = _lock(self.folder / LOCK_NAME)
        except OSError as exc:
            from xl_tools.fileio import os_reason

            raise DeskError(f"无法使用收表台文件夹（{os_reason(exc)}）：请换一个可以写入的文件夹",
                            path=str(self.folder)) from exc
        if self._lock_handle is None:
            raise DeskError("这个收表台文件夹正由另一个 xl-tools serve 使用：请先关闭那个窗口（Ctrl+C），"
                            "或用 --desk 指定另一个文件夹", path=str(self.folder))
        self._mutex = threading.Lock()
        self._db = sqlite3.connect(self.folder / DB_NAME, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._migrate()

    # --- schema -------------------------------------------------------------------------------------------

    def _migrate(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (0)")
            if version > len(MIGRATIONS):
                raise DeskError(f"收表台数据库由更新版本的 xl_tools 建立（版本 {version}）：请更新 xl_tools 后再打开",
                                path=str(self.folder / DB_NAME))
            for step in MIGRATIONS[version:]:
                db.execute(step)
            db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        with self._mutex:
            return self._db.execute("SELECT version FROM schema_version").fetchone()[0]

    def close(self) -> None:
        with self._mutex:
            self._db.close()
            if self._lock_handle is not None:
                self._lock_handle.close()
                self._lock_handle = None

    # --- files --------------------------------------------------------------------------------------------

    def store_file(self, source: Path, sha256: str) -> str:
        """Keep ``source`` under its SHA-256 (once); the stored path relative to the desk folder."""
        ext = source.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,8}", source.suffix.lower()) else ".bin"
        rel = Path("files") / sha256[:2] / f"{sha256}{ext}"
        target = self.folder / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{sha256}.{os.getpid()}.{threading.get_ident()}.tmp")
            shutil.copyfile(source, tmp)
            try:
                os.link(tmp, target)          # fails when another thread stored it first: keep that one
            except FileExistsError:
                pass
            except OSError:
                if not target.exists():
                    os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return rel.as_posix()

    def path_of(self, sub: Submission) -> Path:
        return self.folder / sub.stored

    # --- submissions --------------------------------------------------------------------------------------

    def record(self, *, file_name: str, sha256: str, size: int, stored: str, city: str | None,
               year: str | None, report: dict, who: str) -> Submission:
        """Record one submission (one transaction); its id and time are assigned here."""
        received = datetime.now().astimezone().isoformat(timespec="seconds")
        readable = not any(f.get("code") == "not-a-form" for f in report.get("findings", ()))
        values = (received, file_name, sha256, size, stored, city, year, int(report.get("errors", 0)),
                  int(report.get("warnings", 0)), int(readable), who, json.dumps(report, ensure_ascii=False))
        with self._mutex:
            cur = self._db.execute(
                "INSERT INTO submissions (received_at, file_name, sha256, size, stored, city, year, errors, "
                "warnings, readable, who, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
            return self.get(cur.lastrowid, locked=True)

    def get(self, sub_id: int, *, locked: bool = False) -> Submission | None:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM submissions WHERE id = ?"
        if locked:
            row = self._db.execute(sql, (sub_id,)).fetchone()
        else:
            with self._mutex:
                row = self._db.execute(sql, (sub_id,)).fetchone()
        return _row(row) if row else None

    def submissions(self) -> list[Submission]:
        with self._mutex:
            rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM submissions ORDER BY id").fetchall()
        return [_row(r) for r in rows]

    def status(self) -> dict:
        """The ``GET /api/desk`` document: all 21 cities with status, latest submission and history."""
        from xl_tools.domain.cities import cities

        subs = self.submissions()
        by_city: dict[str, list[Submission]] = {}
        other: list[Submission] = []
        known = {c.name for c in cities()}
        for sub in subs:
            names = [n for n in (sub.city or "").split("、") if n in known]
            for name in names:
                by_city.setdefault(name, []).append(sub)
            if not names:
                other.append(sub)
        rows = []
        for city in cities():
            history = by_city.get(city.name, [])
            latest = history[-1] if history else None
            rows.append({"city": city.name, "code": city.code,
                         "status": latest.status if latest else STATUS_NONE,
                         "latest": latest.to_json() if latest else None,
                         "history": [s.to_json() for s in reversed(history)]})
        counts = {s: sum(1 for r in rows if r["status"] == s)
                  for s in (STATUS_NONE, STATUS_ERRORS, STATUS_WARNINGS, STATUS_OK)}
        return {"cities": rows, "unrecognised": [s.to_json() for s in reversed(other)],
                "counts": counts, "submissions": len(subs), "schema_version": self.schema_version}

    def latest(self) -> list[Submission]:
        """The latest submission of each reported city, in city code order (each file once)."""
        status = self.status()
        seen: dict[int, Submission] = {}
        for row in status["cities"]:
            if row["latest"] and row["latest"]["id"] not in seen:
                seen[row["latest"]["id"]] = self.get(row["latest"]["id"])
        return list(seen.values())
