"""The archive's knowledge: parsed articles, the blog, and the crawl's own facts.

Articles are stored as ``Article.to_dict()`` JSON (the JSON contract) with a sortable UTC
publication key, so exports read them oldest first without loading them all. The crawl's facts
have named accessors: the blog's address and whether a crawl finished (``state`` rows), the
dates listing pages and the feed show for posts that print none (typed tables). ``get_state``
and ``set_state`` stay for anything else worth keeping between runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from ..dates import utc_sort_key
from ..model import Article, Blog
from .store import ITER_BATCH, Store

__all__ = ["ArticlesTable", "CrawlStatus", "MediaStatus"]

CrawlStatus = Literal["running", "complete"]
MediaStatus = Literal["running", "complete", "skipped"]
_MEDIA_STATUSES: dict[str, MediaStatus] = {
    "running": "running", "complete": "complete", "skipped": "skipped"}


class ArticlesTable(Store):
    """``articles``, ``state``, ``listing_dates`` and ``feed_dates``."""

    # -- articles -----------------------------------------------------------------------

    def put_article(self, article: Article) -> None:
        self._write(
            "INSERT INTO articles (url, published, data) VALUES (?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET published = excluded.published, data = excluded.data",
            (
                article.url,
                utc_sort_key(article.published),
                json.dumps(article.to_dict(), ensure_ascii=False),
            ),
        )

    def get_article(self, url: str) -> Article | None:
        rows = self._read("SELECT data FROM articles WHERE url = ?", (url,))
        return Article.from_dict(json.loads(rows[0][0])) if rows else None

    def iter_articles(self) -> Iterator[Article]:
        """Oldest first, undated last, ties by URL; read in small pages (keyset pagination).

        Pages rather than one open cursor, so writes from other threads between two items
        never disturb the iteration and memory stays flat.
        """
        after: tuple[int, str, str] | None = None
        while True:
            rows = self._read(*_article_page(after))
            for undated, published, url, data in rows:
                yield Article.from_dict(json.loads(data))
                after = (undated, published or "", url)
            if len(rows) < ITER_BATCH:
                return

    def article_count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM articles")[0][0])

    def remove_article(self, url: str) -> None:
        self._write("DELETE FROM articles WHERE url = ?", (url,))

    # -- the blog and the crawl ------------------------------------------------------------

    def set_blog(self, blog: Blog) -> None:
        self.set_state("blog", json.dumps(blog.to_dict(), ensure_ascii=False))

    def get_blog(self) -> Blog | None:
        value = self.get_state("blog")
        return Blog.from_dict(json.loads(value)) if value else None

    @property
    def base_url(self) -> str | None:
        """The address of the blog this archive holds (set by the first crawl)."""
        return self.get_state("base_url")

    def set_base_url(self, base_url: str) -> None:
        self.set_state("base_url", base_url)

    @property
    def crawl_status(self) -> CrawlStatus | None:
        """"running" while a crawl works (or was stopped), "complete" once one finished."""
        value = self.get_state("crawl_status")
        return "complete" if value == "complete" else "running" if value == "running" else None

    def set_crawl_status(self, status: CrawlStatus) -> None:
        self.set_state("crawl_status", status)

    @property
    def media_status(self) -> MediaStatus | None:
        """The media of the last crawl: "running" (wanted, the media stage has not finished:
        the crawl runs or was stopped), "complete", "skipped" (crawled with ``--no-images``);
        None: no crawl said (an archive written before this was recorded)."""
        return _MEDIA_STATUSES.get(self.get_state("media_status") or "")

    def set_media_status(self, status: MediaStatus) -> None:
        self.set_state("media_status", status)

    def put_listing_date(self, key: str, iso: str, has_time: bool) -> None:
        """The date a listing page shows for the post at ``key`` (``parse.listing_key``)."""
        self._write(
            "INSERT INTO listing_dates (key, iso, has_time) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET iso = excluded.iso, has_time = excluded.has_time",
            (key, iso, int(has_time)),
        )

    def listing_date(self, key: str) -> tuple[str, bool] | None:
        """(ISO date, whether it has a time of day) a listing showed for ``key``, or None."""
        rows = self._read("SELECT iso, has_time FROM listing_dates WHERE key = ?", (key,))
        return (rows[0][0], bool(rows[0][1])) if rows else None

    def put_feed_date(self, url: str, iso: str) -> None:
        """The publication date the blog's feed gives for the article at ``url``."""
        self._write(
            "INSERT INTO feed_dates (url, iso) VALUES (?, ?) "
            "ON CONFLICT (url) DO UPDATE SET iso = excluded.iso",
            (url, iso),
        )

    def feed_date(self, url: str) -> str | None:
        rows = self._read("SELECT iso FROM feed_dates WHERE url = ?", (url,))
        return rows[0][0] if rows else None

    # -- anything else ---------------------------------------------------------------------

    def set_state(self, key: str, value: str) -> None:
        self._write(
            "INSERT INTO state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def get_state(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else None


def _article_page(after: tuple[int, str, str] | None) -> tuple[str, tuple[Any, ...]]:
    select = "SELECT published IS NULL AS undated, published, url, data FROM articles"
    order = f" ORDER BY undated, published, url LIMIT {ITER_BATCH}"
    if after is None:
        return select + order, ()
    undated, published, url = after
    where = " WHERE (published IS NULL, COALESCE(published, ''), url) > (?, ?, ?)"
    return select + where + order, (undated, published, url)
