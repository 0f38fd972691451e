"""Helpers every template family shares: metadata, text clean-up, URLs, dates, authors, comments.

Family modules find the elements; this module turns them into Article fields the same way for all.
Pages reach the families already pruned of what can never be content (``prune``).
"""

from __future__ import annotations

import html as htmlmod
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag
from slugify import slugify

from ..dates import date_from_url
from ..media import original_image_url
from ..model import Article, Comment
from ..urls import KIWI_POST, V1_ARTICLE, UrlKind, article_kind, classify
from .clean import clean_body_and_images
from .dates import parse_date_text, parse_iso_date
from .walk import tags, tags_where

__all__ = [
    "Found",
    "build_article",
    "clean_author",
    "has_class",
    "double_unescape",
    "json_ld",
    "meta",
    "norm_text",
    "tag_name",
    "theme_of",
]

_AUTHOR_PREFIX = re.compile(
    r"^(?:r[ée]dig[ée]\s+par|publi[ée]\s+par|[ée]crit\s+par|post[ée]\s+par|written\s+by|"
    r"posted\s+by|published\s+by|by|par|publicado\s+por|escrito\s+por|redactado\s+por|"
    r"veröffentlicht\s+von|geschrieben\s+von|verfasst\s+von|gepostet\s+von|"
    r"pubblicato\s+da|scritto\s+da|redatto\s+da|postato\s+da)\s*:?\s+",
    re.I,
)
_AUTHOR_MARKER = re.compile(r"(?:^|\s)(?:par|by|por)\s*:?\s+|(?<=\d)\s+(?:da|von)\s+", re.I)
_AUTHOR_SUFFIX = re.compile(
    r"\s+(?:et\s+publi[ée]\s+depuis.*|and\s+published\s+from.*|y\s+publicado\s+desde.*|"
    r"und\s+veröffentlicht.*|e\s+pubblicato\s+(?:da|su)\s+overblog.*|"
    r"sur\s+\d.*|on\s+\w+\s+\d.*|le\s+\d.*|el\s+\d.*|am\s+\d.*|il\s+\d.*|"
    r"dans\s+.*|in\s+.*|en\s+.*|publi[ée]\s+dans.*|publicado\s+en.*|,.*)$",
    re.I | re.S,
)


_THEME = re.compile(r"<!--\s*Basic theme id\s+(\d+)\s*(?:\[([^\]]*)\])?")
_DATALAYER_THEME = re.compile(r"'theme'\s*:\s*'(\d+)'")


def theme_of(html: str) -> tuple[str | None, str | None]:
    """(theme id, theme name) from ``<!-- Basic theme id 90 [Noodle] ... -->``, else the id
    alone from the dataLayer (``'theme' : '90'``)."""
    match = _THEME.search(html)
    if not match:
        layer = _DATALAYER_THEME.search(html)
        return (layer.group(1) if layer else None), None
    name = match.group(2).strip() if match.group(2) else None
    return match.group(1), name or None



@dataclass
class Found:
    """What a family parser located on the page; build_article does the rest."""

    title: str = ""
    body: Tag | None = None
    date_texts: list[str] = field(default_factory=list)
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    cover: str | None = None
    comments: list[Comment] = field(default_factory=list)
    comments_status: str = "none"
    guessed: list[str] = field(default_factory=list)
    scope: Tag | None = None
    """The element holding the article (header included): where <time> is looked for."""
    machine_date: str | None = None
    """A machine-readable date the reader found (``<time datetime>``), else looked for in
    the scope."""
    clock_is_bogus: bool = False
    """The theme prints a false time (``h:m``: the month where the minutes belong): the
    visible date gives the day only."""


def double_unescape(text: str) -> str:
    """'Bricelet &amp;amp; Baklava' (already once-decoded to '&amp;') -> 'Bricelet & Baklava'."""
    for _ in range(2):
        text = htmlmod.unescape(text)
    return text


_SPACES_BUT_TYPOGRAPHIC = re.compile(r"[^\S\u00a0\u202f]+")


def norm_text(text: str, typographic_spaces: bool = True) -> str:
    """Collapse white space; ``typographic_spaces=False`` keeps NBSP and U+202F."""
    if typographic_spaces:
        text = text.replace("\u00a0", " ").replace("\u202f", " ")
        return re.sub(r"\s+", " ", text).strip()
    return _SPACES_BUT_TYPOGRAPHIC.sub(" ", text).strip(" \t\r\n")


def meta(soup: BeautifulSoup, key: str) -> str | None:
    scope = soup.head or soup  # metas belong to <head>; searching only there is much faster
    node = scope.find("meta", attrs={"property": key}) or scope.find("meta", attrs={"name": key})
    if node and node.get("content"):
        return double_unescape(str(node["content"])).strip() or None
    return None


def _is_json_ld(tag: Tag) -> bool:
    return tag.name == "script" and tag.get("type") == "application/ld+json"


def json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    """The first JSON-LD object that looks like an article (or {})."""
    for script in tags_where(soup, _is_json_ld):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data])
        for item in items:
            kind = item.get("@type", "") if isinstance(item, dict) else ""
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in ("NewsArticle", "Article", "BlogPosting", "WebPage") for k in kinds):
                return cast(dict[str, Any], item)
    return {}


def tag_name(text: str) -> str:
    return norm_text(unquote(text)).lstrip("#").strip()


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def clean_author(raw: str | None, page_url: str) -> str | None:
    """'Rédigé par Michel et publié depuis Overblog' -> 'Michel'; the blog's host name -> None."""
    if not raw:
        return None
    text = norm_text(double_unescape(raw))
    marker = _AUTHOR_MARKER.search(text)
    if marker and not _AUTHOR_PREFIX.match(text):
        text = text[marker.end():]
    text = _AUTHOR_PREFIX.sub("", text)
    text = _AUTHOR_SUFFIX.sub("", text).strip(" :-–")
    if not text or text.lower() in (_host(page_url), urlsplit(page_url).hostname or ""):
        return None
    if re.fullmatch(r"[\w.-]+\.(?:over-?blog\.\w+|over\.blog)", text.lower()):
        return None
    return text


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def same_article_address(url: str, other: str) -> bool:
    """True when two addresses of one blog can only be the same article: the same path (another
    scheme, host alias or query), or one v1 ``/article-…html`` form and one kiwi form."""
    path, other_path = urlsplit(url).path, urlsplit(other).path
    if path.rstrip("/") == other_path.rstrip("/"):
        return True
    kinds = {classify(url), classify(other)}
    if kinds != {UrlKind.POST}:
        return False
    return bool(V1_ARTICLE.match(path)) != bool(V1_ARTICLE.match(other_path))


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    """The page's address: its ``rel=canonical`` only when that can be the same article.

    Themes lie: some point the canonical link at the home page on every page (trusting it
    merges the whole blog into one article), so a canonical that is not an address of this
    same article (``same_article_address``) is ignored.
    """
    link = soup.find("link", rel="canonical")
    href = str(link.get("href") or "").strip() if link else ""
    if href:
        absolute = _strip_fragment(urljoin(url, href))
        if _host(absolute) == _host(url) and same_article_address(url, absolute):
            return absolute
    return _strip_fragment(url)


def slug_of(url: str, title: str) -> str:
    path = unquote(urlsplit(url).path)
    kiwi = KIWI_POST.match(path)
    if kiwi:
        return kiwi.group(1)
    v1 = V1_ARTICLE.match(path)
    if v1:
        return v1["slug"] or slugify(title) or v1["id"]
    stem = path.rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"\.html?$", "", stem)
    return stem or slugify(title)


def title_from_meta(soup: BeautifulSoup, blog_name: str | None) -> str:
    ld = json_ld(soup)
    if ld.get("headline"):
        return double_unescape(str(ld["headline"]))
    title = meta(soup, "og:title") or (soup.title.get_text() if soup.title else "")
    title = double_unescape(title or "")
    blog_name = blog_name or meta(soup, "og:site_name")
    if blog_name and title.endswith(f" - {blog_name}"):
        title = title[: -len(blog_name) - 3]
    return title


def _published(soup: BeautifulSoup, found: Found, canonical: str, article: Article,
               ld: dict[str, Any]) -> None:
    iso = parse_iso_date(str(ld.get("datePublished") or ""))
    if iso:
        article.published, article.published_source, article.date_precision = (
            iso.isoformat(), "json-ld", "second")
        return
    machine = found.machine_date
    if machine is None:
        time_el = (found.scope or soup).find("time", attrs={"datetime": True})
        machine = str(time_el["datetime"]) if time_el is not None else None
    iso = parse_iso_date(machine) if machine else None
    if iso and machine:
        has_clock = "T" in machine or " " in machine.strip()
        article.published, article.published_source = iso.isoformat(), "time"
        article.date_precision = "second" if has_clock else "day"
        return
    parsed = _visible_date(found.date_texts)
    if parsed and found.clock_is_bogus:
        parsed = (parsed[0].replace(hour=0, minute=0, second=0), False)
    if parsed:
        article.published, article.published_source = parsed[0].isoformat(), "text"
        article.date_precision = "second" if parsed[1] else "day"
        return
    from_url = date_from_url(canonical) or date_from_url(article.aliases[0] if article.aliases
                                                         else "")
    if from_url:
        article.published, article.published_source = from_url.isoformat(), "url"
        article.date_precision = "month"
        article.warnings.append("date from URL (month precision)")
    else:
        article.warnings.append("no publication date found")


def _visible_date(texts: list[str]) -> tuple[datetime, bool] | None:
    """The first date the texts show; when it has no time, the same day with a time from a
    later text (a date element without the ", 09:34am" that follows it in its line)."""
    first = None
    for text in texts:
        parsed = parse_date_text(text)
        if parsed is None:
            continue
        if first is None:
            first = parsed
        elif parsed[1] and parsed[0].date() == first[0].date():
            return parsed
        if first[1]:
            return first
    return first


def visible_date_texts(elements: list[Tag]) -> list[str]:
    """The text of each date element, then the line holding it (its parent, when short): a
    theme may put only the day in the element and the time after it."""
    texts = [el.get_text(" ") for el in elements]
    for el in elements:
        parent = el.parent
        if parent is not None and parent.name not in ("body", "[document]"):
            line = parent.get_text(" ")
            if len(line) < 300:
                texts.append(line)
    return texts


def build_article(url: str, soup: BeautifulSoup, found: Found, family: str,
                  theme: str | None) -> Article | None:
    """Assemble the Article from what the family parser found (None without title and body)."""
    if found.body is None:
        return None
    canonical = canonical_url(soup, url)
    given = _strip_fragment(url)
    ld = json_ld(soup)
    body_html, images = clean_body_and_images(found.body, canonical)
    title = norm_text(double_unescape(found.title), typographic_spaces=False)
    if not title and not body_html:
        return None
    article = Article(url=canonical, title=title, body_html=body_html, family=family, theme=theme)
    article.aliases = [given] if given != canonical else []
    article.kind = article_kind(canonical)
    article.slug = slug_of(canonical, title)
    _published(soup, found, canonical, article, ld)
    modified = parse_iso_date(str(ld.get("dateModified") or ""))
    article.updated = modified.isoformat() if modified else None
    ld_author = ld.get("author")
    if isinstance(ld_author, list):
        ld_author = ld_author[0] if ld_author else None
    ld_name = ld_author.get("name") if isinstance(ld_author, dict) else ld_author
    article.author = (clean_author(found.author, canonical)
                      or clean_author(meta(soup, "author"), canonical)
                      or clean_author(ld_name if isinstance(ld_name, str) else None, canonical))
    article.tags = _unique(tag_name(t) for t in found.tags)
    article.categories = _unique(tag_name(c) for c in found.categories)
    article.excerpt = meta(soup, "og:description") or meta(soup, "description")
    article.images = images
    cover = found.cover or meta(soup, "og:image")
    article.cover_image = original_image_url(urljoin(canonical, cover)) if cover else None
    article.comments = found.comments
    article.comments_status = found.comments_status  # type: ignore[assignment]
    article.guessed = list(found.guessed)
    if not title:
        article.warnings.append("no title found")
    if article.comments_status == "unavailable":
        article.warnings.append("comments are loaded by JavaScript: not in the HTML")
    return article


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def _class_index(soup: BeautifulSoup) -> dict[str, set[str]]:
    """class -> names of the tags carrying it, built once per page (family detection asks a lot).

    Kept in the soup's __dict__: attribute access on a soup would search for a child tag.
    """
    index = soup.__dict__.get("_ob_class_index")
    if index is None:
        index = {}
        for tag in tags(soup):
            for cls in tag.get("class") or ():
                index.setdefault(cls, set()).add(tag.name)
        soup.__dict__["_ob_class_index"] = index
    return index


def has_class(root: Tag, classes: frozenset[str], names: tuple[str, ...] = ()) -> bool:
    """True when an element (of one of ``names``, if given) carries one of ``classes``.

    Soupsieve selectors cost several times more on whole pages than this class index.
    """
    if isinstance(root, BeautifulSoup):
        index = _class_index(root)
        return any(cls in index and (not names or not index[cls].isdisjoint(names))
                   for cls in classes)

    def match(tag: Tag) -> bool:
        return (not names or tag.name in names) and not classes.isdisjoint(tag.get("class") or ())
    return root.find(match) is not None
