"""The URL vocabulary of Overblog blogs: what an address is, which hosts are the blog, one
spelling per URL. Pure functions, no I/O; every rule about Overblog addresses is here.

- ``UrlKind``: what a URL points at (post, page, listing, tag, …), the one vocabulary the
  crawl, the archive's queue, link finding and the parsers use;
- ``classify(url)``: the kind of a link, from the address patterns of both eras (v1
  ``/article-ID.html``, kiwi ``/YYYY/MM/slug.html``);
- ``article_kind(url)`` and ``is_listing_url(url)``: what the *parsers* ask of the page they
  read (is this address a listing, which never holds one article? is the article found there
  a post or a static page?). They answer another question than ``classify`` and keep their own
  patterns (see ``LISTING_PATH``): merging the two rule sets would change what is read on
  edge addresses (``/categorie-foo.html``, ``/pages``, ``/tag/x/y/z``…);
- ``Scope``: the blog's hosts (its own, ``www.`` or not, aliases found on the way) and the
  canonical spelling of an address of the blog; ``normalize``: one spelling per URL;
- ``page_after``: the pagination rule (page N names page N+1, so N+2 can be asked at once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

__all__ = [
    "ARTICLE_KINDS",
    "LISTING_KINDS",
    "READ_AS_ARTICLE",
    "SEED_KINDS",
    "V1_ARTICLE",
    "Scope",
    "UrlKind",
    "article_kind",
    "classify",
    "is_listing_url",
    "normalize",
    "page_after",
]


class UrlKind(str, Enum):
    """What a URL points at. The values are what the archive's queue stores."""

    POST = "post"
    PAGE = "page"
    LISTING = "listing"
    """The home page and its pagination (``/page/N``, ``/N-index.html``)."""
    TAG = "tag"
    CATEGORY = "category"
    ARCHIVE = "archive"
    FEED = "feed"
    SITEMAP = "sitemap"
    SKIP = "skip"
    """Never fetched: another scheme, an Overblog service host, media, admin or share links."""
    OTHER = "other"
    """An address of the blog no rule names; fetched and read like an article."""

    def __str__(self) -> str:
        return self.value


ARTICLE_KINDS = frozenset({UrlKind.POST, UrlKind.PAGE})
"""Addresses of one article."""
LISTING_KINDS = frozenset({UrlKind.LISTING, UrlKind.TAG, UrlKind.CATEGORY, UrlKind.ARCHIVE})
"""Pages walked for their links (and the dates they show), never read as an article."""
SEED_KINDS = frozenset({UrlKind.FEED, UrlKind.SITEMAP})
"""Lists of addresses (RSS/Atom feeds, sitemaps); when absent, not a failure."""
READ_AS_ARTICLE = frozenset({UrlKind.POST, UrlKind.PAGE, UrlKind.OTHER})
"""Kinds the crawl fetches and reads as a possible article."""

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|xtor)$", re.I)
# Characters left as they are when re-quoting a path ("%" keeps existing escapes intact).
PATH_SAFE = "/:@!$&'()*+,;=-._~%"

# Overblog service hosts: never a blog (STRUCTURE.md §3.1).
SERVICE_LABELS = frozenset(
    "www admin api api2 app assets beta connect de en es fr it fdata fonts forum forums idata "
    "image img img2 media my newsletter pay premium shop resize data ddata".split()
)
OVERBLOG_DOMAINS = frozenset(
    "over-blog.com over-blog.fr over-blog.net over-blog.org overblog.com overblog.fr "
    "over-blog-kiwi.com".split()
)
SKIP_SEGMENTS = frozenset(
    "admin connect share _share repost _repost search api contact mail subscribe system top "
    "comment-count login logout user _follow newsletter abuse cdn-cgi wp-admin".split()
)
SKIP_EXTENSIONS = frozenset(
    ".jpg .jpeg .png .gif .webp .svg .bmp .ico .css .js .pdf .zip .mp3 .mp4 .avi .mov .doc "
    ".docx .xls .xlsx .ppt .pptx .swf .flv .woff .woff2 .ttf .eot".split()
)

V1_ARTICLE = re.compile(r"^/article-(?:(?P<slug>[^/]+)-)?(?P<id>\d+)\.html?$")
"""A v1 article path, ``/article-<id>.html`` or ``/article-<slug>-<id>.html``."""
KIWI_POST = re.compile(r"^/(?:19|20)\d{2}/\d{2}/(?P<slug>.+?)\.html?$")
"""A kiwi post path with a plausible year; its slug is the last part (``parse.common.slug_of``)."""
POST_PATTERNS = (
    re.compile(r"^/\d{4}/\d{2}/.+\.html?$"),
    V1_ARTICLE,
)
PAGE_PATTERNS = (re.compile(r"^/pages/[^/]+\.html?$"),)
ROOT_HTML = re.compile(r"^/([^/]+)\.html?$")
"""A file at the root (``/a-propos.html``): a static page unless ``ROOT_HTML_NOT_PAGE``."""
ROOT_HTML_NOT_PAGE = re.compile(r"^(index|article-.*|\d+-index|.*categorie-\d+|archive-.*)$")
LISTING_PATTERNS = (
    re.compile(r"^/?$"),
    re.compile(r"^/index\.html?$"),
    re.compile(r"^/page/\d+/?$"),
    re.compile(r"^/\d+-index\.html?$"),
)
TAG_PATTERN = re.compile(r"^/tag/[^/]+(?:/\d+)?/?$")
CATEGORY_PATTERN = re.compile(r"^/(?:\d+-)?categorie-\d+\.html?$")
ARCHIVE_PATTERNS = (
    re.compile(r"^/archive/\d{4}-\d{2}(?:/\d+)?/?$"),
    re.compile(r"^/archive-\d{1,2}-(?:\d{1,2}-)?\d{4}\.html?$"),
)
FEED_PATTERN = re.compile(r"^/(?:rss|feed|atom)(?:[-/][\w-]*(?:\.xml)?)?/?$|^/rss-[\w-]+\.xml$")
SITEMAP_PATTERN = re.compile(r"sitemap[\w-]*\.xml(?:\.gz)?$", re.I)
_RULES: tuple[tuple[UrlKind, tuple[re.Pattern[str], ...]], ...] = (
    (UrlKind.LISTING, LISTING_PATTERNS),
    (UrlKind.POST, POST_PATTERNS),
    (UrlKind.PAGE, PAGE_PATTERNS),
    (UrlKind.TAG, (TAG_PATTERN,)),
    (UrlKind.CATEGORY, (CATEGORY_PATTERN,)),
    (UrlKind.ARCHIVE, ARCHIVE_PATTERNS),
    (UrlKind.FEED, (FEED_PATTERN,)),
)

LISTING_PATH = re.compile(
    r"^/(?:$|page/\d+|tag/|archive/|top(?:/|$)|\d+-index\.html|index\.html|"
    r"categorie-|\d+-categorie-|archive-|(?:search|contact|rss|pages)/?$)"
)
"""What the parsers take for a listing (prefixes: ``/tag/…`` whatever follows): no article is
read at such an address, whatever the page holds."""

# A numbered listing page: /page/N, /N-index.html (v1), /tag/x/N, /archive/YYYY-MM/N.
NUMBERED_PAGE = re.compile(
    r"^(?P<series>/page/|/|/tag/[^/]+/|/archive/\d{4}-\d{2}/)(?P<number>\d+)(?P<end>/?|-index\.html?)$"
)


# -- kinds -------------------------------------------------------------------------------------


def classify(url: str) -> UrlKind:
    """What ``url`` points at, for the crawl (see ``UrlKind``)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return UrlKind.SKIP
    if _service_host(parts.hostname.lower()):
        return UrlKind.SKIP
    return _classify_path(parts.path or "/")


def _classify_path(path: str) -> UrlKind:
    segments = [s for s in path.lower().split("/") if s]
    last = segments[-1] if segments else ""
    if any(s in SKIP_SEGMENTS for s in segments):
        return UrlKind.SKIP
    dot = last.rfind(".")
    if dot > 0 and last[dot:] in SKIP_EXTENSIONS:
        return UrlKind.SKIP
    if SITEMAP_PATTERN.search(last):
        return UrlKind.SITEMAP
    for kind, patterns in _RULES:
        if any(p.match(path) for p in patterns):
            return kind
    root = ROOT_HTML.match(path)
    if root and not ROOT_HTML_NOT_PAGE.match(root.group(1).lower()):
        return UrlKind.PAGE
    return UrlKind.OTHER


def _service_host(host: str) -> bool:
    label, _, rest = host.partition(".")
    return label in SERVICE_LABELS and rest in OVERBLOG_DOMAINS


def is_listing_url(url: str) -> bool:
    """True when a parser must read no article at ``url`` (``LISTING_PATH``)."""
    return bool(LISTING_PATH.match(urlsplit(url).path or "/"))


def article_kind(url: str) -> Literal["post", "page"]:
    """Whether the article read at ``url`` is a static page (``/pages/…``, a file at the root
    that is not a v1 article or a listing) or a post (anything else)."""
    path = urlsplit(url).path
    if path.startswith("/pages/"):
        return "page"
    match = ROOT_HTML.match(path)
    if match and not match.group(1).startswith("article-") and not is_listing_url(url):
        return "page"
    return "post"


# -- spelling and scope ------------------------------------------------------------------------


def normalize(url: str) -> str:
    """One spelling per URL: lower-case host, no default port, no fragment, no tracking params."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    path = quote(parts.path or "/", safe=PATH_SAFE)
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(TRACKING_PARAMS.match(name) for name, _ in pairs):
        kept = [(name, value) for name, value in pairs if not TRACKING_PARAMS.match(name)]
        query = urlencode(kept, quote_via=quote)
    return urlunsplit((scheme, netloc, path, query, ""))


def _other_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else f"www.{host}"


@dataclass
class Scope:
    """The blog's host and the hosts that are the same blog (www./bare, added aliases)."""

    base_url: str
    aliases: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        parts = urlsplit(normalize(self.base_url))
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        host = (parts.hostname or "").lower()
        self.aliases = {a.lower() for a in self.aliases} | {host, _other_www(host)}

    @classmethod
    def for_base_url(cls, base_url: str) -> Scope:
        """The scope of the blog at ``base_url`` (its host plus the www./bare variant)."""
        return cls(base_url)

    def hosts_with_www(self) -> set[str]:
        """Every host of the blog, each with and without "www." (for redirect checks)."""
        return set(self.aliases)

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()

    def add_alias(self, host_or_url: str) -> None:
        host = urlsplit(host_or_url).hostname if "//" in host_or_url else host_or_url
        if host:
            self.aliases |= {host.lower(), _other_www(host.lower())}

    def contains(self, url: str) -> bool:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in ("http", "https") and (
            (parts.hostname or "").lower() in self.aliases
        )

    def canonical(self, url: str) -> str:
        """``url`` spelled with the blog's own scheme and host (call only for URLs in scope)."""
        parts = urlsplit(normalize(url))
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


# -- pagination --------------------------------------------------------------------------------


def _first_pages(series: str) -> tuple[str, ...]:
    """The paths of a series' first page, which has no number: the home page, /tag/x/…"""
    if series in ("/page/", "/"):
        return ("", "/", "/index.html", "/index.htm")
    return (series, series.rstrip("/"))


def page_after(page_url: str, next_url: str) -> str | None:
    """The page after ``next_url`` when ``next_url`` is the page right after ``page_url``.

    Pagination is a chain: page N names page N+1 only. Queuing N+2 as soon as N names N+1
    keeps two pages of the chain in flight and halves the time a big blog without sitemap
    takes to walk; past the last page it costs one request (a 404, or a page naming no next).
    """
    following = urlsplit(next_url)
    match = NUMBERED_PAGE.match(following.path)
    if match is None or following.query:
        return None
    series, number, end = match["series"], int(match["number"]), match["end"]
    if (series == "/") != end.startswith("-"):
        return None
    current = urlsplit(page_url)
    if current.netloc != following.netloc or current.query:
        return None
    here = NUMBERED_PAGE.match(current.path)
    if here is not None and (here["series"], here["end"]) == (series, end):
        current_number = int(here["number"])
    elif current.path in _first_pages(series):
        current_number = 1
    else:
        return None
    if number != current_number + 1:
        return None
    return urlunsplit(following._replace(path=f"{series}{number + 1}{end}"))
