"""What an export can tell about the archive it reads: what the archive lacks, said as failures.

Decision (issue 12): an export writes what the archive holds and reports the gap, never "ok"
when something is missing:

- a crawl that did not finish (stopped, killed, or its home page failed after an earlier
  run): "crawl not finished: N URLs still queued";
- a crawl still writing the archive (its lock is held): "the crawl is still running: this
  export holds what was fetched so far";
- media missing from the archive (never downloaded, or their file gone or changed since):
  "media missing from the archive: …", one per URL (``media.publish.StoredMedia``).

Each is a failure in ``report.json`` and a line of the summary: the exit status is 1. There is
no ``--partial`` flag: a user who exports a partial crawl on purpose gets their files, and an
honest exit status.
"""

from __future__ import annotations

from .archive import Archive
from .locks import Holder, holder_of
from .media.publish import StoredMedia
from .report import Report

__all__ = ["CRAWL_RUNNING", "UNFINISHED", "ArchiveGaps"]

UNFINISHED = "crawl not finished"
CRAWL_RUNNING = "the crawl is still running: this export holds what was fetched so far"


class ArchiveGaps:
    """The gaps of one archive, as an export opening it read-only finds them."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.writer: Holder | None = holder_of(archive.folder)
        """The crawl writing the archive now, if any."""

    @property
    def writing(self) -> str:
        """" (a crawl is writing it now: pid …)" when one is, for messages; else ""."""
        if self.writer is None:
            return ""
        return f" (a crawl is writing it now: {self.writer.describe()})"

    def report_crawl(self, report: Report, blog_url: str) -> None:
        """The crawl's state, into ``report`` (a failure unless it finished)."""
        if self.writer is not None:
            report.crawl_running = self.writer.describe()
            report.fail(blog_url, CRAWL_RUNNING)
        if self.archive.crawl_status != "complete":
            queued = self.archive.url_counts()["todo"]
            # Stopped with every page in (in its media downloads, say): the pages are whole,
            # and each file it did not get to is a failure of its own (``report_media``).
            report.crawl_finished = queued == 0
            report.urls_queued = queued
            if self.writer is None and queued:
                report.fail(blog_url, f"{UNFINISHED}: {queued} URLs still queued")

    def report_media(self, report: Report, stored: StoredMedia) -> None:
        """The media missing from the archive, as met by the export, into ``report``."""
        report.media_missing = len(stored.missing)
        for url, reason in stored.missing.items():
            report.fail(url, reason)
