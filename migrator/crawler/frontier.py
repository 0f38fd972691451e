"""The crawl's frontier: the URL queue (kept in the archive) and what keeps it small.

Every page links the same menus, tags and archives: each spelling of a link is looked up once
per run (``_queued_as``), each canonical URL queued once (``_queued``), and listing pages are
bounded (``max_listing_pages``: a calendar or a pagination trap ends there). Pagination is
walked two pages ahead (``urls.page_after``). ``next_urls`` hands out what to fetch next: the
URLs that failed in an earlier run first (``put_first``), then listings, feeds and sitemaps
(walking the pagination is a chain; the articles it finds keep the workers busy meanwhile),
then the rest in the order it was queued; or, when asked (the media hosts have run out of
work: only articles give them more), one article before the listings.

Used by the thread that drives the crawl only (not thread-safe).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Collection, Iterable

from ..archive import Archive
from ..discover import Links
from ..progress import Progress
from ..settings import CrawlSettings
from ..urls import (
    LISTING_KINDS,
    READ_AS_ARTICLE,
    SEED_KINDS,
    Scope,
    UrlKind,
    classify,
    page_after,
)

__all__ = ["Frontier"]

log = logging.getLogger(__name__)

WALK_FIRST = LISTING_KINDS | SEED_KINDS
NOT_WALKED = frozenset({UrlKind.SKIP, UrlKind.FEED, UrlKind.SITEMAP})
"""Kinds a link found on a page never queues (feeds and sitemaps are queued as seeds)."""


class Frontier:
    def __init__(self, archive: Archive, scope: Scope, settings: CrawlSettings,
                 progress: Progress) -> None:
        self.archive = archive
        self.scope = scope
        self.settings = settings
        self.progress = progress
        self.listings_queued = archive.count_urls(LISTING_KINDS)
        self._queued: set[str] = set()
        """URLs known to be in the archive's queue (a few bytes each, so a set is fine)."""
        self._queued_as: dict[str, str] = {}
        """Spelling of a link -> its canonical URL, once that is in ``_queued``."""
        self._first: deque[tuple[str, UrlKind]] = deque()
        """Queued URLs to hand out before any other (``put_first``)."""

    def put_first(self, urls: Iterable[tuple[str, UrlKind]]) -> None:
        """Hand out these queued URLs before any other (what failed in an earlier run)."""
        self._first.extend(urls)

    def seed(self, url: str, kind: UrlKind) -> None:
        """Queue a starting point (the home page, feed, sitemaps) when it is in the blog."""
        if self.scope.contains(url) and self.archive.enqueue(self.scope.canonical(url), kind):
            self.progress.update(discovered=1)

    def enqueue(self, url: str, kind: UrlKind | None = None) -> str | None:
        """Queue an in-scope URL; its canonical spelling, or None when it is not to be walked.

        ``kind``: what the URL is known to be (a sitemap named by a sitemap index: queued
        whatever its kind), else ``urls.classify``'s answer.
        """
        known = self._queued_as.get(url)
        if known is not None:
            return known  # every page links the same menus: spare the work and the archive
        if not self.scope.contains(url):
            return None
        canonical = self.scope.canonical(url)
        if canonical in self._queued:
            self._queued_as[url] = canonical
            return canonical
        if kind is None:  # a link found on a page: feeds and sitemaps are seeds, not links
            kind = classify(url)
            if kind in NOT_WALKED:
                return None
        if kind in LISTING_KINDS and self.listings_queued >= self.settings.max_listing_pages:
            log.debug("Listing page limit reached: %s not walked", url)
            return None
        if self.archive.enqueue(canonical, kind):
            self.progress.update(discovered=1)
            if kind in LISTING_KINDS:
                self.listings_queued += 1
        self._queued.add(canonical)
        self._queued_as[url] = canonical
        return canonical

    def enqueue_links(self, links: Links) -> None:
        for url in links.articles:
            self.enqueue(url)
        for url in links.listings:
            self.enqueue(url)

    def enqueue_page_after(self, url: str, links: Links) -> None:
        """Walk pagination two pages at a time (see ``urls.page_after``)."""
        for link in links.listings:
            guess = page_after(url, link)
            if guess is not None:
                self.enqueue(guess)

    def forget(self) -> None:
        """Forget what is known to be queued (what a page queued was rolled back)."""
        self._queued.clear()
        self._queued_as.clear()

    def next_urls(self, in_flight: Collection[str], room: int,
                  article_first: bool = False) -> list[tuple[str, UrlKind]]:
        """Up to ``room`` URLs to fetch next, none of ``in_flight``: those put first, then
        listings, feeds and sitemaps, ahead of the articles already waiting for a worker
        (``article_first``: one article before the listings)."""
        if room <= 0:
            return []
        chosen: list[tuple[str, UrlKind]] = []
        taken = set(in_flight)
        while self._first and len(chosen) < room:
            url, kind = self._first.popleft()
            if url not in taken and self.archive.url_state(url) == "todo":
                taken.add(url)
                chosen.append((url, kind))
        if len(chosen) == room:
            return chosen
        limit = room + len(taken)
        walk_first = self.archive.next_todo(kinds=WALK_FIRST, limit=limit)
        if article_first:
            articles = self.archive.next_todo(kinds=READ_AS_ARTICLE, limit=len(taken) + 1)
            walk_first = [item for item in articles if item[0] not in taken][:1] + walk_first
        for url, kind in walk_first + self.archive.next_todo(limit=limit):
            if url in taken:
                continue
            taken.add(url)
            chosen.append((url, kind))
            if len(chosen) == room:
                break
        return chosen
