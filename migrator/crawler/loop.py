"""The crawl loop: from the blog's home page to an archive that holds every article.

``Crawler.run`` claims the archive (one blog per archive; what failed last time is tried again,
first; a finished crawl is refreshed), fetches the home page (the blog must answer and be
Overblog's: only then is the archive bound to the blog), seeds the queue (home, feed, sitemaps)
and drains it: up to ``2 × workers`` URLs are in flight in the scheduler's worker threads while
this thread handles each page as it arrives, one archive transaction per page (all that one
page taught, or nothing), listings first. The media of each stored article go to the
downloader (``media.download``), whose jobs share the scheduler: images are downloaded beside
the pages, each host in its own queue, and the queue is drained when both pages and media are
done. The URLs whose retries ran out are tried once more at the end, after a pause
(``LastChance``). A page that breaks something is a failure of that URL, never of the crawl;
an archive error stops it.

Who does what: ``Frontier`` (what to fetch next), ``PageFetcher`` (the stored answer or a
fetch, in a worker thread), ``Scheduler`` (threads and parser processes), ``PageHandler``
(what a page teaches, by kind), ``ArticleSettler`` (an article's address, dates and merge),
``RefreshPolicy`` (what a second run asks again). All crawl state lives in the archive, the
queue included: a crawl stopped at any point continues where it stopped.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING

from .. import parse
from ..archive import Archive
from ..errors import ArchiveError, FetchError, UsageError
from ..fetch import Fetcher
from ..fetch.politeness import hostname
from ..progress import Progress
from ..response import Response
from ..settings import CrawlSettings
from ..source import Source
from ..urls import READ_AS_ARTICLE, Scope, UrlKind
from .fetching import PageFetcher
from .frontier import WALK_FIRST, Frontier
from .pages import PageHandler
from .reading import PageReading, read_page
from .refresh import RefreshPolicy
from .retry import LastChance
from .scheduler import GC_THRESHOLDS, Scheduler
from .settle import ArticleSettler

if TYPE_CHECKING:  # the downloader is handed in by the pipeline (it imports the crawler)
    from ..media.download import MediaDownloader

__all__ = ["Crawler"]

log = logging.getLogger(__name__)

WINDOW_PER_WORKER = 2
ETA_EVERY = 1.0
"""Seconds between two estimates of the time left."""
Fetched = tuple[Response | FetchError, PageReading | None]
"""What a worker brings back: the page (or why not), and its reading when a parser process
read it."""


@contextlib.contextmanager
def _rare_garbage_collection() -> Iterator[None]:
    """Cycle collection less often while the crawl runs (see ``scheduler.GC_THRESHOLDS``)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class Crawler:
    """One crawl of ``source`` into ``archive``.

    ``fetcher`` and ``scheduler`` are shared with the rest of the crawl stage when given (the
    pipeline downloads media with them); by default the crawler makes its own and closes them
    at the end of ``run``. ``media``: the downloader the stored articles' media go to (built
    on the same fetcher and scheduler; None: no media downloaded).
    """

    def __init__(self, source: Source, archive: Archive, settings: CrawlSettings,
                 progress: Progress | None = None, *, fetcher: Fetcher | None = None,
                 scheduler: Scheduler | None = None,
                 media: MediaDownloader | None = None) -> None:
        self.source = source
        self.archive = archive
        self.settings = settings
        self.progress = progress or Progress(enabled=False)
        self._own_fetcher, self._own_scheduler = fetcher is None, scheduler is None
        self.fetcher = fetcher or Fetcher(settings, source.transport(settings))
        self.scheduler = scheduler or Scheduler(settings.concurrency, name="fetch")
        if self.scheduler.slots is None:
            self.scheduler.slots = self.fetcher.hosts  # each host's next slot picks the job
        self.scope = Scope.for_base_url(source.base_url)
        self.refresh = RefreshPolicy()
        self.frontier = Frontier(archive, self.scope, settings, self.progress)
        self.pages = PageFetcher(archive, self.fetcher, self.scope, self.refresh, settings,
                                 self.progress)
        self.settler = ArticleSettler(archive, self.scope, self.progress)
        self.media = media
        self.handler = PageHandler(archive, self.scope, self.frontier, self.refresh,
                                   self.settler, self.progress, media)
        self.last_chance = LastChance(archive, self.fetcher, settings, self.progress)
        self.home_theme = "unknown theme"
        self.read_in_processes = 0
        """Pages the crawl took as a parser process read them."""
        self._estimated_at: float | None = None

    def run(self) -> None:
        finished = False
        started = time.monotonic()
        try:
            self._claim_archive()
            self._start()
            if self.media is not None:
                self.media.add_hosts(self.scope.hosts_with_www())
                self.media.start()  # what an earlier run left, and older archives' media
                self.media.hold_thumbnails()
            with _rare_garbage_collection():
                self._drain_queue()
                if self.last_chance.requeue():
                    self._drain_queue()
                    self.last_chance.settle()
            if self.media is not None:
                self.media.finish()
            self._check_not_empty()
            self.archive.set_crawl_status("complete")
            finished = True
        finally:
            if self._own_scheduler:
                self.scheduler.shutdown()
            if self._own_fetcher:
                self.fetcher.close()
            waited = Counter(self.fetcher.hosts.waited)  # in a turn, and for a turn
            waited.update(self.scheduler.slept)
            self.progress.finished(time.monotonic() - started, dict(waited))
            self.progress.close()
        if finished:
            log.info("%s", self.progress.summary())

    # -- before and after ------------------------------------------------------------------

    @property
    def recovered(self) -> int:
        """URLs whose retries ran out and that were fetched at the end of the crawl."""
        return self.last_chance.recovered

    def _claim_archive(self) -> None:
        """Decision (issue 12): an archive is bound to a blog once that blog's home page was
        fetched and recognised (``_start``): a run that failed on a wrong address leaves
        nothing that refuses the right one."""
        known = self.archive.base_url
        if known and known != self.source.base_url and self.archive.get_blog() is not None:
            raise UsageError(
                f"the archive holds another blog ({known}); "
                "use another output folder for this one"
            )
        # what failed last time gets another chance, first
        self.frontier.put_first(self.last_chance.begin())
        self.refresh.begin(self.archive)
        urls = self.archive.url_counts()  # an earlier run's URLs: done ones not walked again
        self.progress.update(discovered=sum(urls.values()), earlier=urls["done"])
        self.archive.set_crawl_status("running")
        # until the media stage ends (the pipeline's), the archive says its media are not all
        # there; set only once the archive is known to be this blog's
        self.archive.set_media_status("running" if self.settings.download_images else "skipped")

    def _start(self) -> None:
        home = self.pages.fetch_home(self.source.base_url, self.source.pages)
        self.archive.set_base_url(self.source.base_url)
        self.home_theme = parse.theme_label(home.text)
        self.archive.set_blog(parse.parse_blog(home.final_url, home.text))
        base = self.source.base_url
        seeds = [(base, UrlKind.LISTING), (base + "rss", UrlKind.FEED),
                 (base + "sitemap.xml", UrlKind.SITEMAP)]
        seeds += [(url, UrlKind.SITEMAP) for url in self.fetcher.robots_sitemaps(base)]
        for url, kind in seeds:
            self.frontier.seed(url, kind)
        for url in self.source.pages:  # a saved copy: every page it holds, as if linked
            self.frontier.enqueue(url)

    def _check_not_empty(self) -> None:
        """A blog that gave no article at all, with nothing else failing to say why, is a
        failure: never a silent zero."""
        if self.archive.article_count() == 0 and not self.archive.failures():
            reason = f"no article found on the blog ({self.home_theme})"
            log.warning("Failed: %s", reason)
            self.archive.mark(self.scope.canonical(self.source.base_url), "failed", reason)

    # -- the queue -------------------------------------------------------------------------

    def _drain_queue(self) -> None:
        """Pages (listings first) and media, until both are done."""
        window = self.scheduler.workers * WINDOW_PER_WORKER
        in_flight: set[str] = set()
        pages_done = False
        try:
            while True:
                if not pages_done:
                    hungry = self._media_hungry()
                    for url, kind in self.frontier.next_urls(in_flight, window - len(in_flight),
                                                             article_first=hungry):
                        in_flight.add(url)
                        ahead = hungry and kind not in WALK_FIRST
                        hungry = hungry and not ahead
                        self.scheduler.submit(partial(self._fetch_and_read, url, kind),
                                              partial(self._arrived, in_flight, url, kind),
                                              urgent=kind in WALK_FIRST, ahead=ahead,
                                              host=hostname(url), url=url)
                    if not in_flight:  # nothing left to fetch: only media can follow
                        pages_done = True
                        self.scheduler.stop_parsing()  # every page is read
                        if self.media is not None:
                            self.media.release_thumbnails()
                        with self.archive.transaction():
                            self.settler.settle_late_dates()
                if self.media is not None:
                    self.media.feed()
                self._estimate(pages_done)
                if not self.scheduler.in_flight:
                    return
                self.scheduler.handle_next()
        except BaseException:
            # Ctrl-C or a fatal error: workers sleeping out a delay stop at once.
            self.fetcher.cancel()
            raise
        finally:
            self.scheduler.stop_parsing()

    def _media_hungry(self) -> bool:
        """True when the media hosts are about to run out of work: an article, which gives
        them more, then goes ahead of the listings (a host without work is time lost for
        good under politeness; the listings' chain only feeds the blog's own host)."""
        if self.media is None:
            return False
        return sum(self.media.remaining().values()) < self.scheduler.workers + 2

    def _estimate(self, pages_done: bool) -> None:
        """The time left: the busiest host's remaining requests × its pace (every host is
        its own queue under politeness), at most once a second."""
        now = time.monotonic()
        if self._estimated_at is not None and now - self._estimated_at < ETA_EVERY:
            return
        self._estimated_at = now
        left: Counter[str] = Counter()
        if not pages_done:
            left[self.scope.host] += self.archive.url_counts()["todo"]
        if self.media is not None:
            left.update(self.media.remaining())
        hosts = self.fetcher.hosts
        workers = self.scheduler.workers
        self.progress.set_eta(max(
            (count * hosts.pace(host) / (1 if hosts.spaced(host) else workers)
             for host, count in left.items()), default=0.0))

    def _arrived(self, in_flight: set[str], url: str, kind: UrlKind,
                 future: Future[Fetched]) -> None:
        """A page is in (the scheduler calls this in this thread): handle it."""
        in_flight.discard(url)
        outcome, reading = _outcome(url, future)
        if isinstance(outcome, FetchError):
            self.last_chance.note(url, kind, outcome)
        if reading is not None:
            self.read_in_processes += 1
        self._handle_safely(url, kind, outcome, reading)
        self.scheduler.pages_handled()

    def _handle_safely(self, url: str, kind: UrlKind, outcome: Response | FetchError,
                       reading: PageReading | None) -> None:
        """One odd page (a parser crash, say) is a failure of that URL, never of the crawl."""
        try:
            with self.archive.transaction():  # all that one page taught us, or nothing
                self.handler.handle(url, kind, outcome, reading)
        except (ArchiveError, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - reported per URL, crawl goes on
            log.debug("Error while reading %s", url, exc_info=True)
            self.frontier.forget()  # what this page queued was rolled back
            self.handler.failed(url, kind, f"could not read the page: "
                                           f"{error.__class__.__name__}: {str(error)[:200]}")

    # -- in a worker thread ----------------------------------------------------------------

    def _fetch_and_read(self, url: str, kind: UrlKind) -> Fetched | Future[Fetched]:
        """Fetch, then have an article read by a parser process if there is one.

        The worker is free for the next download at once (the job ends when the page is read).
        Listing pages are read by the crawl's own thread as soon as they arrive (they are
        handled first): behind the articles waiting for a parser process they would hold up
        the next listing, and read in every worker thread they would grow each thread's
        memory arena.
        """
        outcome = self.pages.fetch(url, kind)
        if (kind not in READ_AS_ARTICLE or not isinstance(outcome, Response)
                or outcome.status != 200 or not outcome.is_html()):
            return outcome, None
        parsing = self.scheduler.parse(read_page, outcome, self.scope, True)
        if parsing is None:
            return outcome, None
        return _when_read(url, outcome, parsing)


def _when_read(url: str, outcome: Response, parsing: Future[PageReading]) -> Future[Fetched]:
    """A Future of the page and its reading, done once the parser process has read it (a
    failed reading is None: the crawl's thread reads the page again and reports)."""
    settled: Future[Fetched] = Future()

    def keep(done: Future[PageReading]) -> None:
        try:
            reading: PageReading | None = done.result()
        except Exception:  # noqa: BLE001 - read again by the crawl's thread
            log.debug("Parser process failed on %s", url, exc_info=True)
            reading = None
        settled.set_result((outcome, reading))

    parsing.add_done_callback(keep)
    return settled


def _outcome(url: str, future: Future[Fetched]) -> Fetched:
    """What a worker brought back; an unexpected error there fails this URL, not the crawl
    (an archive error still stops it: nothing can be stored any more)."""
    error = future.exception()
    if error is None:
        return future.result()
    if isinstance(error, ArchiveError):
        raise error
    log.debug("Worker error on %s", url, exc_info=error)
    return FetchError(url, f"unexpected error: {error.__class__.__name__}: "
                           f"{str(error)[:200]}"), None

