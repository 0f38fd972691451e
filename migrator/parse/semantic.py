"""The semantic reader: an article page in markup no family reader knows.

It is built on what a theme cannot change, so that the 43 themes of Overblog's 2013 catalogue,
and themes nobody has seen, read alike:

- the **body** is the platform's own markup: ``div.ob-sections`` (what ``Post.Body`` renders
  on every kiwi page), v1's ``div.contenuArticle``, else microformats (``.entry-content``,
  ``[itemprop=articleBody]``); a page holding several bodies is a listing, not an article;
- the **title** is the heading that repeats the page's own title (JSON-LD ``headline``,
  ``og:title``, ``<title>`` with or without the blog-name part), which also tells where the
  article sits on the page (its *scope*: the nearest ancestor of the body holding it);
- the **date** is JSON-LD ``datePublished``, else a ``<time datetime>`` (or microformat
  ``published``) in the scope, else the first date the scope prints outside the body, with
  the time that follows it; themes known to print a bogus clock give the day only;
- the **author** is the byline of the scope (an element whose class says author, or a
  "par X" / "by X" line), else ``<meta name="author">``, else JSON-LD;
- the **tags** are the ``/tag/`` links of the scope outside the body (menus, sidebars and
  widgets excluded);
- **comments** are the platform's comment block, read by ``comments``.

A page is taken as an article only when its address is an article's (a post or static page
form) or it declares one (``og:type`` article, an article JSON-LD): themes print
``og:type`` "blog" on articles, so no single signal decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import cast

from bs4 import BeautifulSoup, Tag

from ..model import Article
from ..urls import ARTICLE_KINDS, classify
from .bylines import author_from, tags_from
from .comments import read_kiwi_comments
from .common import (
    Found,
    build_article,
    double_unescape,
    json_ld,
    meta,
    norm_text,
    theme_of,
    title_from_meta,
    visible_date_texts,
)
from .walk import classes_of

__all__ = ["BODY_MARKERS", "BOGUS_CLOCK_THEMES", "detect", "looks_like_article", "parse"]

FAMILY = "semantic"
_CONTENT_CLASSES = frozenset({"entry-content", "post-body", "post-content", "article-content",
                              "entry", "body"})
_INNER_CONTENT = frozenset({"content", "body", "entry", "text", "post-content"})
BODY_MARKERS: tuple[Callable[[Tag], bool], ...] = (
    lambda tag: tag.name == "div" and "ob-sections" in classes_of(tag),
    lambda tag: tag.name == "div" and "contenuArticle" in classes_of(tag),
    lambda tag: tag.get("itemprop") == "articleBody",
    lambda tag: tag.name in ("div", "section") and not _CONTENT_CLASSES.isdisjoint(
        classes_of(tag)),
    lambda tag: tag.name == "article",
)
"""Where a body can be, surest first: the kiwi platform's body, v1's, microformats and the
usual theme names, a lone ``<article>``."""
BOGUS_CLOCK_THEMES = {"4": "darkfrisq", "8": "jeans", "10": "nyan"}
"""Themes (id: name) whose clock is Twig's ``h:m`` (the month where the minutes belong)."""
_HEADINGS = ("h1", "h2", "h3", "h4")
_NOT_ARTICLE_PARTS = re.compile(r"menu|nav|sidebar|widget|footer-widgets|related|comment|"
                                r"pagination|before_articles", re.I)
_SCOPE_LEVELS = 8


def detect(soup: BeautifulSoup) -> bool:
    """The page holds one kiwi platform body (``div.ob-sections``): whatever the theme around
    it, this reader knows it (v1 pages, without one, go to the v1 reader)."""
    return _single_body(soup, BODY_MARKERS[:1]) is not None


def looks_like_article(url: str, soup: BeautifulSoup) -> bool:
    """An article's address (post or static page form), or a declared article."""
    if classify(url) in ARTICLE_KINDS:
        return True
    return meta(soup, "og:type") == "article" or bool(json_ld(soup).get("headline"))


SURE_MARKERS = 3
"""The first markers are the platform's or a standard's; a body found by the others (theme
class names, a lone ``<article>``) is reported as guessed."""


def _find_body(soup: BeautifulSoup,
               markers: tuple[Callable[[Tag], bool], ...] = BODY_MARKERS,
               ) -> tuple[Tag | None, int]:
    """(the one body of the page by the first marker found, that marker's rank); None when
    that marker appears on several unrelated elements (a listing that shows whole posts)."""
    for rank, marker in enumerate(markers):
        found = [tag for tag in soup.find_all(True) if marker(tag)]
        outermost = [tag for tag in found
                     if not any(marker(parent) for parent in tag.parents)]
        if len(outermost) == 1:
            return _content_of(outermost[0]), rank
        if outermost:
            return None, rank
    return None, len(markers)


def _content_of(body: Tag) -> Tag:
    """Within a lone ``<article>``, its one content block (``div.content``…) when it has
    one: the header, byline and footer around it are no body."""
    if body.name != "article":
        return body
    inner = [tag for tag in body.find_all(["div", "section"])
             if not _INNER_CONTENT.isdisjoint(classes_of(tag))]
    return inner[0] if len(inner) == 1 else body


def _single_body(soup: BeautifulSoup,
                 markers: tuple[Callable[[Tag], bool], ...] = BODY_MARKERS) -> Tag | None:
    return _find_body(soup, markers)[0]


def _title_candidates(soup: BeautifulSoup) -> list[str]:
    """The page's own title in every spelling a theme may give it (never the blog's name)."""
    texts = [str(json_ld(soup).get("headline") or ""), meta(soup, "og:title") or "",
             soup.title.get_text() if soup.title else ""]
    site = norm_text(double_unescape(meta(soup, "og:site_name") or ""))
    candidates: list[str] = []
    for text in texts:
        text = norm_text(double_unescape(text))
        if not text:
            continue
        candidates.append(text)
        if site and text.endswith(site):
            candidates.append(text[: -len(site)].rstrip(" -–|:"))
        if " - " in text:
            candidates.append(text.rsplit(" - ", 1)[0].strip())
            candidates.append(text.split(" - ", 1)[1].strip())
        candidates.append(text.rstrip(" -–|"))
    return [c for c in dict.fromkeys(candidates) if c and c != site]


def _outside(tag: Tag, body: Tag) -> bool:
    return tag is not body and body not in tag.parents


def _heading_texts(node: Tag) -> str:
    return norm_text(node.get_text(" "))


def _title_heading(root: Tag, body: Tag, candidates: list[str]) -> Tag | None:
    """A heading (or an element whose class says title) outside the body repeating the
    page's title, in full or as the text of its link (a comment bubble may sit beside it)."""
    wanted = {c.casefold() for c in candidates}
    for tag in root.find_all(True):
        if not _outside(tag, body):
            continue
        if tag.name not in _HEADINGS and not any("title" in c.lower() for c in classes_of(tag)):
            continue
        if _heading_texts(tag).casefold() in wanted:
            return tag
        for link in tag.find_all("a"):
            if _heading_texts(link).casefold() in wanted:
                return link
    return None


def _scope(body: Tag, candidates: list[str]) -> tuple[Tag, Tag | None]:
    """(the element holding the article, the title heading in it): the nearest ancestor of the
    body holding a heading that repeats the page's title; else the nearest holding any
    heading; else the body's parent."""
    node = body.parent
    fallback = None
    for _ in range(_SCOPE_LEVELS):
        if node is None or node.name in ("body", "html", "[document]"):
            break
        heading = _title_heading(node, body, candidates)
        if heading is not None:
            return _widened(node), heading
        if fallback is None and any(_outside(h, body) for h in node.find_all(_HEADINGS)):
            fallback = node
        node = node.parent
    return fallback or body.parent or body, None


_ARTICLE_CONTAINER = re.compile(r"^(?:post|article|entry|hentry|item|single|type-post|"
                                r"post-\d+|blog-post|content-post)$", re.I)


def _widened(scope: Tag) -> Tag:
    """The outermost article container around the scope (``<article>``, ``div.post``…, or
    the parent of v1's ``div.afterArticle``): a theme may put the byline and tags in a
    sibling of the block holding title and body."""
    for _ in range(3):
        parent = scope.parent
        if parent is None or parent.name in ("body", "html", "[document]"):
            break
        v1_options = any("afterArticle" in classes_of(child) or "beforeArticle" in classes_of(child)
                         for child in parent.find_all(True, recursive=False))
        if parent.name != "article" and not v1_options and not any(
                _ARTICLE_CONTAINER.match(c) for c in classes_of(parent)):
            break
        scope = parent
    return scope


def _in_article_part(tag: Tag, scope: Tag, body: Tag) -> bool:
    """Outside the body, and not in a menu, sidebar, widget or comment block of the scope."""
    if not _outside(tag, body):
        return False
    for parent in [tag, *tag.parents]:
        if parent is scope:
            return True
        names = " ".join([str(parent.get("id") or ""), *classes_of(parent)])
        if parent.name in ("nav", "aside") or _NOT_ARTICLE_PARTS.search(names):
            return False
    return False


def _article_parts(scope: Tag, body: Tag) -> list[Tag]:
    """The scope's elements outside the body, menus, sidebars, widgets and comments: where
    the date, byline and tags are (read with the title heading taken out, see parse)."""
    return [tag for tag in scope.find_all(True) if _in_article_part(tag, scope, body)]


def _keywords(soup: BeautifulSoup) -> list[str]:
    """``<meta name="keywords">``: 15 themes of the 2013 catalogue list the post's tags
    there on article pages (the last source of tags, for themes that show none)."""
    value = meta(soup, "keywords") or ""
    return [part.strip() for part in value.split(",") if part.strip()]


def _date_elements(parts: list[Tag]) -> list[Tag]:
    """Elements that can hold the date: those whose class says date or time first, then every
    short element, in page order."""
    dated: list[Tag] = []
    short: list[Tag] = []
    for tag in parts:
        if tag.name in ("a", "script", "style"):
            continue
        if len(norm_text(tag.get_text(" "))) > 160:
            continue
        names = " ".join([str(tag.get("id") or ""), *classes_of(tag)]).lower()
        (dated if ("date" in names or "time" in names) else short).append(tag)
    return dated + short


_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _machine_date(elements: list[Tag]) -> str | None:
    """A machine-readable date: ``datetime`` (on ``<time>`` or any element), an ISO value in
    ``pubdate`` (a theme bug), ``itemprop=datePublished``, microformat ``published``."""
    for tag in elements:
        values = [tag.get("datetime"), tag.get("pubdate")]
        if tag.get("itemprop") == "datePublished":
            values += [tag.get("content"), tag.get_text(" ", strip=True)]
        if "published" in classes_of(tag) and tag.name == "abbr":
            values.append(tag.get("title"))
        for value in values:
            if isinstance(value, str) and _ISO_LIKE.match(value.strip()):
                return value.strip()
    return None


def _before_scope(scope: Tag) -> list[Tag]:
    """Elements just before the article, up to three levels out: themes that group posts by
    day print the date once above them (``div.date-outer > p.date-header``)."""
    found: list[Tag] = []
    node = scope
    for _ in range(3):
        for sibling in list(node.find_previous_siblings(True))[:3]:
            names = " ".join([str(sibling.get("id") or ""), *classes_of(sibling)])
            if sibling.name in ("nav", "aside", "header") or _NOT_ARTICLE_PARTS.search(names):
                continue
            found += [sibling, *sibling.find_all(True)]
        parent = node.parent
        if parent is None or parent.name in ("body", "html", "[document]"):
            break
        node = parent
    return found


def _bogus_clock(html: str, theme: str | None) -> bool:
    theme_id, _name = theme_of(html)
    return theme_id in BOGUS_CLOCK_THEMES or (theme or "").casefold() in {
        name.casefold() for name in BOGUS_CLOCK_THEMES.values()}


def parse(url: str, soup: BeautifulSoup, html: str, theme: str | None,
          captured: datetime | None = None) -> Article | None:
    if not looks_like_article(url, soup):
        return None
    body, rank = _find_body(soup)
    if body is None:
        return None
    candidates = _title_candidates(soup)
    scope, heading = _scope(body, candidates)
    title = (heading.get_text(" ") if heading is not None
             else title_from_meta(soup, meta(soup, "og:site_name")))
    # The title out of the way while the header is read: "Bastille night by the lake" is
    # no byline, "Sans étiquette, juste une vidéo" no tag line.
    place: tuple[Tag, int] | None = None
    if heading is not None:
        parent = cast(Tag, heading.parent)
        place = (parent, parent.index(heading))
    if heading is not None:
        heading.extract()
    parts = _article_parts(scope, body)
    before = _before_scope(scope)
    found = Found(
        title=title,
        body=body,
        date_texts=(visible_date_texts(_date_elements(parts))
                    + visible_date_texts(_date_elements(before))),
        author=author_from(parts),
        tags=tags_from(parts) or _keywords(soup),
        scope=scope,
        machine_date=_machine_date(parts) or _machine_date(before),
        clock_is_bogus=_bogus_clock(html, theme),
    )
    if place is not None and heading is not None:
        place[0].insert(place[1], heading)
    found.comments, found.comments_status = read_kiwi_comments(soup, html)
    if rank >= SURE_MARKERS:
        found.guessed.append("body_html")
    if heading is None:
        found.guessed.append("title")
    return build_article(url, soup, found, FAMILY, theme)
