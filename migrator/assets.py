"""Download every image and attached file of the archived articles into ``<archive>/media/``.

A pipeline stage that runs after the crawl (never inside it) and reads only the archive's
articles. Each media URL is taken at its highest resolution (``media.original_image_url``),
fetched once (the archive's ``media`` table remembers every URL, so a second run fetches only
what is missing or failed) and stored once (files with the same SHA-256 share one file).

File names keep the original name (``ob_<hash>_<name>.jpg``); when that name is already used by
different content, the name gets the first 8 hex digits of the URL's SHA-1 as a prefix
(``1a2b3c4d-ob_…jpg``), so two files can never overwrite each other.

Politeness: the stage has its own ``Fetcher`` built from the crawl's ``CrawlSettings``, so image
hosts get the same per-host delay, robots.txt, retries and ``Retry-After`` handling as the blog.
Only Overblog media hosts and the blog's own hosts are fetched; images hosted elsewhere are
recorded as "skipped" and keep their URL.

At export time, ``attach_local_paths`` fills ``Image.local_path`` (``media/<file>``) from the
table and adds the files linked from a body (PDFs…) as extra ``Image`` entries, and
``publish_media`` hard-links (or copies) the downloaded files into ``DIR/media/``.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from slugify import slugify

from .archive import Archive, MediaRecord
from .errors import ArchiveError, ExportError, FetchError
from .fetch import Fetcher, Response, Transport
from .files import temp_file_beside
from .media import image_url_candidates, is_overblog_media_host, original_image_url
from .model import Article, Image
from .settings import CrawlSettings

__all__ = [
    "MEDIA_OUTPUT_FOLDER",
    "MediaDownloader",
    "MediaStats",
    "article_media_urls",
    "attach_local_paths",
    "blog_hosts",
    "media_file_name",
    "publish_media",
]

log = logging.getLogger(__name__)

MEDIA_OUTPUT_FOLDER = "media"
FILE_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
                   ".zip", ".mp3", ".ogg", ".epub", ".txt", ".rtf")
FILE_HOSTS = ("data.over-blog-kiwi.com",)
# Redirects of a media URL are followed to these hosts (and the blog's own).
REDIRECT_HOSTS = frozenset({
    "idata.over-blog.com", "img.over-blog.com", "img2.over-blog.com", "image.over-blog.com",
    "resize.over-blog.com", "img.over-blog-kiwi.com", "data.over-blog-kiwi.com",
    "media.over-blog.com",
})
MAX_NAME_LENGTH = 120
_UNSAFE_NAME_CHARS = r"[^-A-Za-z0-9._]+"


@dataclass
class MediaStats:
    downloaded: int = 0
    reused: int = 0
    """URLs whose content was already stored under another URL (same SHA-256)."""
    already: int = 0
    """URLs downloaded by an earlier run (not fetched again)."""
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


# -- which URLs ---------------------------------------------------------------------------


def _is_file_link(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return host in FILE_HOSTS or unquote(parts.path).lower().endswith(FILE_EXTENSIONS)


def body_file_links(body_html: str) -> list[tuple[str, str]]:
    """(URL, link text) of attached files linked from a body (PDFs, documents…)."""
    if "<a" not in body_html:
        return []
    soup = BeautifulSoup(body_html, "html.parser")
    links: dict[str, str] = {}
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"].strip()
        if href.startswith(("http://", "https://", "//")) and _is_file_link(href):
            links.setdefault(original_image_url(href), anchor.get_text(" ", strip=True))
    return list(links.items())


def article_media_urls(article: Article) -> list[str]:
    """Every media URL of an article, highest resolution, each once, in order."""
    urls = [original_image_url(image.url) for image in article.images]
    if article.cover_image:
        urls.append(original_image_url(article.cover_image))
    urls += [url for url, _text in body_file_links(article.body_html)]
    return [u for u in dict.fromkeys(urls) if u.startswith(("http://", "https://"))]


def blog_hosts(archive: Archive) -> set[str]:
    """The blog's own host names (with and without ``www.``), from its articles and base URL."""
    hosts: set[str] = set()
    urls = [archive.get_state("base_url") or ""]
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


# -- names --------------------------------------------------------------------------------


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


# -- the download stage -------------------------------------------------------------------


class MediaDownloader:
    """Fetch every media URL of the archived articles that is not stored yet."""

    def __init__(
        self,
        archive: Archive,
        settings: CrawlSettings,
        transport: Transport | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.archive = archive
        self.settings = settings
        self.fetcher = fetcher or Fetcher(settings, transport)
        self.hosts = blog_hosts(archive)
        self.stats = MediaStats()

    def run(self) -> MediaStats:
        try:
            self._make_folder()
            workers = max(1, self.settings.concurrency)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for batch in _batches(self._urls_to_fetch(), workers * 4):
                    for url, outcome in zip(batch, pool.map(self._fetch, batch), strict=True):
                        self._record(url, outcome)
        finally:
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

    def _fetch(self, url: str) -> Response | FetchError:
        """The full-size URL first; if refused, the same file on another Overblog host.

        image.over-blog.com signs each size separately, so a size-stripped URL can be
        refused while the original file is still served (``media.image_url_candidates``).
        """
        outcome: Response | FetchError = FetchError(url, "no candidate URL")
        for candidate in image_url_candidates(url):
            try:
                outcome = self.fetcher.get(candidate, allowed_hosts=self.hosts | REDIRECT_HOSTS)
            except FetchError as error:
                outcome = error
            if _failure_reason(outcome) is None:
                return outcome
        return outcome

    def _record(self, url: str, outcome: Response | FetchError) -> None:
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


def _failure_reason(outcome: Response | FetchError) -> str | None:
    if isinstance(outcome, FetchError):
        return outcome.reason
    if outcome.status >= 300:
        return f"HTTP {outcome.status}"
    if not outcome.content:
        return "empty file"
    if outcome.content_type in ("text/html", "application/xhtml+xml"):
        return f"not a file (the server sent a web page, {outcome.content_type})"
    return None


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_file(path: Path, content: bytes) -> None:
    """Temporary file then rename: a killed run never leaves half an image under its name."""
    try:
        fd, temp = temp_file_beside(path)
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
        os.replace(temp, path)
    except OSError as error:
        raise ArchiveError(f"cannot write {path}: {error.strerror or error}") from error


# -- export side --------------------------------------------------------------------------


def attach_local_paths(archive: Archive, articles: Iterable[Article]) -> Iterator[Article]:
    """Articles with ``Image.local_path`` set for every downloaded image, plus one ``Image``
    per attached file linked from the body (so every format declares and rewrites it)."""
    for article in articles:
        known = {original_image_url(image.url) for image in article.images}
        for url, text in body_file_links(article.body_html):
            if url not in known:
                article.images.append(Image(url=url, alt=text))
                known.add(url)
        for image in article.images:
            record = archive.get_media(original_image_url(image.url))
            if record is not None and record.status == "done" and record.file:
                image.local_path = f"{MEDIA_OUTPUT_FOLDER}/{record.file}"
        yield article


def media_failures(archive: Archive) -> list[dict[str, str]]:
    """report.json entries for the media that could not be downloaded."""
    return [
        {"url": record.url, "reason": f"media not downloaded: {record.reason or 'unknown'}"}
        for record in archive.iter_media("failed")
    ]


def publish_media(archive: Archive, out_dir: Path) -> int:
    """Hard-link (or copy) every downloaded file into ``out_dir/media/``; returns the count."""
    target_dir = out_dir / MEDIA_OUTPUT_FOLDER
    count = 0
    for file in dict.fromkeys(r.file for r in archive.iter_media("done") if r.file):
        source = archive.media_dir / file
        if source.is_file():
            if count == 0:
                _make_folder(target_dir)
            link_or_copy(source, target_dir / file)
            count += 1
    return count


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot write {folder}: {error.strerror or error}") from error


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` holds the bytes of ``source``: a hard link when possible, else a copy."""
    try:
        if target.exists():
            if target.samefile(source) or target.stat().st_size == source.stat().st_size:
                return
            target.unlink()
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
