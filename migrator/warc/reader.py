"""``WarcRecords``: what a set of WARC or WACZ files answers for each URL.

Any WARC (1.0 or 1.1, gzipped or not) from any tool (this one, wget ``--warc-file``,
Browsertrix, Heritrix, a WACZ's ``archive/`` files) is read once, record headers only, into an
index: for each URL, the latest 200 response, else the latest redirect, else the latest
answer of any status. A ``revisit`` is resolved to the record that holds its payload (by the
URL and date it refers to, else by its payload digest); a 304 revisit keeps the earlier
capture. ``response(url)`` then reads that one record: status, headers, and the body without
its transfer and content codings.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from warcio.archiveiterator import ArchiveIterator

from ..errors import FetchError, SourceError
from ..response import Response
from ..settings import MAX_BODY_BYTES, too_large

__all__ = ["WARC_SUFFIXES", "WarcRecords", "is_warc_file", "warc_files"]

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".wacz")
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def is_warc_file(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(WARC_SUFFIXES)


def warc_files(path: Path) -> list[Path]:
    """``path`` itself when it is a WARC or WACZ file, else every one under the folder."""
    if path.is_file():
        return [path] if is_warc_file(path) else []
    return sorted(p for p in path.rglob("*") if is_warc_file(p))


@dataclass(frozen=True, slots=True)
class _Place:
    file: Path
    member: str
    """The WARC file inside a WACZ, else empty."""
    offset: int


@dataclass(slots=True)
class _Capture:
    place: _Place
    date: str
    status: int
    type: str
    """``response`` or ``revisit``."""
    body_at: _Place | None = None
    """Where the payload is, when it is not in this record (a revisit)."""


def url_key(url: str) -> str:
    """One spelling per URL: lower-case scheme and host, no default port, no fragment."""
    url = url.strip().strip("<>")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


class WarcRecords:
    """The answers held by ``files`` (WARC or WACZ), by URL."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self._best: dict[str, _Capture] = {}
        self._by_digest: dict[str, _Place] = {}
        self._by_capture: dict[tuple[str, str], _Place] = {}
        self._html: dict[str, None] = {}
        """URLs of HTML pages answered 200, in the order first seen."""
        revisits: list[tuple[str, _Capture, str, str, str]] = []
        for file in files:
            for member, stream in _warc_streams(file):
                self._read_index(file, member, stream, revisits)
        for key, capture, digest, refers_uri, refers_date in revisits:
            capture.body_at = (self._by_capture.get((url_key(refers_uri), refers_date))
                               or self._by_digest.get(digest))
            if capture.body_at is not None:
                self._choose(key, capture)

    def _read_index(self, file: Path, member: str, stream: IO[bytes],
                    revisits: list[tuple[str, _Capture, str, str, str]]) -> None:
        records = ArchiveIterator(stream)
        read = 0
        try:
            for record in records:
                read += 1
                if record.rec_type not in ("response", "revisit") or not record.http_headers:
                    continue
                headers = record.rec_headers
                key = url_key(headers.get_header("WARC-Target-URI") or "")
                status = int(record.http_headers.get_statuscode() or 0)
                date = headers.get_header("WARC-Date") or ""
                place = _Place(file, member, records.get_record_offset())
                capture = _Capture(place, date, status, record.rec_type)
                if record.rec_type == "response":
                    digest = headers.get_header("WARC-Payload-Digest")
                    if digest:
                        self._by_digest.setdefault(digest, place)
                    self._by_capture[(key, date)] = place
                    self._choose(key, capture)
                    content_type = record.http_headers.get_header("Content-Type") or ""
                    if status == 200 and "html" in content_type.lower():
                        self._html.setdefault(key)
                elif status != 304:
                    revisits.append((key, capture,
                                     headers.get_header("WARC-Payload-Digest") or "",
                                     headers.get_header("WARC-Refers-To-Target-URI") or "",
                                     headers.get_header("WARC-Refers-To-Date") or ""))
        except Exception as error:  # noqa: BLE001 - a damaged file: what came before is kept
            where = f"{file}!{member}" if member else str(file)
            if not read:
                raise SourceError(f"{where} is not a WARC file warcio can read ({error})"
                                  ) from error
            log.warning("%s: unreadable after its record %d (%s)", where, read, error)

    def _choose(self, key: str, capture: _Capture) -> None:
        known = self._best.get(key)
        if known is None or _rank(capture) >= _rank(known):
            self._best[key] = capture

    # -- answers ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._best)

    def urls(self) -> list[str]:
        return list(self._best)

    def html_pages(self) -> list[str]:
        """URLs whose latest answer is an HTML page (200), in the order first seen."""
        return [url for url in self._html if self._best[url].status == 200]

    def capture_date(self, url: str) -> str | None:
        """The WARC-Date of the answer ``response(url)`` gives (None: not in the records)."""
        capture = self._best.get(url_key(url))
        return capture.date if capture is not None else None

    def has(self, url: str) -> bool:
        return url_key(url) in self._best

    def response(self, url: str, limit: int = MAX_BODY_BYTES) -> Response | None:
        """The answer the records hold for ``url`` (``Response.url`` is ``url``), or None;
        ``FetchError`` when its body is over ``limit`` bytes (read no further)."""
        capture = self._best.get(url_key(url))
        if capture is None:
            return None
        record_headers, status, headers, _ = self._read(capture.place, 0)
        body = self._read(capture.body_at or capture.place, limit + 1)[3]
        if len(body) > limit:
            raise FetchError(url, too_large(limit))
        fetched_at = _iso(record_headers.get("WARC-Date", capture.date))
        return Response(url, url, status, headers, body, fetched_at)

    def _read(self, place: _Place, most: int) -> tuple[dict[str, str], int, dict[str, str],
                                                       bytes]:
        """The record at ``place``: its WARC headers, status, HTTP headers and at most
        ``most`` bytes of its payload (decoded as its ``Content-Encoding`` says)."""
        with _open_at(place) as stream:
            record = next(iter(ArchiveIterator(stream)))
            http = record.http_headers
            warc = {name: value for name, value in record.rec_headers.headers}
            headers = {name.lower(): value for name, value in http.headers}
            content = record.content_stream().read(most) if most else b""
            return warc, int(http.get_statuscode() or 0), headers, content


def _rank(capture: _Capture) -> tuple[int, str]:
    """A 200 beats a redirect, which beats anything else; then the latest."""
    preference = 2 if capture.status == 200 else 1 if capture.status in REDIRECTS else 0
    return preference, capture.date


def _iso(warc_date: str) -> str:
    """``2026-12-07T05:30:12.123456Z`` → ``2026-12-07T05:30:12+00:00`` (the archive's form)."""
    text = warc_date.strip()
    if not text:
        return text
    return text[:19] + "+00:00"


def _warc_streams(file: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """(member name, stream) of each WARC in ``file`` (a WACZ holds several)."""
    try:
        if file.name.lower().endswith(".wacz"):
            with zipfile.ZipFile(file) as wacz:
                for name in sorted(wacz.namelist()):
                    if name.lower().endswith((".warc", ".warc.gz")):
                        with wacz.open(name) as stream:
                            yield name, stream
        else:
            with file.open("rb") as stream:
                yield "", stream
    except (OSError, zipfile.BadZipFile) as error:
        raise SourceError(f"cannot read {file}: {error}") from error


@contextmanager
def _open_at(place: _Place) -> Iterator[Any]:
    if place.member:
        with zipfile.ZipFile(place.file) as wacz, wacz.open(place.member) as stream:
            stream.seek(place.offset)
            yield stream
    else:
        with place.file.open("rb") as stream:
            stream.seek(place.offset)
            yield stream
