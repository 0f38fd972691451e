"""The archive's SQLite file: its schema, its migrations, and the plumbing every table uses.

One connection, one lock: the archive is shared by the crawl's threads. Every write is
committed at once, alone or with the others of one ``transaction()`` block. SQLite errors
become ``ArchiveError`` here.

``read_only=True`` (the export) opens the file without ever writing it: ``mode=ro``, which reads
a crawl's committed writes while it runs (WAL), and ``snapshot()`` keeps one consistent view
for a whole export; on a read-only medium, where SQLite cannot make the files a WAL reader
needs, the file is opened ``immutable`` (nothing can be writing it there). The ``-wal`` and
``-shm`` files SQLite makes for the reader are removed at close when no run holds the archive
(``_remove_reader_files``): an export leaves the folder as it found it. A read-only archive
of an older schema is migrated in memory: the tables the migrations change are copied into
SQLite's TEMP schema and migrated there (``_migrate_in_memory``); the file is never written.

Schema versions (``PRAGMA user_version``): 1 kept the crawl's dates in the key/value ``state``
table as strings (``listing_date:<key>`` → ``"<iso>|0"``, ``feed_date:<url>`` → ``"<iso>"``);
2 gives them typed tables (``listing_dates``, ``feed_dates``); 3 indexes media by uploaded file
(``media_files``, one row per file; ``media`` keeps every URL met, with its file's key and
rank: ``archive.media``). Opening an archive of an older version migrates it in place, in one
transaction; a newer version is refused.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

from ..errors import ArchiveError
from ..locks import LOCK_FILE

__all__ = ["ARCHIVE_FILE", "ITER_BATCH", "SCHEMA_VERSION", "Store"]

ARCHIVE_FILE = "archive.sqlite"
SCHEMA_VERSION = 3
ITER_BATCH = 200
"""Rows read at once when iterating (keyset pagination: memory stays flat)."""
_Self = TypeVar("_Self", bound="Store")

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    content BLOB NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS urls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'todo',
    reason TEXT
);
CREATE INDEX IF NOT EXISTS urls_state ON urls (state, id);
CREATE INDEX IF NOT EXISTS urls_state_kind ON urls (state, kind, id);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    published TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_order ON articles (published IS NULL, published, url);
CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS listing_dates (
    key TEXT PRIMARY KEY,
    iso TEXT NOT NULL,
    has_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feed_dates (
    url TEXT PRIMARY KEY,
    iso TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS media (
    url TEXT PRIMARY KEY,
    sha256 TEXT,
    file TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    fetched_at TEXT NOT NULL,
    key TEXT,
    rank INTEGER
);
CREATE INDEX IF NOT EXISTS media_sha256 ON media (sha256);
CREATE INDEX IF NOT EXISTS media_file ON media (file);
CREATE TABLE IF NOT EXISTS media_files (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    rank INTEGER NOT NULL,
    name TEXT,
    status TEXT NOT NULL,
    sha256 TEXT,
    file TEXT,
    reason TEXT,
    fetched_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS media_files_status ON media_files (status, key);
CREATE INDEX IF NOT EXISTS media_files_sha256 ON media_files (sha256);
CREATE INDEX IF NOT EXISTS media_files_file ON media_files (file);
"""
AFTER_MIGRATIONS = "CREATE INDEX IF NOT EXISTS media_key ON media (key, rank)"
"""Indexes on columns an older archive gets from a migration (created after it)."""


def _dates_out_of_state(db: sqlite3.Connection) -> None:
    """Version 1 → 2: the crawl's dates move from ``state`` strings to their typed tables."""
    rows = db.execute("SELECT key, value FROM state WHERE key LIKE 'listing_date:%' "
                      "OR key LIKE 'feed_date:%'").fetchall()
    for key, value in rows:
        name, _, subject = key.partition(":")
        if name == "listing_date":
            iso, _, has_time = value.rpartition("|")
            db.execute("INSERT OR REPLACE INTO listing_dates (key, iso, has_time) "
                       "VALUES (?, ?, ?)", (subject, iso, int(has_time == "1")))
        else:
            db.execute("INSERT OR REPLACE INTO feed_dates (url, iso) VALUES (?, ?)",
                       (subject, value))
    db.execute("DELETE FROM state WHERE key LIKE 'listing_date:%' OR key LIKE 'feed_date:%'")


def _media_by_file(db: sqlite3.Connection) -> None:
    """Version 2 → 3: every media URL gets its file's key; ``media_files`` gets one row per
    file (stored if any of its URLs was, else failed, else skipped)."""
    from ..media.identity import FULL, file_key  # pure: the media index is keyed by file

    columns = {row[1] for row in db.execute("PRAGMA table_info(media)")}
    for column, kind in (("key", "TEXT"), ("rank", "INTEGER")):
        if column not in columns:
            db.execute(f"ALTER TABLE media ADD COLUMN {column} {kind}")
    rows = db.execute("SELECT url, status, sha256, file, reason, fetched_at FROM media "
                      "ORDER BY url").fetchall()
    best: dict[str, tuple[str, str, str | None, str | None, str | None, str]] = {}
    order = {"done": 0, "failed": 1, "skipped": 2}
    for url, status, sha256, file, reason, fetched_at in rows:
        key = file_key(url)
        db.execute("UPDATE media SET key = ?, rank = ? WHERE url = ?", (key, FULL, url))
        known = best.get(key)
        if known is None or order.get(status, 3) < order.get(known[1], 3):
            best[key] = (url, status, sha256, file, reason, fetched_at)
    for key, (url, status, sha256, file, reason, fetched_at) in best.items():
        db.execute("INSERT OR IGNORE INTO media_files (key, url, rank, name, status, sha256, "
                   "file, reason, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (key, url, FULL, file, status, sha256, file, reason, fetched_at))


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _dates_out_of_state, 2: _media_by_file}
"""From version N to N + 1, run after the tables of the current ``SCHEMA`` exist."""
CHANGED_BY_MIGRATION: dict[int, tuple[str, ...]] = {1: ("state",), 2: ("media",)}
"""The existing tables each migration changes (a read-only archive migrates copies of them)."""
_CREATE_TABLE = re.compile(r"\s*CREATE TABLE IF NOT EXISTS (\w+)")


def _migrate_in_memory(db: sqlite3.Connection, version: int) -> None:
    """A read-only archive of an older schema, seen as the current one: the tables the
    migrations change are copied into SQLite's TEMP schema (which shadows the file's tables of
    the same name), the tables it lacks are created there, and the migrations run on those.
    The file is never written; the copies go with the connection."""
    db.execute("PRAGMA temp_store = MEMORY")
    existing = {name for (name,) in db.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table'")}
    for step in range(max(version, 1), SCHEMA_VERSION):
        for table in CHANGED_BY_MIGRATION[step]:
            if table in existing:
                db.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM main.{table}")
    for statement in SCHEMA.split(";"):
        created = _CREATE_TABLE.match(statement)
        if created and created.group(1) not in existing:
            db.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))
    for step in range(max(version, 1), SCHEMA_VERSION):
        MIGRATIONS[step](db)


def _reader_files(path: Path) -> list[Path]:
    """The ``-wal`` and ``-shm`` files beside the archive file."""
    return [p for p in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
            if p.exists()]


def _remove_reader_files(path: Path) -> None:
    """Leave the folder as a read-only reader found it: SQLite makes ``-wal`` and ``-shm``
    files for a WAL reader and only a writer's last close removes them. When no run holds the
    archive's lock (no crawl: nothing can start writing meanwhile), a writable connection is
    opened and closed, and SQLite removes them itself, unless another reader still has the file
    open. On a read-only medium, or if anything fails, they stay (harmless)."""
    if not _reader_files(path):
        return
    try:
        fd = os.open(path.with_name(LOCK_FILE), os.O_RDWR)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        db = sqlite3.connect(path)
        try:
            db.execute("PRAGMA user_version").fetchone()
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        pass
    finally:
        os.close(fd)  # releases the lock


class Store:
    """An open archive file: the connection, its lock, reads, writes and transactions."""

    def __init__(self, folder: Path, *, read_only: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / ARCHIVE_FILE
        self.read_only = read_only
        self._lock = threading.RLock()
        self._batch_depth = 0
        self._reader_files_found: list[Path] = []
        if read_only:
            self._reader_files_found = _reader_files(self.path)
            self._db = self._open_read_only()
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or exc
            raise ArchiveError(f"cannot create the archive folder {self.folder}: {reason}") from exc
        self._db = self._open()

    def _open_read_only(self) -> sqlite3.Connection:
        """``mode=ro``; ``immutable`` on a read-only medium (no WAL file left to read)."""
        if not self.path.is_file():
            raise ArchiveError(f"no archive file {self.path}")
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        try:
            return self._checked(sqlite3.connect(uri, uri=True, check_same_thread=False,
                                                 isolation_level=None))
        except sqlite3.OperationalError as exc:
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.is_file() and wal.stat().st_size > 0:
                raise ArchiveError(
                    f"cannot open the archive {self.path} read-only: {exc} (its -wal file "
                    "holds writes SQLite can only read from a writable folder: copy the "
                    "archive folder to a writable disk)") from exc
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(
                f"{self.path} is not an archive (not an SQLite database): {exc}") from exc
        try:
            return self._checked(sqlite3.connect(uri + "&immutable=1", uri=True,
                                                 check_same_thread=False, isolation_level=None))
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"cannot open the archive {self.path} read-only: {exc}") from exc

    def _checked(self, db: sqlite3.Connection) -> sqlite3.Connection:
        """``db`` once its schema version is known not to be newer than ours."""
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except BaseException:
            db.close()
            raise
        if version > SCHEMA_VERSION:
            db.close()
            raise ArchiveError(
                f"the archive {self.path} was written by a newer version (schema {version})")
        if 0 < version < SCHEMA_VERSION:
            try:
                _migrate_in_memory(db, version)
            except sqlite3.Error as exc:
                db.close()
                raise ArchiveError(f"cannot read the archive {self.path} (schema {version}): "
                                   f"{exc}") from exc
        return db

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot open the archive {self.path}: {exc}") from exc
        try:
            db.execute("PRAGMA foreign_keys = ON")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ArchiveError(
                    f"the archive {self.path} was written by a newer version (schema {version})"
                )
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA busy_timeout = 5000")
            self._create_or_migrate(db, version)
        except sqlite3.OperationalError as exc:
            db.close()
            raise ArchiveError(f"cannot open the archive {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            db.close()
            raise ArchiveError(
                f"{self.path} is not an archive (not an SQLite database): {exc}"
            ) from exc
        except ArchiveError:
            db.close()
            raise
        return db

    @staticmethod
    def _create_or_migrate(db: sqlite3.Connection, version: int) -> None:
        """The current tables, and an older archive's content moved into them (one
        transaction: an interrupted migration leaves the archive as it was)."""
        if version == SCHEMA_VERSION:
            db.executescript(SCHEMA + ";\n" + AFTER_MIGRATIONS)
            return
        db.execute("BEGIN")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            for step in range(max(version, 1), SCHEMA_VERSION):
                if version:  # a new file has nothing to migrate
                    MIGRATIONS[step](db)
            db.execute(AFTER_MIGRATIONS)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.rollback()
            raise
        db.execute("COMMIT")

    # -- plumbing -----------------------------------------------------------------------

    def _write(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        if self.read_only:
            raise ArchiveError(f"cannot write to the archive {self.path}: opened read-only")
        with self._lock:
            try:
                if self._batch_depth:
                    return self._db.execute(sql, params)
                with self._db:  # one short transaction, committed on exit
                    return self._db.execute(sql, params)
            except sqlite3.Error as exc:
                raise ArchiveError(f"cannot write to the archive {self.path}: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes into one transaction: all of them are stored, or (on error) none.

        The crawl stores what it learnt from one page this way: one commit instead of a dozen,
        and a crawl killed in the middle never leaves half a page's work behind. Other threads
        wait for the transaction to end before they write.
        """
        with self._lock:
            outer = self._batch_depth == 0  # an inner block joins the outer one
            if outer:
                self._execute_or_fail("BEGIN")
            self._batch_depth += 1
            try:
                yield
            except BaseException:
                if outer:
                    self._roll_back()
                raise
            finally:
                self._batch_depth -= 1
            if outer:
                self._execute_or_fail("COMMIT")

    def _roll_back(self) -> None:
        try:
            self._db.rollback()
        except sqlite3.ProgrammingError:
            # Closed already: a Ctrl-C that lands inside ``transaction``'s ``__enter__`` leaves
            # the block never exited, and its generator is only closed when collected, after
            # the archive. Closing without a commit already dropped the transaction.
            pass

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside the block sees the archive as it was when the block began, even
        while a crawl writes it (one read transaction: the export's consistent view)."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.Error as exc:
                raise ArchiveError(f"cannot read the archive {self.path}: {exc}") from exc
            try:
                yield
            finally:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the read transaction ends with the connection anyway

    def _execute_or_fail(self, sql: str) -> None:
        try:
            self._db.execute(sql)
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot write to the archive {self.path}: {exc}") from exc

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise ArchiveError(f"cannot read the archive {self.path}: {exc}") from exc

    def has_table(self, name: str) -> bool:
        """True when the file has table ``name`` (an empty file has none)."""
        return bool(self._read("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (name,)))

    def close(self) -> None:
        with self._lock:
            try:
                self._db.close()
            except sqlite3.Error as exc:
                raise ArchiveError(f"cannot close the archive {self.path}: {exc}") from exc
            if self.read_only and not self._reader_files_found:
                _remove_reader_files(self.path)

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
