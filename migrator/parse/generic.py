"""Fallback for unknown themes: JSON-LD, OpenGraph, <time>, <article>. Guessed fields are listed."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from ..model import Article
from .comments import kiwi_comments
from .common import Found, build_article, comment_feature_status, json_ld, meta, title_from_meta

FAMILY = "generic"
BODY = ("[itemprop=articleBody], .entry-content, .post-content, .article-content, .post-body, "
        ".entry, article .content, article .body, article")
DATE = ".date, .post-date, .entry-date, .published"
AUTHOR = "[rel=author], .author, .byline, [itemprop=author]"


def detect(soup: BeautifulSoup) -> bool:
    return True


def looks_like_article(soup: BeautifulSoup) -> bool:
    """og:type article or an article JSON-LD: worth a generic try when a family parser gave up."""
    return meta(soup, "og:type") == "article" or bool(json_ld(soup).get("headline"))


def _is_article_page(soup: BeautifulSoup) -> bool:
    og_type = meta(soup, "og:type")
    if og_type and og_type != "article":
        return False
    return bool(json_ld(soup).get("headline") or og_type == "article"
                or len(soup.find_all("article")) == 1)


def _body(soup: BeautifulSoup) -> Tag | None:
    for selector in BODY.split(", "):
        node = soup.select_one(selector)
        if node is not None:
            return node
    return None


def parse(url: str, soup: BeautifulSoup, html: str, theme: str | None) -> Article | None:
    if not _is_article_page(soup):
        return None
    body = _body(soup)
    if body is None:
        return None
    heading = body.find_previous("h1") or soup.find("h1")
    title = title_from_meta(soup, meta(soup, "og:site_name"))
    if not title and heading is not None:
        title = heading.get_text(" ")
    author = soup.select_one(AUTHOR)
    found = Found(
        title=title,
        body=body,
        date_texts=[el.get_text(" ") for el in soup.select(DATE)],
        author=author.get_text(" ", strip=True) if author else None,
        tags=[a.get_text(" ", strip=True) for a in soup.select("a[rel=tag], a[href*='/tag/']")
              if a.find_parent(["article", "footer"])],
        scope=body.find_parent("article") or body,
    )
    if body.name == "article":
        for meta_el in body.select("h1, header, footer, time, " + AUTHOR):
            if not meta_el.decomposed:
                meta_el.decompose()
    found.comments = kiwi_comments(soup)
    found.comments_status = "complete" if found.comments else comment_feature_status(soup, html)
    article = build_article(url, soup, found, FAMILY, theme)
    if article is not None:
        article.guessed = _really_guessed(article)
    return article


def _really_guessed(article: Article) -> list[str]:
    """Fields holding a value read from unknown markup (machine-readable dates are no guess)."""
    guessed = ["title", "body_html"]
    if article.published_source == "text":
        guessed.append("published")
    if article.author:
        guessed.append("author")
    if article.tags:
        guessed.append("tags")
    return guessed
