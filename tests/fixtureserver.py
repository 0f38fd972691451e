"""A local HTTP server and forward proxy that serves whole fake hosts from disk.

Tests point ``HTTP_PROXY`` at it; every plain-http request for any host then lands here and
is answered from ``tests/fixtures/sites/<host>/`` laid out exactly as ``wget --mirror`` writes
a site:

- ``/`` → ``<host>/index.html``; ``/a/b/`` → ``<host>/a/b/index.html``;
- ``/page/2`` → file ``<host>/page/2`` (or ``<host>/page/2/index.html`` if that is a folder);
- ``/search?q=x`` → file ``<host>/search?q=x`` (query decoded, then "/" written ``%2F``, so
  ``/300x200.jpg?http://a/b.jpg`` → file ``300x200.jpg?http:%2F%2Fa%2Fb.jpg``);
- percent-encoded paths are decoded (``/tag/a%20b/`` → folder ``tag/a b``).

Behaviour worth knowing:

- Unknown host (no folder under ``sites/``): status 502 with header ``X-Fixture: no-such-host``,
  the way a proxy reports a dead upstream; a client sees an HTTP error, never a body it could
  mistake for a page.
- Missing file: 404 with a small Overblog-like HTML page.
- Redirects: optional ``<host>/.redirects`` with lines ``PATH STATUS LOCATION``.
- Conditional requests: every file is sent with ``ETag`` (quoted sha1 prefix of the bytes) and
  ``Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT``; a matching ``If-None-Match`` or an
  ``If-Modified-Since`` at or after that date gets ``304`` (turn off with
  ``server.conditional = False``).
- Counting: ``server.requests`` is a ``Counter`` of ``(host, path_with_query)``.
- Faults: ``server.faults`` maps a path (exact, with query if any) or a compiled regex
  (matched against ``http://host/path?query``) to either a callable
  ``(host, path) -> FaultResponse | None`` or a spec dict
  ``{"status": 503, "times": 2, "headers": {"Retry-After": "1"}, "body": b"...", "delay": 0.5}``.
  A spec answers ``times`` times (forever when ``times`` is absent), then the request is served
  normally. ``delay`` sleeps before answering (to simulate slowness).

Run by hand: ``python tests/fixtureserver.py --port 8899``.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

SITES_DIR = Path(__file__).parent / "fixtures" / "sites"

NOT_FOUND_BODY = (
    "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
    "<title>Page introuvable - Overblog</title></head>\n"
    "<body class=\"ob-error\"><div class=\"ob-error-404\"><h1>404</h1>"
    "<p>La page que vous recherchez n'existe pas ou a été supprimée.</p>"
    "<a href=\"/\">Retour à l'accueil</a></div></body></html>\n"
).encode()

LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".css": "text/css",
    ".js": "application/javascript",
    ".mp3": "audio/mpeg",
}


@dataclass
class FaultResponse:
    """What a fault answers instead of the file."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


FaultKey = str | re.Pattern[str]
FaultValue = dict[str, Any] | Callable[[str, str], FaultResponse | None]


def content_type_for(path: Path, body: bytes) -> str:
    """Content-Type by extension; files without one are sniffed (RSS/XML or HTML)."""
    name = path.name.split("?", 1)[0]
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    if suffix:
        guessed = mimetypes.guess_type(name)[0]
        if guessed:
            return guessed
    if body.lstrip()[:5] == b"<?xml":
        return "application/xml"
    return "text/html; charset=utf-8"


def resolve_file(host_dir: Path, path: str, query: str) -> Path | None:
    """Map a URL path (+query) to a file the way wget --mirror stores it."""
    relative = unquote(path).lstrip("/")
    if query:
        # wget keeps the query in the file name, with "/" written as %2F
        relative = f"{relative}?{unquote(query).replace('/', '%2F')}"
    candidate = (host_dir / relative) if relative else host_dir
    try:
        candidate.resolve().relative_to(host_dir.resolve())
    except ValueError:
        return None  # ".." escape attempt
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def load_redirects(host_dir: Path) -> dict[str, tuple[int, str]]:
    """Read ``<host>/.redirects``: ``PATH STATUS LOCATION`` per line, ``#`` comments."""
    redirects_file = host_dir / ".redirects"
    if not redirects_file.is_file():
        return {}
    table: dict[str, tuple[int, str]] = {}
    for line in redirects_file.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            table[parts[0]] = (int(parts[1]), parts[2])
    return table


class FixtureServer(ThreadingHTTPServer):
    """The server object: counts requests, holds faults, knows where the sites live."""

    daemon_threads = True

    def __init__(self, port: int = 0, sites_dir: Path = SITES_DIR) -> None:
        super().__init__(("127.0.0.1", port), FixtureHandler)
        self.sites_dir = sites_dir
        self.requests: Counter[tuple[str, str]] = Counter()
        self.faults: dict[FaultKey, FaultValue] = {}
        self._lock = threading.Lock()
        self._fault_hits: Counter[int] = Counter()
        self._thread: threading.Thread | None = None
        self.conditional = True

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FixtureServer:
        """Serve in a background daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def reset_counts(self) -> None:
        """Forget request counts and how many times faults fired (faults stay)."""
        with self._lock:
            self.requests.clear()
            self._fault_hits.clear()

    def count(self, host: str, path: str) -> int:
        """How many times ``http://host{path}`` was requested."""
        with self._lock:
            return self.requests[(host, path)]

    def record(self, host: str, path: str) -> None:
        with self._lock:
            self.requests[(host, path)] += 1

    def fault_for(self, host: str, path: str) -> FaultResponse | None:
        """The fault answer for this request, if one is registered and not used up."""
        url = f"http://{host}{path}"
        for key, value in list(self.faults.items()):
            matches = key == path if isinstance(key, str) else bool(key.search(url))
            if not matches:
                continue
            if callable(value):
                answer = value(host, path)
                if answer is not None:
                    return answer
                continue
            with self._lock:
                times = value.get("times")
                if times is not None and self._fault_hits[id(value)] >= times:
                    continue
                self._fault_hits[id(value)] += 1
            return FaultResponse(
                status=int(value.get("status", 500)),
                headers=dict(value.get("headers", {})),
                body=value.get("body", b""),
                delay=float(value.get("delay", 0.0)),
            )
        return None


class FixtureHandler(BaseHTTPRequestHandler):
    """Answers one request from the fixture folders."""

    server: FixtureServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: tests read counts, not logs

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._answer(send_body=False)

    def _target(self) -> tuple[str, str, str]:
        """(host, path, query) from an absolute-URI request line or the Host header."""
        parts = urlsplit(self.path)
        host = parts.hostname or (self.headers.get("Host") or "").split(":")[0]
        return host.lower(), parts.path or "/", parts.query

    def _answer(self, send_body: bool) -> None:
        host, path, query = self._target()
        full_path = f"{path}?{query}" if query else path
        self.server.record(host, full_path)
        fault = self.server.fault_for(host, full_path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            self._send(fault.status, fault.body, "text/plain", fault.headers, send_body)
            return
        host_dir = self.server.sites_dir / host
        if not host or not host_dir.is_dir():
            headers = {"X-Fixture": "no-such-host"}
            self._send(502, b"no such host\n", "text/plain", headers, send_body)
            return
        redirect = load_redirects(host_dir).get(full_path)
        if redirect is not None:
            status, location = redirect
            self._send(status, b"", "text/html", {"Location": location}, send_body)
            return
        file_path = resolve_file(host_dir, path, query)
        if file_path is None:
            self._send(404, NOT_FOUND_BODY, "text/html; charset=utf-8", {}, send_body)
            return
        body = file_path.read_bytes()
        validators = {"ETag": f'"{hashlib.sha1(body).hexdigest()[:16]}"',
                      "Last-Modified": LAST_MODIFIED}
        if self.server.conditional and self._not_modified(validators["ETag"]):
            self._send(304, b"", content_type_for(file_path, body), validators, False)
            return
        self._send(200, body, content_type_for(file_path, body), validators, send_body)

    def _not_modified(self, etag: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)
        except (TypeError, ValueError):
            return False

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str],
        send_body: bool,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--sites", type=Path, default=SITES_DIR)
    args = parser.parse_args()
    server = FixtureServer(args.port, args.sites)
    print(f"HTTP_PROXY={server.proxy_url}  (serving {args.sites})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":
    main()
