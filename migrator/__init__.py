"""overblog-migrator: get a blog out of Overblog, whole."""

from __future__ import annotations

import logging

from .errors import (
    ArchiveError,
    ExportError,
    FetchError,
    HostUnreachable,
    MigratorError,
    NotOverblogError,
    SourceError,
)
from .model import Article, Blog, Comment, Image
from .pipeline import crawl, migrate
from .pipeline import export as export_archive  # `migrator.export` is the exporters package
from .report import Report
from .settings import CrawlSettings, ExportSettings

logging.getLogger(__name__).addHandler(logging.NullHandler())

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
    "HostUnreachable",
    "Image",
    "MigratorError",
    "NotOverblogError",
    "Report",
    "SourceError",
    "crawl",
    "export_archive",
    "migrate",
]
