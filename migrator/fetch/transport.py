"""The seam between the fetcher and the world: a ``Transport`` sends one request.

``HttpTransport`` (``fetch.http``) talks HTTP (``RecordingTransport`` records it as WARC),
``MirrorTransport``, ``SavedPagesTransport`` and ``WarcTransport`` answer from a saved copy;
tests answer from a table. A new source is one more transport: the fetcher, the crawl and the
archive do not change.
"""

from __future__ import annotations

from typing import Protocol

from ..response import Response
from ..settings import too_large

__all__ = ["TransientError", "Transport", "too_large"]


class TransientError(Exception):
    """A failure worth retrying (connection refused, DNS, timeout, cut body).

    ``reached_host`` tells whether the server answered at all: a host that never answers
    becomes ``HostUnreachable`` after the last attempt.
    """

    def __init__(self, reason: str, reached_host: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reached_host = reached_host


class Transport(Protocol):
    """Sends one request, no redirects followed. Raises TransientError or FetchError.

    A transport may also have ``needs_politeness = False`` (a copy on disk: no delay between
    requests) and ``close()``.
    """

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response: ...
