"""overblog-migrator: get a blog out of Overblog, whole."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .errors import (
    ArchiveError,
    ExportError,
    FetchError,
    FolderLocked,
    HostUnreachable,
    MigratorError,
    NotOverblogError,
    SourceError,
    UsageError,
)
from .model import Article, Blog, Comment, Image
from .report import Report
from .settings import CrawlSettings, ExportSettings

if TYPE_CHECKING:
    from .pipeline import crawl, migrate
    from .pipeline import export as export_archive  # `migrator.export` is the exporters package

logging.getLogger(__name__).addHandler(logging.NullHandler())

_PIPELINE = {"crawl": "crawl", "export_archive": "export", "migrate": "migrate"}
"""The library's three operations, loaded from ``pipeline`` when first used: importing a
stage (``migrator.export`` say) loads that stage only, never the HTTP stack of the crawl."""


def __getattr__(name: str) -> Any:
    if name in _PIPELINE:
        from . import pipeline

        value = getattr(pipeline, _PIPELINE[name])
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PIPELINE})

__version__ = "0.1.0"

__all__ = [
    "ArchiveError",
    "Article",
    "Blog",
    "Comment",
    "CrawlSettings",
    "ExportError",
    "ExportSettings",
    "FetchError",
    "FolderLocked",
    "HostUnreachable",
    "Image",
    "MigratorError",
    "NotOverblogError",
    "Report",
    "SourceError",
    "UsageError",
    "crawl",
    "export_archive",
    "migrate",
]
