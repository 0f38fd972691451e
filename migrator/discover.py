"""Link finding for Overblog blogs: pure functions, no I/O.

``find_links`` reads a page and returns the articles to fetch and the listing pages to walk
(what an address is, and which hosts are the blog, are ``migrator.urls``); feeds and sitemaps
are read with lxml (``links_from_feed``, ``links_from_sitemap``, ``sitemap_lastmods``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

import lxml.html
from bs4 import BeautifulSoup
from lxml import etree

from .dates import rfc822_to_iso
from .urls import ARTICLE_KINDS, LISTING_KINDS, Scope, classify

__all__ = [
    "Links",
    "canonical_link",
    "find_links",
    "links_from_feed",
    "links_from_sitemap",
    "sitemap_lastmods",
]


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
    is_article, canonical = verdict
    if canonical in seen or canonical == here:
        return
    seen.add(canonical)
    (links.articles if is_article else links.listings).append(canonical)


@lru_cache(maxsize=8192)
def _link_verdict(url: str, base_url: str, aliases: frozenset[str]) -> tuple[bool, str] | None:
    """(is it an article, canonical URL) of a link worth following, else None. Cached: every
    page of a blog repeats most of its links (menus, sidebars, tags)."""
    scope = Scope(base_url, set(aliases))
    if not scope.contains(url):
        return None
    kind = classify(url)
    if kind not in ARTICLE_KINDS and kind not in LISTING_KINDS:
        return None
    return kind in ARTICLE_KINDS, scope.canonical(url)


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
            found.append((link, rfc822_to_iso(date)))
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
