"""The archive's media index: every image and file URL met, downloaded or not.

A downloaded file lives once in ``<archive>/media/`` (files with the same SHA-256 share it);
the ``media`` table maps each URL to it, or says why it was not downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dates import utc_now_iso
from .store import ITER_BATCH, Store

__all__ = ["MEDIA_FOLDER", "MediaRecord", "MediaTable"]

MEDIA_FOLDER = "media"


@dataclass(frozen=True, slots=True)
class MediaRecord:
    """One media URL: downloaded (``status`` "done", ``file`` under ``<archive>/media/``),
    "failed" (``reason`` says why) or "skipped" (not on an Overblog or blog host)."""

    url: str
    status: str
    sha256: str | None = None
    file: str | None = None
    reason: str | None = None


class MediaTable(Store):
    """``media``, and the folder of the files."""

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
             utc_now_iso()),
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
