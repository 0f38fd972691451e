"""The crawl loop: discover URLs, fetch them politely, parse articles, store everything.

All crawl state lives in the archive (the URL queue included), so a crawl stopped at any point,
even by ``kill -9``, continues where it stopped when the same command runs again. A crawl that
already finished is *refreshed* instead: listing pages, feed and sitemap are fetched again
(conditionally) and only the articles not yet stored are fetched.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from . import discover, parse
from .archive import Archive
from .errors import ArchiveError, FetchError, HostUnreachable, NotOverblogError
from .fetch import Fetcher, Response
from .model import Article
from .progress import Progress
from .settings import CrawlSettings
from .source import Source

__all__ = ["Crawler"]

log = logging.getLogger(__name__)

LISTING_KINDS = ("listing", "tag", "category", "archive")
SEED_KINDS = ("feed", "sitemap")
ARTICLE_KINDS = ("post", "page", "other")
GONE_STATUSES = (404, 410)


class Crawler:
    def __init__(
        self,
        source: Source,
        archive: Archive,
        settings: CrawlSettings,
        progress: Progress | None = None,
    ) -> None:
        self.source = source
        self.archive = archive
        self.settings = settings
        self.progress = progress or Progress(enabled=False)
        self.fetcher = Fetcher(settings, source.transport(settings))
        self.scope = discover.Scope.for_base_url(source.base_url)
        self.refreshing = False
        self.pages_seen = 0

    # -- driver ------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._claim_archive()
            self._start()
            self._drain_queue()
            self.archive.set_state("crawl_status", "complete")
        finally:
            self.fetcher.close()
            self.progress.close()

    def _claim_archive(self) -> None:
        known = self.archive.get_state("base_url")
        if known and known != self.source.base_url:
            raise ArchiveError(
                f"the archive holds another blog ({known}); "
                "use another output folder for this one"
            )
        self.archive.set_state("base_url", self.source.base_url)
        if self.archive.get_state("crawl_status") == "complete":
            self.refreshing = True
            self.archive.reset_kinds(LISTING_KINDS + SEED_KINDS)
            log.info("Archive already complete: checking the blog for new articles")
        self.archive.set_state("crawl_status", "running")

    def _start(self) -> None:
        home = self._fetch_home()
        self.archive.set_blog(parse.parse_blog(home.final_url, home.text))
        base = self.source.base_url
        seeds = [(base, "listing"), (base + "rss", "feed"), (base + "sitemap.xml", "sitemap")]
        seeds += [(url, "sitemap") for url in self.fetcher.robots_sitemaps(base)]
        for url, kind in seeds:
            if self.scope.contains(url) and self.archive.enqueue(self.scope.canonical(url), kind):
                self.progress.update(discovered=1)

    def _fetch_home(self) -> Response:
        url = self.source.base_url
        try:
            response = self.fetcher.get(url, any_host=True)
        except HostUnreachable as error:
            raise HostUnreachable(url, f"the host does not answer ({error.reason})") from error
        if response.status >= 400:
            raise FetchError(url, f"the blog's home page answered HTTP {response.status}",
                             response.status)
        self._adopt_final_host(response)
        if not parse.is_overblog(response.text):
            raise NotOverblogError(
                f"{url} does not look like an Overblog blog (no Overblog markup on its home page)"
            )
        self.archive.put_response(response)
        return response

    def _adopt_final_host(self, response: Response) -> None:
        """A home page that redirects (http→https, www.) tells us the blog's real address."""
        final_host = urlsplit(response.final_url).hostname
        if final_host:
            self.scope.add_alias(final_host)

    def _drain_queue(self) -> None:
        workers = max(1, self.settings.concurrency)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            while True:
                batch = self.archive.next_todo(limit=workers * 4)
                if not batch:
                    return
                outcomes = pool.map(self._fetch_one, batch)
                for (url, kind), outcome in zip(batch, outcomes, strict=True):
                    self._handle(url, kind, outcome)

    # -- one URL -----------------------------------------------------------------------------

    def _fetch_one(self, item: tuple[str, str]) -> Response | FetchError:
        url, kind = item
        stored = self.archive.get_response(url)
        if stored is not None and not (self.refreshing and kind in LISTING_KINDS + SEED_KINDS):
            self.progress.update(from_archive=1)
            return stored
        if self.pages_seen >= self.settings.max_pages:
            return FetchError(url, f"page limit reached ({self.settings.max_pages} pages)")
        self.pages_seen += 1
        try:
            response = self.fetcher.get(
                url,
                etag=stored.headers.get("etag") if stored else None,
                last_modified=stored.headers.get("last-modified") if stored else None,
                allowed_hosts=self.scope.hosts_with_www(),
            )
        except FetchError as error:
            return error
        if response.status == 304 and stored is not None:
            self.progress.update(from_archive=1)
            return stored
        self.archive.put_response(response)
        self.progress.update(fetched=1)
        return response

    def _handle(self, url: str, kind: str, outcome: Response | FetchError) -> None:
        if isinstance(outcome, FetchError):
            self._failed(url, kind, outcome.reason)
            return
        response = outcome
        if response.status in GONE_STATUSES:
            if kind in ARTICLE_KINDS:
                self._failed(url, kind, f"HTTP {response.status}")
            else:
                self.archive.mark(url, "gone", f"HTTP {response.status}")
            return
        if response.status >= 400:
            self._failed(url, kind, f"HTTP {response.status}")
            return
        if kind == "feed":
            self._handle_feed(response)
        elif kind == "sitemap":
            self._handle_sitemap(response)
        elif "html" not in response.content_type:
            self.archive.mark(url, "skipped", f"not HTML ({response.content_type})")
            return
        elif kind in LISTING_KINDS:
            self._enqueue_links(response)
        else:
            self._handle_article(url, response)
        self.archive.mark(url, "done")

    def _failed(self, url: str, kind: str, reason: str) -> None:
        if kind in SEED_KINDS:  # an absent feed or sitemap is normal, not a failure
            self.archive.mark(url, "gone", reason)
            return
        log.warning("Failed: %s (%s)", url, reason)
        self.archive.mark(url, "failed", reason)
        self.progress.update(failed=1)

    def _handle_feed(self, response: Response) -> None:
        for link, published in discover.links_from_feed(response.content):
            url = self._enqueue(link)
            if url and published:
                self.archive.set_state(f"feed_date:{url}", published)

    def _handle_sitemap(self, response: Response) -> None:
        pages, children = discover.links_from_sitemap(response.content)
        for page in pages:
            self._enqueue(page)
        for child in children:
            if self.scope.contains(child):
                self._enqueue(child, "sitemap")

    def _enqueue_links(self, response: Response) -> None:
        links = discover.find_links(response.final_url, response.text, self.scope)
        for url in links.articles:
            self._enqueue(url)
        if len(links.listings) and self._listing_budget_left():
            for url in links.listings:
                self._enqueue(url)

    def _listing_budget_left(self) -> bool:
        counts = self.archive.url_counts()
        return sum(counts.values()) < self.settings.max_pages + self.settings.max_listing_pages

    def _enqueue(self, url: str, kind: str | None = None) -> str | None:
        if not self.scope.contains(url):
            return None
        kind = kind or discover.classify(url)
        if kind in ("skip", "feed") or kind == "sitemap":
            return None
        canonical = self.scope.canonical(url)
        if self.archive.enqueue(canonical, kind):
            self.progress.update(discovered=1)
        return canonical

    def _handle_article(self, url: str, response: Response) -> None:
        article = parse.parse_page(response.final_url, response.text)
        if article is None:
            # Not a single article (a listing reached through a root-level link, say):
            # still a source of links.
            self._enqueue_links(response)
            return
        self._settle_identity(article, url, response)
        self._apply_feed_date(article)
        self._store(article)
        self._enqueue_links(response)

    def _settle_identity(self, article: Article, url: str, response: Response) -> None:
        """One canonical URL per article; every other address that served it is an alias."""
        canonical = self.scope.canonical(article.url)
        if not self.scope.contains(article.url):
            canonical = self.scope.canonical(response.final_url)
        addresses = {self.scope.canonical(a) for a in [url, response.final_url, *article.aliases]}
        article.url = canonical
        article.aliases = sorted(addresses - {canonical})
        if canonical != url:
            # The canonical address is known now: never fetch it a second time.
            self.archive.enqueue(canonical, article.kind)
            self.archive.mark(canonical, "done")

    def _apply_feed_date(self, article: Article) -> None:
        if article.published_source not in (None, "url"):
            return
        published = self.archive.get_state(f"feed_date:{article.url}")
        if published:
            article.published = published
            article.published_source = "feed"
            article.date_precision = "second"

    def _store(self, article: Article) -> None:
        existing = self.archive.get_article(article.url)
        if existing is not None:
            merged = set(existing.aliases) | set(article.aliases)
            article.aliases = sorted(merged - {article.url})
        else:
            self.progress.update(articles=1)
        self.archive.put_article(article)
