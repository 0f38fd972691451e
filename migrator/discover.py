"""URL rules and link finding for Overblog blogs: pure functions, no I/O.

``classify`` names what a URL is (post, page, listing, tag, …) from Overblog's URL patterns of
both eras (v1 ``/article-ID.html``, kiwi ``/YYYY/MM/slug.html``); ``Scope`` decides which hosts
are the blog and gives each URL one canonical spelling; ``find_links`` reads a page and returns
the articles to fetch and the listing pages to walk; feeds and sitemaps are read with lxml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from bs4 import BeautifulSoup
from lxml import etree

__all__ = [
    "Links",
    "Scope",
    "canonical_link",
    "classify",
    "page_after",
    "find_links",
    "links_from_feed",
    "links_from_sitemap",
    "normalize",
    "sitemap_lastmods",
]

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
"""A v1 article path, ``/article-<id>.html`` or ``/article-<slug>-<id>.html`` (the one
definition: links and parsers use it too)."""
POST_PATTERNS = (
    re.compile(r"^/\d{4}/\d{2}/.+\.html?$"),
    V1_ARTICLE,
)
PAGE_PATTERNS = (re.compile(r"^/pages/[^/]+\.html?$"),)
ROOT_HTML = re.compile(r"^/([^/]+)\.html?$")
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

WALKED_KINDS = frozenset({"listing", "tag", "category", "archive"})
ARTICLE_KINDS = frozenset({"post", "page"})


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


def _service_host(host: str) -> bool:
    label, _, rest = host.partition(".")
    return label in SERVICE_LABELS and rest in OVERBLOG_DOMAINS


# A numbered listing page: /page/N, /N-index.html (v1), /tag/x/N, /archive/YYYY-MM/N.
NUMBERED_PAGE = re.compile(
    r"^(?P<series>/page/|/|/tag/[^/]+/|/archive/\d{4}-\d{2}/)(?P<number>\d+)(?P<end>/?|-index\.html?)$"
)


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


def classify(url: str) -> str:
    """What ``url`` points at.

    One of post, page, listing, tag, category, archive, feed, sitemap, skip, other.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "skip"
    if _service_host(parts.hostname.lower()):
        return "skip"
    return _classify_path(parts.path or "/")


def _classify_path(path: str) -> str:
    segments = [s for s in path.lower().split("/") if s]
    last = segments[-1] if segments else ""
    if any(s in SKIP_SEGMENTS for s in segments):
        return "skip"
    dot = last.rfind(".")
    if dot > 0 and last[dot:] in SKIP_EXTENSIONS:
        return "skip"
    if SITEMAP_PATTERN.search(last):
        return "sitemap"
    rules: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
        ("listing", LISTING_PATTERNS),
        ("post", POST_PATTERNS),
        ("page", PAGE_PATTERNS),
        ("tag", (TAG_PATTERN,)),
        ("category", (CATEGORY_PATTERN,)),
        ("archive", ARCHIVE_PATTERNS),
        ("feed", (FEED_PATTERN,)),
    )
    for kind, patterns in rules:
        if any(p.match(path) for p in patterns):
            return kind
    root = ROOT_HTML.match(path)
    if root and not ROOT_HTML_NOT_PAGE.match(root.group(1).lower()):
        return "page"
    return "other"


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


@dataclass
class Links:
    articles: list[str] = field(default_factory=list)
    """Post and page URLs, canonical, in scope, de-duplicated, in page order."""
    listings: list[str] = field(default_factory=list)
    """Pagination, tag, category and archive pages to walk, same rules."""


def find_links(page_url: str, html: str, scope: Scope,
               tree: lxml.html.HtmlElement | None = None) -> Links:
    """Articles and listing pages linked from one page (other blogs and service hosts ignored).

    Read with lxml's HTML parser directly (no BeautifulSoup tree): the crawl calls this on
    every page, and it is several times faster. ``tree``: ``html`` already parsed by lxml
    (``parse.html_tree``), left unchanged, so that the parser can use it next.
    """
    if not html.strip():
        return Links()
    root = tree
    if root is None:
        try:
            root = lxml.html.document_fromstring(html)
        except (etree.ParserError, ValueError):
            return Links()
    base = page_url
    for base_href in root.xpath("//base/@href")[:1]:
        base = urljoin(page_url, str(base_href))
    here = scope.canonical(page_url) if scope.contains(page_url) else None
    links = Links()
    seen: set[str] = set()
    scope_key = (scope.base_url, frozenset(scope.aliases))
    for element in root.xpath("//a[@href] | //link[@href] | //area[@href]"):
        if element.tag == "link" and not _is_next_link(element.get("rel", "")):
            continue
        _add_link(links, seen, _absolute(base, element.get("href", "").strip()), scope_key, here)
    return links


def _absolute(base: str, href: str) -> str:
    """``urljoin(base, href)``, without its cost for the links already absolute (most are)."""
    if href.startswith(("http://", "https://")) and not href.endswith(("?", "#")):
        return href
    return urljoin(base, href)


def _is_next_link(rel: str) -> bool:
    return "next" in rel.lower().split()


def _add_link(links: Links, seen: set[str], url: str, scope_key: tuple[str, frozenset[str]],
              here: str | None) -> None:
    verdict = _link_verdict(url, *scope_key)
    if verdict is None:
        return
    kind, canonical = verdict
    if canonical in seen or canonical == here:
        return
    seen.add(canonical)
    (links.articles if kind in ARTICLE_KINDS else links.listings).append(canonical)


@lru_cache(maxsize=8192)
def _link_verdict(url: str, base_url: str, aliases: frozenset[str]) -> tuple[str, str] | None:
    """(kind, canonical URL) of a link worth following, else None. Cached: every page of a
    blog repeats most of its links (menus, sidebars, tags)."""
    scope = Scope(base_url, set(aliases))
    if not scope.contains(url):
        return None
    kind = classify(url)
    if kind not in ARTICLE_KINDS and kind not in WALKED_KINDS:
        return None
    return kind, scope.canonical(url)


def canonical_link(html: str) -> str | None:
    """The page's ``<link rel="canonical" href>``, or None."""
    soup = BeautifulSoup(html, "lxml")
    for element in soup.find_all("link", href=True):
        if "canonical" in [str(r).lower() for r in element.get("rel") or []]:
            href = str(element["href"]).strip()
            return href or None
    return None


# -- feeds and sitemaps ----------------------------------------------------------------------


def _xml_root(xml: str | bytes) -> etree._Element | None:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    if isinstance(xml, str):
        # A str can't carry an encoding declaration lxml would honour: drop it.
        data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data.strip(), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: etree._Element, name: str) -> str | None:
    for child in _children(element, name):
        if child.text and child.text.strip():
            return child.text.strip()
    return None


def _iso_date(value: str | None) -> str | None:
    """RFC 822 (RSS) or ISO 8601 (Atom) date → ISO 8601 with offset."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return value if re.match(r"^\d{4}-\d{2}-\d{2}", value) else None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.isoformat()


def _atom_link(entry: etree._Element) -> str | None:
    fallback = None
    for link in _children(entry, "link"):
        href = (link.get("href") or "").strip()
        if href and link.get("rel", "alternate") == "alternate":
            return href
        fallback = fallback or href or None
    return fallback


def links_from_feed(xml: str | bytes) -> list[tuple[str, str | None]]:
    """(item link, published ISO date or None) for each item of an RSS 2.0 or Atom feed."""
    root = _xml_root(xml)
    if root is None:
        return []
    found: list[tuple[str, str | None]] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "item":
            link = _text(element, "link") or _permalink_guid(element)
            date = _text(element, "pubdate") or _text(element, "date")
        elif name == "entry":
            link = _atom_link(element)
            date = _text(element, "published") or _text(element, "updated")
        else:
            continue
        if link:
            found.append((link, _iso_date(date)))
    return found


def _permalink_guid(item: etree._Element) -> str | None:
    for guid in _children(item, "guid"):
        text = (guid.text or "").strip()
        if guid.get("isPermaLink", "true") != "false" and text.startswith("http"):
            return text
    return None


def sitemap_lastmods(xml: str | bytes) -> dict[str, str]:
    """``{page URL: <lastmod>}`` of a ``urlset`` (entries without a lastmod left out)."""
    root = _xml_root(xml)
    if root is None:
        return {}
    found: dict[str, str] = {}
    for element in root.iter():
        if _local(element.tag) != "url":
            continue
        location, lastmod = _text(element, "loc"), _text(element, "lastmod")
        if location and lastmod:
            found[location] = lastmod
    return found


def links_from_sitemap(xml: str | bytes) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a ``urlset`` or ``sitemapindex`` document."""
    root = _xml_root(xml)
    if root is None:
        return [], []
    pages: list[str] = []
    children: list[str] = []
    for element in root.iter():
        name = _local(element.tag)
        if name not in ("url", "sitemap"):
            continue
        location = _text(element, "loc")
        if location:
            (pages if name == "url" else children).append(location)
    return pages, children
