"""Recording at the transport seam: ``RecordingTransport`` writes every exchange as WARC.

It wraps ``HttpTransport``: each request it sends, whoever asks (pages, feeds, sitemaps,
robots.txt, images and files, retries and redirects included), goes with its answer to a
``warc.WarcWriter`` before the answer goes back to the fetcher. Exchanges that never got a
whole answer (a reset, a cut body, a body over the size cap) are not recorded: there is
nothing valid to keep. ``recorded_transport`` builds it for a crawl, in
``<archive>/warc/`` (decision of issue 14: on by default for HTTP sources, ``--no-warc`` off).
"""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..response import Response
from ..settings import CrawlSettings
from ..warc import WARC_FOLDER, WarcWriter
from .http import HttpTransport

__all__ = ["RecordingTransport", "recorded_transport", "warcinfo"]


def warcinfo(settings: CrawlSettings, base_url: str) -> dict[str, str]:
    """The ``warcinfo`` fields every file of a crawl starts with."""
    return {
        "software": f"overblog-migrator/{__version__} (warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                      "warc-format/warc-1.1/",
        "isPartOf": base_url,
        "http-header-user-agent": settings.user_agent,
        "robots": "obey" if settings.obey_robots else "ignore",
    }


class RecordingTransport:
    """``HttpTransport`` whose exchanges are also written to WARC files."""

    needs_politeness = True

    def __init__(self, inner: HttpTransport, writer: WarcWriter) -> None:
        self.inner = inner
        self.writer = writer

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        exchange = self.inner.exchange(url, headers, timeout)
        self.writer.record(url, exchange.response.status, exchange.request_head,
                           exchange.response_head, exchange.wire_body)
        return exchange.response

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self.writer.close()


def recorded_transport(settings: CrawlSettings, archive_dir: Path,
                       base_url: str) -> RecordingTransport:
    """An HTTP transport recording into ``archive_dir/warc/``."""
    writer = WarcWriter(Path(archive_dir) / WARC_FOLDER, warcinfo(settings, base_url))
    return RecordingTransport(HttpTransport(settings.max_body_bytes), writer)
