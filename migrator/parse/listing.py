"""Dates printed on listing pages (home, /page/N, /tag/x/, /archive/…, v1 index), by post URL.

A post page whose theme prints no date ("Publié le par X", STRUCTURE.md §2 rows 5-8, 23) can take
the date its listing shows. ``listing_dates`` reads a listing; ``apply_listing_date`` gives an
Article that listing's date when it has none better than the URL month.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from ..model import Article
from .dates import parse_date_text
from .prune import drop_never_content, html_tree

__all__ = ["apply_listing_date", "listing_dates"]

def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _first(*paths: str) -> str:
    """XPath of the first node, in document order, that any of ``paths`` finds."""
    return f"({' | '.join(paths)})[1]"


# (item, link inside the item, date inside the item) per template family, as XPath on the lxml
# tree (BeautifulSoup and CSS selectors cost 20 ms on a 110 KB listing; this costs 1).
_ITEMS = (
    (
        f"//article[{_has_class('post')}]",
        _first(f".//h2[{_has_class('post-title')}]//a[@href]",
               f".//h1[{_has_class('post-title')}]//a[@href]",
               f".//*[{_has_class('title')}]//a[@href]"),
        _first(f".//div[{_has_class('date')}]", f".//*[{_has_class('post-date')}]", ".//time"),
    ),
    (
        f"//div[{_has_class('PostPreview')}]",
        _first(f".//a[{_has_class('PostPreview-link')}][@href]",
               f".//*[{_has_class('PostPreview-title')}]//a[@href]", ".//h2//a[@href]"),
        _first(f".//*[{_has_class('PostPreviewMeta-date')}]",
               f".//*[{_has_class('PostPreview-date')}]", ".//time"),
    ),
)
_V1_LINKS = f"//a[{_has_class('titreExtrait')}][@href]"
_V1_DATE_AFTER = _first(f"descendant::*[{_has_class('dateExtrait')}]",
                        f"following::*[{_has_class('dateExtrait')}]")


def listing_key(url: str) -> str:
    """How listing dates are keyed: host without ``www.`` and path."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path}"


def _text(node: HtmlElement) -> str:
    return " ".join(node.itertext())


def _date_of(node: HtmlElement | None) -> tuple[str, bool] | None:
    if node is None:
        return None
    if node.tag == "time" and node.get("datetime"):
        parsed = parse_date_text(node.get("datetime", ""))
    else:
        parsed = parse_date_text(_text(node))
    return (parsed[0].isoformat(), parsed[1]) if parsed else None


def _one(node: HtmlElement, xpath: str) -> HtmlElement | None:
    found = node.xpath(xpath)
    return found[0] if found else None


def _v1_extraits(root: HtmlElement, page_url: str) -> dict[str, tuple[str, bool]]:
    found: dict[str, tuple[str, bool]] = {}
    for link in root.xpath(_V1_LINKS):
        date = _date_of(_one(link, _V1_DATE_AFTER))
        if date is not None:
            found[listing_key(urljoin(page_url, link.get("href", "")))] = date
    return found


def listing_dates(page_url: str, html: str,
                  tree: HtmlElement | None = None) -> dict[str, tuple[str, bool]]:
    """{"host/path" of each post listed: (ISO date, has_time)} for the posts the page dates.

    ``tree``: ``html`` already parsed by ``html_tree`` (pruned in place, so usable once).
    """
    root = tree if tree is not None else html_tree(html)
    if root is None:
        return {}
    drop_never_content(root)
    found = _v1_extraits(root, page_url)
    for item_path, link_path, date_path in _ITEMS:
        for item in root.xpath(item_path):
            link = _one(item, link_path)
            date = _date_of(_one(item, date_path))
            if link is not None and date is not None:
                found[listing_key(urljoin(page_url, link.get("href", "")))] = date
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
