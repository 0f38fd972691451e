"""Download every image and attached file of the archived articles into ``<archive>/media/``.

The crawl stage's side of media: it reads the archive's articles and fetches what they show.
Each media URL is taken at its highest resolution (``urls.original_image_url``), fetched once
(the archive's ``media`` table remembers every URL, so a second run fetches only what is
missing or failed) and stored once (files with the same SHA-256 share one file).

File names keep the original name (``ob_<hash>_<name>.jpg``); when that name is already used by
different content, the name gets the first 8 hex digits of the URL's SHA-1 as a prefix
(``1a2b3c4d-ob_…jpg``), so two files can never overwrite each other. Files are recorded in
the order of the articles, whatever order the downloads finish in, so names never depend on
timing.

Concurrency and politeness are the crawl's: downloads are jobs of the crawl stage's
``Scheduler`` and fetch through its ``Fetcher`` (the pipeline hands both over), so image hosts
get the same per-host queue and delay, robots.txt, retries and ``Retry-After`` handling as the
blog's pages. Today they run after the crawl; submitting them during the crawl, as articles
are stored, needs no other change here. Only Overblog media hosts and the blog's own hosts are
fetched; images hosted elsewhere are recorded as "skipped" and keep their URL.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

from slugify import slugify

from ..archive import Archive, MediaRecord
from ..crawler.scheduler import Scheduler
from ..errors import ArchiveError, FetchError
from ..fetch import Fetcher, Transport
from ..files import temp_file_beside
from ..response import Response
from ..settings import CrawlSettings
from .urls import MEDIA_HOSTS, article_media_urls, image_url_candidates, is_overblog_media_host

__all__ = ["MediaDownloader", "MediaStats", "blog_hosts", "media_file_name"]

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 120
_UNSAFE_NAME_CHARS = r"[^-A-Za-z0-9._]+"
DOWNLOADS_PER_WORKER = 4
"""Downloads in flight per worker thread."""

Outcome = Response | FetchError


@dataclass
class MediaStats:
    downloaded: int = 0
    reused: int = 0
    """URLs whose content was already stored under another URL (same SHA-256)."""
    already: int = 0
    """URLs downloaded by an earlier run (not fetched again)."""
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def blog_hosts(archive: Archive) -> set[str]:
    """The blog's own host names (with and without ``www.``), from its articles and base URL."""
    hosts: set[str] = set()
    urls = [archive.base_url or ""]
    blog = archive.get_blog()
    if blog is not None:
        urls.append(blog.url)
    for url in urls:
        _add_host(hosts, url)
    for article in archive.iter_articles():
        for url in [article.url, *article.aliases]:
            _add_host(hosts, url)
    return hosts


def _add_host(hosts: set[str], url: str) -> None:
    host = (urlsplit(url).hostname or "").lower()
    if host:
        bare = host.removeprefix("www.")
        hosts.update({bare, "www." + bare})


def media_file_name(url: str, content_type: str = "") -> str:
    """The original file name of ``url``, made safe (transliterated to ASCII letters, digits
    and ``._-``; the extension from the Content-Type when the name has none)."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = slugify(stem, lowercase=False, regex_pattern=_UNSAFE_NAME_CHARS).strip("-.") or "file"
    extension = re.sub(_UNSAFE_NAME_CHARS, "", extension).lower()[:8]
    if not extension:
        guessed = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin"
        extension = guessed.lstrip(".")
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1]
    return f"{stem}.{extension}"


def _url_prefix(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()[:8]


class MediaDownloader:
    """Fetch every media URL of the archived articles that is not stored yet.

    ``fetcher`` and ``scheduler``: the crawl's (shared per-host queues and workers); by default
    the downloader makes its own from ``settings`` and ``transport`` and closes them after.
    """

    def __init__(
        self,
        archive: Archive,
        settings: CrawlSettings,
        transport: Transport | None = None,
        fetcher: Fetcher | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.archive = archive
        self.settings = settings
        self._own_fetcher, self._own_scheduler = fetcher is None, scheduler is None
        self.fetcher = fetcher or Fetcher(settings, transport)
        self.scheduler = scheduler or Scheduler(settings.concurrency, name="media")
        self.hosts = blog_hosts(archive)
        self.stats = MediaStats()
        self._arrived: dict[int, tuple[str, Outcome]] = {}
        """Downloads finished before an earlier one, by their rank, until their turn."""
        self._recorded = 0
        self._in_flight = 0

    def run(self) -> MediaStats:
        try:
            self._make_folder()
            window = self.scheduler.workers * DOWNLOADS_PER_WORKER
            for rank, url in enumerate(self._urls_to_fetch()):
                self.scheduler.submit(partial(self._fetch, url), partial(self._done, rank, url))
                self._in_flight += 1
                while self._in_flight >= window:
                    self.scheduler.handle_next()
            while self._in_flight:
                self.scheduler.handle_next()
        finally:
            if self._own_scheduler:
                self.scheduler.shutdown()
            if self._own_fetcher:
                self.fetcher.close()
        return self.stats

    def _make_folder(self) -> None:
        try:
            self.archive.media_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArchiveError(
                f"cannot create {self.archive.media_dir}: {error.strerror or error}"
            ) from error

    def _urls_to_fetch(self) -> Iterator[str]:
        seen: set[str] = set()  # this run only; the archive remembers the rest
        for article in self.archive.iter_articles():
            for url in article_media_urls(article):
                if url in seen:
                    continue
                seen.add(url)
                if self._wanted(url):
                    yield url

    def _wanted(self, url: str) -> bool:
        known = self.archive.get_media(url)
        if known is not None and known.status == "done" and known.file:
            if (self.archive.media_dir / known.file).is_file():
                self.stats.already += 1
                return False
        host = (urlsplit(url).hostname or "").lower()
        if not (is_overblog_media_host(host) or host in self.hosts):
            self.archive.put_media(MediaRecord(url, "skipped", reason=f"external host {host}"))
            self.stats.skipped += 1
            return False
        return True

    def _fetch(self, url: str) -> Outcome:
        """Runs in a worker thread. The full-size URL first; if refused, the same file on
        another Overblog host.

        image.over-blog.com signs each size separately, so a size-stripped URL can be
        refused while the original file is still served (``urls.image_url_candidates``).
        """
        outcome: Outcome = FetchError(url, "no candidate URL")
        for candidate in image_url_candidates(url):
            try:
                outcome = self.fetcher.get(candidate, allowed_hosts=self.hosts | MEDIA_HOSTS)
            except FetchError as error:
                outcome = error
            if _failure_reason(outcome) is None:
                return outcome
        return outcome

    def _done(self, rank: int, url: str, future: Future[Outcome]) -> None:
        """A download finished (called in the stage's thread): record it, and every later one
        that was waiting for it, in the order of the articles."""
        self._in_flight -= 1
        self._arrived[rank] = (url, future.result())
        while self._recorded in self._arrived:
            self._record(*self._arrived.pop(self._recorded))
            self._recorded += 1

    def _record(self, url: str, outcome: Outcome) -> None:
        reason = _failure_reason(outcome)
        if reason is not None:
            log.warning("Media not downloaded: %s (%s)", url, reason)
            self.archive.put_media(MediaRecord(url, "failed", reason=reason))
            self.stats.failed.append((url, reason))
            return
        assert isinstance(outcome, Response)
        self._store(url, outcome)

    def _store(self, url: str, response: Response) -> None:
        sha256 = hashlib.sha256(response.content).hexdigest()
        same = self.archive.media_with_sha256(sha256)
        if same is not None and same.file and (self.archive.media_dir / same.file).is_file():
            self.archive.put_media(MediaRecord(url, "done", sha256, same.file))
            self.stats.reused += 1
            return
        name = self._free_name(url, media_file_name(url, response.content_type))
        _write_file(self.archive.media_dir / name, response.content)
        self.archive.put_media(MediaRecord(url, "done", sha256, name))
        self.stats.downloaded += 1

    def _free_name(self, url: str, name: str) -> str:
        candidate = name
        counter = 2
        while self.archive.media_file_taken(candidate) or (
            self.archive.media_dir / candidate
        ).exists():
            prefix = _url_prefix(url) if counter == 2 else f"{_url_prefix(url)}-{counter}"
            candidate = f"{prefix}-{name}"
            counter += 1
        return candidate


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


def _write_file(path: Path, content: bytes) -> None:
    """Temporary file then rename: a killed run never leaves half an image under its name."""
    try:
        fd, temp = temp_file_beside(path)
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
        os.replace(temp, path)
    except OSError as error:
        raise ArchiveError(f"cannot write {path}: {error.strerror or error}") from error
