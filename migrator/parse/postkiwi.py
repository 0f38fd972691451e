"""Kiwi "Post-*" themes (2016+, BEM: div.Post, h1.Post-title, div.Post-body), e.g. Noodle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from ..model import Article
from .comments import read_kiwi_comments
from .common import Found, build_article, has_class, title_from_meta, visible_date_texts
from .walk import classes_of, first_tag, has_token, tags_where

FAMILY = "post"
# What the family reads, as CSS; matched by the plain tests below (soupsieve costs more).
TITLE = "h1.Post-title, h2.Post-title, div.PostHeader-content h2, .PostHeader-title"
DATE = "p.Post-date, .Post-date, .PostHeader-date, .PostHeader-meta, .Post-meta"
AUTHOR = "p.Post-author, .Post-author, .PostHeader-author, .PostHeader-meta, .Post-meta"
TAGS = "a.Post-tag"
BODY = "div.Post-body, div.ob-sections"
COVER = ".PostHeader-cover img, .Post-cover img, .PostHeader-image img"


_MARKERS = frozenset({"Post", "PostPreview", "Post-title", "PostHeader", "Content--list",
                      "PostPreview-container"})
_COVER_HOLDERS = frozenset({"PostHeader-cover", "Post-cover", "PostHeader-image"})


def _has_ancestor(tag: Tag, test: Callable[[Tag], bool]) -> bool:
    node = tag.parent
    while node is not None:
        if test(node):
            return True
        node = node.parent
    return False


# One test per selector above (same matches as soupsieve: class tokens, any ancestor).
def _is_body(tag: Tag) -> bool:
    classes = classes_of(tag)
    return tag.name == "div" and ("Post-body" in classes or "ob-sections" in classes)


def _is_title(tag: Tag) -> bool:
    classes = classes_of(tag)
    if "PostHeader-title" in classes or (tag.name in ("h1", "h2") and "Post-title" in classes):
        return True
    return tag.name == "h2" and _has_ancestor(
        tag, lambda node: has_token(node, "div", "PostHeader-content"))


_DATE_HOLDERS = frozenset({"Post-date", "PostHeader-date", "PostHeader-meta", "Post-meta"})
_AUTHOR_HOLDERS = frozenset({"Post-author", "PostHeader-author"})
_META_LINES = frozenset({"PostHeader-meta", "Post-meta"})
"""One line with both: "Publié par Camille sur 29 Avril 2014, 09:34am"."""


def _is_date(tag: Tag) -> bool:
    return not _DATE_HOLDERS.isdisjoint(classes_of(tag))


def _is_author(tag: Tag) -> bool:
    return not _AUTHOR_HOLDERS.isdisjoint(classes_of(tag))


def _is_meta_line(tag: Tag) -> bool:
    return not _META_LINES.isdisjoint(classes_of(tag))


def _is_cover(tag: Tag) -> bool:
    return tag.name == "img" and _has_ancestor(
        tag, lambda node: not _COVER_HOLDERS.isdisjoint(classes_of(node)))


def _is_tag_link(tag: Tag) -> bool:
    return has_token(tag, "a", "Post-tag")


def detect(soup: BeautifulSoup) -> bool:
    return has_class(soup, _MARKERS)


def parse(url: str, soup: BeautifulSoup, html: str, theme: str | None,
          captured: datetime | None = None) -> Article | None:
    posts = tags_where(soup, lambda tag: has_token(tag, "div", "Post"))
    if len(posts) > 1 or first_tag(soup, lambda tag: has_token(tag, "div", "Content--list")):
        return None
    if not posts and first_tag(soup, lambda tag: has_token(tag, "div", "PostPreview")):
        return None
    post = posts[0] if posts else soup
    body = first_tag(post, _is_body)
    if body is None:
        return None
    title_el = first_tag(post, _is_title)
    author_el = first_tag(post, _is_author) or first_tag(post, _is_meta_line)
    found = Found(
        title=title_el.get_text(" ") if title_el else title_from_meta(soup, None),
        body=body,
        date_texts=visible_date_texts(tags_where(post, _is_date)),
        author=author_el.get_text(" ") if author_el else None,
        tags=[a.get_text(" ") or str(a.get("title", "")) for a in tags_where(post, _is_tag_link)],
        scope=post,
    )
    cover = first_tag(post, _is_cover)
    if cover is not None and cover.get("src"):
        found.cover = str(cover["src"])
    found.comments, found.comments_status = read_kiwi_comments(soup, html)
    return build_article(url, soup, found, FAMILY, theme)
