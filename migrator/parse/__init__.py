"""HTML page -> Article / Blog, one parser per Overblog template family.

Families, tried in this order (``FAMILIES``): ``post`` (kiwi Post-* themes), ``v1`` (old
over-blog.com and the ``_migration`` theme), ``kiwi`` (2013 classic kiwi themes), then ``generic``.
The theme (``<!-- Basic theme id NN [Name] -->``) and the family chosen are logged per page
(DEBUG).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from lxml.html import HtmlElement as LxmlElement

from ..model import Article, Blog
from ..urls import ARTICLE_KINDS, classify, is_listing_url
from . import postkiwi, semantic, v1
from .common import double_unescape, meta, norm_text, theme_of
from .listing import apply_listing_date, listing_dates, listing_key
from .prune import html_tree, make_soup

__all__ = ["FAMILIES", "apply_listing_date", "capture_date", "detect_family", "html_tree",
           "is_overblog", "listing_dates", "listing_key", "parse_blog", "parse_page", "theme_label",
           "theme_of", "unread_reason"]

logger = logging.getLogger(__name__)

FAMILIES = {"post": postkiwi, "semantic": semantic, "v1": v1}

_MARKERS = re.compile(
    r"<!--\s*Basic theme id|assets\.over-blog-kiwi\.com|ob-ShareBar|'source'\s*:\s*'OVERBLOG'|"
    r"content=\"@overblog\"|admin\.over-blog\.com|class=\"(?:divTitreArticle|contenuArticle)\"|"
    r"(?:idata|img|image)\.over-blog\.com|img\.over-blog-kiwi\.com",
)


def is_overblog(html: str) -> bool:
    """True when the markup is Overblog's (never judged by host name)."""
    return bool(_MARKERS.search(html))


_WAYBACK = re.compile(
    r"FILE ARCHIVED ON (\d{1,2}):(\d{2}):(\d{2}) ([A-Z][a-z]{2}) (\d{1,2}), (\d{4})")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def capture_date(html: str) -> datetime | None:
    """When a Wayback Machine copy was captured ("FILE ARCHIVED ON 14:05:12 Oct 15, 2012", UTC)."""
    match = _WAYBACK.search(html)
    if not match or match.group(4) not in _MONTHS:
        return None
    hour, minute, second, month, day, year = match.groups()
    return datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute),
                    int(second), tzinfo=timezone.utc)


def theme_label(html: str) -> str:
    """"theme 977 [Mystery]", "theme 977", or "unknown theme": how reports name a theme."""
    theme_id, name = theme_of(html)
    if theme_id is None:
        return f"theme [{name}]" if name else "unknown theme"
    return f"theme {theme_id} [{name}]" if name else f"theme {theme_id}"


_ARTICLE_OG = re.compile(r"<meta[^>]+property=[\"']og:type[\"'][^>]+content=[\"']article[\"']"
                         r"|<meta[^>]+content=[\"']article[\"'][^>]+property=[\"']og:type[\"']",
                         re.I)
_ARTICLE_LD = re.compile(r'"@type"\s*:\s*\[?\s*"(?:NewsArticle|Article|BlogPosting)"')


def unread_reason(url: str, html: str) -> str | None:
    """Why a page that gave no Article is a loss, or None when it is no article at all.

    A page looks like an article by its address (a post or static-page form) or by what it
    declares (``og:type`` article, an article JSON-LD); such a page that no reader understood
    is reported as ``unreadable: theme NN [Name]``, never dropped in silence.
    """
    kind = classify(url)
    if kind not in ARTICLE_KINDS and not (_ARTICLE_OG.search(html) or _ARTICLE_LD.search(html)):
        return None
    return f"unreadable: {theme_label(html)}"


def detect_family(html_or_soup: str | BeautifulSoup,
                  families: tuple[str, ...] | None = None) -> str:
    """The first family (of ``families``, default all, in ``FAMILIES`` order) whose markup the
    page shows; the semantic reader when none does."""
    soup = make_soup(html_or_soup)
    for name in FAMILIES:
        if (families is None or name in families) and FAMILIES[name].detect(soup):
            return name
    return "semantic"


FALLBACKS = ("semantic",)
"""Readers tried, in this order, when the family detected gives no article."""


def _readers(family: str, families: tuple[str, ...] | None) -> list[str]:
    chosen = [family, *(name for name in FALLBACKS if name != family)]
    return [name for name in chosen if families is None or name in families]


def parse_page(url: str, html: str, captured: datetime | None = None,
               tree: LxmlElement | None = None,
               families: tuple[str, ...] | None = None) -> Article | None:
    """The Article of a post or static page, or None for listings, tag/archive pages and errors.

    ``captured`` (when the copy was fetched or archived) resolves relative comment dates such as
    "hier à 18h05"; a Wayback Machine copy gives its own. Without it they stay None. ``tree``:
    ``html`` already parsed by ``html_tree`` (the crawl reads links from it first); it is
    pruned in place. ``families``: read with these readers only (``("semantic",)`` measures
    the semantic reader alone).
    """
    if is_listing_url(url):
        logger.debug("%s: listing URL, not an article", url)
        return None
    # Error pages are told by their HTTP status (the crawl) and by their structure (no family
    # finds an article in them), never by words in the title: a blogger may write "404".
    soup = make_soup(html, focus=True, tree=tree)
    family = detect_family(soup, families)
    theme_id, theme = theme_of(html)
    logger.debug("%s: theme id %s [%s] -> family %s", url, theme_id or "-", theme or "-", family)
    captured = captured or capture_date(html)
    article = None
    for reader in _readers(family, families):
        article = FAMILIES[reader].parse(url, soup, html, theme, captured)
        if article is not None:
            if reader != family:
                logger.debug("%s: %s markup not understood, %s reader used", url, family, reader)
            break
    if article is not None and article.guessed:
        logger.debug("%s: guessed %s", url, ", ".join(article.guessed))
    return article


def _language(soup: BeautifulSoup) -> str:
    html_tag = soup.find("html")
    if html_tag is not None and html_tag.get("lang"):
        return str(html_tag["lang"]).strip()
    locale = meta(soup, "og:locale")
    return locale.replace("_", "-").split("-")[0] if locale else "fr"


def _blog_title(soup: BeautifulSoup) -> str:
    site_name = meta(soup, "og:site_name")
    if site_name:
        return norm_text(site_name)
    for selector in ("h1.blog-title", ".Header-title", "#blogTitle", "#titreBlog", ".titreBlog"):
        node = soup.select_one(selector)
        if node is not None and node.get_text(strip=True):
            return norm_text(node.get_text(" "))
    title = soup.title.get_text(" ") if soup.title else ""
    return norm_text(double_unescape(title.split(" - ")[-1]))


def _blog_description(soup: BeautifulSoup) -> str:
    for selector in ("p.description", ".Header-description", "#blogDescription", "#descriptionBlog",
                     ".descriptionBlog"):
        node = soup.select_one(selector)
        if node is not None and node.get_text(strip=True):
            return norm_text(double_unescape(node.get_text(" ")))
    if meta(soup, "og:type") == "article":
        return ""
    return norm_text(meta(soup, "description") or meta(soup, "og:description") or "")


def parse_blog(url: str, html: str) -> Blog:
    """Blog title, description, language and theme from any page (the home page is best)."""
    soup = make_soup(html)
    parts = urlsplit(url)
    return Blog(
        url=f"{parts.scheme}://{parts.netloc}/",
        title=_blog_title(soup),
        description=_blog_description(soup),
        language=_language(soup),
        theme=theme_of(html)[1],
    )
