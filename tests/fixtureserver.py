"""A local HTTP server and forward proxy that serves whole fake hosts from disk.

Tests point ``HTTP_PROXY`` at it; every plain-http request for any host then lands here and
is answered from ``tests/fixtures/sites/<host>/`` (or from several such folders:
``FixtureServer(sites_dirs=[SITES_DIR, THEME_SITES_DIR])``, searched in order) laid out exactly
as ``wget --mirror`` writes a site:

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
  More spec keys (and ``FaultResponse`` fields) for hostile answers:

  - ``"status": 0`` serves the real file, changed by the keys below (``{"delay": 2,
    "status": 0}`` is a slow but correct answer);
  - ``"reset": True`` closes the connection with a TCP reset, no answer at all;
  - ``"truncate": True`` announces the full ``Content-Length``, sends half the body, closes;
  - ``"size": N`` streams N filler bytes as the body (huge responses, never held in memory);
  - ``"content_type": "..."`` replaces the Content-Type (binary, missing or wrong charset;
    ``""`` sends none);
  - ``"encoding": "windows-1252"`` re-encodes the (UTF-8) body, and ``"meta_charset"`` sets the
    ``<meta charset>`` label written in it (``""`` removes it).

  Redirect loops and off-site redirects are plain specs: ``{"status": 301, "headers":
  {"Location": "http://elsewhere.example/"}}``.
- Chaos: ``server.chaos(seed=1, rate_429=0.10, rate_5xx=0.05, rate_reset=0.02,
  rate_truncated=0.02)`` registers a random fault on every URL (a ``Chaos`` fault callable in
  ``server.faults``, so ``faults.clear()`` ends it). Draws depend only on the seed, the URL and
  how many times that URL was asked, so a run is repeatable whatever the thread timing; after
  ``max_in_a_row`` faults in a row a URL is served normally (a client with that many retries
  always gets through). ``Retry-After`` of 429s is drawn from ``retry_after`` (default 0 or 1).
- Latency: ``server.latency = 0.05`` delays every answer (benchmarks).
- Request log: ``server.request_log`` lists ``(monotonic time, host, path)`` of every request;
  ``server.statuses`` counts the answers by ``(host, path, status)`` (a reset counts as 0);
  ``server.answer_log`` lists ``(monotonic time, host, path, status, Retry-After or None)`` of
  every answer, at the moment its status line is sent.
- Helpers for tests that run the real command: ``run_migrator(args, proxy_url)``,
  ``migrator_env(proxy_url)``, ``output_snapshot(out_dir)`` (bytes of every export).

Run by hand: ``python tests/fixtureserver.py --port 8899 [--sites DIR]… [--latency 0.05]``.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import os
import random
import re
import socket
import struct
import subprocess
import sys
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
THEME_SITES_DIR = Path(__file__).parent / "fixtures" / "themes" / "sites"
"""The blogs rendered from Overblog's 2013 theme catalogue (tests/fixtures/themes/render.py)."""

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


SERVE_FILE = 0
"""FaultResponse status meaning "serve the real file" (slowed, cut, retyped or re-encoded)."""

META_CHARSET = re.compile(rb"""(<meta[^>]+charset\s*=\s*["']?\s*)([A-Za-z0-9._:-]+)""", re.I)
META_TAG = re.compile(rb"<meta[^>]*>", re.I)
CHARSET_ATTR = re.compile(rb"""charset\s*=\s*["']?\s*[A-Za-z0-9._:-]+["']?""", re.I)
FILLER = b"\x00\xff" * 32 * 1024


@dataclass
class FaultResponse:
    """What a fault answers instead of the file."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    reset: bool = False
    """Close the connection with a TCP reset instead of answering."""
    truncate: bool = False
    """Send the full Content-Length but only half the body, then close."""
    size: int = 0
    """Stream this many filler bytes as the body (a huge response)."""
    content_type: str | None = None
    encoding: str | None = None
    """Re-encode the body (read as UTF-8) into this charset."""
    meta_charset: str | None = None
    """Label written into the body's <meta charset> ("" removes the meta)."""


@dataclass
class Chaos:
    """Random faults on every URL, repeatable: draws depend on seed, URL and attempt number."""

    seed: int = 1
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_reset: float = 0.0
    rate_truncated: float = 0.0
    rate_slow: float = 0.0
    slow_delay: float = 0.3
    retry_after: tuple[str, ...] = ("0", "1")
    max_in_a_row: int = 2
    hits: Counter[str] = field(default_factory=Counter)
    """How many faults of each kind were answered (429, 5xx, reset, truncated, slow)."""
    _asked: Counter[str] = field(default_factory=Counter)
    _in_a_row: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, host: str, path: str) -> FaultResponse | None:
        url = f"http://{host}{path}"
        with self._lock:
            attempt = self._asked[url]
            self._asked[url] += 1
            if self._in_a_row[url] >= self.max_in_a_row:
                self._in_a_row[url] = 0
                return None
            kind, answer = self._draw(random.Random(f"{self.seed}|{url}|{attempt}"))
            if answer is None or kind == "slow":
                self._in_a_row[url] = 0
            else:
                self._in_a_row[url] += 1
            if kind:
                self.hits[kind] += 1
            return answer

    def _draw(self, rng: random.Random) -> tuple[str, FaultResponse | None]:
        roll = rng.random()
        for kind, rate in (("429", self.rate_429), ("5xx", self.rate_5xx),
                           ("reset", self.rate_reset), ("truncated", self.rate_truncated),
                           ("slow", self.rate_slow)):
            if roll < rate:
                return kind, self._answer(kind, rng)
            roll -= rate
        return "", None

    def _answer(self, kind: str, rng: random.Random) -> FaultResponse:
        if kind == "429":
            return FaultResponse(429, {"Retry-After": rng.choice(self.retry_after)}, b"slow down")
        if kind == "5xx":
            return FaultResponse(rng.choice((500, 502, 503, 504)), body=b"server error")
        if kind == "reset":
            return FaultResponse(SERVE_FILE, reset=True)
        if kind == "truncated":
            return FaultResponse(SERVE_FILE, truncate=True)
        return FaultResponse(SERVE_FILE, delay=self.slow_delay)


CHAOS_KEY = re.compile(r"")  # matches every URL; one key so a second chaos() replaces the first


def recode_html(body: bytes, encoding: str | None, meta_charset: str | None) -> bytes:
    """A UTF-8 page re-encoded into ``encoding``, its <meta charset> relabelled or removed."""
    if meta_charset is not None:
        if meta_charset:
            body = META_CHARSET.sub(lambda m: m.group(1) + meta_charset.encode(), body)
        else:
            body = META_TAG.sub(lambda m: CHARSET_ATTR.sub(b"", m.group(0)), body)
    if encoding:
        body = body.decode("utf-8").encode(encoding, errors="xmlcharrefreplace")
    return body


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

    def __init__(self, port: int = 0, sites_dir: Path = SITES_DIR,
                 sites_dirs: list[Path] | None = None) -> None:
        super().__init__(("127.0.0.1", port), FixtureHandler)
        self.sites_dirs = list(sites_dirs) if sites_dirs else [sites_dir]
        """Folders holding ``<host>/`` trees, searched in order (a host may be in several:
        a file or redirect missing from one folder is looked up in the next)."""
        self.requests: Counter[tuple[str, str]] = Counter()
        self.faults: dict[FaultKey, FaultValue] = {}
        self._lock = threading.Lock()
        self._fault_hits: Counter[int] = Counter()
        self._thread: threading.Thread | None = None
        self.conditional = True
        self.latency = 0.0
        self.request_log: list[tuple[float, str, str]] = []
        self.statuses: Counter[tuple[str, str, int]] = Counter()
        self.answer_log: list[tuple[float, str, str, int, str | None]] = []

    @property
    def sites_dir(self) -> Path:
        """The first sites folder (the only one unless ``sites_dirs`` was given)."""
        return self.sites_dirs[0]

    @sites_dir.setter
    def sites_dir(self, value: Path) -> None:
        self.sites_dirs[0] = value

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
            self.request_log.clear()
            self.statuses.clear()
            self.answer_log.clear()

    def count(self, host: str, path: str) -> int:
        """How many times ``http://host{path}`` was requested."""
        with self._lock:
            return self.requests[(host, path)]

    def record(self, host: str, path: str) -> None:
        with self._lock:
            self.requests[(host, path)] += 1
            self.request_log.append((time.monotonic(), host, path))

    def answered(self, host: str, path: str, status: int,
                 retry_after: str | None = None) -> None:
        with self._lock:
            self.statuses[(host, path, status)] += 1
            self.answer_log.append((time.monotonic(), host, path, status, retry_after))

    def chaos(self, seed: int = 1, **rates: Any) -> Chaos:
        """Random faults on every URL from now on (see ``Chaos``); ``faults.clear()`` ends them."""
        chaos = Chaos(seed=seed, **rates)
        self.faults[CHAOS_KEY] = chaos
        return chaos

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
                reset=bool(value.get("reset", False)),
                truncate=bool(value.get("truncate", False)),
                size=int(value.get("size", 0)),
                content_type=value.get("content_type"),
                encoding=value.get("encoding"),
                meta_charset=value.get("meta_charset"),
            )
        return None


class FixtureHandler(BaseHTTPRequestHandler):
    """Answers one request from the fixture folders."""

    server: FixtureServer
    protocol_version = "HTTP/1.1"
    _fault: FaultResponse | None = None
    _where: tuple[str, str] = ("", "")
    _retry_after: str | None = None

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.answered(*self._where, code, self._retry_after)
        super().send_response(code, message)

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
        self._where = (host, full_path)
        self._retry_after = None
        if self.server.latency:
            time.sleep(self.server.latency)
        fault = self.server.fault_for(host, full_path)
        try:
            if fault is None:
                self._serve(host, path, query, full_path, send_body)
            else:
                self._answer_fault(fault, host, path, query, full_path, send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (body too large, say)

    def _answer_fault(self, fault: FaultResponse, host: str, path: str, query: str,
                      full_path: str, send_body: bool) -> None:
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reset:
            self._reset_connection()
            return
        self._fault = fault
        try:
            if fault.status == SERVE_FILE:
                self._serve(host, path, query, full_path, send_body)
            elif fault.size:
                self._send_filler(fault, send_body)
            else:
                content_type = fault.content_type or "text/plain"
                self._send(fault.status, fault.body, content_type, fault.headers, send_body)
        finally:
            self._fault = None

    def _reset_connection(self) -> None:
        """Close with RST (SO_LINGER 0): the client sees "connection reset by peer"."""
        self.server.answered(*self._where, 0)
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _send_filler(self, fault: FaultResponse, send_body: bool) -> None:
        self.send_response(fault.status)
        self.send_header("Content-Type", fault.content_type or "application/octet-stream")
        self.send_header("Content-Length", str(fault.size))
        for name, value in fault.headers.items():
            self.send_header(name, value)
        self.end_headers()
        left = fault.size if send_body else 0
        while left > 0:
            chunk = FILLER[:left]
            self.wfile.write(chunk)
            left -= len(chunk)

    def _serve(self, host: str, path: str, query: str, full_path: str, send_body: bool) -> None:
        host_dirs = [d / host for d in self.server.sites_dirs if host and (d / host).is_dir()]
        if not host_dirs:
            headers = {"X-Fixture": "no-such-host"}
            self._send(502, b"no such host\n", "text/plain", headers, send_body)
            return
        redirect = next((r for r in (load_redirects(d).get(full_path) for d in host_dirs)
                         if r is not None), None)
        if redirect is not None:
            status, location = redirect
            self._send(status, b"", "text/html", {"Location": location}, send_body)
            return
        file_path = next((f for f in (resolve_file(d, path, query) for d in host_dirs)
                          if f is not None), None)
        if file_path is None:
            self._send(404, NOT_FOUND_BODY, "text/html; charset=utf-8", {}, send_body)
            return
        body = file_path.read_bytes()
        fault = self._fault
        if fault is not None and (fault.encoding or fault.meta_charset is not None):
            body = recode_html(body, fault.encoding, fault.meta_charset)
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
        fault = self._fault
        if fault is not None and fault.status == SERVE_FILE and fault.content_type is not None:
            content_type = fault.content_type
        self._retry_after = headers.get("Retry-After")
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not send_body:
            return
        if fault is not None and fault.truncate and status == 200:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)


# -- helpers for tests that run the real command through the proxy ---------------------------

MIGRATOR = str(Path(sys.executable).with_name("migrator"))
OUTPUT_FILES = ("blog.json", "wordpress.xml")


def migrator_env(proxy_url: str) -> dict[str, str]:
    """The environment of a ``migrator`` child that reaches every host through the proxy."""
    env = {**os.environ, "HTTP_PROXY": proxy_url, "http_proxy": proxy_url}
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    return env


def run_migrator(args: list[str], proxy_url: str, timeout: float = 300,
                 **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run the installed ``migrator`` command through the proxy; output captured as text."""
    return subprocess.run([MIGRATOR, *args], env=migrator_env(proxy_url), capture_output=True,
                          text=True, timeout=timeout, check=False, **kwargs)


def output_snapshot(out_dir: Path) -> dict[str, bytes]:
    """Bytes of every export (blog.json, wordpress.xml, markdown/**), keyed by relative path.

    ``report.json`` (timestamps, counts of this run) and the archive are left out.
    """
    files = [out_dir / name for name in OUTPUT_FILES if (out_dir / name).is_file()]
    files += sorted(p for p in (out_dir / "markdown").rglob("*") if p.is_file())
    return {str(p.relative_to(out_dir)): p.read_bytes() for p in files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--sites", type=Path, action="append",
                        help="a sites folder (repeatable; default: tests/fixtures/sites)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to answers")
    args = parser.parse_args()
    server = FixtureServer(args.port, sites_dirs=args.sites or [SITES_DIR])
    server.latency = args.latency
    print(f"HTTP_PROXY={server.proxy_url}  (serving {', '.join(map(str, server.sites_dirs))})",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":
    main()
