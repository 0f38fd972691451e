"""Dates printed on listing pages (home, /page/N, /tag/x/, /archive/…, v1 index), by post URL.

A post page whose theme prints no date ("Publié le par X", STRUCTURE.md §2 rows 5-8, 23) can take
the date its listing shows. ``listing_dates`` reads a listing; ``apply_listing_date`` gives an
Article that listing's date when it has none better than the URL month.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from lxml.html import HtmlElement

from ..model import Article
from .common import make_soup
from .dates import parse_date_text

__all__ = ["apply_listing_date", "listing_dates"]

# (item, link inside the item, date inside the item) per template family.
_ITEMS = (
    ("article.post", "h2.post-title a[href], h1.post-title a[href], .title a[href]",
     "div.date, .post-date, time"),
    ("div.PostPreview", "a.PostPreview-link[href], .PostPreview-title a[href], h2 a[href]",
     ".PostPreviewMeta-date, .PostPreview-date, time"),
)


def listing_key(url: str) -> str:
    """How listing dates are keyed: host without ``www.`` and path."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path}"


def _date_of(item: Tag, selector: str) -> tuple[str, bool] | None:
    node = item.select_one(selector)
    if node is None:
        return None
    if node.name == "time" and node.get("datetime"):
        parsed = parse_date_text(str(node["datetime"]))
    else:
        parsed = parse_date_text(node.get_text(" "))
    return (parsed[0].isoformat(), parsed[1]) if parsed else None


def _v1_extraits(soup: BeautifulSoup, page_url: str) -> dict[str, tuple[str, bool]]:
    found: dict[str, tuple[str, bool]] = {}
    for link in soup.select("a.titreExtrait[href]"):
        date = link.find_next(class_="dateExtrait")
        parsed = parse_date_text(date.get_text(" ")) if date is not None else None
        if parsed:
            key = listing_key(urljoin(page_url, str(link["href"])))
            found[key] = (parsed[0].isoformat(), parsed[1])
    return found


def listing_dates(page_url: str, html: str,
                  tree: HtmlElement | None = None) -> dict[str, tuple[str, bool]]:
    """{"host/path" of each post listed: (ISO date, has_time)} for the posts the page dates.

    ``tree``: ``html`` already parsed by ``html_tree`` (pruned in place, so usable once).
    """
    soup = make_soup(html, tree=tree)
    found = _v1_extraits(soup, page_url)
    for item_selector, link_selector, date_selector in _ITEMS:
        for item in soup.select(item_selector):
            link = item.select_one(link_selector)
            date = _date_of(item, date_selector)
            if link is not None and date is not None:
                found[listing_key(urljoin(page_url, str(link["href"])))] = date
    return found


def apply_listing_date(article: Article, dates: dict[str, tuple[str, bool]]) -> bool:
    """Date an Article from listing dates when it has no date or only the URL month.

    Looks the article up by its URL and aliases; returns True when it changed the Article.
    """
    if article.published_source not in (None, "url"):
        return False
    for url in [article.url, *article.aliases]:
        if listing_key(url) in dates:
            iso, has_time = dates[listing_key(url)]
            article.published, article.published_source = iso, "listing"
            article.date_precision = "second" if has_time else "day"
            article.warnings = [w for w in article.warnings
                                if w not in ("date from URL (month precision)",
                                             "no publication date found")]
            article.warnings.append("date from a listing page")
            return True
    return False
