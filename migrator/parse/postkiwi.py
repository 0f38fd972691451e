"""Kiwi "Post-*" themes (2016+, BEM: div.Post, h1.Post-title, div.Post-body), e.g. Noodle."""

from __future__ import annotations

from datetime import datetime

from bs4 import BeautifulSoup

from ..model import Article
from .comments import kiwi_comments
from .common import Found, build_article, comment_feature_status, has_class, title_from_meta

FAMILY = "post"
TITLE = "h1.Post-title, h2.Post-title, div.PostHeader-content h2, .PostHeader-title"
DATE = "p.Post-date, .Post-date, .PostHeader-date"
AUTHOR = "p.Post-author, .Post-author, .PostHeader-author"
TAGS = "a.Post-tag"
BODY = "div.Post-body, div.ob-sections"
COVER = ".PostHeader-cover img, .Post-cover img, .PostHeader-image img"


_MARKERS = frozenset({"Post", "PostPreview", "Post-title", "PostHeader", "Content--list",
                      "PostPreview-container"})


def detect(soup: BeautifulSoup) -> bool:
    return has_class(soup, _MARKERS)


def parse(url: str, soup: BeautifulSoup, html: str, theme: str | None,
          captured: datetime | None = None) -> Article | None:
    posts = soup.find_all("div", class_="Post")
    if len(posts) > 1 or soup.find("div", class_="Content--list"):
        return None
    if not posts and soup.find("div", class_="PostPreview"):
        return None
    post = posts[0] if posts else soup
    body = post.select_one(BODY)
    if body is None:
        return None
    title_el = post.select_one(TITLE)
    found = Found(
        title=title_el.get_text(" ") if title_el else title_from_meta(soup, None),
        body=body,
        date_texts=[el.get_text(" ") for el in post.select(DATE)],
        author=(post.select_one(AUTHOR).get_text(" ") if post.select_one(AUTHOR) else None),
        tags=[a.get_text(" ") or a.get("title", "") for a in post.select(TAGS)],
        scope=post,
    )
    cover = post.select_one(COVER)
    if cover is not None and cover.get("src"):
        found.cover = str(cover["src"])
    found.comments = kiwi_comments(soup)
    found.comments_status = "complete" if found.comments else comment_feature_status(soup, html)
    return build_article(url, soup, found, FAMILY, theme)
