"""The archive's media index: every uploaded file met, and every URL that shows one.

One Overblog file has many URLs (sizes, hosts, wrappers: ``media.identity``). ``media_files``
has one row per file, keyed by ``identity.file_key``: its state (``pending``, ``done``,
``failed``, ``skipped``), the URL its stored copy came from (else the best one known) with
that URL's rank, and the copy itself (``file`` under ``<archive>/media/``; files with the same
SHA-256 share it). ``media`` has one row per URL met: its file's key, its rank, and what
asking it gave (``known``: not asked; ``done``; ``failed`` with the reason; ``skipped``).
Every lookup by URL (``get_media``) answers for the URL's file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dates import utc_now_iso
from ..media.identity import file_key
from .store import ITER_BATCH, Store

__all__ = ["MEDIA_FOLDER", "MEDIA_STATES", "MediaRecord", "MediaTable", "MediaUrl"]

MEDIA_FOLDER = "media"
MEDIA_STATES = ("pending", "done", "failed", "skipped")


@dataclass(frozen=True, slots=True)
class MediaRecord:
    """One uploaded file: stored (``status`` "done", ``file`` under ``<archive>/media/``),
    "pending" (to download), "failed" (``reason`` says why no version could be stored) or
    "skipped" (not on an Overblog or blog host).

    ``url``: the URL the stored copy came from, else the best URL known; ``rank``: that URL's
    rank (``identity.FULL``, ``STRIPPED``, ``THUMBNAIL``); ``name``: the file's own name,
    before any prefix a name clash gave it."""

    url: str
    status: str
    sha256: str | None = None
    file: str | None = None
    reason: str | None = None
    key: str = ""
    rank: int = 0
    name: str | None = None


@dataclass(frozen=True, slots=True)
class MediaUrl:
    """One URL of a file: its rank, and what asking it gave (``known``: not asked)."""

    url: str
    key: str
    rank: int
    status: str
    reason: str | None = None


class MediaTable(Store):
    """``media_files`` (one row per file) and ``media`` (one row per URL), and the folder."""

    @property
    def media_dir(self) -> Path:
        """Folder of the downloaded files (``<archive>/media/``)."""
        return self.folder / MEDIA_FOLDER

    # -- files ---------------------------------------------------------------------------

    def put_media(self, record: MediaRecord) -> None:
        """Store what is known of one file (its key: ``record.key``, else its URL's)."""
        self._write(
            "INSERT INTO media_files (key, url, rank, name, status, sha256, file, reason, "
            "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "url = excluded.url, rank = excluded.rank, name = excluded.name, "
            "status = excluded.status, sha256 = excluded.sha256, file = excluded.file, "
            "reason = excluded.reason, fetched_at = excluded.fetched_at",
            (record.key or file_key(record.url), record.url, record.rank, record.name,
             record.status, record.sha256, record.file, record.reason, utc_now_iso()),
        )

    def get_media(self, url: str) -> MediaRecord | None:
        """The file ``url`` shows (whatever its size or host), if it was ever met."""
        return self.get_media_file(file_key(url))

    def get_media_file(self, key: str) -> MediaRecord | None:
        rows = self._read(f"SELECT {_FILE_COLUMNS} FROM media_files WHERE key = ?", (key,))
        return MediaRecord(*rows[0]) if rows else None

    def media_with_sha256(self, sha256: str) -> MediaRecord | None:
        """A stored file with this content (the one of the smallest key)."""
        rows = self._read(
            f"SELECT {_FILE_COLUMNS} FROM media_files WHERE sha256 = ? AND status = 'done' "
            "ORDER BY key LIMIT 1", (sha256,))
        return MediaRecord(*rows[0]) if rows else None

    def media_file_taken(self, file: str) -> bool:
        """True when some file record already uses this name."""
        return bool(self._read("SELECT 1 FROM media_files WHERE file = ? LIMIT 1", (file,)))

    def media_file_holders(self, file: str) -> list[str]:
        """Keys of the files whose stored copy is ``file``."""
        rows = self._read("SELECT key FROM media_files WHERE file = ? ORDER BY key", (file,))
        return [key for (key,) in rows]

    def rename_media_file(self, old: str, new: str) -> None:
        """Records that pointed at ``old`` point at ``new`` (the caller moves the file)."""
        with self.transaction():
            self._write("UPDATE media_files SET file = ? WHERE file = ?", (new, old))
            self._write("UPDATE media SET file = ? WHERE file = ?", (new, old))

    def iter_media(self, status: str | None = None) -> Iterator[MediaRecord]:
        """Every file record (or those with ``status``), by key, read in small pages."""
        after = ""
        while True:
            sql = f"SELECT {_FILE_COLUMNS} FROM media_files WHERE key > ?"
            params: tuple[Any, ...] = (after,)
            if status is not None:
                sql += " AND status = ?"
                params += (status,)
            rows = self._read(sql + f" ORDER BY key LIMIT {ITER_BATCH}", params)
            for row in rows:
                yield MediaRecord(*row)
                after = row[5]
            if len(rows) < ITER_BATCH:
                return

    def media_counts(self) -> dict[str, int]:
        """How many files are in each state."""
        counts = dict.fromkeys(MEDIA_STATES, 0)
        counts.update(dict(self._read(
            "SELECT status, COUNT(*) FROM media_files GROUP BY status")))
        return counts

    # -- URLs ----------------------------------------------------------------------------

    def know_media_url(self, url: str, key: str, rank: int) -> None:
        """``url`` shows file ``key`` at ``rank`` (kept when already known; rank raised)."""
        self._write(
            "INSERT INTO media (url, key, rank, status, fetched_at) VALUES (?, ?, ?, 'known', ?) "
            "ON CONFLICT (url) DO UPDATE SET key = excluded.key, "
            "rank = MAX(COALESCE(media.rank, 0), excluded.rank)",
            (url, key, rank, utc_now_iso()),
        )

    def put_media_url(self, url: str, status: str, reason: str | None = None,
                      sha256: str | None = None, file: str | None = None) -> None:
        """What asking ``url`` gave (a URL must be known first: ``know_media_url``)."""
        self._write(
            "UPDATE media SET status = ?, reason = ?, sha256 = ?, file = ?, fetched_at = ? "
            "WHERE url = ?", (status, reason, sha256, file, utc_now_iso(), url))

    def media_urls(self, key: str) -> list[MediaUrl]:
        """Every URL known for file ``key``, best rank first (then by URL)."""
        rows = self._read("SELECT url, key, COALESCE(rank, 0), status, reason FROM media "
                          "WHERE key = ? ORDER BY rank DESC, url", (key,))
        return [MediaUrl(*row) for row in rows]


_FILE_COLUMNS = "url, status, sha256, file, reason, key, rank, name"
