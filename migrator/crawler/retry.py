"""The last chance: URLs that failed for good are tried once more, at the end of the crawl.

A burst of errors (a server restarting, a rate limiter waking up) can use up all the retries
of one URL in a few seconds: under injected faults (15% of answers 429 or 5xx) one article met
500, 429, 500, 500, 429 within 15 s and was lost. Decision (issue 12):

- **which**: the URLs the fetcher gave up on after its retries (429, 5xx, timeouts, resets,
  cut bodies, a host that stopped answering; ``worth_another_try``), whatever their kind;
  never a 404, a page robots.txt refuses, a page over the size cap;
- **when**: once the queue is empty, after a pause (``CrawlSettings.end_retry_pause``: 30 ×
  the backoff, 30 s by default) counted from each host's last such failure, during which that
  host gets no request from us (``HostQueues.defer``); then they go through the fetcher as any
  URL does (its retries, its delays, the server's ``Retry-After``), and the pages they lead to
  are crawled too;
- **once** per run: a URL that fails again stays failed, its reason saying it was tried again;
  the report counts the URLs recovered (``recovered``);
- **a later run tries the failed URLs of earlier runs first** (``begin``): they go back to the
  queue, handed out before anything else (``Frontier.put_first``).

Used by the thread that drives the crawl; kept apart from the loop so that changes to the
loop (media during the crawl) and to this rule do not meet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..archive import Archive
from ..errors import FetchError, HostUnreachable
from ..fetch import Fetcher
from ..fetch.politeness import hostname
from ..progress import Progress
from ..settings import CrawlSettings
from ..urls import SEED_KINDS, UrlKind

__all__ = ["TRIED_AGAIN", "LastChance", "worth_another_try"]

log = logging.getLogger(__name__)

TRIED_AGAIN = " (tried again at the end of the crawl)"
"""Added to the reason of a URL that failed again in the end-of-crawl round."""


def worth_another_try(error: FetchError) -> bool:
    """True when ``error`` is the fetcher giving up after its retries on a failure that time
    may cure (see the module)."""
    if isinstance(error, HostUnreachable):
        return True
    if error.status is not None:
        return error.status == 429 or error.status >= 500
    # "… after N attempts" (or "1 attempt"): timeouts, resets, cuts
    return error.reason.endswith((" attempt", " attempts"))


class LastChance:
    """The end-of-crawl round of one crawl (see the module)."""

    def __init__(self, archive: Archive, fetcher: Fetcher, settings: CrawlSettings,
                 progress: Progress, clock: Callable[[], float] = time.monotonic) -> None:
        self.archive = archive
        self.fetcher = fetcher
        self.settings = settings
        self.progress = progress
        self._clock = clock
        self.earlier: list[tuple[str, UrlKind]] = []
        """URLs that had failed in an earlier run, queued again by ``begin``."""
        self._noted: dict[str, tuple[UrlKind, float]] = {}
        """URL that failed for good in this run -> its kind, and when (``clock``)."""
        self._retried: list[tuple[str, UrlKind]] = []
        self.recovered = 0
        """URLs that failed in this run and were fetched in the end-of-crawl round."""

    def begin(self) -> list[tuple[str, UrlKind]]:
        """Put the URLs that failed in an earlier run back in the queue; returns them, to be
        handed out first."""
        self.earlier = self.archive.failed_urls()
        for url, _kind in self.earlier:
            self.archive.mark(url, "todo")
        if self.earlier:
            log.info("Trying first the %d URLs that failed last time", len(self.earlier))
        return self.earlier

    def note(self, url: str, kind: UrlKind, error: FetchError) -> None:
        """``url`` failed with ``error`` in this run (before the end-of-crawl round)."""
        if not self._retried and worth_another_try(error):
            self._noted[url] = (kind, self._clock())

    def requeue(self) -> bool:
        """Queue again the URLs noted that are still failed, and leave their hosts alone for
        the pause; False when there is none (no round to run)."""
        pause = self.settings.end_retry_pause
        last_failure: dict[str, float] = {}
        for url, (kind, when) in self._noted.items():
            if self.archive.url_state(url) not in ("failed", "gone"):
                continue
            self.archive.mark(url, "todo")
            self._retried.append((url, kind))
            host = hostname(url)
            last_failure[host] = max(last_failure.get(host, when), when)
        self._noted.clear()
        if not self._retried:
            return False
        now = self._clock()
        for host, when in last_failure.items():
            self.fetcher.hosts.defer(host, max(0.0, when + pause - now))
        log.info("Trying again, after a pause of %g s, the %d URLs whose retries ran out",
                 pause, len(self._retried))
        return True

    def settle(self) -> None:
        """After the round: count the URLs recovered, and say in the reason of the others
        that they were tried again."""
        reasons = dict(self.archive.failures())
        for url, _kind in self._retried:
            state = self.archive.url_state(url)
            if state == "done":
                self.recovered += 1
            elif state == "failed" and not reasons.get(url, "").endswith(TRIED_AGAIN):
                self.archive.mark(url, "failed", reasons.get(url, "") + TRIED_AGAIN)
        # The first failure of each is superseded: the round counted its own outcome (an
        # absent feed or sitemap never counted as a failure).
        superseded = sum(kind not in SEED_KINDS for _url, kind in self._retried)
        if superseded:
            self.progress.update(failed=-superseded)
        if self.recovered:
            log.info("Recovered at the end of the crawl: %d of %d URLs", self.recovered,
                     len(self._retried))
