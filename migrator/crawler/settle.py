"""Settling an article before it is stored: its one address, its date, what it merges with.

- **Identity**: one canonical URL per article (the page's own, when its ``rel=canonical`` names
  another blog); every other address that served it is an alias.
- **Fallback dates**: an undated page (or one dated only by its URL month) takes the date its
  listing page showed, else the feed's (STRUCTURE.md §2, rule 3); never "now". A page that
  shows only the day takes the time a listing or the feed gives for that same day. The
  listing and feed dates are kept in the archive as the crawl meets them, and applied again
  once every page is in (``settle_late_dates``): an article fetched before the listing that
  dates it (pages come in whatever order the hosts' queues give) gets the same date as if
  the listing had come first.
- **Storing**: under the canonical address, merged with what is stored there; two addresses
  merge only when their content is the same.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Literal

from .. import parse
from ..archive import Archive
from ..dates import local_day, paris_iso
from ..model import Article, DateSource
from ..progress import Progress
from ..response import Response
from ..urls import Scope, UrlKind

__all__ = ["ArticleSettler"]

log = logging.getLogger(__name__)


class ArticleSettler:
    """Used by the thread that drives the crawl (writes to the archive)."""

    def __init__(self, archive: Archive, scope: Scope, progress: Progress) -> None:
        self.archive = archive
        self.scope = scope
        self.progress = progress
        self._read_dates: dict[str, _Dates] = {}
        """Articles of this run that needed a fallback date → their dates as read."""

    def remember_listing_dates(self, dates: dict[str, tuple[str, bool]]) -> None:
        """Dates a listing page shows, by ``parse.listing_key`` of each post it lists."""
        for key, (iso, has_time) in dates.items():
            self.archive.put_listing_date(key, iso, has_time)

    def remember_feed_date(self, url: str, published: str) -> None:
        self.archive.put_feed_date(url, published)

    def settle(self, article: Article, url: str, response: Response) -> None:
        """Give ``article`` (read at ``url``) its identity and dates, and store it."""
        self._settle_identity(article, url, response)
        read = _dates_of(article)
        self._apply_fallback_dates(article)
        self._store(article, url, response.final_url)
        if read[1] in (None, "url") or read[2] == "day":
            self._read_dates[article.url] = read

    def settle_late_dates(self) -> int:
        """Apply the fallback dates again to the articles of this run that needed one, now
        that every listing and the feed are in; returns how many changed."""
        changed = 0
        for url, (published, source, precision, warnings) in sorted(self._read_dates.items()):
            stored = self.archive.get_article(url)
            if stored is None:
                continue
            again = replace(stored, published=published, published_source=source,
                            date_precision=precision, warnings=list(warnings))
            self._apply_fallback_dates(again)
            if _dates_of(again) != _dates_of(stored):
                self.archive.put_article(again)
                changed += 1
        self._read_dates.clear()
        return changed

    def _settle_identity(self, article: Article, url: str, response: Response) -> None:
        """One canonical URL per article; every other address that served it is an alias."""
        canonical = self.scope.canonical(article.url)
        if not self.scope.contains(article.url):
            canonical = self.scope.canonical(response.final_url)
        addresses = {self.scope.canonical(a) for a in [url, response.final_url, *article.aliases]}
        article.url = canonical
        article.aliases = sorted(addresses - {canonical})

    # -- dates ---------------------------------------------------------------------------

    def _apply_fallback_dates(self, article: Article) -> None:
        dates = self._listing_dates_of(article)
        if article.published_source in (None, "url"):
            if not parse.apply_listing_date(article, dates):
                self._apply_feed_date(article)
        elif article.date_precision == "day":
            self._add_time_of_day(article, dates)

    def _listing_dates_of(self, article: Article) -> dict[str, tuple[str, bool]]:
        dates: dict[str, tuple[str, bool]] = {}
        for address in [article.url, *article.aliases]:
            key = parse.listing_key(address)
            known = self.archive.listing_date(key)
            if known:
                dates[key] = known
        return dates

    def _add_time_of_day(self, article: Article, dates: dict[str, tuple[str, bool]]) -> None:
        timed = [(iso, "listing") for iso, has_time in dates.values() if has_time]
        feed = self.archive.feed_date(article.url)
        if feed:
            timed.append((feed, "feed"))
        day = (article.published or "")[:10]
        for iso, source in timed:
            if local_day(iso) == day:
                article.published = paris_iso(iso)
                article.published_source = "listing" if source == "listing" else "feed"
                article.date_precision = "second"
                return

    def _apply_feed_date(self, article: Article) -> None:
        published = self.archive.feed_date(article.url)
        if published:
            article.published = published
            article.published_source = "feed"
            article.date_precision = "second"

    # -- storing -------------------------------------------------------------------------

    def _store(self, article: Article, url: str, final_url: str) -> None:
        """Store the article under its canonical address, merged with what is stored there.

        Distinct addresses merge only when their content is the same: a page whose canonical
        names an article stored with other content is kept under its own address.
        """
        existing = self.archive.get_article(article.url)
        own = self.scope.canonical(url)
        served_there = article.url in (own, self.scope.canonical(final_url))
        if existing is not None and not served_there and not _same_content(existing, article):
            log.debug("%s names %s as canonical, but their content differs", url, article.url)
            article.aliases = [a for a in article.aliases if a != own]
            article.url = own
            existing = self.archive.get_article(own)
        if existing is not None:
            merged = set(existing.aliases) | set(article.aliases)
            article.aliases = sorted(merged - {article.url})
        else:
            self.progress.update(articles=1)
        self.archive.put_article(article)
        if not served_there:
            # The canonical address is known now: never fetch it a second time.
            self.archive.enqueue(article.url, UrlKind(article.kind))
            self.archive.mark(article.url, "done")


_Dates = tuple[str | None, DateSource | None, Literal["second", "day", "month"] | None,
               tuple[str, ...]]


def _dates_of(article: Article) -> _Dates:
    return (article.published, article.published_source, article.date_precision,
            tuple(article.warnings))


def _same_content(one: Article, other: Article) -> bool:
    return one.title == other.title and one.body_html == other.body_html
