"""The library API: crawl a blog into an archive, export an archive, or both at once.

    >>> from migrator.pipeline import migrate                       # doctest: +SKIP
    >>> report = migrate("http://myblog.over-blog.com", ["json", "markdown"], Path("out"))
    >>> report.ok, report.posts

Only this module orders the stages; the CLI is a thin layer over these three functions.

Honest runs (issue 12): one writer per folder (``locks.FolderLock``: the archive while a crawl
writes it, the output folder while an export writes it); an export reads the archive read-only,
in one consistent snapshot, even while a crawl writes it, and says what the archive lacks (a
crawl that did not finish or is still running, media missing: ``ArchiveGaps``) as failures;
each run first removes the temporary files a killed run left in the folders it writes.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from .archive import ARCHIVE_FILE, MEDIA_FOLDER, Archive
from .crawler import Crawler, Scheduler
from .errors import ExportError, SourceError, UsageError
from .export import Exporter, site_exporters
from .fetch import Fetcher
from .fetch.recording import recorded_transport
from .files import remove_leftover_temps, temp_file_beside
from .gaps import ArchiveGaps
from .links import SitePlan
from .locks import FolderLock
from .media.download import MediaDownloader
from .media.publish import (
    MEDIA_OUTPUT_FOLDER,
    StoredMedia,
    attach_local_paths,
    media_failures,
    publish_media,
)
from .model import Article, Blog
from .progress import Progress
from .report import Report
from .sanitize import sanitize_article
from .settings import CrawlSettings, ExportSettings, check_base_url
from .source import Source, resolve_source

__all__ = ["ARCHIVE_FOLDER", "FORMATS", "crawl", "export", "migrate"]

log = logging.getLogger(__name__)

ARCHIVE_FOLDER = ".archive"
FORMATS = ("markdown", "wxr", "json", "wacz")


def crawl(
    source: str,
    archive_dir: Path,
    settings: CrawlSettings | None = None,
    progress: Progress | None = None,
) -> Report:
    """Crawl SOURCE into the archive in ``archive_dir``; resume or refresh it if it exists."""
    settings = settings or CrawlSettings()
    settings.check()
    resolved = resolve_source(source)
    ensure_writable_folder(archive_dir, "--archive")
    with FolderLock(archive_dir, f"the archive in {archive_dir}", "crawl"):
        report = _crawl(resolved, archive_dir, settings, progress)
        with Archive(archive_dir) as archive:
            _count_articles(archive.iter_articles(), report)
            _collect_failures(archive, report, settings.download_images)
    return report


def _crawl(
    resolved: Source, archive_dir: Path, settings: CrawlSettings, progress: Progress | None
) -> Report:
    """The crawl and media stages (the archive's lock held by the caller); counting is left
    to the caller (one pass, not two)."""
    report = Report(source=resolved.description)
    remove_leftover_temps([archive_dir], time.time(), recursive=[archive_dir / MEDIA_FOLDER])
    # One fetcher (each host's queue and delay) and one scheduler (the workers, a queue per
    # host) for the whole stage: media are downloaded during the crawl, as articles are
    # stored, with the crawl's politeness; the stage ends when pages and media are done.
    # Decision (issue 14): every HTTP exchange recorded as WARC unless --no-warc.
    transport = (recorded_transport(settings, archive_dir, resolved.base_url)
                 if settings.warc and resolved.over_http else resolved.transport(settings))
    with (Archive(archive_dir) as archive,
          Fetcher(settings, transport) as fetcher,
          Scheduler(settings.concurrency, name="fetch", slots=fetcher.hosts) as scheduler):
        progress = progress or Progress(enabled=False)
        media = (MediaDownloader(archive, settings, fetcher=fetcher, scheduler=scheduler,
                                 hosts=(), progress=progress)
                 if settings.download_images else None)
        crawler = Crawler(resolved, archive, settings, progress, fetcher=fetcher,
                          scheduler=scheduler, media=media)
        crawler.run()
        report.pages_fetched = progress.fetched
        report.pages_from_archive = progress.from_archive
        report.pages_done_earlier = progress.earlier
        report.recovered = crawler.recovered
        report.crawl_seconds = progress.wall
        report.politeness_wait_seconds = progress.waited.get("delay", 0.0)
        report.retry_wait_seconds = progress.waited.get("retry", 0.0)
        if settings.download_images:  # every download of the stage is recorded by now
            archive.set_media_status("complete")
    return report


def export(
    archive_dir: Path,
    formats: Iterable[str],
    out_dir: Path,
    settings: ExportSettings | None = None,
    report: Report | None = None,
) -> Report:
    """Write the archived blog in each format; never touches the network, never writes the
    archive (it may be on a read-only medium, or being written by a crawl)."""
    settings = settings or ExportSettings()
    formats = _checked_formats(formats)
    if settings.base_url is not None:
        check_base_url(settings.base_url)
    check_archive_folder(archive_dir)
    ensure_writable_folder(out_dir, "--out")
    with FolderLock(out_dir, f"the folder {out_dir}", "export"):
        return _export(archive_dir, formats, out_dir, settings, report)


def _export(archive_dir: Path, formats: list[str], out_dir: Path, settings: ExportSettings,
            report: Report | None) -> Report:
    """The export stage (the output folder's lock held by the caller)."""
    started = time.time()
    with Archive(archive_dir, read_only=True) as archive, archive.snapshot():
        gaps = ArchiveGaps(archive)
        blog = archive.get_blog() if archive.has_table("state") else None
        if blog is None:
            raise SourceError(f"the archive in {archive_dir} holds no blog yet{gaps.writing}")
        report = report or Report(source=blog.url)
        _collect_failures(archive, report, settings.include_images)
        gaps.report_crawl(report, blog.url)
        blog_urls = [blog.url, archive.base_url or ""]
        # First pass: where every article lands (slugs, old addresses, WordPress keys) and
        # the site's authors and terms, a few strings per article.
        plan = SitePlan.build(archive.iter_articles(), blog_urls)
        exporters = site_exporters(formats, out_dir, replace(settings, archive_dir=archive_dir),
                                   plan)
        remove_leftover_temps([out_dir], started, recursive=[
            out_dir / MEDIA_OUTPUT_FOLDER, *(exporter.target for exporter in exporters)])
        articles = _counted(archive.iter_articles(), report)
        stored = StoredMedia(archive)
        if settings.include_images:
            publish_media(archive, out_dir, stored)
            articles = attach_local_paths(archive, articles, stored)
        # Decision (issue 10): sanitised here, once per article, before any exporter sees
        # it; the archive keeps the page and the article as they were read.
        articles = (sanitize_article(article) for article in articles)
        try:
            _run_exporters(exporters, blog, articles)
        except BaseException:
            for exporter in exporters:
                exporter.abort()  # no half-written file is left behind
            raise
        gaps.report_media(report, stored)
        for exporter in exporters:
            report.outputs += [str(path) for path in exporter.written]
            for url, message in exporter.warnings:
                report.warn(url, message)
    report.write(out_dir / "report.json")
    return report


def migrate(
    source: str,
    formats: Iterable[str],
    out_dir: Path,
    crawl_settings: CrawlSettings | None = None,
    export_settings: ExportSettings | None = None,
    progress: Progress | None = None,
) -> Report:
    """Crawl SOURCE into ``out_dir/.archive`` and export it; a second run resumes or refreshes."""
    formats = _checked_formats(formats)
    crawl_settings = crawl_settings or CrawlSettings()
    crawl_settings.check()
    export_settings = export_settings or ExportSettings()
    if export_settings.base_url is not None:
        check_base_url(export_settings.base_url)
    resolved = resolve_source(source)
    ensure_writable_folder(out_dir, "--out")
    archive_dir = out_dir / ARCHIVE_FOLDER
    with FolderLock(out_dir, f"the folder {out_dir}", "migrate"):
        ensure_writable_folder(archive_dir, "--out")
        with FolderLock(archive_dir, f"the archive in {archive_dir}", "migrate"):
            report = _crawl(resolved, archive_dir, crawl_settings, progress)
        return _export(archive_dir, formats, out_dir, export_settings, report)


def _run_exporters(exporters: list[Exporter], blog: Blog, articles: Iterable[Article]) -> None:
    for exporter in exporters:
        exporter.start(blog)
    for article in articles:
        for exporter in exporters:
            exporter.write(article)
    for exporter in exporters:
        exporter.finish()


def _checked_formats(formats: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ExportError(f"choose formats among {', '.join(FORMATS)} (got {chosen or 'none'})")
    return chosen


def ensure_writable_folder(folder: Path, option: str = "--out") -> None:
    """Fail early, with one line (a ``UsageError``: exit status 2), when a folder the user
    named (``option``) is a file, or cannot be created or written."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{option} must be a folder: {folder} is a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = temp_file_beside(folder / "write-test")
        os.close(fd)
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write to {folder}: {reason}") from error


def check_archive_folder(archive_dir: Path) -> None:
    """``SourceError`` (exit status 2) when ``archive_dir`` holds no archive, pointing at the
    archive of a ``migrate`` output folder when that is what was given."""
    if (archive_dir / ARCHIVE_FILE).is_file():
        return
    inner = archive_dir / ARCHIVE_FOLDER
    if (inner / ARCHIVE_FILE).is_file():
        raise SourceError(f"no archive in {archive_dir} (its archive is {inner}: "
                          f"use --archive {inner})")
    if archive_dir.exists() and not archive_dir.is_dir():
        raise SourceError(f"--archive must be a folder: {archive_dir} is a file")
    raise SourceError(f"no archive in {archive_dir}: run `migrator crawl` first")


def _collect_failures(archive: Archive, report: Report, with_media: bool) -> None:
    """Failures come from the archive, so a resumed run reports the whole blog."""
    report.failures = [{"url": url, "reason": reason} for url, reason in archive.failures()]
    if with_media:
        report.failures += media_failures(archive)


def _count_articles(articles: Iterable[Article], report: Report) -> None:
    for _article in _counted(articles, report):
        pass


def _counted(articles: Iterable[Article], report: Report) -> Iterator[Article]:
    """Pass the articles through, counting them into the report on the way."""
    report.posts = report.pages = report.comments = report.images = 0
    report.comments_unavailable = 0
    report.families.clear()
    report.warnings.clear()
    for article in articles:
        _count_article(article, report)
        yield article


def _count_article(article: Article, report: Report) -> None:
    if article.kind == "page":
        report.pages += 1
    else:
        report.posts += 1
    report.comments += article.comment_count()
    report.images += len(article.images)
    report.families[article.family or "unknown"] += 1
    if article.comments_status == "unavailable":
        report.comments_unavailable += 1
    if article.published is None and article.kind == "post":
        report.warn(article.url, "no publication date found")
    for warning in article.warnings:
        report.warn(article.url, warning)
    for field in article.guessed:
        report.warn(article.url, f"{field} guessed: the page has no markup that says it surely")
