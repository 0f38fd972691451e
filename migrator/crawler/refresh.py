"""What a run asks the blog again: the refresh policy.

A crawl that already finished is *refreshed* when it runs again: listing pages, feeds and
sitemaps are asked again (conditionally: ETag / Last-Modified, a 304 costs no download), and
so are the stored articles the sitemap says changed since we fetched them (``<lastmod>`` later
than our copy). Other stored pages are taken from the archive. Nothing is asked twice in one
run. Shared by the worker threads (thread-safe).
"""

from __future__ import annotations

import logging
import threading

from ..archive import Archive
from ..dates import is_later
from ..urls import LISTING_KINDS, SEED_KINDS, Scope, UrlKind

__all__ = ["RefreshPolicy"]

log = logging.getLogger(__name__)

ASKED_AGAIN = LISTING_KINDS | SEED_KINDS


class RefreshPolicy:
    def __init__(self) -> None:
        self.refreshing = False
        """True when this run refreshes a finished crawl (False: a first or resumed crawl)."""
        self._lock = threading.Lock()
        self._fresh: set[str] = set()
        """URLs fetched during this run (never fetched twice in one run)."""
        self._recheck: set[str] = set()
        """Stored articles the sitemap says changed since we fetched them."""

    def begin(self, archive: Archive) -> None:
        """A finished crawl is refreshed: its listings, feeds and sitemaps are queued again."""
        if archive.crawl_status == "complete":
            self.refreshing = True
            archive.reset_kinds(ASKED_AGAIN)
            log.info("Archive already complete: checking the blog for new articles")

    def fetched(self, url: str) -> None:
        """``url`` was fetched in this run."""
        with self._lock:
            self._fresh.add(url)

    def fetched_in_this_run(self, url: str) -> bool:
        with self._lock:
            return url in self._fresh

    def must_revalidate(self, url: str, kind: UrlKind) -> bool:
        """On a refresh, listings, feeds, sitemaps and changed articles are asked again."""
        if not self.refreshing:
            return False
        with self._lock:
            if url in self._fresh:
                return False
            return kind in ASKED_AGAIN or url in self._recheck

    def recheck_changed(self, archive: Archive, scope: Scope, lastmods: dict[str, str]) -> None:
        """Queue again the stored articles modified (says the sitemap) after we fetched them
        (call on a refresh only)."""
        for page, lastmod in lastmods.items():
            if not scope.contains(page):
                continue
            url = scope.canonical(page)
            stored = archive.get_response(url)
            if stored is None or not is_later(lastmod, stored.fetched_at):
                continue
            if archive.url_state(url) == "done":
                with self._lock:
                    self._recheck.add(url)
                archive.mark(url, "todo")
                log.debug("Changed since the last run: %s", url)
