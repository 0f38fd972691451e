"""Which uploaded file an image URL shows, and how good a copy of it asking that URL gives.

Overblog serves one uploaded file under many URLs:

- ``image.over-blog.com/<signature>=/[WxH/[smart/]]filters:no_upscale()/image%2F<blog id>%2F
  <day>%2Fob_<hex>_<name>`` (thumbor: the signature covers the whole path, so a size cannot be
  taken out of a signed URL: the result is refused);
- ``img.over-blog-kiwi.com/[WxH[-ct]/]D/DD/DD/DD/<day>/ob_<hex>_<name>`` (the same files,
  unsigned: the blog id split 1/2/2/2);
- v1 ``idata.over-blog.com/D/DD/DD/DD/<folders>/<name>``, behind the ``img.over-blog.com/WxH/``
  proxy and the ``aNNN.idata.over-blog.com/WxH/`` hosts;
- ``resize.over-blog.com/WxH.jpg?<url>`` around any of them.

``file_key`` names the file whatever the form: ``ob/<blog id>/<day>/<name>`` for the kiwi
files (image.over-blog.com and img.over-blog-kiwi.com alike), ``idata/<blog id>/<path>`` for
v1 files; any other URL is its own key. ``versions`` lists what asking for a URL can give, each
with its rank: ``FULL`` (a URL given as it is on a page, without a size: ``a.ob-link-img[href]``,
whose signature was made for ``filters:no_upscale()`` alone), ``STRIPPED`` (a size taken out of
an unsigned URL, a resize wrapper opened, or the kiwi path of an image.over-blog.com file: the
original file, if the host serves it there), ``THUMBNAIL`` (a size as the page gave it). A
size-stripped image.over-blog.com URL that no page gave is never asked (its signature is the
thumbnail's: the service refuses it). ``page_image_urls`` lists the image URLs a page shows,
as given, so that the crawl knows which URLs the pages really gave.

Pure functions: used by the crawl (what to download), the archive (its media index is keyed by
file) and the export (every reference to a file points at its one stored copy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from .urls import is_overblog_media_host, original_image_url, unwrap_resize

__all__ = ["FULL", "STRIPPED", "THUMBNAIL", "file_key", "is_overblog_key", "page_image_urls",
           "versions"]

FULL, STRIPPED, THUMBNAIL = 3, 2, 1
"""Ranks of a URL: the file as uploaded, the file without a size, a resized copy."""

_DIGITS = r"(\d)/(\d\d)/(\d\d)/(\d\d)"
_SIZE = r"-?\d{1,5}x-?\d{1,5}"
_THUMBOR_FILE = re.compile(r"image(?:%2F|/)(\d{5,8})(?:%2F|/)(\d{6,8})(?:%2F|/)([^/?#]+)$", re.I)
_THUMBOR_SIZE = re.compile(rf"^/[^/]+/(?:[^/]+/)*?{_SIZE}/", re.I)
_KIWI_FILE = re.compile(rf"^/(?:\d{{1,5}}x\d{{1,5}}(?:-ct)?/)?{_DIGITS}/(\d{{6,8}})/([^/]+)$")
_KIWI_SIZED = re.compile(r"^/\d{1,5}x\d{1,5}(?:-ct)?/")
_IDATA_FILE = re.compile(rf"^/(?:\d{{1,5}}x\d{{1,5}}(?:-ct)?/)?{_DIGITS}/((?:[^/]+/)*)([^/]+)$")
_V1_HOSTS = ("idata.over-blog.com", "img.over-blog.com", "img2.over-blog.com")
_KIWI_HOST = "img.over-blog-kiwi.com"
_THUMBOR_HOST = "image.over-blog.com"


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _is_v1_host(host: str) -> bool:
    return host in _V1_HOSTS or host.endswith(".idata.over-blog.com")


def _absolute(url: str) -> str:
    url = url.strip()
    return "https:" + url if url.startswith("//") else url


def _inner(url: str) -> str | None:
    """The URL a resize.over-blog.com wrapper shows, as given (None: not a wrapper)."""
    if not _host(url).startswith("resize.over-blog"):
        return None
    inner = unwrap_resize(url)
    return inner if inner != url else None


def file_key(url: str) -> str:
    """The uploaded file ``url`` shows, whatever its size, host or wrapper."""
    url = _absolute(url)
    inner = _inner(url)
    if inner is not None:
        return file_key(inner)
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path
    if host == _THUMBOR_HOST:
        match = _THUMBOR_FILE.search(path)
        if match:
            blog, day, name = match.groups()
            return f"ob/{blog.zfill(7)}/{day}/{unquote(name)}"
    elif host == _KIWI_HOST:
        match = _KIWI_FILE.match(path)
        if match:
            return f"ob/{''.join(match.groups()[:4])}/{match[5]}/{unquote(match[6])}"
    elif _is_v1_host(host):
        match = _IDATA_FILE.match(path)
        if match:
            return f"idata/{''.join(match.groups()[:4])}/{unquote(match[5] + match[6])}"
    return original_image_url(url)


def is_overblog_key(key: str) -> bool:
    """True for the key of an Overblog upload (as opposed to a URL standing for itself)."""
    return key.startswith(("ob/", "idata/"))


def _kiwi_url(key: str, scheme: str) -> str:
    """The img.over-blog-kiwi.com URL of a kiwi file (``STRUCTURE.md`` §1.8) [UNVERIFIED that
    every file is served there]."""
    _ob, blog, day, name = key.split("/", 3)
    folders = "/".join((blog[0], blog[1:3], blog[3:5], blog[5:7]))
    return f"{scheme or 'https'}://{_KIWI_HOST}/{folders}/{day}/{name}"


def _thumbor_versions(url: str, seen: bool) -> list[tuple[str, int]]:
    parts = urlsplit(url)
    key = file_key(url)
    found: list[tuple[str, int]] = []
    if _THUMBOR_SIZE.match(parts.path):
        found.append((url, THUMBNAIL))
    elif seen:
        found.append((url, FULL))
    elif not key.startswith("ob/"):
        found.append((url, STRIPPED))  # a path of another shape: nothing better to ask
    if key.startswith("ob/"):
        found.append((_kiwi_url(key, parts.scheme), STRIPPED))
    return found


def versions(url: str, seen: bool = True) -> list[tuple[str, int]]:
    """What asking for ``url`` (and for the other forms it implies) can give, with each
    URL's rank, best first.

    ``seen``: the URL is as a page gave it. An unsized image.over-blog.com URL that no page
    gave is not asked (a parser took a size out of a signed URL): only its alternatives are.
    """
    url = _absolute(url)
    if not url.startswith(("http://", "https://")):
        return []
    inner = _inner(url)
    if inner is not None:
        return sorted([*versions(inner, seen=True), (url, THUMBNAIL)], key=lambda v: -v[1])
    host = _host(url)
    if host == _THUMBOR_HOST:
        return _thumbor_versions(url, seen)
    if host == _KIWI_HOST or _is_v1_host(host):
        stripped = original_image_url(url)
        if stripped != url:
            return [(stripped, STRIPPED), (url, THUMBNAIL)]
        return [(url, FULL if seen else STRIPPED)]
    return [(url, FULL)]


_IMAGE_ATTRIBUTES = ("src", "data-src", "data-original", "data-lazy-src")
_IMAGE_METAS = frozenset({"og:image", "twitter:image", "og:image:url", "og:image:secure_url"})


def _candidates(tree: Any) -> Iterable[str]:
    for element in tree.iter("img", "a", "meta", "link", "source"):
        tag = element.tag
        if tag == "img" or tag == "source":
            for name in _IMAGE_ATTRIBUTES:
                value = element.get(name)
                if value:
                    yield value
            srcset = element.get("srcset")
            if srcset:
                yield from (entry.split()[0] for entry in srcset.split(",") if entry.split())
        elif tag == "a" or tag == "link":
            href = element.get("href")
            if href and "over-blog" in href:
                yield href
        elif (element.get("property") or element.get("name") or "") in _IMAGE_METAS:
            content = element.get("content")
            if content:
                yield content


def page_image_urls(tree: Any, page_url: str) -> tuple[str, ...]:
    """The Overblog image URLs a page shows (images, image links, ``og:image``), absolute and
    as the page gave them, each once, in page order. ``tree``: the page parsed by lxml (read
    before a reader prunes it)."""
    found: dict[str, None] = {}
    for value in _candidates(tree):
        value = value.strip()
        if not value or value.startswith(("data:", "#", "javascript:")):
            continue
        url = urljoin(page_url, value)
        if is_overblog_media_host(_host(url)):
            found.setdefault(url, None)
    return tuple(found)
