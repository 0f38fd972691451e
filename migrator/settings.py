"""Settings in one typed place: defaults live here, the CLI only overrides them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from .errors import ExportError, UsageError

__all__ = ["CrawlSettings", "ExportSettings", "DEFAULT_USER_AGENT", "MAX_BACKOFF",
           "MAX_BODY_BYTES", "MAX_CONCURRENCY", "MAX_DELAY", "MAX_RETRIES", "MAX_TIMEOUT",
           "PROJECT_URL", "check_base_url", "check_user_agent"]

PROJECT_URL = "https://github.com/overblog-migrator/overblog-migrator"
DEFAULT_USER_AGENT = f"overblog-migrator/0.1 (+{PROJECT_URL})"

Flavor = Literal["hugo", "jekyll"]

# Decision (issue 12): every setting has a finite, sensible range, checked here (the library)
# and by the CLI's option types (click's own errors, exit 2). Beyond these a run is a mistake
# (an hour between two requests, a day of backoff), and inf or nan used to crash it or, for
# nan, silently disable robots.txt's Crawl-delay.
MAX_DELAY = 3600.0
"""Longest delay between two requests to one host, seconds."""
MAX_BACKOFF = 3600.0
"""Longest first wait before a retry, seconds."""
MAX_RETRIES = 20
MAX_CONCURRENCY = 16
"""Requests in flight at once (the HTTP transport keeps one connection per worker)."""
MAX_TIMEOUT = 600.0
MAX_BODY_BYTES = 20 * 1024 * 1024
"""The one cap on a response's body, over HTTP and from a saved folder alike: a larger one is
refused (read in chunks, never held whole)."""

MAX_USER_AGENT = 512
RETRY_PAUSE_PER_BACKOFF = 30.0
"""The pause before the end-of-crawl retry, in units of ``backoff`` (30 s by default)."""
MAX_RETRY_PAUSE = 600.0


def too_large(limit: int) -> str:
    """The failure reason of a body over ``limit`` bytes (HTTP and saved folders alike)."""
    megabytes, rest = divmod(limit, 1024 * 1024)
    return f"response too large (over {megabytes} MB)" if megabytes and not rest else (
        f"response too large (over {limit} bytes)")


@dataclass(slots=True)
class CrawlSettings:
    delay: float | None = None
    """Seconds between two requests to one host. None = robots.txt Crawl-delay, else 5 s."""
    default_delay: float = 5.0
    concurrency: int = 1
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    """Connect and read timeout, seconds."""
    retries: int = 4
    """Extra attempts per URL on connection errors, timeouts, 429 and 5xx."""
    backoff: float = 1.0
    """Base of the exponential backoff, seconds (doubled at each retry, with jitter)."""
    max_retry_after: float = 120.0
    """Longest Retry-After honoured, seconds; longer waits count as a failure."""
    max_body_bytes: int = MAX_BODY_BYTES
    """Largest body read, over HTTP and from a saved folder; a larger one is refused."""
    max_pages: int = 20_000
    """Cap on the number of HTML pages fetched in one crawl (trap guard)."""
    max_listing_pages: int = 2_000
    obey_robots: bool = True
    download_images: bool = True
    refresh: bool = False
    """Re-fetch listing pages (and conditionally, articles) to pick up new posts."""
    warc: bool = True
    """Write every HTTP exchange as WARC into ``<archive>/warc/`` (HTTP sources only)."""
    retry_pause: float | None = None
    """Seconds the hosts are left alone before the URLs that failed for good (their retries
    exhausted) are tried once more at the end of the crawl. None: 30 × ``backoff``, at most
    600 s (30 s by default)."""

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """``UsageError`` (a ``ValueError``) naming the first setting out of its range."""
        if self.delay is not None:
            _check_number("delay", self.delay, 0, MAX_DELAY)
        _check_number("default_delay", self.default_delay, 0, MAX_DELAY)
        _check_number("concurrency", self.concurrency, 1, MAX_CONCURRENCY, integer=True)
        _check_number("timeout", self.timeout, 0.001, MAX_TIMEOUT)
        _check_number("retries", self.retries, 0, MAX_RETRIES, integer=True)
        _check_number("backoff", self.backoff, 0, MAX_BACKOFF)
        _check_number("max_retry_after", self.max_retry_after, 0, MAX_DELAY)
        _check_number("max_body_bytes", self.max_body_bytes, 1, MAX_BODY_BYTES, integer=True)
        _check_number("max_pages", self.max_pages, 1, 10_000_000, integer=True)
        _check_number("max_listing_pages", self.max_listing_pages, 0, 10_000_000, integer=True)
        if self.retry_pause is not None:
            _check_number("retry_pause", self.retry_pause, 0, MAX_RETRY_PAUSE)
        check_user_agent(self.user_agent)

    @property
    def end_retry_pause(self) -> float:
        """Seconds before the end-of-crawl retry (``retry_pause``, else from ``backoff``)."""
        if self.retry_pause is not None:
            return self.retry_pause
        return min(RETRY_PAUSE_PER_BACKOFF * self.backoff, MAX_RETRY_PAUSE)


@dataclass(slots=True)
class ExportSettings:
    flavor: Flavor = "hugo"
    base_url: str | None = None
    """Address of the new site, used for absolute links in redirect maps."""
    include_images: bool = True
    archive_dir: Path | None = None
    """The archive being exported (set by the pipeline): formats of the archive itself (WACZ)
    read its WARC files."""

    def __post_init__(self) -> None:
        if self.flavor not in ("hugo", "jekyll"):
            raise UsageError(f"flavor must be hugo or jekyll, not {self.flavor!r}")


def _check_number(name: str, value: object, low: float, high: float,
                  integer: bool = False) -> None:
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            integer and not isinstance(value, int)):
        raise UsageError(f"{name} must be {kind} from {low:g} to {high:g}, not {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise UsageError(f"{name} must be {kind} from {low:g} to {high:g}, not {value!r}")


_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")


def check_user_agent(value: str) -> str:
    """``value`` when it can be sent as a User-Agent header: printable ASCII, at most 512
    characters (header values are Latin-1 at best: refused rather than mangled); else
    ``UsageError``."""
    if not isinstance(value, str) or not _PRINTABLE_ASCII.fullmatch(value):
        raise UsageError(f"the User-Agent must be printable ASCII characters, not {value!r}")
    if len(value) > MAX_USER_AGENT:
        raise UsageError(f"the User-Agent must be at most {MAX_USER_AGENT} characters")
    return value


_HOST = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?:\.(?!-)[A-Za-z0-9-]{1,63})*\.?$")
_PATH = re.compile(r"^[A-Za-z0-9\-._~!&'()*+,;=:@/%]*$")


def check_base_url(url: str) -> str:
    """``url`` without its trailing slash when it is an http(s) URL of a plain host name
    (optional port and path, no user, query or fragment, no character that a redirect map
    would have to escape: no quote, space, ``$``…); else ``ExportError``.

    It goes into redirect maps (nginx, Apache, Netlify, CSV) and WXR addresses as it is."""
    text = url or ""
    problem = ""
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port, problem = None, "bad port"
    if any(c.isspace() or not c.isprintable() for c in text):
        problem = "white space or control characters"
    elif not problem and parts.scheme not in ("http", "https"):
        problem = "it must start with http:// or https://"
    elif not problem and not (parts.hostname and _HOST.match(parts.hostname)):
        problem = "no valid host name"
    elif not problem and (parts.username is not None or parts.password is not None):
        problem = "no user name or password allowed"
    elif not problem and (parts.query or parts.fragment or "?" in text or "#" in text):
        problem = "no query or fragment allowed"
    elif not problem and not _PATH.match(parts.path):
        problem = "its path has a character that is not allowed in a URL"
    elif not problem and parts.netloc != (parts.hostname or "") + (f":{port}" if port else ""):
        problem = "unexpected characters in the host part"
    if problem:
        shown = text if len(text) <= 80 and text.isprintable() else repr(text[:80])
        raise ExportError(f"--base-url {shown}: not an http(s) URL of the new site ({problem})")
    return text.rstrip("/")
