"""Settings in one typed place: defaults live here, the CLI only overrides them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from .errors import ExportError

__all__ = ["CrawlSettings", "ExportSettings", "DEFAULT_USER_AGENT", "PROJECT_URL",
           "check_base_url"]

PROJECT_URL = "https://github.com/overblog-migrator/overblog-migrator"
DEFAULT_USER_AGENT = f"overblog-migrator/0.1 (+{PROJECT_URL})"

Flavor = Literal["hugo", "jekyll"]


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
    max_body_bytes: int = 20 * 1024 * 1024
    max_pages: int = 20_000
    """Cap on the number of HTML pages fetched in one crawl (trap guard)."""
    max_listing_pages: int = 2_000
    obey_robots: bool = True
    download_images: bool = True
    refresh: bool = False
    """Re-fetch listing pages (and conditionally, articles) to pick up new posts."""
    warc: bool = True
    """Write every HTTP exchange as WARC into ``<archive>/warc/`` (HTTP sources only)."""


@dataclass(slots=True)
class ExportSettings:
    flavor: Flavor = "hugo"
    base_url: str | None = None
    """Address of the new site, used for absolute links in redirect maps."""
    include_images: bool = True
    archive_dir: Path | None = None
    """The archive being exported (set by the pipeline): formats of the archive itself (WACZ)
    read its WARC files."""


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
