"""Any folder of saved pages as a transport: ``SavedPagesTransport``.

For what ``MirrorTransport`` cannot take: an HTTrack mirror (``hts-cache/``, its own
``index.html`` beside the host folder, links rewritten to local files), a browser's "Save page
as" (``Title.html`` and ``Title_files/``), a partial copy without its home page, or a mix.
Every HTML file is indexed by the URL it was saved from, the first of:

1. the comment the saving tool wrote: HTTrack's ``<!-- Mirrored from host/path by HTTrack``,
   a browser's ``<!-- saved from url=(0042)http://… -->``;
2. the ``wget``/HTTrack layout (``<host>/<path>``, ``…/index.html`` for a folder's URL);
3. the page's ``<link rel="canonical">``, else its ``og:url``.

A URL is answered from that index; else from the layout (a link an HTTrack page rewrote to a
local file answers a redirect to the URL that file was saved from, so the crawl reads it under
its real address); else, for a file that is not a page (an image in ``Title_files/``), by its
name when only one file has it; else 404.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..response import Response
from ..settings import MAX_BODY_BYTES
from ..warc.reader import url_key
from .mirror import MIRROR_TYPES, layout_file, read_capped

__all__ = ["SavedPage", "SavedPagesTransport", "scan_saved_pages"]

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
SKIPPED_FOLDERS = frozenset({"hts-cache", "hts-tmp", "__MACOSX"})
HTTRACK = re.compile(rb"<!--\s*Mirrored from\s+(\S+)\s+by HTTrack", re.I)
SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.I)
CANONICAL = re.compile(
    rb"""<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>""", re.I)
OG_URL = re.compile(rb"""<meta\b[^>]*\bproperty\s*=\s*["']og:url["'][^>]*>""", re.I)
HREF = re.compile(rb"""\b(?:href|content)\s*=\s*["']([^"']+)["']""", re.I)
NOT_FOUND = b"<html><body>Not in the saved copy</body></html>"
SCAN_BYTES = MAX_BODY_BYTES
"""What the scan reads of a file to tell its address and whether it is Overblog's (a larger
page is listed, then refused when fetched, as over HTTP)."""


@dataclass(frozen=True, slots=True)
class SavedPage:
    url: str
    """The URL the page was saved from."""
    path: Path
    overblog: bool
    """Whether ``is_blog_page`` said its text is an Overblog page."""


@dataclass(slots=True)
class _Index:
    pages: dict[str, Path] = field(default_factory=dict)
    """URL key → HTML file."""
    saved_from: dict[Path, str] = field(default_factory=dict)
    """HTML file → the URL it was saved from."""
    by_name: dict[str, list[Path]] = field(default_factory=dict)
    """File name → the files (not pages) of that name."""


def scan_saved_pages(folder: Path, is_blog_page: Callable[[str], bool],
                     ) -> tuple[list[SavedPage], _Index]:
    """Every HTML file of ``folder`` whose URL can be told, and the index of the folder."""
    index = _Index()
    pages: list[SavedPage] = []
    for path in _files(folder):
        if not path.name.lower().endswith(HTML_SUFFIXES):
            index.by_name.setdefault(path.name, []).append(path)
            continue
        try:
            with path.open("rb") as stream:  # a page over the cap is refused when fetched
                content = stream.read(SCAN_BYTES)
        except OSError:
            continue
        url = _saved_from(content) or _layout_url(folder, path) or _declared_url(content)
        if url is None:
            log.debug("Saved page %s: no URL found (no host folder, comment or canonical)", path)
            continue
        index.saved_from[path] = url
        key = url_key(url)
        if key not in index.pages:
            index.pages[key] = path
            pages.append(SavedPage(url, path,
                                   is_blog_page(content.decode("utf-8", "replace"))))
    return pages, index


class SavedPagesTransport:
    """Answers from a folder of saved pages (see the module's docstring)."""

    needs_politeness = False

    def __init__(self, folder: Path, index: _Index,
                 max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.folder = Path(folder)
        self.index = index
        self.max_body_bytes = max_body_bytes

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        page = self.index.pages.get(url_key(url))
        if page is not None:
            return _answer(url, 200, self._read(url, page), "text/html")
        path = self._layout_file(url)
        if path is not None:
            saved_from = self.index.saved_from.get(path)
            if saved_from is not None and url_key(saved_from) != url_key(url):
                return _answer(url, 301, b"", "text/html", {"location": saved_from})
            body = self._read(url, path)
            return _answer(url, 200, body, _content_type(path, body))
        same_name = self.index.by_name.get(unquote(urlsplit(url).path.rsplit("/", 1)[-1]), [])
        if len(same_name) == 1:
            body = self._read(url, same_name[0])
            return _answer(url, 200, body, _content_type(same_name[0], body))
        return _answer(url, 404, NOT_FOUND, "text/html")

    def _read(self, url: str, path: Path) -> bytes:
        return read_capped(url, path, self.max_body_bytes)

    def _layout_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        host_dir = self.folder / (parts.hostname or "").lower()
        if not parts.hostname or not host_dir.is_dir():
            return None
        return layout_file(host_dir, parts.path, parts.query)

    def close(self) -> None:
        """Nothing to release."""


def _files(folder: Path) -> Iterator[Path]:
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders
                            if f not in SKIPPED_FOLDERS and not f.startswith("."))
        for name in sorted(files):
            if not name.startswith((".", "hts-")):
                yield Path(root) / name


def _saved_from(content: bytes) -> str | None:
    """The URL an HTTrack comment or a browser's "saved from" comment names."""
    head = content[:8192]
    match = HTTRACK.search(head)
    if match:
        url = match.group(1).decode("utf-8", "replace")
        return url if "://" in url else f"http://{url}"
    match = SAVED_FROM.search(head)
    if match:
        url = match.group(1).decode("utf-8", "replace")
        if url.startswith(("http://", "https://")):
            return url
    return None


def _layout_url(folder: Path, path: Path) -> str | None:
    """``<host>/<path>`` as ``wget`` and HTTrack lay a site out; ``…/index.html`` → ``…/``."""
    relative = path.relative_to(folder).parts
    if len(relative) < 2 or not _looks_like_host(relative[0]):
        return None
    rest = "/".join(relative[1:])
    if rest == "index.html" or rest.endswith("/index.html"):
        rest = rest[: -len("index.html")]
    rest, _, query = rest.partition("?")
    url = f"http://{relative[0].lower()}/{quote(rest, safe='/:@!$&()*+,;=-._~')}"
    return f"{url}?{query}" if query else url


def _declared_url(content: bytes) -> str | None:
    for pattern in (CANONICAL, OG_URL):
        tag = pattern.search(content)
        if tag:
            value = HREF.search(tag.group(0))
            if value:
                url = value.group(1).decode("utf-8", "replace").replace("&amp;", "&")
                if url.startswith(("http://", "https://")):
                    return url
    return None


def _looks_like_host(name: str) -> bool:
    return "." in name and " " not in name and not name.startswith(".") and \
        not name.lower().endswith(HTML_SUFFIXES)


def _content_type(path: Path, body: bytes) -> str:
    suffix = path.suffix.lower() if "?" not in path.name else ""
    if suffix in MIRROR_TYPES:
        return MIRROR_TYPES[suffix]
    start = body.lstrip()[:100].lower()
    if start.startswith((b"<?xml", b"<rss", b"<feed")):
        return "application/xml"
    return "text/html" if start.startswith(b"<") else "application/octet-stream"


def _answer(url: str, status: int, body: bytes, content_type: str,
            extra: dict[str, str] | None = None) -> Response:
    headers = {"content-type": content_type, "content-length": str(len(body)), **(extra or {})}
    return Response(url, url, status, headers, body)
