"""Fallback for unknown themes: JSON-LD, OpenGraph, <time>, <article>. Guessed fields are listed."""

from __future__ import annotations

from datetime import datetime

from bs4 import BeautifulSoup, Tag

from ..model import Article
from .comments import read_kiwi_comments
from .common import Found, build_article, date_lines, json_ld, meta, title_from_meta

FAMILY = "generic"
BODY = ("[itemprop=articleBody], .entry-content, .post-content, .article-content, .post-body, "
        "div.ob-sections, .entry, article .content, article .body, article")
DATE = ".date, .post-date, .entry-date, .published"
AUTHOR = ("[rel=author], .author, .byline, [itemprop=author], "
          "[class$='-author']:not(.ob-author), [class$='-byline']")
TAG_LINKS = "a[rel=tag], a[href*='/tag/']"
_BLOCKS = ("div", "section", "main", "article", "td")


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


def _densest_block(soup: BeautifulSoup) -> Tag | None:
    """The block whose own paragraphs hold the most text (the main text block of the page)."""
    best, best_size = None, 0
    for block in soup.find_all(_BLOCKS):
        size = sum(len(p.get_text(strip=True)) for p in block.find_all("p", recursive=False))
        if size > best_size:
            best, best_size = block, size
    return best


def _scope(body: Tag) -> Tag:
    """The element holding the article with its header (title, date, byline): the body's
    <article> ancestor, else the closest ancestor holding an <h1> or a <time>."""
    article = body.find_parent("article")
    if article is not None:
        return article
    node = body
    for _ in range(4):
        if node.parent is None or node.parent.name in ("body", "html", "[document]"):
            break
        node = node.parent
        if node.find(["h1", "time"]):
            return node
    return body


def _title(soup: BeautifulSoup, scope: Tag, body: Tag) -> str:
    """The meta title (" - Blog" removed); the article's <h1> when the meta title extends it."""
    title = title_from_meta(soup, meta(soup, "og:site_name"))
    heading = scope.find("h1") or body.find_previous("h1") or soup.find("h1")
    text = heading.get_text(" ", strip=True) if heading is not None else ""
    if text and (not title or (title != text and title.startswith(text))):
        return text
    return title


def parse(url: str, soup: BeautifulSoup, html: str, theme: str | None,
          captured: datetime | None = None) -> Article | None:
    if not _is_article_page(soup):
        return None
    body = _body(soup)
    if body is None:
        return None
    scope = _scope(body)
    title = _title(soup, scope, body)
    author = scope.select_one(AUTHOR) or soup.select_one(AUTHOR)
    tag_links = [a for a in scope.select(TAG_LINKS) if a.find_parent(True) is not None] or [
        a for a in soup.select(TAG_LINKS) if a.find_parent(["article", "footer"])]
    found = Found(
        title=title,
        body=body,
        date_texts=date_lines(scope.select(DATE) or soup.select(DATE)),
        author=author.get_text(" ", strip=True) if author else None,
        tags=[a.get_text(" ", strip=True) for a in tag_links],
        scope=scope,
    )
    if body.name == "article":
        for meta_el in body.select("h1, header, footer, time, " + AUTHOR):
            if not meta_el.decomposed:
                meta_el.decompose()
    found.comments, found.comments_status = read_kiwi_comments(soup, html)
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
