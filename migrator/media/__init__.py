"""Images and attached files: which ones an article has, their download, their publishing.

- ``urls``: the media URL rules (highest resolution, what an article shows), pure;
- ``download``: ``MediaDownloader``, the crawl stage's side: files into ``<archive>/media/``
  through the crawl's scheduler and fetcher (imported on its own: it needs the HTTP stack);
- ``publish``: the export stage's side: local paths on the articles, files into ``DIR/media/``.

This package's namespace holds the URL rules only, so that the export stage, which imports it,
never loads the HTTP stack.
"""

from __future__ import annotations

from .urls import (
    article_media_urls,
    body_file_links,
    image_url_candidates,
    is_overblog_media_host,
    original_image_url,
)

__all__ = [
    "article_media_urls",
    "body_file_links",
    "image_url_candidates",
    "is_overblog_media_host",
    "original_image_url",
]
