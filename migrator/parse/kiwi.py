"""Classic 2013 kiwi themes (Twenty Eleven and friends): article.post, h2.post-title, div.date."""

from __future__ import annotations

import re
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from ..model import Article
from .comments import read_kiwi_comments
from .common import Found, build_article, date_lines, has_class, title_from_meta

FAMILY = "kiwi"
ARTICLE = "article.post, div.post, article.article"
TITLE = "h1.post-title, h2.post-title, .post-title, .title h2, .title h1"
DATE = "div.date, .post-date, p.date, span.date"
BODY = "div.body, div.post-body, div.post-content, div.content"
_AUTHOR_LINE = re.compile(
    r"(r[ée]dig[ée]|publi[ée]|post[ée]|[ée]crit|written|posted|published|escrito|publicado|"
    r"geschrieben|veröffentlicht|verfasst|scritto|pubblicato)"
    r"\s+(?:(?:le|on|el|am|il)\s+.*?\s+)?(par|by|por|von|da)\b", re.I)
_TAG_LINE = re.compile(r"\b(?:cat[ée]gories?|tags?\(s\)|tags?|labels?|etiquetas|categor[íi]as|"
                       r"kategorien|schlagw[öo]rter|categorie|etichette)\s*:\s*(.+)", re.I)
_IN_CATEGORY = re.compile(r"\b(?:publi[ée]\s+)?dans\s+(.+)$", re.I)
_PUBLISHED_IN = re.compile(r"^(?:publi[ée]|posted|published|publicado|pubblicato)\s+"
                           r"(?:dans|in|en)\s+(.+)$", re.I)


def detect(soup: BeautifulSoup) -> bool:
    return (has_class(soup, frozenset({"post"}), ("article",))
            or has_class(soup, frozenset({"post-title"}), ("h1", "h2")))


def _author_line(post: Tag) -> tuple[str | None, str | None]:
    """(author, whole line) from the shortest element holding an author line.

    "Rédigé par <span>X</span>" gives X; otherwise the whole line, cleaned later.
    """
    lines = [el for el in post.find_all(["p", "span", "div", "li"])
             if _AUTHOR_LINE.search(el.get_text(" ", strip=True))]
    if not lines:
        return None, None
    line = min(lines, key=lambda el: len(el.get_text(" ", strip=True)))
    text = line.get_text(" ", strip=True)
    span = line.find("span")
    if span is not None and span.get_text(strip=True) and text.startswith(
            ("Rédigé par", "Redigé par", "Written by")):
        return span.get_text(" ", strip=True), text
    return text, text


def _shortest_match(post: Tag, pattern: re.Pattern[str]) -> re.Match[str] | None:
    matches = [pattern.search(el.get_text(" ", strip=True))
               for el in post.find_all(["p", "div", "span", "li"])]
    found = [m for m in matches if m and len(m.string) < 400]
    return min(found, key=lambda m: len(m.string)) if found else None


def _tags(post: Tag, author_line: str | None) -> list[str]:
    links = post.select("p.tag a, .tags a[href*='/tag/'], footer a[href*='/tag/']")
    if links:
        return [a.get_text(" ", strip=True) for a in links]
    match = _shortest_match(post, _TAG_LINE)
    if match:
        return [t.strip() for t in match.group(1).split(",") if t.strip()]
    match = _IN_CATEGORY.search(author_line or "") or _shortest_match(post, _PUBLISHED_IN)
    return [t.strip() for t in match.group(1).split(",")] if match else []


def parse(url: str, soup: BeautifulSoup, html: str, theme: str | None,
          captured: datetime | None = None) -> Article | None:
    posts = soup.find_all("article", class_="post") or soup.select(ARTICLE)
    if len(posts) != 1:
        return None
    post = posts[0]
    if post.select_one("p.readmore, .readmore, a.more-link"):
        return None
    body = post.select_one(BODY)
    if body is None:
        return None
    title_el = post.select_one(TITLE)
    cover = post.select_one(".post-cover img")
    # Date, author and tag lines live around the body: search without it (faster, and a body
    # sentence such as "publié par la mairie" is no byline).
    parent, position = body.parent, body.parent.index(body)
    body.extract()
    author, line = _author_line(post)
    found = Found(
        title=title_el.get_text(" ") if title_el else title_from_meta(soup, None),
        body=body,
        date_texts=date_lines(post.select(DATE)) + ([line] if line else []),
        author=author,
        tags=_tags(post, line),
        cover=str(cover.get("src")) if cover is not None and cover.get("src") else None,
        scope=post,
    )
    parent.insert(position, body)
    found.comments, found.comments_status = read_kiwi_comments(soup, html)
    return build_article(url, soup, found, FAMILY, theme)
