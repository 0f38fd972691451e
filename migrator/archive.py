"""The crawl's archive: one SQLite file, ``<folder>/archive.sqlite``.

It holds every fetched response, the URL queue with each URL's state (so a crawl killed at any
moment resumes where it stopped), the parsed articles (as ``Article.to_dict()`` JSON), the
blog and a small key/value store. Every write is committed at once, alone or with the others
of one ``transaction()`` block.
Exporters read only this file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from migrator.errors import ArchiveError
from migrator.fetch import Response
from migrator.model import Article, Blog

__all__ = ["Archive", "ARCHIVE_FILE", "MEDIA_FOLDER", "MediaRecord", "SCHEMA_VERSION", "URL_STATES"]

ARCHIVE_FILE = "archive.sqlite"
SCHEMA_VERSION = 1
URL_STATES = ("todo", "done", "failed", "skipped", "gone")
ITER_BATCH = 200
MEDIA_FOLDER = "media"

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
CREATE TABLE IF NOT EXISTS media (
    url TEXT PRIMARY KEY,
    sha256 TEXT,
    file TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    fetched_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS media_sha256 ON media (sha256);
CREATE INDEX IF NOT EXISTS media_file ON media (file);
"""


@dataclass(frozen=True, slots=True)
class MediaRecord:
    """One media URL: downloaded (``status`` "done", ``file`` under ``<archive>/media/``),
    "failed" (``reason`` says why) or "skipped" (not on an Overblog or blog host)."""

    url: str
    status: str
    sha256: str | None = None
    file: str | None = None
    reason: str | None = None


class Archive:
    """One open archive. Thread-safe: one connection, one lock."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / ARCHIVE_FILE
        self._lock = threading.RLock()
        self._batch_depth = 0
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or exc
            raise ArchiveError(f"cannot create the archive folder {self.folder}: {reason}") from exc
        self._db = self._open()

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
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
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

    # -- plumbing -----------------------------------------------------------------------

    def _write(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
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
                    self._db.rollback()
                raise
            finally:
                self._batch_depth -= 1
            if outer:
                self._execute_or_fail("COMMIT")

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

    def close(self) -> None:
        with self._lock:
            try:
                self._db.close()
            except sqlite3.Error as exc:
                raise ArchiveError(f"cannot close the archive {self.path}: {exc}") from exc

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- responses ----------------------------------------------------------------------

    def put_response(self, response: Response) -> None:
        self._write(
            "INSERT INTO responses (url, final_url, status, headers, content, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "final_url = excluded.final_url, status = excluded.status, headers = excluded.headers, "
            "content = excluded.content, fetched_at = excluded.fetched_at",
            (
                response.url,
                response.final_url,
                response.status,
                json.dumps(response.headers, ensure_ascii=False),
                sqlite3.Binary(response.content),
                response.fetched_at,
            ),
        )

    def get_response(self, url: str) -> Response | None:
        rows = self._read(
            "SELECT url, final_url, status, headers, content, fetched_at "
            "FROM responses WHERE url = ?",
            (url,),
        )
        if not rows:
            return None
        url_, final_url, status, headers, content, fetched_at = rows[0]
        return Response(url_, final_url, status, json.loads(headers), bytes(content), fetched_at)

    def has_response(self, url: str) -> bool:
        return bool(self._read("SELECT 1 FROM responses WHERE url = ?", (url,)))

    # -- URL queue ----------------------------------------------------------------------

    def enqueue(self, url: str, kind: str, source: str = "") -> bool:
        """Add ``url`` as "todo" unless already known; True when it is new."""
        cursor = self._write(
            "INSERT OR IGNORE INTO urls (url, kind, source) VALUES (?, ?, ?)", (url, kind, source)
        )
        return cursor.rowcount == 1

    def next_todo(
        self, kinds: tuple[str, ...] | None = None, limit: int = 100
    ) -> list[tuple[str, str]]:
        """Up to ``limit`` (url, kind) still to do, in the order they were queued."""
        if kinds is not None and not kinds:
            return []
        sql = "SELECT url, kind FROM urls WHERE state = 'todo'"
        params: tuple[Any, ...] = ()
        if kinds:
            # Few todo URLs are of these kinds: look them up by kind, not by scanning the queue.
            sql = ("SELECT url, kind FROM urls INDEXED BY urls_state_kind WHERE state = 'todo'"
                   f" AND kind IN ({', '.join('?' * len(kinds))})")
            params = tuple(kinds)
        rows = self._read(f"{sql} ORDER BY id LIMIT ?", (*params, limit))
        return [(url, kind) for url, kind in rows]

    def mark(self, url: str, state: str, reason: str | None = None) -> None:
        """Set a URL's state (``done``, ``failed``, ``skipped``, ``gone`` or ``todo``)."""
        if state not in URL_STATES:
            raise ArchiveError(f"unknown URL state {state!r}")
        cursor = self._write(
            "UPDATE urls SET state = ?, reason = ? WHERE url = ?", (state, reason, url)
        )
        if cursor.rowcount == 0:
            self._write(
                "INSERT INTO urls (url, kind, state, reason) VALUES (?, 'other', ?, ?)",
                (url, state, reason),
            )

    def url_state(self, url: str) -> str | None:
        rows = self._read("SELECT state FROM urls WHERE url = ?", (url,))
        return rows[0][0] if rows else None

    def url_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(URL_STATES, 0)
        counts.update(dict(self._read("SELECT state, COUNT(*) FROM urls GROUP BY state")))
        return counts

    def count_urls(self, kinds: tuple[str, ...]) -> int:
        """How many queued URLs (any state) are of these kinds."""
        if not kinds:
            return 0
        marks = ", ".join("?" * len(kinds))
        return int(self._read(f"SELECT COUNT(*) FROM urls WHERE kind IN ({marks})", kinds)[0][0])

    def failures(self) -> list[tuple[str, str]]:
        rows = self._read("SELECT url, reason FROM urls WHERE state = 'failed' ORDER BY id")
        return [(url, reason or "") for url, reason in rows]

    def reset_kinds(self, kinds: tuple[str, ...]) -> None:
        """Put every URL of these kinds back to "todo" (re-walk listings on refresh)."""
        if not kinds:
            return
        marks = ", ".join("?" * len(kinds))
        self._write(
            f"UPDATE urls SET state = 'todo', reason = NULL WHERE kind IN ({marks})", tuple(kinds)
        )

    # -- articles -----------------------------------------------------------------------

    def put_article(self, article: Article) -> None:
        self._write(
            "INSERT INTO articles (url, published, data) VALUES (?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET published = excluded.published, data = excluded.data",
            (
                article.url,
                _sort_key(article.published),
                json.dumps(article.to_dict(), ensure_ascii=False),
            ),
        )

    def get_article(self, url: str) -> Article | None:
        rows = self._read("SELECT data FROM articles WHERE url = ?", (url,))
        return Article.from_dict(json.loads(rows[0][0])) if rows else None

    def iter_articles(self) -> Iterator[Article]:
        """Oldest first, undated last, ties by URL; read in small pages (keyset pagination).

        Pages rather than one open cursor, so writes from other threads between two items
        never disturb the iteration and memory stays flat.
        """
        after: tuple[int, str, str] | None = None
        while True:
            rows = self._read(*_article_page(after))
            for undated, published, url, data in rows:
                yield Article.from_dict(json.loads(data))
                after = (undated, published or "", url)
            if len(rows) < ITER_BATCH:
                return

    def article_count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM articles")[0][0])

    def remove_article(self, url: str) -> None:
        self._write("DELETE FROM articles WHERE url = ?", (url,))

    # -- blog and key/value state -------------------------------------------------------

    def set_blog(self, blog: Blog) -> None:
        self.set_state("blog", json.dumps(blog.to_dict(), ensure_ascii=False))

    def get_blog(self) -> Blog | None:
        value = self.get_state("blog")
        return Blog.from_dict(json.loads(value)) if value else None

    def set_state(self, key: str, value: str) -> None:
        self._write(
            "INSERT INTO state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def get_state(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    # -- media (downloaded images and files) ---------------------------------------------

    @property
    def media_dir(self) -> Path:
        """Folder of the downloaded files (``<archive>/media/``)."""
        return self.folder / MEDIA_FOLDER

    def put_media(self, record: MediaRecord) -> None:
        self._write(
            "INSERT INTO media (url, sha256, file, status, reason, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET sha256 = excluded.sha256, "
            "file = excluded.file, status = excluded.status, reason = excluded.reason, "
            "fetched_at = excluded.fetched_at",
            (record.url, record.sha256, record.file, record.status, record.reason,
             datetime.now(timezone.utc).replace(microsecond=0).isoformat()),
        )

    def get_media(self, url: str) -> MediaRecord | None:
        rows = self._read(f"SELECT {_MEDIA_COLUMNS} FROM media WHERE url = ?", (url,))
        return MediaRecord(*rows[0]) if rows else None

    def media_with_sha256(self, sha256: str) -> MediaRecord | None:
        rows = self._read(
            f"SELECT {_MEDIA_COLUMNS} FROM media WHERE sha256 = ? AND status = 'done' LIMIT 1",
            (sha256,),
        )
        return MediaRecord(*rows[0]) if rows else None

    def media_file_taken(self, file: str) -> bool:
        return bool(self._read("SELECT 1 FROM media WHERE file = ? LIMIT 1", (file,)))

    def iter_media(self, status: str | None = None) -> Iterator[MediaRecord]:
        """Every media record (or those with ``status``), by URL, read in small pages."""
        after = ""
        while True:
            sql = f"SELECT {_MEDIA_COLUMNS} FROM media WHERE url > ?"
            params: tuple[Any, ...] = (after,)
            if status is not None:
                sql += " AND status = ?"
                params += (status,)
            rows = self._read(sql + f" ORDER BY url LIMIT {ITER_BATCH}", params)
            for row in rows:
                yield MediaRecord(*row)
                after = row[0]
            if len(rows) < ITER_BATCH:
                return


_MEDIA_COLUMNS = "url, status, sha256, file, reason"


def _sort_key(published: str | None) -> str | None:
    """Publication time as a sortable UTC string, so offsets compare correctly."""
    if not published:
        return None
    try:
        # Python 3.10's fromisoformat does not read a "Z" suffix.
        when = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return published
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.isoformat()


def _article_page(after: tuple[int, str, str] | None) -> tuple[str, tuple[Any, ...]]:
    select = "SELECT published IS NULL AS undated, published, url, data FROM articles"
    order = f" ORDER BY undated, published, url LIMIT {ITER_BATCH}"
    if after is None:
        return select + order, ()
    undated, published, url = after
    where = " WHERE (published IS NULL, COALESCE(published, ''), url) > (?, ?, ?)"
    return select + where + order, (undated, published, url)
