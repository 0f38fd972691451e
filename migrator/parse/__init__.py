"""HTML page -> Article / Blog, one parser per Overblog template family.

Families, tried in this order (``FAMILIES``): ``post`` (kiwi Post-* themes), ``v1`` (old
over-blog.com and the ``_migration`` theme), ``kiwi`` (2013 classic kiwi themes), then ``generic``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from ..model import Article, Blog
from . import generic, kiwi, postkiwi, v1
from .common import double_unescape, is_listing_url, make_soup, meta, norm_text

__all__ = ["FAMILIES", "detect_family", "is_overblog", "parse_blog", "parse_page", "theme_of"]

FAMILIES = {"post": postkiwi, "v1": v1, "kiwi": kiwi, "generic": generic}

_THEME = re.compile(r"<!--\s*Basic theme id\s+(\d+)\s*(?:\[([^\]]*)\])?")
_MARKERS = re.compile(
    r"<!--\s*Basic theme id|assets\.over-blog-kiwi\.com|ob-ShareBar|'source'\s*:\s*'OVERBLOG'|"
    r"content=\"@overblog\"|admin\.over-blog\.com|class=\"(?:divTitreArticle|contenuArticle)\"|"
    r"(?:idata|img|image)\.over-blog\.com|img\.over-blog-kiwi\.com",
)


def is_overblog(html: str) -> bool:
    """True when the markup is Overblog's (never judged by host name)."""
    return bool(_MARKERS.search(html))


def theme_of(html: str) -> tuple[str | None, str | None]:
    """(theme id, theme name) from ``<!-- Basic theme id 90 [Noodle] ... -->``."""
    match = _THEME.search(html)
    if not match:
        return None, None
    name = match.group(2).strip() if match.group(2) else None
    return match.group(1), name or None


def detect_family(html_or_soup: str | BeautifulSoup) -> str:
    soup = make_soup(html_or_soup)
    for name in ("post", "v1", "kiwi"):
        if FAMILIES[name].detect(soup):
            return name
    return "generic"


def _is_error_page(soup: BeautifulSoup) -> bool:
    title = soup.title.get_text(" ", strip=True).lower() if soup.title else ""
    return bool(re.search(r"\b404\b|page introuvable|page not found|n'existe pas", title))


def parse_page(url: str, html: str) -> Article | None:
    """The Article of a post or static page, or None for listings, tag/archive pages and errors."""
    if is_listing_url(url):
        return None
    soup = make_soup(html)
    if _is_error_page(soup):
        return None
    family = detect_family(soup)
    _, theme = theme_of(html)
    article = FAMILIES[family].parse(url, soup, html, theme)
    if article is None and family != "generic" and generic.looks_like_article(soup):
        article = generic.parse(url, soup, html, theme)
        if article is not None:
            article.warnings.append(f"{family} markup not understood: generic parser used")
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
