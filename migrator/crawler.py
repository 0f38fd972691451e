"""The crawl loop: discover URLs, fetch them politely, parse articles, store everything.

All crawl state lives in the archive (the URL queue included), so a crawl stopped at any point,
even by ``kill -9``, continues where it stopped when the same command runs again. A crawl that
already finished is *refreshed* instead: listing pages, feed and sitemap are fetched again
(conditionally) and only the articles not yet stored are fetched, plus those whose sitemap
``<lastmod>`` is later than our copy (asked conditionally: a 304 costs no download). URLs that
failed in an earlier run are tried again.

Fetching and parsing overlap: up to ``2 × concurrency`` URLs are in flight in the worker pool
(``pool.PriorityPool``) while the main thread stores what they bring, page by page as each is
ready, one archive transaction per page; nothing but that window is held in memory. Listing
pages, feeds and sitemaps jump the queue, and pagination is walked two pages ahead
(``discover.page_after``): a blog without sitemap is a chain of listing pages, and that chain
would otherwise set the pace. On a big blog (past the first ``PARSER_PROCESSES_AFTER`` pages)
with ``concurrency`` above 1, articles are parsed in a few worker processes (one per CPU, at
most ``concurrency``), and the worker that fetched one is free for the next download at once.
Outputs do not depend on the order pages are handled in: exporters sort articles by date and
URL.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from urllib.parse import urlsplit

from . import discover, parse
from .archive import Archive
from .errors import ArchiveError, FetchError, HostUnreachable, NotOverblogError
from .fetch import Fetcher, Response
from .model import Article
from .parse.dates import PARIS
from .pool import PriorityPool
from .progress import Progress
from .settings import CrawlSettings
from .source import Source

__all__ = ["Crawler", "PageReading", "read_page"]

log = logging.getLogger(__name__)

LISTING_KINDS = ("listing", "tag", "category", "archive")
SEED_KINDS = ("feed", "sitemap")
ARTICLE_KINDS = ("post", "page", "other")
GONE_STATUSES = (404, 410)
WINDOW_PER_WORKER = 2
PARSER_PROCESSES_AFTER = 50
PARSER_NICENESS = 10
GC_THRESHOLDS = (20_000, 20, 20)


@dataclass(slots=True)
class PageReading:
    """What the crawl takes from one HTML page: the article on it (if any) and its links."""

    article: Article | None
    links: discover.Links
    dates: dict[str, tuple[str, bool]] = field(default_factory=dict)
    """Dates a listing page shows for the posts it lists (a fallback for undated posts)."""
    unread: str | None = None
    """Why a page that looks like an article gave none ("unreadable: theme 977 [Mystery]")."""


def read_page(response: Response, scope: discover.Scope, as_article: bool) -> PageReading:
    """Parse one page; pure, so it can run in a parser process.

    The fetch time resolves relative dates ("hier à 18h05") of comments.
    """
    page_url, html = response.final_url, response.text
    # lxml parses the page once: links are read from the tree, then the parser prunes it.
    tree = parse.html_tree(html) if html.strip() else None
    links = discover.find_links(page_url, html, scope, tree=tree)
    captured = datetime.fromisoformat(response.fetched_at) if as_article else None
    article = (parse.parse_page(page_url, html, captured=captured, tree=tree) if as_article
               else None)
    dates = {} if as_article else parse.listing_dates(page_url, html, tree=tree)
    unread = parse.unread_reason(page_url, html) if as_article and article is None else None
    return PageReading(article, links, dates, unread)


@contextlib.contextmanager
def _rare_garbage_collection() -> Iterator[None]:
    """Cycle collection less often while the crawl runs (the settings are restored after).

    A crawl makes many short-lived objects per page; the default thresholds ran a collection
    every 700 allocations, which cost a tenth of the CPU of a parse.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _start_parser_process() -> None:
    """Parser processes leave Ctrl-C to the crawl, which stops them itself, and yield the CPU
    to it: parsing can wait, the downloads the crawl keeps going cannot."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(PARSER_NICENESS)
    # A parse makes thousands of short-lived objects: see _rare_garbage_collection.
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


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
        self.home_theme = "unknown theme"
        self.pages_seen = 0
        self.listings_queued = 0
        self._fresh: set[str] = set()
        """URLs fetched during this run (never fetched twice in one run)."""
        self._count_lock = threading.Lock()
        self._parsers: Executor | None = None
        self._readings: dict[str, PageReading] = {}
        """Pages already parsed by a parser process, waiting for the main thread."""
        self.read_in_processes = 0
        self._queued: set[str] = set()
        """URLs known to be in the archive's queue (a few bytes each, so a set is fine)."""
        self._queued_as: dict[str, str] = {}
        """Spelling of a link -> its canonical URL, once that is in ``_queued``."""
        self._recheck: set[str] = set()
        """Stored articles the sitemap says changed since we fetched them (refresh only)."""

    # -- driver ------------------------------------------------------------------------------

    def run(self) -> None:
        finished = False
        try:
            self._claim_archive()
            self._start()
            with _rare_garbage_collection():
                self._drain_queue()
            self._check_not_empty()
            self.archive.set_state("crawl_status", "complete")
            finished = True
        finally:
            self.fetcher.close()
            self.progress.close()
        if finished:
            log.info("%s", self.progress.summary())

    def _check_not_empty(self) -> None:
        """A blog that gave no article at all, with nothing else failing to say why, is a
        failure: never a silent zero."""
        if self.archive.article_count() == 0 and not self.archive.failures():
            reason = f"no article found on the blog ({self.home_theme})"
            log.warning("Failed: %s", reason)
            self.archive.mark(self.scope.canonical(self.source.base_url), "failed", reason)

    def _claim_archive(self) -> None:
        known = self.archive.get_state("base_url")
        if known and known != self.source.base_url:
            raise ArchiveError(
                f"the archive holds another blog ({known}); "
                "use another output folder for this one"
            )
        self.archive.set_state("base_url", self.source.base_url)
        for url, _reason in self.archive.failures():
            self.archive.mark(url, "todo")  # give what failed last time another chance
        self.listings_queued = self.archive.count_urls(LISTING_KINDS)
        if self.archive.get_state("crawl_status") == "complete":
            self.refreshing = True
            self.archive.reset_kinds(LISTING_KINDS + SEED_KINDS)
            log.info("Archive already complete: checking the blog for new articles")
        self.archive.set_state("crawl_status", "running")

    def _start(self) -> None:
        home = self._fetch_home()
        self.home_theme = parse.theme_label(home.text)
        self.archive.set_blog(parse.parse_blog(home.final_url, home.text))
        base = self.source.base_url
        seeds = [(base, "listing"), (base + "rss", "feed"), (base + "sitemap.xml", "sitemap")]
        seeds += [(url, "sitemap") for url in self.fetcher.robots_sitemaps(base)]
        for url, kind in seeds:
            if self.scope.contains(url) and self.archive.enqueue(self.scope.canonical(url), kind):
                self.progress.update(discovered=1)

    def _fetch_home(self) -> Response:
        url = self.source.base_url
        stored = self.archive.get_response(url)
        try:
            response = self.fetcher.get(url, any_host=True, **_validators(stored))
        except HostUnreachable as error:
            raise HostUnreachable(url, f"the host does not answer ({error.reason})") from error
        if response.status >= 400:
            raise FetchError(url, f"the blog's home page answered HTTP {response.status}",
                             response.status)
        self._adopt_final_host(response)
        if response.status == 304 and stored is not None:
            response = stored
        if not parse.is_overblog(response.text):
            raise NotOverblogError(
                f"{url} does not look like an Overblog blog (no Overblog markup on its home page)"
            )
        self.archive.put_response(response)
        self._fresh.add(url)
        return response

    def _adopt_final_host(self, response: Response) -> None:
        """A home page that redirects (http→https, www.) tells us the blog's real address."""
        final_host = urlsplit(response.final_url).hostname
        if final_host:
            self.scope.add_alias(final_host)

    def _drain_queue(self) -> None:
        workers = max(1, self.settings.concurrency)
        window = workers * WINDOW_PER_WORKER
        pool: PriorityPool[tuple[str, str], Response | FetchError] = PriorityPool(workers, "fetch")
        in_flight: set[str] = set()
        handled = 0
        try:
            while True:
                self._fill_window(pool, in_flight, window)
                if not in_flight:
                    return
                (url, kind), future = pool.next_done()
                in_flight.discard(url)
                self._handle_safely(url, kind, _outcome(url, future))
                handled += 1
                if handled == PARSER_PROCESSES_AFTER:
                    self._parsers = _parser_pool(workers)
        except BaseException:
            # Ctrl-C or a fatal error: workers sleeping out a delay stop at once.
            self.fetcher.cancel()
            raise
        finally:
            pool.shutdown()
            if self._parsers is not None:
                self._parsers.shutdown(wait=False, cancel_futures=True)

    def _fill_window(self, pool: PriorityPool[tuple[str, str], Response | FetchError],
                     in_flight: set[str], window: int) -> None:
        """Submit the next URLs of the queue until ``window`` are in flight.

        Listings, feeds and sitemaps go first, ahead of the articles already waiting for a
        worker: walking the pagination is a chain (page N names page N+1), and the articles it
        finds keep the workers busy meanwhile.
        """
        room = window - len(in_flight)
        if room <= 0:
            return
        limit = room + len(in_flight)
        walk_first = self.archive.next_todo(kinds=LISTING_KINDS + SEED_KINDS, limit=limit)
        for url, kind in walk_first + self.archive.next_todo(limit=limit):
            if url in in_flight:
                continue
            in_flight.add(url)
            pool.submit((url, kind), partial(self._fetch_and_read, (url, kind)),
                        urgent=kind not in ARTICLE_KINDS)
            room -= 1
            if room == 0:
                return

    def _handle_safely(self, url: str, kind: str, outcome: Response | FetchError) -> None:
        """One odd page (a parser crash, say) is a failure of that URL, never of the crawl."""
        try:
            with self.archive.transaction():  # all that one page taught us, or nothing
                self._handle(url, kind, outcome)
        except (ArchiveError, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - reported per URL, crawl goes on
            log.debug("Error while reading %s", url, exc_info=True)
            self._forget_queued()  # what this page queued was rolled back
            self._failed(url, kind, f"could not read the page: {error.__class__.__name__}: "
                                    f"{str(error)[:200]}")

    # -- one URL -----------------------------------------------------------------------------

    def _fetch_and_read(
        self, item: tuple[str, str]
    ) -> Response | FetchError | Future[Response | FetchError]:
        """Runs in a worker thread: fetch, then have an article read by a parser process.

        The worker is free for the next download at once (the job ends when the page is read).
        Listing pages are read by the main thread as soon as they arrive (they are handled
        first): behind the articles waiting for a parser process they would hold up the next
        listing, and read in every worker thread they would grow each thread's memory arena.
        """
        outcome = self._fetch_one(item)
        url, kind = item
        if (
            self._parsers is None
            or kind not in ARTICLE_KINDS
            or not isinstance(outcome, Response)
            or outcome.status != 200
            or not _is_html(outcome)
        ):
            return outcome  # handled, and read if need be, by the main thread
        try:
            parsing = self._parsers.submit(read_page, outcome, self.scope, True)
        except Exception:  # noqa: BLE001 - a broken parser pool (a process killed, say)
            log.debug("No parser process for %s: read by the main thread", url, exc_info=True)
            return outcome
        return self._when_read(url, outcome, parsing)

    def _when_read(self, url: str, outcome: Response,
                   parsing: Future[PageReading]) -> Future[Response | FetchError]:
        """A Future of ``outcome`` that is done once the parser process has read the page."""
        settled: Future[Response | FetchError] = Future()

        def keep(done: Future[PageReading]) -> None:
            try:
                reading = done.result()
            except Exception:  # noqa: BLE001 - the main thread reads it again and reports
                log.debug("Parser process failed on %s", url, exc_info=True)
            else:
                with self._count_lock:
                    self._readings[url] = reading
                    self.read_in_processes += 1
            settled.set_result(outcome)

        parsing.add_done_callback(keep)
        return settled

    def _reading(self, url: str, response: Response, as_article: bool) -> PageReading:
        """The page as read by a parser process, or read here and now."""
        with self._count_lock:
            reading = self._readings.pop(url, None)
        if reading is None:
            reading = read_page(response, self.scope, as_article)
        return reading

    def _fetch_one(self, item: tuple[str, str]) -> Response | FetchError:
        """Runs in a worker thread: the stored answer, or a (conditional) fetch."""
        url, kind = item
        stored = self.archive.get_response(url)
        if stored is not None and not self._must_revalidate(url, kind):
            self.progress.update(from_archive=1)
            return stored
        if not self._take_page_budget():
            return FetchError(url, f"page limit reached ({self.settings.max_pages} pages)")
        try:
            response = self.fetcher.get(
                url, allowed_hosts=self.scope.hosts_with_www(), known=self._stored_page,
                **_validators(stored),
            )
        except FetchError as error:
            return error
        with self._count_lock:
            self._fresh.add(url)
        if response.status == 304 and stored is not None:
            self.progress.update(from_archive=1)
            return stored
        self.archive.put_response(response)
        self._store_under_final_url(response)
        self.progress.update(fetched=1)
        return response

    def _stored_page(self, url: str) -> Response | None:
        """A page already stored (200), so that a redirect to it costs no request."""
        if not self.scope.contains(url):
            return None
        stored = self.archive.get_response(self.scope.canonical(url))
        return stored if stored is not None and stored.status == 200 else None

    def _store_under_final_url(self, response: Response) -> None:
        """After a redirect, the target's own queue entry must find the page stored."""
        if response.final_url == response.url or response.status != 200:
            return
        if not self.scope.contains(response.final_url):
            return
        target = self.scope.canonical(response.final_url)
        if not self.archive.has_response(target):
            self.archive.put_response(replace(response, url=target, final_url=target))

    def _must_revalidate(self, url: str, kind: str) -> bool:
        """On a refresh, listings, feeds, sitemaps and changed articles are asked again."""
        if not self.refreshing:
            return False
        with self._count_lock:
            if url in self._fresh:
                return False
            return kind in LISTING_KINDS + SEED_KINDS or url in self._recheck

    def _take_page_budget(self) -> bool:
        with self._count_lock:
            if self.pages_seen >= self.settings.max_pages:
                return False
            self.pages_seen += 1
            return True

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
        elif not _is_html(response):
            reason = f"not an HTML page ({response.content_type or 'no Content-Type'})"
            if kind in ("post", "page"):  # an article address that gives no article: a loss
                self._failed(url, kind, f"{reason}: no article")
            else:
                self.archive.mark(url, "skipped", reason)
            return
        elif kind in LISTING_KINDS:
            reading = self._reading(url, response, as_article=False)
            self._remember_listing_dates(reading.dates)
            self._enqueue_links(reading.links)
            self._enqueue_page_after(url, reading.links)
        else:
            reading = self._reading(url, response, as_article=True)
            self._handle_article(url, response, reading)
            if reading.article is None and reading.unread:
                self._failed(url, kind, reading.unread)
                return
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
        if self.refreshing:
            self._recheck_changed(discover.sitemap_lastmods(response.content))

    def _recheck_changed(self, lastmods: dict[str, str]) -> None:
        """Queue again the stored articles modified (says the sitemap) after we fetched them."""
        for page, lastmod in lastmods.items():
            if not self.scope.contains(page):
                continue
            url = self.scope.canonical(page)
            stored = self.archive.get_response(url)
            if stored is None or not _later(lastmod, stored.fetched_at):
                continue
            if self.archive.url_state(url) == "done":
                with self._count_lock:
                    self._recheck.add(url)
                self.archive.mark(url, "todo")
                log.debug("Changed since the last run: %s", url)

    def _enqueue_links(self, links: discover.Links) -> None:
        for url in links.articles:
            self._enqueue(url)
        for url in links.listings:
            self._enqueue(url)

    def _forget_queued(self) -> None:
        self._queued.clear()
        self._queued_as.clear()

    def _enqueue_page_after(self, url: str, links: discover.Links) -> None:
        """Walk pagination two pages at a time (see ``discover.page_after``)."""
        for link in links.listings:
            guess = discover.page_after(url, link)
            if guess is not None:
                self._enqueue(guess)

    def _enqueue(self, url: str, kind: str | None = None) -> str | None:
        """Queue an in-scope URL; its canonical spelling, or None when it is not to be walked.

        Listing pages (pagination, tags, archives) are bounded by ``max_listing_pages``: a
        calendar or pagination trap ends there.
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
        kind = kind or discover.classify(url)
        if kind in ("skip", "feed") or kind == "sitemap":
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

    def _handle_article(self, url: str, response: Response, reading: PageReading) -> None:
        article = reading.article
        if article is not None:
            self._settle_identity(article, url, response)
            self._apply_fallback_dates(article)
            self._store(article, url, response.final_url)
        # Pages that are not one article (a listing reached through a root-level link, say)
        # are still a source of links.
        self._enqueue_links(reading.links)

    def _settle_identity(self, article: Article, url: str, response: Response) -> None:
        """One canonical URL per article; every other address that served it is an alias."""
        canonical = self.scope.canonical(article.url)
        if not self.scope.contains(article.url):
            canonical = self.scope.canonical(response.final_url)
        addresses = {self.scope.canonical(a) for a in [url, response.final_url, *article.aliases]}
        article.url = canonical
        article.aliases = sorted(addresses - {canonical})

    def _remember_listing_dates(self, dates: dict[str, tuple[str, bool]]) -> None:
        for key, (iso, has_time) in dates.items():
            self.archive.set_state(f"listing_date:{key}", f"{iso}|{int(has_time)}")

    def _apply_fallback_dates(self, article: Article) -> None:
        """An undated page (or one dated only by its URL month) takes the date its listing
        page showed, else the feed's (STRUCTURE.md §2, rule 3); never "now". A page that shows
        only the day takes the time a listing or the feed gives for that same day."""
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
            value = self.archive.get_state(f"listing_date:{key}")
            if value:
                iso, _, has_time = value.rpartition("|")
                dates[key] = (iso, has_time == "1")
        return dates

    def _add_time_of_day(self, article: Article, dates: dict[str, tuple[str, bool]]) -> None:
        timed = [(iso, "listing") for iso, has_time in dates.values() if has_time]
        feed = self.archive.get_state(f"feed_date:{article.url}")
        if feed:
            timed.append((feed, "feed"))
        day = (article.published or "")[:10]
        for iso, source in timed:
            if _local_day(iso) == day:
                article.published, article.published_source = _paris_iso(iso), source
                article.date_precision = "second"
                return

    def _apply_feed_date(self, article: Article) -> None:
        published = self.archive.get_state(f"feed_date:{article.url}")
        if published:
            article.published = published
            article.published_source = "feed"
            article.date_precision = "second"

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
            self.archive.enqueue(article.url, article.kind)
            self.archive.mark(article.url, "done")


def _local_day(iso: str) -> str | None:
    """The Europe/Paris calendar day (YYYY-MM-DD) of an ISO datetime."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(PARIS).date().isoformat()


def _paris_iso(iso: str) -> str:
    """The datetime in Europe/Paris time, as the page would have shown it."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (moment.astimezone(PARIS) if moment.tzinfo else moment.replace(tzinfo=PARIS)
            ).isoformat()


def _same_content(one: Article, other: Article) -> bool:
    return one.title == other.title and one.body_html == other.body_html


def _outcome(url: str, future: Future[Response | FetchError]) -> Response | FetchError:
    """What a worker brought back; an unexpected error there fails this URL, not the crawl
    (an archive error still stops it: nothing can be stored any more)."""
    error = future.exception()
    if error is None:
        return future.result()
    if isinstance(error, ArchiveError):
        raise error
    log.debug("Worker error on %s", url, exc_info=error)
    return FetchError(url, f"unexpected error: {error.__class__.__name__}: {str(error)[:200]}")


def _validators(stored: Response | None) -> dict[str, str | None]:
    """Conditional-request arguments for ``Fetcher.get`` from a stored answer."""
    if stored is None or stored.status != 200:
        return {"etag": None, "last_modified": None}
    headers = stored.headers
    return {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}


def _is_html(response: Response) -> bool:
    """HTML by its Content-Type or, when the server sent none, by its first bytes."""
    if "html" in response.content_type:
        return True
    if response.content_type not in ("", "application/octet-stream", "text/plain"):
        return False
    start = response.content[:1024].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<html" in start


def _parser_pool(workers: int) -> Executor | None:
    """Parser processes when there is more than one CPU and more than one worker."""
    processes = min(workers, os.cpu_count() or 1)
    if processes < 2:
        return None
    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_parser_process,
    )


def _later(lastmod: str, fetched_at: str) -> bool:
    """True when a sitemap ``<lastmod>`` (W3C date, maybe date-only) is after ``fetched_at``."""
    try:
        changed = datetime.fromisoformat(lastmod.strip().replace("Z", "+00:00"))
        fetched = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=timezone.utc)
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=timezone.utc)
    return changed > fetched
