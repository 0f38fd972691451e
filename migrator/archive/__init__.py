"""The crawl's archive: one SQLite file, ``<folder>/archive.sqlite``, and a ``media/`` folder.

It holds every fetched response and the URL queue with each URL's state (``pages``: a crawl
killed at any moment resumes where it stopped), the parsed articles, the blog and the crawl's
facts (``articles``), and the index of media by uploaded file (``media``); ``store`` is the file
itself: schema, migrations from older versions, transactions. Exporters read only this.

``Archive`` is one object over the one connection, made of a class per group of tables.
"""

from __future__ import annotations

from .articles import ArticlesTable, CrawlStatus, MediaStatus
from .media import MEDIA_FOLDER, MediaRecord, MediaTable, MediaUrl
from .pages import URL_STATES, PagesTable
from .store import ARCHIVE_FILE, SCHEMA_VERSION

__all__ = [
    "ARCHIVE_FILE",
    "MEDIA_FOLDER",
    "SCHEMA_VERSION",
    "URL_STATES",
    "Archive",
    "CrawlStatus",
    "MediaRecord",
    "MediaStatus",
    "MediaUrl",
]


class Archive(PagesTable, ArticlesTable, MediaTable):
    """One open archive. Thread-safe: one connection, one lock (``Store``)."""
