"""The library API: crawl a blog into an archive, export an archive, or both at once.

    >>> from migrator.pipeline import migrate                       # doctest: +SKIP
    >>> report = migrate("http://myblog.over-blog.com", ["json", "markdown"], Path("out"))
    >>> report.ok, report.posts

Only this module orders the stages; the CLI is a thin layer over these three functions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from .archive import Archive
from .crawler import Crawler, Scheduler
from .errors import ExportError
from .export import Exporter, site_exporters
from .fetch import Fetcher
from .links import SitePlan
from .media.download import MediaDownloader
from .media.publish import attach_local_paths, media_failures, publish_media
from .model import Article, Blog
from .progress import Progress
from .report import Report
from .sanitize import sanitize_article
from .settings import CrawlSettings, ExportSettings, check_base_url
from .source import resolve_source

__all__ = ["ARCHIVE_FOLDER", "FORMATS", "crawl", "export", "migrate"]

log = logging.getLogger(__name__)

ARCHIVE_FOLDER = ".archive"
FORMATS = ("markdown", "wxr", "json")


def crawl(
    source: str,
    archive_dir: Path,
    settings: CrawlSettings | None = None,
    progress: Progress | None = None,
) -> Report:
    """Crawl SOURCE into the archive in ``archive_dir``; resume or refresh it if it exists."""
    settings = settings or CrawlSettings()
    report = _crawl(source, archive_dir, settings, progress)
    with Archive(archive_dir) as archive:
        _count_articles(archive.iter_articles(), report)
        _collect_failures(archive, report, settings.download_images)
    return report


def _crawl(
    source: str, archive_dir: Path, settings: CrawlSettings, progress: Progress | None
) -> Report:
    """The crawl and media stages; counting is left to the caller (one pass, not two)."""
    resolved = resolve_source(source)
    report = Report(source=resolved.description)
    ensure_writable_folder(archive_dir)
    # One fetcher (each host's queue and delay) and one scheduler (the workers, a queue per
    # host) for the whole stage: media are downloaded during the crawl, as articles are
    # stored, with the crawl's politeness; the stage ends when pages and media are done.
    with (Archive(archive_dir) as archive,
          Fetcher(settings, resolved.transport(settings)) as fetcher,
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
        report.crawl_seconds = progress.wall
        report.politeness_wait_seconds = progress.waited.get("delay", 0.0)
        report.retry_wait_seconds = progress.waited.get("retry", 0.0)
    return report


def export(
    archive_dir: Path,
    formats: Iterable[str],
    out_dir: Path,
    settings: ExportSettings | None = None,
    report: Report | None = None,
) -> Report:
    """Write the archived blog in each format; never touches the network."""
    settings = settings or ExportSettings()
    formats = _checked_formats(formats)
    if settings.base_url is not None:
        check_base_url(settings.base_url)
    if not (archive_dir / "archive.sqlite").is_file():
        raise ExportError(f"no archive in {archive_dir}: run `migrator crawl` first")
    ensure_writable_folder(out_dir)
    with Archive(archive_dir) as archive:
        blog = archive.get_blog()
        if blog is None:
            raise ExportError(f"the archive in {archive_dir} holds no blog yet")
        report = report or Report(source=blog.url)
        _collect_failures(archive, report, settings.include_images)
        blog_urls = [blog.url, archive.base_url or ""]
        # First pass: where every article lands (slugs, old addresses, WordPress keys) and
        # the site's authors and terms, a few strings per article.
        plan = SitePlan.build(archive.iter_articles(), blog_urls)
        exporters = site_exporters(formats, out_dir, settings, plan)
        articles = _counted(archive.iter_articles(), report)
        if settings.include_images:
            publish_media(archive, out_dir)
            articles = attach_local_paths(archive, articles)
        # Decision (issue 10): sanitised here, once per article, before any exporter sees
        # it; the archive keeps the page and the article as they were read.
        articles = (sanitize_article(article) for article in articles)
        try:
            _run_exporters(exporters, blog, articles)
        except BaseException:
            for exporter in exporters:
                exporter.abort()  # no half-written file is left behind
            raise
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
    ensure_writable_folder(out_dir)
    archive_dir = out_dir / ARCHIVE_FOLDER
    report = _crawl(source, archive_dir, crawl_settings or CrawlSettings(), progress)
    return export(archive_dir, formats, out_dir, export_settings, report)


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


def ensure_writable_folder(folder: Path) -> None:
    """Fail early, with one line, when the output folder cannot be created or written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError(f"cannot write to {folder}: {reason}") from error


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
