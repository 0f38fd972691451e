"""Settings in one typed place: defaults live here, the CLI only overrides them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CrawlSettings", "ExportSettings", "DEFAULT_USER_AGENT", "PROJECT_URL"]

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


@dataclass(slots=True)
class ExportSettings:
    flavor: Flavor = "hugo"
    base_url: str | None = None
    """Address of the new site, used for absolute links in redirect maps."""
    include_images: bool = True
