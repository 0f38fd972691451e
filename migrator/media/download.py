"""Download the images and attached files of the articles into ``<archive>/media/``, during the
crawl: one Overblog file, one download.

The crawl hands every article it stores to ``add`` (with the image URLs its page gave, as
given: ``identity.page_image_urls``); each file it shows (``identity.file_key``: every size,
host and wrapper of one upload is one file) is recorded as pending in the archive, in the
page's transaction (a crawl killed at any moment resumes them: ``start``), with every URL known
for it and its rank. Each pending file is one queue entry on the host of its best URL not asked
yet; ``feed`` submits a few per host to the crawl's ``Scheduler`` (jobs of the same workers and
``Fetcher`` as the pages: per-host delay, robots.txt, retries, ``Retry-After``), so images are
downloaded beside the pages, each host at its own pace.

What is asked, best first: the full URL a page gave (``a.ob-link-img[href]``, signed for
``filters:no_upscale()`` alone), then a size-stripped alternative (the kiwi path of an
image.over-blog.com file, an unsigned URL without its size), then a thumbnail as the page gave
it; each URL at most once per run. The first that gives a file is stored, and the file is
never a failure then: a failure is a file no version of which could be stored. A thumbnail is
asked only once the crawl has read every page (``hold_thumbnails``: another post may show the
same file in full), and replaced once when a better URL of the same file turns up later (the
user wants the full resolution; a stripped or full copy is never downloaded again). Storing
and naming: ``files.MediaFiles`` (names settled at the end, whatever the order downloads
finished in).

Only Overblog media hosts and the blog's own hosts are fetched; images hosted elsewhere are
recorded as "skipped" and keep their URL.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from ..archive import Archive, MediaRecord
from ..crawler.scheduler import Scheduler
from ..errors import FetchError
from ..fetch import Fetcher, Transport
from ..fetch.politeness import hostname
from ..model import Article
from ..progress import Progress
from ..response import Response
from ..settings import CrawlSettings
from .files import MediaFiles, media_file_name
from .identity import STRIPPED, THUMBNAIL, file_key, versions
from .urls import MEDIA_HOSTS, body_file_links, is_overblog_media_host

__all__ = ["MediaDownloader", "MediaStats", "blog_hosts", "media_file_name", "media_references"]

log = logging.getLogger(__name__)

DOWNLOADS_AHEAD = 2
"""Downloads queued per host in the scheduler beyond one per worker (the rest wait here)."""

Outcome = Response | FetchError


@dataclass
class MediaStats:
    files: int = 0
    """Files met in this run (those on other hosts left out)."""
    stored: int = 0
    """Of those, the files stored (now or by an earlier run)."""
    downloaded: int = 0
    """Copies written."""
    reused: int = 0
    """Copies whose bytes were already stored for another file."""
    already: int = 0
    """Files stored by an earlier run (not fetched again)."""
    upgraded: int = 0
    """Thumbnails replaced by the full file."""
    skipped: int = 0
    requests: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    met: dict[str, bool] = field(default_factory=dict, repr=False)
    """Files met in this run → whether their copy is counted as stored."""

    def meet(self, key: str, stored: bool) -> bool:
        """Count a file met (``stored``: by an earlier run); False if it was met already."""
        if key in self.met:
            return False
        self.met[key] = stored
        self.files += 1
        self.stored += stored
        self.already += stored
        return True

    def skip(self, key: str) -> None:
        if key not in self.met:
            self.met[key] = False
            self.skipped += 1

    def copy_stored(self, key: str, upgrade: bool, written: bool) -> bool:
        """Count a copy stored; True if it is the file's first (the file is now stored)."""
        self.upgraded += upgrade
        self.downloaded += written
        self.reused += not written
        if self.met.get(key):
            return False
        self.met[key] = True
        self.stored += 1
        return True

    def line(self) -> str:
        return (f"Media: {self.files} files, {self.stored} stored ({self.downloaded} downloaded, "
                f"{self.already} already there, {self.reused} duplicates, {self.upgraded} "
                f"thumbnails replaced), {self.skipped} elsewhere, {len(self.failed)} failed, "
                f"{self.requests} requests")


@dataclass(slots=True)
class _Plan:
    """A file being downloaded: its URLs with their ranks, what is stored, what failed."""

    key: str
    versions: dict[str, int]
    stored: int = 0
    """Rank of the stored copy (0: none)."""
    tried: list[tuple[str, str]] = field(default_factory=list)

    def next_url(self, asked: set[str]) -> str | None:
        """The best URL of the file not ``asked`` yet that could improve what is stored (a
        stored full or size-stripped copy is the original file: nothing more is asked)."""
        if self.stored >= STRIPPED:
            return None
        left = [(rank, url) for url, rank in self.versions.items()
                if url not in asked and rank > self.stored]
        if not left:
            return None
        return min(left, key=lambda item: (-item[0], item[1]))[1]


def blog_hosts(archive: Archive) -> set[str]:
    """The blog's own host names (with and without ``www.``), from its articles and base URL."""
    hosts: set[str] = set()
    urls = [archive.base_url or ""]
    blog = archive.get_blog()
    if blog is not None:
        urls.append(blog.url)
    for article in archive.iter_articles():
        urls += [article.url, *article.aliases]
    for url in urls:
        _add_host(hosts, url)
    return hosts


def _add_host(hosts: set[str], url: str) -> None:
    host = (urlsplit(url).hostname or "").lower()
    if host:
        bare = host.removeprefix("www.")
        hosts.update({bare, "www." + bare})


def media_references(article: Article) -> list[str]:
    """Every media URL an article shows (images, cover, files linked from its body), as the
    article has it, each once."""
    urls = [image.url for image in article.images]
    if article.cover_image:
        urls.append(article.cover_image)
    urls += [url for url, _text in body_file_links(article.body_html)]
    return [u for u in dict.fromkeys(u.strip() for u in urls) if u]


class MediaDownloader:
    """The crawl stage's media: ``start``, then ``add`` per stored article and ``feed`` as
    the crawl loop turns, then ``finish``; or ``run`` for an archive already crawled.

    ``fetcher`` and ``scheduler``: the crawl's (shared per-host queues and workers); by default
    the downloader makes its own from ``settings`` and ``transport`` (``run`` closes them).
    ``hosts``: the blog's own hosts (default: from the archive's articles).
    """

    def __init__(self, archive: Archive, settings: CrawlSettings,
                 transport: Transport | None = None, fetcher: Fetcher | None = None,
                 scheduler: Scheduler | None = None, *, hosts: Iterable[str] | None = None,
                 progress: Progress | None = None) -> None:
        self.archive = archive
        self.settings = settings
        self._own_fetcher, self._own_scheduler = fetcher is None, scheduler is None
        self.fetcher = fetcher or Fetcher(settings, transport)
        self.scheduler = scheduler or Scheduler(settings.concurrency, name="media",
                                                slots=self.fetcher.hosts)
        self.progress = progress or Progress(enabled=False)
        self.files = MediaFiles(archive)
        self.stats = MediaStats()
        self._hosts: set[str] | None = set(hosts) if hosts is not None else None
        self._plans: dict[str, _Plan] = {}
        self._waiting: dict[str, deque[str]] = {}
        """Host → keys of the files whose next URL is on that host, not submitted yet."""
        self._submitted: Counter[str] = Counter()
        self._asked: set[str] = set()
        """URLs asked in this run (each at most once)."""
        self._held: deque[str] | None = None
        """Keys of the files whose next URL is a thumbnail, while the pages are being read."""

    @property
    def hosts(self) -> set[str]:
        """The blog's own hosts: media there are fetched too."""
        if self._hosts is None:
            self._hosts = blog_hosts(self.archive)
        return self._hosts

    def add_hosts(self, hosts: Iterable[str]) -> None:
        """More hosts of the blog (the crawl learns them from its home page)."""
        self.hosts.update(hosts)

    # -- the crawl's side ------------------------------------------------------------------

    def hold_thumbnails(self) -> None:
        """Ask no thumbnail until ``release_thumbnails``: a page not read yet may give the same
        file in full (one file, one download)."""
        if self._held is None:
            self._held = deque()

    def release_thumbnails(self) -> None:
        """Every page is read: the thumbnails held are asked now (unless a better URL came)."""
        held, self._held = self._held or deque(), None
        for key in held:
            plan = self._plans.get(key)
            if plan is not None:
                self._queue(plan)

    def start(self) -> None:
        """Resume what an earlier run left: pending and failed files, stored files whose copy
        is gone, and articles stored before their files were indexed (older archives)."""
        self.files.make_folder()
        again = [r.key for status in ("pending", "failed") for r in self.archive.iter_media(status)]
        for record in self.archive.iter_media("done"):
            if self.files.has(record):
                self._meet(record.key, stored=True)
            else:
                again.append(record.key)
        for key in again:
            known = {u.url: u.rank for u in self.archive.media_urls(key) if u.status != "skipped"}
            self._consider(key, known, self.hosts)
        for article in self.archive.iter_articles():
            if any(self.archive.get_media(url) is None for url in media_references(article)):
                self.add(article)

    def add(self, article: Article, seen: Iterable[str] | None = None) -> None:
        """Plan the files of a stored article. ``seen``: the image URLs its page gave, as
        given (None: no page read, every URL of the article is taken as given)."""
        given = None if seen is None else set(seen)
        found: dict[str, dict[str, int]] = {}
        for url in media_references(article):
            ranks = found.setdefault(file_key(url), {})
            _merge(ranks, dict(versions(url, seen=given is None or url in given)))
        for url in sorted(given or ()):
            ranks_of = found.get(file_key(url))
            if ranks_of is not None:
                _merge(ranks_of, dict(versions(url, seen=True)))
        allowed = set(self.hosts)
        for url in (article.url, *article.aliases):
            _add_host(allowed, url)
        for key in sorted(found):
            self._consider(key, found[key], allowed)

    def feed(self) -> int:
        """Submit the next downloads, up to a few per host; returns how many."""
        window = self.scheduler.workers + DOWNLOADS_AHEAD
        submitted = 0
        for host in list(self._waiting):
            keys = self._waiting.get(host, deque())
            while keys and self._submitted[host] < window:
                plan = self._plans[keys.popleft()]
                url = plan.next_url(self._asked)
                if url is None:
                    self._settle(plan)
                elif self._hold(plan, url):
                    continue
                elif hostname(url) != host:  # a better URL on another host turned up
                    self._waiting.setdefault(hostname(url), deque()).append(plan.key)
                else:
                    self._submit(plan, url, host)
                    submitted += 1
            if not keys:
                self._waiting.pop(host, None)
        return submitted

    def remaining(self) -> dict[str, int]:
        """Downloads still to make (at least one per file), per host."""
        left = Counter({host: len(keys) for host, keys in self._waiting.items()})
        left.update(self._submitted)
        return {host: count for host, count in left.items() if count > 0}

    def finish(self) -> MediaStats:
        """After the last download: settle the file names."""
        self.files.settle_names()
        log.info("%s", self.stats.line())
        return self.stats

    def run(self) -> MediaStats:
        """Download every file of the archived articles (no crawl)."""
        try:
            self.start()
            while True:
                self.feed()
                if not self.scheduler.in_flight:
                    break
                self.scheduler.handle_next()
            return self.finish()
        finally:
            if self._own_scheduler:
                self.scheduler.shutdown()
            if self._own_fetcher:
                self.fetcher.close()

    # -- one file ----------------------------------------------------------------------------

    def _consider(self, key: str, found: dict[str, int], allowed: set[str]) -> None:
        """A file met (by an article, or left by an earlier run): plan what to ask for it."""
        if not found:
            return
        fetchable = {u: r for u, r in found.items() if _fetchable(u, allowed)}
        if not fetchable:
            self._skip(key, found)
            return
        for url, rank in fetchable.items():
            self.archive.know_media_url(url, key, rank)
        plan = self._plans.get(key)
        if plan is not None:
            _merge(plan.versions, fetchable)
            return
        record = self.archive.get_media_file(key)
        stored = 0
        if record is not None and self.files.has(record):
            stored = record.rank or THUMBNAIL
        self._meet(key, stored > 0)
        versions_known = {u.url: u.rank for u in self.archive.media_urls(key)
                          if u.status != "skipped"}
        plan = _Plan(key, _merge(versions_known, fetchable), stored)
        if plan.next_url(self._asked) is None:
            # Stored well enough, or failed in this run with nothing new to ask.
            if not stored and (record is None or record.status != "failed"):
                self._plans[key] = plan
                self._settle(plan)
            return
        if record is None or record.status not in ("pending", "done"):
            best = max(fetchable.items(), key=lambda item: (item[1], item[0]))
            self.archive.put_media(MediaRecord(best[0], "pending", key=key, rank=best[1]))
        self._plans[key] = plan
        self._queue(plan)

    def _meet(self, key: str, stored: bool) -> None:
        if self.stats.meet(key, stored):
            self.progress.update(media_files=1, media_stored=int(stored))

    def _skip(self, key: str, found: dict[str, int]) -> None:
        self.stats.skip(key)
        _record_skipped(self.archive, key, found)

    def _queue(self, plan: _Plan) -> None:
        url = plan.next_url(self._asked)
        if url is None:
            self._settle(plan)
        else:
            self._waiting.setdefault(hostname(url), deque()).append(plan.key)

    def _hold(self, plan: _Plan, url: str) -> bool:
        if self._held is None or plan.versions.get(url, THUMBNAIL) > THUMBNAIL:
            return False
        self._held.append(plan.key)
        return True

    def _submit(self, plan: _Plan, url: str, host: str) -> None:
        self._asked.add(url)
        self._submitted[host] += 1
        self.stats.requests += 1
        self.scheduler.submit(partial(self._fetch, url, self.hosts | MEDIA_HOSTS),
                              partial(self._done, plan, url, host), host=host, url=url)

    def _fetch(self, url: str, redirects: set[str]) -> Outcome:
        """Runs in a worker thread."""
        try:
            return self.fetcher.get(url, allowed_hosts=redirects)
        except FetchError as error:
            return error

    def _done(self, plan: _Plan, url: str, host: str, future: Future[Outcome]) -> None:
        """A download finished (called in the crawl's thread): store it, or ask the next URL."""
        self._submitted[host] -= 1
        error = future.exception()
        outcome = future.result() if error is None else FetchError(
            url, f"unexpected error: {error.__class__.__name__}: {str(error)[:200]}")
        reason = _failure_reason(outcome)
        if reason is not None:
            log.debug("Media URL refused: %s (%s)", url, reason)
            self.archive.put_media_url(url, "failed", reason)
            plan.tried.append((url, reason))
        else:
            assert isinstance(outcome, Response)
            rank = plan.versions.get(url, THUMBNAIL)
            written = self.files.store(plan.key, url, rank, outcome)
            if self.stats.copy_stored(plan.key, upgrade=plan.stored > 0, written=written):
                self.progress.update(media_stored=1)
            plan.stored = rank
        self._queue(plan)

    def _settle(self, plan: _Plan) -> None:
        """Nothing more to ask for this file: it is stored, or it failed."""
        del self._plans[plan.key]
        if plan.stored:
            return
        best = max(plan.versions.items(), key=lambda item: (item[1], item[0]))[0]
        reason = _summary(plan.tried) if plan.tried else "no URL of it can be asked"
        log.warning("Media not downloaded: %s (%s)", best, reason)
        self.archive.put_media(MediaRecord(best, "failed", reason=reason, key=plan.key,
                                           rank=plan.versions[best]))
        self.stats.failed.append((best, reason))
        self.progress.update(media_failed=1)


def _record_skipped(archive: Archive, key: str, found: dict[str, int]) -> None:
    """A file on a host we do not fetch: its URLs are recorded as skipped (and the file, unless
    an earlier run stored it)."""
    url = min(found)
    for version, rank in found.items():
        archive.know_media_url(version, key, rank)
        archive.put_media_url(version, "skipped", "external host")
    record = archive.get_media_file(key)
    if record is None or record.status != "done":
        archive.put_media(MediaRecord(url, "skipped", reason=f"external host {hostname(url)}",
                                      key=key, rank=found[url]))


def _merge(ranks: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    """``ranks`` with ``more`` added (the higher rank of a URL kept)."""
    for url, rank in more.items():
        ranks[url] = max(rank, ranks.get(url, 0))
    return ranks


def _fetchable(url: str, allowed: set[str]) -> bool:
    host = hostname(url)
    return is_overblog_media_host(host) or host in allowed


def _summary(tried: list[tuple[str, str]]) -> str:
    """The reason of the first URL asked (the best), and how many others were tried."""
    first = tried[0][1]
    return first if len(tried) == 1 else f"{first} ({len(tried)} versions tried)"


def _failure_reason(outcome: Outcome) -> str | None:
    if isinstance(outcome, FetchError):
        return outcome.reason
    if outcome.status >= 300:
        return f"HTTP {outcome.status}"
    if not outcome.content:
        return "empty file"
    if outcome.content_type in ("text/html", "application/xhtml+xml"):
        return f"not a file (the server sent a web page, {outcome.content_type})"
    return None

