"""What one fetched page teaches the crawl, by the kind of its address.

- an error (after the fetcher's retries): the URL failed, except that an absent feed or
  sitemap, or a listing that is gone (404/410: the page after the last one), is normal;
- a feed: its links, and the date it gives each post (a fallback for undated posts);
- a sitemap: its pages and child sitemaps; on a refresh, the articles it says changed;
- a listing (home, pagination, tag, category, archive): its links, the page after the next
  one, the dates it shows for its posts;
- anything else: an article page, read as one; its links are followed either way, and the
  media of its article go to the downloader's queues at once (with the image URLs the page
  gave). A page that looks like an article and gives none is a failure, never dropped in
  silence; an article address that answers with something else than HTML too.

The page is read by a parser process when the scheduler had one read it (``reading``), else
here. Runs in the thread that drives the crawl, inside the page's archive transaction.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .. import discover
from ..archive import Archive
from ..errors import FetchError
from ..progress import Progress
from ..response import Response
from ..urls import ARTICLE_KINDS, LISTING_KINDS, READ_AS_ARTICLE, SEED_KINDS, Scope, UrlKind
from .frontier import Frontier
from .reading import PageReading, read_page
from .refresh import RefreshPolicy
from .settle import ArticleSettler

if TYPE_CHECKING:  # the downloader is handed in by the pipeline (it imports the crawler)
    from ..media.download import MediaDownloader

__all__ = ["GONE_STATUSES", "PageHandler"]

log = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)


class PageHandler:
    def __init__(self, archive: Archive, scope: Scope, frontier: Frontier,
                 refresh: RefreshPolicy, settler: ArticleSettler, progress: Progress,
                 media: MediaDownloader | None = None) -> None:
        self.archive = archive
        self.media = media
        self.scope = scope
        self.frontier = frontier
        self.refresh = refresh
        self.settler = settler
        self.progress = progress

    def handle(self, url: str, kind: UrlKind, outcome: Response | FetchError,
               reading: PageReading | None = None) -> None:
        """Store what ``outcome`` (the page at ``url``, or why it failed) teaches."""
        if isinstance(outcome, FetchError):
            self.failed(url, kind, outcome.reason)
            return
        response = outcome
        if response.status in GONE_STATUSES:
            if kind in READ_AS_ARTICLE:
                self.failed(url, kind, f"HTTP {response.status}")
            else:
                self.archive.mark(url, "gone", f"HTTP {response.status}")
            return
        if response.status >= 400:
            self.failed(url, kind, f"HTTP {response.status}")
            return
        if kind == UrlKind.FEED:
            self._feed(response)
        elif kind == UrlKind.SITEMAP:
            self._sitemap(response)
        elif not response.is_html():
            reason = f"not an HTML page ({response.content_type or 'no Content-Type'})"
            if kind in ARTICLE_KINDS:  # an article address that gives no article: a loss
                self.failed(url, kind, f"{reason}: no article")
            else:
                self.archive.mark(url, "skipped", reason)
            return
        elif kind in LISTING_KINDS:
            self._listing(url, reading or read_page(response, self.scope, as_article=False))
        else:
            reading = reading or read_page(response, self.scope, as_article=True)
            if reading.article is not None:
                self.settler.settle(reading.article, url, response)
            # Pages that are not one article (a listing reached through a root-level link,
            # say) are still a source of links.
            self.frontier.enqueue_links(reading.links)
            if reading.article is not None and self.media is not None:
                self.media.add(reading.article, reading.media_seen)
            if reading.article is None and reading.unread:
                self.failed(url, kind, reading.unread)
                return
        self.archive.mark(url, "done")

    def failed(self, url: str, kind: UrlKind, reason: str) -> None:
        if kind in SEED_KINDS:  # an absent feed or sitemap is normal, not a failure
            self.archive.mark(url, "gone", reason)
            return
        log.warning("Failed: %s (%s)", url, reason)
        self.archive.mark(url, "failed", reason)
        self.progress.update(failed=1)

    def _feed(self, response: Response) -> None:
        for link, published in discover.links_from_feed(response.content):
            url = self.frontier.enqueue(link)
            if url and published:
                self.settler.remember_feed_date(url, published)

    def _sitemap(self, response: Response) -> None:
        pages, children = discover.links_from_sitemap(response.content)
        for page in pages:
            self.frontier.enqueue(page)
        for child in children:
            if self.scope.contains(child):
                self.frontier.enqueue(child, UrlKind.SITEMAP)
        if self.refresh.refreshing:
            lastmods = discover.sitemap_lastmods(response.content)
            self.refresh.recheck_changed(self.archive, self.scope, lastmods)

    def _listing(self, url: str, reading: PageReading) -> None:
        self.settler.remember_listing_dates(reading.dates)
        self.frontier.enqueue_links(reading.links)
        self.frontier.enqueue_page_after(url, reading.links)
