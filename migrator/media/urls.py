"""Media URL rules: which images and files an article has, at their highest resolution.

Overblog serves thumbnails through size segments (``/300x200/``, ``/400x260-ct/``,
``/582x288/smart/``), the ``resize.over-blog.com/WxH.jpg?<url>`` wrapper and the v1
``img.over-blog.com/WxH/<path>`` proxy in front of ``idata.over-blog.com``;
``original_image_url`` undoes them. ``article_media_urls`` lists what a download fetches: the
images, the cover, and the files linked from the body (PDFs on ``data.over-blog-kiwi.com``,
``.pdf``/``.doc``… links). Pure functions, used by the download (crawl stage) and the publishing
(export stage) alike.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from ..model import Article

__all__ = [
    "FILE_EXTENSIONS",
    "FILE_HOSTS",
    "MEDIA_HOSTS",
    "article_media_urls",
    "body_file_links",
    "image_url_candidates",
    "is_overblog_media_host",
    "original_image_url",
    "unwrap_resize",
]

MEDIA_HOSTS = frozenset({
    "idata.over-blog.com",
    "img.over-blog.com",
    "img2.over-blog.com",
    "image.over-blog.com",
    "resize.over-blog.com",
    "img.over-blog-kiwi.com",
    "data.over-blog-kiwi.com",
    "media.over-blog.com",
})
"""Overblog hosts that serve blog content files (not the theme's assets host)."""
FILE_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
                   ".zip", ".mp3", ".ogg", ".epub", ".txt", ".rtf")
FILE_HOSTS = ("data.over-blog-kiwi.com",)
_SIZE_SEGMENT = re.compile(r"/\d{1,5}x\d{1,5}(?:-ct)?(?:/smart)?(?=/)")
_LEADING_SIZE = re.compile(r"^/\d{1,5}x\d{1,5}(?:-ct)?(?:/smart)?(?=/)")
# image.over-blog.com/<sig>=/…/image%2F<7-digit blog id>%2F<YYYYMM[DD]>%2Fob_<hex>_<name>
_THUMBOR_PATH = re.compile(r"image%2F(\d{7})%2F(\d{6,8})%2F([^/?#]+)$", re.I)


def is_overblog_media_host(host: str) -> bool:
    """True for hosts that serve blog content files (not the theme's assets host)."""
    host = host.lower().split(":", 1)[0]
    return host in MEDIA_HOSTS or host.endswith(".idata.over-blog.com")


def unwrap_resize(url: str) -> str:
    """The URL a ``resize.over-blog.com/WxH.jpg?<url>`` wrapper shows, as the wrapper gives it
    (``url`` itself when there is none)."""
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
        inner = unwrap_resize(url)
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


def _kiwi_file_url(url: str) -> str | None:
    """image.over-blog.com thumbor URL -> the same file on img.over-blog-kiwi.com.

    The blog id is split 1/2/2/2 (0478859 -> 0/47/88/59, STRUCTURE.md §1.8) [UNVERIFIED that
    every file is served there].
    """
    parts = urlsplit(url)
    if (parts.hostname or "") != "image.over-blog.com":
        return None
    match = _THUMBOR_PATH.search(parts.path)
    if not match:
        return None
    blog, day, name = match.groups()
    folders = "/".join((blog[0], blog[1:3], blog[3:5], blog[5:7]))
    return f"{parts.scheme or 'https'}://img.over-blog-kiwi.com/{folders}/{day}/{unquote(name)}"


def image_url_candidates(url: str) -> list[str]:
    """URLs to try, best first, when downloading an image: the full-size URL, the same file on
    img.over-blog-kiwi.com (a thumbor signature is computed for one size, so a size-stripped
    image.over-blog.com URL may be refused), then the URL exactly as the page gave it."""
    candidates = [original_image_url(url)]
    kiwi = _kiwi_file_url(candidates[0])
    if kiwi:
        candidates.append(kiwi)
    given = "https:" + url.strip() if url.strip().startswith("//") else url.strip()
    candidates.append(given)
    return list(dict.fromkeys(candidates))


def _is_file_link(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return host in FILE_HOSTS or unquote(parts.path).lower().endswith(FILE_EXTENSIONS)


def body_file_links(body_html: str) -> list[tuple[str, str]]:
    """(URL, link text) of attached files linked from a body (PDFs, documents…)."""
    if "<a" not in body_html:
        return []
    soup = BeautifulSoup(body_html, "html.parser")
    links: dict[str, str] = {}
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        if href.startswith(("http://", "https://", "//")) and _is_file_link(href):
            links.setdefault(original_image_url(href), anchor.get_text(" ", strip=True))
    return list(links.items())


def article_media_urls(article: Article) -> list[str]:
    """Every media URL of an article, highest resolution, each once, in order."""
    urls = [original_image_url(image.url) for image in article.images]
    if article.cover_image:
        urls.append(original_image_url(article.cover_image))
    urls += [url for url, _text in body_file_links(article.body_html)]
    return [u for u in dict.fromkeys(urls) if u.startswith(("http://", "https://"))]
