"""Polite, retrying, redirect-aware GET: ``Fetcher.get`` is the only way a URL is read.

It obeys robots.txt and keeps each host's delay, also across threads (``HostQueues``), retries
transient failures with exponential backoff and ``Retry-After``, follows redirects only inside
the blog, and raises ``FetchError`` / ``HostUnreachable`` when a URL fails for good. What
answers is the transport (``fetch.transport``): HTTP, a saved copy, a test's table. ``sleep``
and ``clock`` are seams too: tests pass fakes, nothing really waits.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from urllib.parse import urljoin

from protego import Protego

from ..dates import parse_retry_after
from ..errors import FetchError, HostUnreachable
from ..response import Response
from ..settings import CrawlSettings
from .http import HttpTransport
from .politeness import HostQueues, hostname
from .transport import TransientError, Transport

log = logging.getLogger(__name__)

__all__ = ["Fetcher", "MAX_REDIRECTS", "REDIRECT_STATUSES"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
RETURNED_CLIENT_ERRORS = frozenset({404, 410})


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
        self._random = random.Random()
        self.hosts = HostQueues(
            settings, getattr(self.transport, "needs_politeness", True), self._load_robots,
            self._interruptible_sleep if sleep is time.sleep else sleep, clock)
        """Each host's robots.txt, delay and queue of requests (shared by every thread)."""
        self._answered: set[str] = set()
        """Hosts that have answered in this run."""
        self._unreached: set[str] = set()
        """Hosts not reached when their robots.txt was asked, and not since."""

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
        scope = {h.lower() for h in allowed_hosts} if allowed_hosts else {hostname(url)}
        headers = self._headers(etag, last_modified)
        current, seen = url, {url}
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._get_with_retries(current, headers)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return self._final(url, current, response)
            target = urljoin(current, location.strip())
            if not any_host and hostname(target) not in scope:
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
        robots = self.hosts.robots(host_url)
        return list(robots.sitemaps) if robots is not None else []

    def crawl_delay(self, url: str) -> float:
        """Seconds kept between two requests to the host of ``url``."""
        return self.hosts.delay(hostname(url))

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

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

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
        if self.settings.obey_robots and not self.hosts.allowed(url):
            raise FetchError(url, "disallowed by robots.txt")
        return self._send_with_retries(url, headers)

    def _send_with_retries(self, url: str, headers: dict[str, str]) -> Response:
        host = hostname(url)
        attempts = max(0, self.settings.retries) + 1
        reached = False
        reason = "no attempt made"
        last: Response | None = None
        for attempt in range(attempts):
            again = attempt + 1 < attempts
            # The wait before a retry is set inside the host's turn: no other request to the
            # host starts between an answer saying "wait" and the wait being known.
            with self.hosts.turn(host, url):
                self._check_cancelled(url)
                try:
                    response = self.transport.send(url, headers, self.settings.timeout)
                except TransientError as exc:
                    reached = reached or exc.reached_host
                    reason = exc.reason
                    if not reached and host in self._unreached:
                        break  # its robots.txt's retries were this host's
                    if again:
                        wait = self._backoff(attempt)
                        self.hosts.defer(host, wait, url)
                        self._say_retry(host, url, reason, wait, (attempt + 2, attempts))
                    continue
                reached = True
                self._answered.add(host)
                self._unreached.discard(host)
                if not _retryable(response.status):
                    return response
                last, reason = response, f"HTTP {response.status}"
                told = self._retry_after(url, response)
                if told is not None:  # the server's word holds the host, retry or not
                    self.hosts.defer(host, told, url)
                elif again:
                    self.hosts.defer(host, self._backoff(attempt), url)
        if last is not None:
            raise FetchError(url, f"{reason} after {_attempts(attempts)}", last.status)
        if not reached:
            raise HostUnreachable(url, reason)
        raise FetchError(url, f"{reason} after {_attempts(attempts)}")

    def _say_retry(self, host: str, url: str, reason: str, wait: float,
                   attempt: tuple[int, int]) -> None:
        """A host that never answered in this run (a wrong address, a dead host: the first
        thing a run fetches) is said to be retried, not waited for in silence."""
        level = logging.DEBUG if host in self._answered else logging.INFO
        log.log(level, "%s: %s; trying again in %.0f s (attempt %d of %d)",
                url, reason, wait, *attempt)

    def _retry_after(self, url: str, response: Response) -> float | None:
        """The server's ``Retry-After`` in seconds (None when it gives none); a wait longer
        than ``max_retry_after`` fails the URL at once."""
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is not None and retry_after > self.settings.max_retry_after:
            raise FetchError(
                url,
                f"HTTP {response.status}, server asks to wait {retry_after:.0f} s "
                f"(more than {self.settings.max_retry_after:.0f} s)",
                response.status,
            )
        return retry_after

    def _backoff(self, attempt: int) -> float:
        base: float = max(0.0, self.settings.backoff) * 2**attempt
        return base + self._random.uniform(0, base / 4)

    # -- robots.txt ----------------------------------------------------------------------

    def _load_robots(self, robots_url: str) -> Protego | None:
        """Retried like any page (a 429 or a reset must not lose the Crawl-delay). A host that
        did not answer for its robots.txt is remembered: a request that does not reach it
        either is not retried again (a dead host is said after one round of retries, not
        two)."""
        headers = {"User-Agent": self.settings.user_agent, "Accept": "text/plain, */*"}
        host = hostname(robots_url)
        for _hop in range(2):  # one redirect allowed on the same host (http → https)
            try:
                response = self._send_with_retries(robots_url, headers)
            except HostUnreachable:
                self._unreached.add(host)
                return None
            except FetchError:
                return None
            location = response.headers.get("location", "")
            if response.status not in REDIRECT_STATUSES or not location:
                break
            robots_url = urljoin(robots_url, location.strip())
            if hostname(robots_url) != host:
                return None
        if response.status != 200:
            return None
        return Protego.parse(response.text)


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"
