"""What a run did: counts, failures and warnings, written to ``report.json``."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dates import utc_now_iso
from .errors import ExportError
from .files import temp_file_beside

__all__ = ["UNREADABLE", "Report", "write_json_atomically"]

UNREADABLE = "unreadable: "
"""Prefix of the failure reason of a page that looks like an article and gave none."""


@dataclass
class Report:
    source: str = ""
    started: str = field(default_factory=utc_now_iso)
    finished: str | None = None
    pages_fetched: int = 0
    pages_from_archive: int = 0
    pages_done_earlier: int = 0
    """Pages an earlier run had done (not walked again)."""
    recovered: int = 0
    """URLs whose retries ran out and that were fetched at the end of the crawl."""
    crawl_finished: bool = True
    """False when the archive exported holds a crawl that did not finish."""
    urls_queued: int = 0
    """URLs still queued in the archive's unfinished crawl."""
    crawl_running: str = ""
    """Who is crawling into the archive while it is exported ("pid 1234 on host, …")."""
    media_missing: int = 0
    """Media URLs whose file the archive should hold and does not."""
    crawl_seconds: float | None = None
    """Wall time of the crawl stage (pages and media), when this run crawled."""
    politeness_wait_seconds: float = 0.0
    """Seconds workers slept for the delays between requests to one host (summed over them)."""
    retry_wait_seconds: float = 0.0
    """Seconds workers slept before retries (Retry-After, backoff), summed over them."""
    posts: int = 0
    pages: int = 0
    comments: int = 0
    images: int = 0
    families: Counter[str] = field(default_factory=Counter)
    comments_unavailable: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, url: str, reason: str) -> None:
        self.failures.append({"url": url, "reason": reason})

    def warn(self, url: str, message: str) -> None:
        self.warnings.append({"url": url, "warning": message})

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "started": self.started,
            "finished": self.finished or utc_now_iso(),
            "ok": self.ok,
            "articles": self.posts + self.pages,
            "posts": self.posts,
            "pages": self.pages,
            "comments": self.comments,
            "images": self.images,
            "template_families": dict(self.families),
            "comments_unavailable": self.comments_unavailable,
            "pages_fetched": self.pages_fetched,
            "pages_from_archive": self.pages_from_archive,
            "pages_done_earlier": self.pages_done_earlier,
            "recovered": self.recovered,
            "crawl_finished": self.crawl_finished,
            "crawl_running": bool(self.crawl_running),
            "urls_queued": self.urls_queued,
            "media_missing": self.media_missing,
            "crawl_seconds": _seconds(self.crawl_seconds),
            "politeness_wait_seconds": _seconds(self.politeness_wait_seconds),
            "retry_wait_seconds": _seconds(self.retry_wait_seconds),
            "failures": self.failures,
            "warnings": self.warnings,
            "outputs": self.outputs,
        }

    def summary_lines(self) -> list[str]:
        lines = [
            f"{self.posts} posts, {self.pages} pages, {self.comments} comments, "
            f"{self.images} images",
        ]
        if self.crawl_running:
            lines.append(f"The crawl is still running ({self.crawl_running}): this export "
                         "holds what was fetched so far; export again once it has finished")
        elif not self.crawl_finished:
            lines.append(f"The crawl did not finish ({self.urls_queued} URLs still queued): "
                         "this export holds what was fetched so far; run the crawl again to "
                         "complete it")
        if self.media_missing:
            lines.append(f"{_count(self.media_missing, 'image or file is', 'images and files are')}"
                         " missing from the archive "
                         "(not downloaded, or gone since): the outputs keep their original "
                         "addresses (see report.json)")
        if self.recovered:
            lines.append(f"{self.recovered} URLs failed, then were fetched when tried again at "
                         "the end of the crawl")
        if self.comments_unavailable:
            lines.append(
                f"{self.comments_unavailable} articles show comments that are not in their "
                "HTML (loaded by JavaScript): those comments were not migrated (see report.json)"
            )
        unreadable = Counter(f["reason"].removeprefix(UNREADABLE) for f in self.failures
                             if f["reason"].startswith(UNREADABLE))
        for theme, count in sorted(unreadable.items()):
            lines.append(f"{count} pages that look like articles gave no article ({theme}): "
                         "this theme is not understood, they are listed in report.json")
        if self.failures:
            lines.append(f"{_count(len(self.failures), 'failure', 'failures')}:")
            lines += [f"  {f['url']}: {f['reason']}" for f in self.failures[:20]]
            if len(self.failures) > 20:
                lines.append(f"  … and {len(self.failures) - 20} more in report.json")
        return lines

    def write(self, path: Path) -> None:
        self.finished = utc_now_iso()
        write_json_atomically(path, self.to_dict())


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def write_json_atomically(path: Path, data: Any) -> None:
    """Write JSON to a temp file beside ``path`` and rename it into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = temp_file_beside(path)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        os.replace(tmp, path)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error


def _count(number: int, one: str, many: str) -> str:
    return f"1 {one}" if number == 1 else f"{number} {many}"
