"""HTTP and saved-mirror access with politeness built in.

``Fetcher.get`` is the only way the crawl reads a URL. It obeys robots.txt, keeps a per-host
delay (also across threads), retries transient failures with exponential backoff and
``Retry-After``, follows redirects only inside the blog, and raises ``FetchError`` /
``HostUnreachable`` when a URL fails for good. Transports are the seam: ``HttpTransport`` talks
HTTP through requests (so ``HTTP_PROXY`` works), ``MirrorTransport`` answers from a folder laid
out the way ``wget --mirror`` saves a site.
"""

from __future__ import annotations

import email.utils
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urljoin, urlsplit

import requests
from protego import Protego

from migrator.errors import FetchError, HostUnreachable
from migrator.settings import CrawlSettings

__all__ = [
    "Fetcher",
    "HttpTransport",
    "MirrorTransport",
    "Response",
    "Transport",
    "TransientError",
    "decode_html",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
RETURNED_CLIENT_ERRORS = frozenset({404, 410})
# A 304 may carry the Content-Length of the full page (RFC 9110 §8.6): never read a body.
BODILESS_STATUSES = frozenset({204, 304})
CHUNK_BYTES = 64 * 1024
MAX_CONNECTIONS_PER_HOST = 16
# Overblog pages put kilobytes of consent scripts before their <meta charset>.
SNIFF_BYTES = 64 * 1024
FALLBACK_ENCODING = "windows-1252"
# Browsers decode these labels as windows-1252 (WHATWG Encoding Standard); so do we.
LATIN1_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"})

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _try_decode(content: bytes, label: str, errors: str = "strict") -> str | None:
    label = label.strip().lower()
    if label in LATIN1_LABELS:
        label = FALLBACK_ENCODING
    try:
        return content.decode(label, errors=errors)
    except (LookupError, UnicodeDecodeError):
        return None


def _header_charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def decode_html(content: bytes, content_type: str = "") -> str:
    """Decode a page: header charset, then <meta>/XML declaration, then UTF-8, else windows-1252.

    A declared charset that cannot decode the bytes is a wrong label (common on old blogs):
    the next source is tried. A single-byte label (ISO-8859-1, windows-1252) on bytes that are
    valid, non-ASCII UTF-8 is wrong too: such bytes are almost never real Latin-1 text.
    """
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    head = content[:SNIFF_BYTES]
    match = XML_ENCODING.search(head) or META_CHARSET.search(head)
    labels = [_header_charset(content_type), match.group(1).decode("ascii") if match else None]
    utf8 = _try_decode(content, "utf-8")
    for label in filter(None, labels):
        if utf8 is not None and not content.isascii() and _single_byte(label):
            return utf8
        text = _try_decode(content, label)
        if text is not None:
            return text
    if utf8 is not None:
        return utf8
    for label in filter(None, labels):
        text = _try_decode(content, label, errors="replace")
        if text is not None:
            return text
    return content.decode(FALLBACK_ENCODING, errors="replace")


def _single_byte(label: str) -> bool:
    label = label.strip().lower()
    return label in LATIN1_LABELS or label.replace("_", "-") in (
        "windows-1252", "cp1252", "iso-8859-15", "latin-9", "iso8859-15",
    )


@dataclass(slots=True)
class Response:
    url: str
    """The URL asked for."""
    final_url: str
    """The URL that answered, after redirects."""
    status: int
    headers: dict[str, str]
    """Lower-case header names."""
    content: bytes
    fetched_at: str = field(default_factory=_now_iso)
    """ISO 8601, UTC."""
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = decode_html(self.content, self.headers.get("content-type", ""))
        return self._text

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


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
    """Sends one request, no redirects followed. Raises TransientError or FetchError."""

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response: ...


class HttpTransport:
    """Real HTTP through a requests.Session (honours HTTP_PROXY/HTTPS_PROXY)."""

    needs_politeness = True

    def __init__(self, max_body_bytes: int = 20 * 1024 * 1024) -> None:
        self.max_body_bytes = max_body_bytes
        self.session = requests.Session()
        # one connection per worker thread (the CLI allows up to 16), kept alive
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=MAX_CONNECTIONS_PER_HOST)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # The environment (HTTP_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) is read once per host
        # instead of on every request, where it cost a third of a fetch's CPU.
        self.session.trust_env = False
        self.session.verify = (os.environ.get("REQUESTS_CA_BUNDLE")
                               or os.environ.get("CURL_CA_BUNDLE") or True)
        self._proxies: dict[str, dict[str, str]] = {}

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        try:
            raw = self.session.get(
                url, headers=headers, timeout=timeout, allow_redirects=False, stream=True,
                proxies=self._proxies_for(url),
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise TransientError(f"connection timed out ({exc.__class__.__name__})", False) from exc
        except requests.exceptions.Timeout as exc:
            raise TransientError("timed out waiting for the server", True) from exc
        except requests.exceptions.ConnectionError as exc:
            raise TransientError(_connection_reason(exc), False) from exc
        except requests.exceptions.RequestException as exc:
            raise FetchError(url, f"invalid request: {_short(exc)}") from exc
        with raw:
            content = b"" if raw.status_code in BODILESS_STATUSES else self._read_body(url, raw)
        headers_out = {name.lower(): value for name, value in raw.headers.items()}
        return Response(url, url, raw.status_code, headers_out, content)

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The proxies the environment sets for this URL's host (none when NO_PROXY says so)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        proxies = self._proxies.get(origin)
        if proxies is None:
            proxies = self._proxies[origin] = requests.utils.get_environ_proxies(url)
        return proxies

    def _read_body(self, url: str, raw: requests.Response) -> bytes:
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise FetchError(url, "response too large", raw.status_code)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in raw.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise FetchError(url, "response too large", raw.status_code)
                chunks.append(chunk)
        except requests.exceptions.Timeout as exc:
            raise TransientError("timed out while reading the body", True) from exc
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ConnectionError,
        ) as exc:
            raise TransientError(f"truncated body: {_short(exc)}", True) from exc
        content = b"".join(chunks)
        encoded = raw.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if declared.isdigit() and not encoded and len(content) != int(declared):
            raise TransientError(f"truncated body ({len(content)} of {declared} bytes)", True)
        return content

    def close(self) -> None:
        self.session.close()


def _connection_reason(exc: Exception) -> str:
    """One readable phrase instead of urllib3's nested repr."""
    text = str(exc)
    if "ProxyError" in text or isinstance(exc, requests.exceptions.ProxyError):
        return "cannot connect to the proxy"
    if any(
        sign in text
        for sign in (
            "NameResolutionError",
            "Name or service not known",
            "getaddrinfo failed",
            "nodename nor servname",
        )
    ):
        return "host name not found (DNS)"
    if "refused" in text.lower():
        return "connection refused"
    if "reset" in text.lower():
        return "connection reset"
    return "cannot connect"


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:200]


MIRROR_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".css": "text/css",
    ".js": "application/javascript",
    ".mp3": "audio/mpeg",
}


class MirrorTransport:
    """Answers from a saved copy laid out as ``wget --mirror`` writes it (``<host>/<path>``).

    ``folder`` holds one sub-folder per host, or is itself the blog's host folder (then other
    hosts are its siblings). Missing files and unknown hosts answer 404.
    """

    needs_politeness = False

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def site_hosts(self) -> list[str]:
        """Hosts saved in the folder that have a home page (the folder itself first)."""
        hosts = [self.folder.name.lower()] if (self.folder / "index.html").is_file() else []
        for child in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if "." in child.name and (child / "index.html").is_file():
                hosts.append(child.name.lower())
        return hosts

    def host_dir(self, host: str) -> Path | None:
        inside = self.folder / host
        if inside.is_dir():
            return inside
        if self.folder.name.lower() == host:
            return self.folder
        sibling = self.folder.parent / host
        if "." in self.folder.name and sibling.is_dir():
            return sibling
        return None

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        parts = urlsplit(url)
        host_dir = self.host_dir((parts.hostname or "").lower())
        if host_dir is None:
            return _mirror_answer(url, 404, b"", "text/plain", {"x-mirror": "no-such-host"})
        redirect = _mirror_redirects(host_dir).get(parts.path or "/")
        if redirect:
            status, location = redirect
            return _mirror_answer(url, status, b"", "text/html", {"location": location})
        path = _mirror_file(host_dir, parts.path, parts.query)
        if path is None:
            return _mirror_answer(url, 404, b"<html><body>Not found</body></html>", "text/html")
        body = path.read_bytes()
        return _mirror_answer(url, 200, body, _mirror_type(path, body))

    def close(self) -> None:
        """Nothing to release."""


def _mirror_answer(
    url: str, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
) -> Response:
    headers = {"content-type": content_type, "content-length": str(len(body)), **(extra or {})}
    return Response(url, url, status, headers, body)


def _mirror_file(host_dir: Path, path: str, query: str) -> Path | None:
    relative = unquote(path).lstrip("/")
    if query:
        relative = f"{relative}?{unquote(query)}"
    candidate = host_dir / relative if relative else host_dir
    try:
        candidate.resolve().relative_to(host_dir.resolve())
    except ValueError:
        return None
    for option in (candidate / "index.html", candidate, Path(f"{candidate}.html")):
        if option.is_file():
            return option
    return None


def _mirror_redirects(host_dir: Path) -> dict[str, tuple[int, str]]:
    table_file = host_dir / ".redirects"
    if not table_file.is_file():
        return {}
    table: dict[str, tuple[int, str]] = {}
    for line in table_file.read_text(encoding="utf-8").splitlines():
        fields_ = line.split()
        if len(fields_) == 3 and not line.startswith("#") and fields_[1].isdigit():
            table[fields_[0]] = (int(fields_[1]), fields_[2])
    return table


def _mirror_type(path: Path, body: bytes) -> str:
    suffix = path.suffix.lower() if "?" not in path.name else ""
    if suffix in MIRROR_TYPES:
        return MIRROR_TYPES[suffix]
    start = body.lstrip()[:100].lower()
    if start.startswith(b"<?xml") or start.startswith(b"<rss") or start.startswith(b"<feed"):
        return "application/xml"
    return "text/html"


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now() if now else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


@dataclass
class _HostState:
    last_start: float | None = None
    not_before: float = 0.0
    robots: Protego | None = None
    robots_loaded: bool = False
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    gate: threading.Lock = field(default_factory=threading.Lock)
    """Held by the thread waiting for the host's next slot (and, with a delay, sending)."""


class Fetcher:
    """Polite, retrying, redirect-aware GET. Safe to share between a few threads."""

    def __init__(
        self,
        settings: CrawlSettings,
        transport: Transport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.transport = transport or HttpTransport(settings.max_body_bytes)
        self._cancelled = threading.Event()
        self._sleep = self._interruptible_sleep if sleep is time.sleep else sleep
        self._clock = clock
        self._random = random.Random()
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostState] = {}
        self._polite = getattr(self.transport, "needs_politeness", True)

    # -- public -------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allowed_hosts: set[str] | None = None,
        any_host: bool = False,
        known: Callable[[str], Response | None] | None = None,
    ) -> Response:
        """GET ``url``; 2xx, 304, 404 and 410 come back as Responses, other failures raise.

        Redirects are followed only to ``allowed_hosts`` (default: the URL's own host), or
        anywhere with ``any_host`` (for a blog's home page, which may have moved). ``known``
        gives the stored answer of a redirect target, if any: it is used instead of asking
        the server again (an old ``/article-ID.html`` address of a post already fetched).
        """
        scope = {h.lower() for h in allowed_hosts} if allowed_hosts else {_hostname(url)}
        headers = self._headers(etag, last_modified)
        current, seen = url, {url}
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._get_with_retries(current, headers)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return self._final(url, current, response)
            target = urljoin(current, location.strip())
            if not any_host and _hostname(target) not in scope:
                raise FetchError(url, f"redirect outside the blog to {target}", response.status)
            if target in seen:
                raise FetchError(url, f"redirect loop at {target}", response.status)
            stored = known(target) if known else None
            if stored is not None:
                return replace(stored, url=url, final_url=target)
            seen.add(target)
            current = target
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def robots_sitemaps(self, host_url: str) -> list[str]:
        """``Sitemap:`` lines of the host's robots.txt (empty when there is none)."""
        robots = self._robots(host_url)
        return list(robots.sitemaps) if robots is not None else []

    def crawl_delay(self, url: str) -> float:
        """Seconds kept between two requests to the host of ``url``."""
        return self._delay(self._state(_hostname(url)))

    def cancel(self) -> None:
        """Stop at once: waits in progress end and every later ``get`` raises FetchError.

        Called when the crawl is interrupted, so that worker threads sleeping out a delay or a
        long Retry-After do not hold the exit.
        """
        self._cancelled.set()

    def close(self) -> None:
        close = getattr(self.transport, "close", None)
        if close is not None:
            close()

    def _interruptible_sleep(self, seconds: float) -> None:
        self._cancelled.wait(seconds)

    def _check_cancelled(self, url: str) -> None:
        if self._cancelled.is_set():
            raise FetchError(url, "crawl interrupted")

    # -- one URL, with retries ----------------------------------------------------------

    def _headers(self, etag: str | None, last_modified: str | None) -> dict[str, str]:
        headers = {"User-Agent": self.settings.user_agent, "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _final(self, asked: str, final_url: str, response: Response) -> Response:
        status = response.status
        if status < 400 or status in RETURNED_CLIENT_ERRORS:
            return replace(response, url=asked, final_url=final_url)
        raise FetchError(asked, f"HTTP {status}", status)

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> Response:
        if self.settings.obey_robots and not self._allowed(url):
            raise FetchError(url, "disallowed by robots.txt")
        return self._send_with_retries(url, headers)

    def _send_with_retries(self, url: str, headers: dict[str, str]) -> Response:
        host = _hostname(url)
        attempts = max(0, self.settings.retries) + 1
        reached = False
        reason = "no attempt made"
        last: Response | None = None
        for attempt in range(attempts):
            try:
                with self._host_turn(host):
                    self._check_cancelled(url)
                    response = self.transport.send(url, headers, self.settings.timeout)
            except TransientError as exc:
                reached = reached or exc.reached_host
                reason = exc.reason
                wait = self._backoff(attempt)
            else:
                reached = True
                if not _retryable(response.status):
                    return response
                last, reason = response, f"HTTP {response.status}"
                wait = self._retry_wait(url, response, attempt)
            if attempt + 1 < attempts:
                self._defer(host, wait)
        if last is not None:
            raise FetchError(url, f"{reason} after {attempts} attempts", last.status)
        if not reached:
            raise HostUnreachable(url, reason)
        raise FetchError(url, f"{reason} after {attempts} attempts")

    def _retry_wait(self, url: str, response: Response, attempt: int) -> float:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None:
            return self._backoff(attempt)
        if retry_after > self.settings.max_retry_after:
            raise FetchError(
                url,
                f"HTTP {response.status}, server asks to wait {retry_after:.0f} s "
                f"(more than {self.settings.max_retry_after:.0f} s)",
                response.status,
            )
        return retry_after

    def _backoff(self, attempt: int) -> float:
        base = max(0.0, self.settings.backoff) * 2**attempt
        return base + self._random.uniform(0, base / 4)

    # -- politeness ---------------------------------------------------------------------

    def _state(self, host: str) -> _HostState:
        with self._lock:
            return self._hosts.setdefault(host, _HostState())

    def _delay(self, state: _HostState) -> float:
        if self.settings.delay is not None:
            return max(0.0, self.settings.delay)
        if state.robots is not None:
            crawl_delay = state.robots.crawl_delay(self.settings.user_agent)
            if crawl_delay is not None:
                return max(0.0, float(crawl_delay))
        return max(0.0, self.settings.default_delay)

    @contextmanager
    def _host_turn(self, host: str) -> Iterator[None]:
        """Wait for the host's next slot, then send (the body of the ``with``).

        Threads of one host queue at its gate. With a delay, the gate is held until the
        answer is in and the delay counts from there: the host never has two requests from us
        at once, and never sees two closer than the delay, however many workers there are or
        however late a thread wakes. Without a delay, the gate only orders the slots and the
        requests overlap.
        """
        state = self._state(host)
        delay = self._delay(state) if self._polite else 0.0
        state.gate.acquire()
        held = True
        try:
            with self._lock:
                now = self._clock()
                start = max(now, state.not_before)
                if state.last_start is not None:
                    start = max(start, state.last_start + delay)
            if start > now:
                self._sleep(start - now)
            if delay <= 0:
                with self._lock:
                    state.last_start = start
                held = False
                state.gate.release()
            yield
            if held:
                with self._lock:
                    state.last_start = max(start, self._clock())
        finally:
            if held:
                state.gate.release()

    def _defer(self, host: str, seconds: float) -> None:
        state = self._state(host)
        with self._lock:
            state.not_before = max(state.not_before, self._clock() + seconds)

    def _allowed(self, url: str) -> bool:
        if urlsplit(url).path == "/robots.txt":
            return True
        robots = self._robots(url)
        return robots is None or robots.can_fetch(url, self.settings.user_agent)

    def _robots(self, url: str) -> Protego | None:
        """The host's parsed robots.txt, fetched once (one attempt; failure = allow all)."""
        parts = urlsplit(url)
        state = self._state((parts.hostname or "").lower())
        with state.robots_lock:
            if not state.robots_loaded:
                state.robots = self._load_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
                state.robots_loaded = True
        return state.robots

    def _load_robots(self, robots_url: str) -> Protego | None:
        """Retried like any page (a 429 or a reset must not lose the Crawl-delay)."""
        headers = {"User-Agent": self.settings.user_agent, "Accept": "text/plain, */*"}
        host = _hostname(robots_url)
        for _hop in range(2):  # one redirect allowed on the same host (http → https)
            try:
                response = self._send_with_retries(robots_url, headers)
            except FetchError:
                return None
            location = response.headers.get("location", "")
            if response.status not in REDIRECT_STATUSES or not location:
                break
            robots_url = urljoin(robots_url, location.strip())
            if _hostname(robots_url) != host:
                return None
        if response.status != 200:
            return None
        return Protego.parse(response.text)


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500
