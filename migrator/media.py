"""Image URL rules: find the highest-resolution URL of an Overblog image.

Overblog serves thumbnails through size segments (``/300x200/``, ``/400x260-ct/``,
``/582x288/smart/``), the ``resize.over-blog.com/WxH.jpg?<url>`` wrapper and the v1
``img.over-blog.com/WxH/<path>`` proxy in front of ``idata.over-blog.com``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["is_overblog_media_host", "original_image_url"]

_MEDIA_HOSTS = {
    "idata.over-blog.com",
    "img.over-blog.com",
    "img2.over-blog.com",
    "image.over-blog.com",
    "resize.over-blog.com",
    "img.over-blog-kiwi.com",
    "data.over-blog-kiwi.com",
    "media.over-blog.com",
}
_SIZE_SEGMENT = re.compile(r"/\d{1,5}x\d{1,5}(?:-ct)?(?:/smart)?(?=/)")
_LEADING_SIZE = re.compile(r"^/\d{1,5}x\d{1,5}(?:-ct)?(?:/smart)?(?=/)")


def is_overblog_media_host(host: str) -> bool:
    """True for hosts that serve blog content files (not the theme's assets host)."""
    host = host.lower().split(":", 1)[0]
    return host in _MEDIA_HOSTS or host.endswith(".idata.over-blog.com")


def _unwrap_resize(url: str) -> str:
    inner = url.split("?", 1)[1] if "?" in url else ""
    if not inner:
        return url
    if re.match(r"^https?%3A", inner, re.I):
        inner = unquote(inner)
    if inner.startswith("//"):
        return "https:" + inner
    if not re.match(r"^https?://", inner, re.I):
        return "https://" + inner.lstrip("/")
    return inner


def original_image_url(url: str) -> str:
    """Highest-resolution form of an image URL; URLs of other hosts come back unchanged."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.startswith("resize.over-blog"):
        inner = _unwrap_resize(url)
        return original_image_url(inner) if inner != url else url
    if host in ("img.over-blog.com", "img2.over-blog.com"):
        path = _LEADING_SIZE.sub("", parts.path)
        return urlunsplit((parts.scheme, "idata.over-blog.com", path, parts.query, ""))
    if host in ("image.over-blog.com", "img.over-blog-kiwi.com") or host.endswith(
        ".idata.over-blog.com"
    ):
        path = _SIZE_SEGMENT.sub("", parts.path)
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    return url
