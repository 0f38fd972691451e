"""v1 Overblog markup (before 2013) and the kiwi "_migration" theme that re-creates it:
div.divTitreArticle > a.titreArticle, div.date span soup, div.contenuArticle, span.publishedBy."""

from __future__ import annotations

import re
from datetime import datetime

from bs4 import BeautifulSoup

from ..model import Article
from .comments import comment_widget_status, v1_comments
from .common import Found, build_article, has_class, title_from_meta

FAMILY = "v1"
TITLE = "a.titreArticle, div.divTitreArticle h1, div.divTitreArticle h2, div.divTitreArticle"
DATE = "div.beforeArticle div.date, div.date, div.dateArticle"
CATEGORY_LINKS = "a.linkTopic, div.afterArticle a[href*='/categorie-']"
_COUNT = re.compile(r"(\d+)\s*comment", re.I)


_MARKERS = frozenset({"divTitreArticle", "contenuArticle", "titreArticle", "titreExtrait",
                      "extraits"})


def detect(soup: BeautifulSoup) -> bool:
    return has_class(soup, _MARKERS, ("div", "a"))


def _comments_status(soup: BeautifulSoup, html: str, have_comments: bool) -> str:
    """complete when the comment block is in the page (or the count says 0)."""
    if have_comments or soup.select_one("#anchorComment, h2.h2commentMessage"):
        return "complete"
    count = soup.select_one(".seencomment, .seecomment, .seecomments, a.linkComment, .nbComment")
    match = _COUNT.search(count.get_text(" ")) if count is not None else None
    if match and int(match.group(1)) == 0:
        return "complete"
    if count is not None or soup.select_one("a.linkAddComment, span.spanAddComment"):
        return "unavailable"
    return comment_widget_status(soup, html)


def parse(url: str, soup: BeautifulSoup, html: str, theme: str | None,
          captured: datetime | None = None) -> Article | None:
    bodies = soup.find_all("div", class_="contenuArticle")
    if len(bodies) != 1 or soup.find("a", class_="titreExtrait") or soup.find(
            "div", class_="extraits"):
        return None
    article_el = bodies[0].find_parent("div", class_="article") or soup
    title_el = article_el.select_one(TITLE) or soup.select_one(TITLE)
    title = ""
    if title_el is not None:
        title = title_el.get_text(" ", strip=True) or str(title_el.get("title") or "")
    by = article_el.select_one("span.publishedBy") or soup.select_one("span.publishedBy")
    found = Found(
        title=title or title_from_meta(soup, None),
        body=bodies[0],
        date_texts=[el.get_text(" ") for el in article_el.select(DATE)],
        author=by.get_text(" ", strip=True) if by else None,
        categories=[a.get_text(" ", strip=True) for a in article_el.select(CATEGORY_LINKS)],
        scope=article_el,
    )
    found.comments = v1_comments(soup, captured)
    found.comments_status = _comments_status(soup, html, bool(found.comments))
    return build_article(url, soup, found, FAMILY, theme)
