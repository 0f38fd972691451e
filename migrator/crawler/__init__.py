"""The crawl stage: from a blog's address to an archive holding every page and article.

- ``loop``: ``Crawler(source, archive, settings).run()``, the crawl loop;
- ``frontier``: the URL queue (in the archive) with its dedupe caches and limits;
- ``fetching``: a URL's stored answer or a (conditional) fetch, in a worker thread;
- ``pages``: what a fetched page teaches, by the kind of its address;
- ``reading``: reading one page (article, links, dates), pure: it runs in parser processes;
- ``settle``: an article's one address, its fallback dates, its merge with what is stored;
- ``refresh``: what a second run asks the blog again;
- ``scheduler``: the stage's one concurrency mechanism (threads, parser processes), which
  media downloads use too (``migrator.media.download``); ``pool``: its priority thread pool.

The package is ``crawler`` and not ``crawl``: ``migrator.crawl`` is the library's function.
"""

from __future__ import annotations

from .loop import Crawler
from .reading import PageReading, read_page
from .scheduler import Scheduler

__all__ = ["Crawler", "PageReading", "Scheduler", "read_page"]
