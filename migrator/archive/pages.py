"""The archive's pages: every response fetched, and the URL queue with each URL's state.

The queue is what makes a crawl resumable: a URL is queued once (``enqueue``), handed out in
the order it was queued (``next_todo``, some kinds first when asked) and ends ``done``,
``failed``, ``skipped`` (not an HTML page) or ``gone`` (404/410 of a listing, a feed or a
sitemap); ``todo`` again to be retried or refreshed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from typing import Any

from ..errors import ArchiveError
from ..response import Response
from ..urls import UrlKind
from .store import Store

__all__ = ["URL_STATES", "PagesTable"]

URL_STATES = ("todo", "done", "failed", "skipped", "gone")


class PagesTable(Store):
    """``responses`` and ``urls``."""

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

    def enqueue(self, url: str, kind: UrlKind, source: str = "") -> bool:
        """Add ``url`` as "todo" unless already known; True when it is new."""
        cursor = self._write(
            "INSERT OR IGNORE INTO urls (url, kind, source) VALUES (?, ?, ?)",
            (url, str(kind), source),
        )
        return cursor.rowcount == 1

    def next_todo(
        self, kinds: Collection[UrlKind] | None = None, limit: int = 100
    ) -> list[tuple[str, UrlKind]]:
        """Up to ``limit`` (url, kind) still to do, in the order they were queued."""
        if kinds is not None and not kinds:
            return []
        sql = "SELECT url, kind FROM urls WHERE state = 'todo'"
        params: tuple[Any, ...] = ()
        if kinds:
            # Few todo URLs are of these kinds: look them up by kind, not by scanning the queue.
            sql = ("SELECT url, kind FROM urls INDEXED BY urls_state_kind WHERE state = 'todo'"
                   f" AND kind IN ({', '.join('?' * len(kinds))})")
            params = _kind_values(kinds)
        rows = self._read(f"{sql} ORDER BY id LIMIT ?", (*params, limit))
        return [(url, UrlKind(kind)) for url, kind in rows]

    def mark(self, url: str, state: str, reason: str | None = None) -> None:
        """Set a URL's state (``done``, ``failed``, ``skipped``, ``gone`` or ``todo``)."""
        if state not in URL_STATES:
            raise ArchiveError(f"unknown URL state {state!r}")
        cursor = self._write(
            "UPDATE urls SET state = ?, reason = ? WHERE url = ?", (state, reason, url)
        )
        if cursor.rowcount == 0:
            self._write(
                "INSERT INTO urls (url, kind, state, reason) VALUES (?, ?, ?, ?)",
                (url, str(UrlKind.OTHER), state, reason),
            )

    def url_state(self, url: str) -> str | None:
        rows = self._read("SELECT state FROM urls WHERE url = ?", (url,))
        return rows[0][0] if rows else None

    def url_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(URL_STATES, 0)
        counts.update(dict(self._read("SELECT state, COUNT(*) FROM urls GROUP BY state")))
        return counts

    def count_urls(self, kinds: Collection[UrlKind]) -> int:
        """How many queued URLs (any state) are of these kinds."""
        if not kinds:
            return 0
        marks = ", ".join("?" * len(kinds))
        return int(self._read(f"SELECT COUNT(*) FROM urls WHERE kind IN ({marks})",
                              _kind_values(kinds))[0][0])

    def failures(self) -> list[tuple[str, str]]:
        rows = self._read("SELECT url, reason FROM urls WHERE state = 'failed' ORDER BY id")
        return [(url, reason or "") for url, reason in rows]

    def failed_urls(self) -> list[tuple[str, UrlKind]]:
        """(url, kind) of every failed URL, in the order they were queued."""
        rows = self._read("SELECT url, kind FROM urls WHERE state = 'failed' ORDER BY id")
        return [(url, UrlKind(kind)) for url, kind in rows]

    def reset_kinds(self, kinds: Collection[UrlKind]) -> None:
        """Put every URL of these kinds back to "todo" (re-walk listings on refresh)."""
        if not kinds:
            return
        marks = ", ".join("?" * len(kinds))
        self._write(
            f"UPDATE urls SET state = 'todo', reason = NULL WHERE kind IN ({marks})",
            _kind_values(kinds),
        )


def _kind_values(kinds: Collection[UrlKind]) -> tuple[str, ...]:
    """The stored values, in a fixed order (a set of kinds has none)."""
    return tuple(sorted(str(kind) for kind in kinds))
