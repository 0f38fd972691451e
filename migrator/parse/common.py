"""Helpers every template family shares: metadata, text clean-up, URLs, dates, authors, comments.

Family modules find the elements; this module turns them into Article fields the same way for all.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag
from slugify import slugify

from ..media import original_image_url
from ..model import Article, Comment
from .clean import body_images, clean_body
from .dates import date_from_url, parse_date_text, parse_iso_date

__all__ = [
    "Found",
    "build_article",
    "clean_author",
    "double_unescape",
    "is_listing_url",
    "json_ld",
    "make_soup",
    "meta",
    "norm_text",
    "tag_name",
]

_LISTING_PATH = re.compile(
    r"^/(?:$|page/\d+|tag/|archive/|top(?:/|$)|\d+-index\.html|index\.html|"
    r"categorie-|\d+-categorie-|archive-|(?:search|contact|rss|pages)/?$)"
)
_KIWI_POST = re.compile(r"^/(?:19|20)\d{2}/\d{2}/(.+?)\.html?$")
_V1_SLUG_ID = re.compile(r"^/article-(.+)-(\d+)\.html$")
_V1_ID = re.compile(r"^/article-(\d+)\.html$")
_ROOT_PAGE = re.compile(r"^/([^/]+)\.html?$")
_AUTHOR_PREFIX = re.compile(
    r"^(?:r[ée]dig[ée]\s+par|publi[ée]\s+par|[ée]crit\s+par|post[ée]\s+par|written\s+by|"
    r"posted\s+by|published\s+by|by|par|publicado\s+por|escrito\s+por|"
    r"veröffentlicht\s+von|pubblicato\s+da|scritto\s+da)\s*:?\s+",
    re.I,
)
_AUTHOR_MARKER = re.compile(r"(?:^|\s)(?:par|by|por)\s*:?\s+", re.I)
_AUTHOR_SUFFIX = re.compile(
    r"\s+(?:et\s+publi[ée]\s+depuis.*|sur\s+\d.*|on\s+\w+\s+\d.*|le\s+\d.*|dans\s+.*|in\s+.*|"
    r"publi[ée]\s+dans.*|,.*)$",
    re.I | re.S,
)


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


def make_soup(html: str | BeautifulSoup) -> BeautifulSoup:
    return html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "lxml")


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
    node = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    if node and node.get("content"):
        return double_unescape(str(node["content"])).strip() or None
    return None


def json_ld(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object that looks like an article (or {})."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data])
        for item in items:
            kind = item.get("@type", "") if isinstance(item, dict) else ""
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in ("NewsArticle", "Article", "BlogPosting", "WebPage") for k in kinds):
                return item
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


def is_listing_url(url: str) -> bool:
    return bool(_LISTING_PATH.match(urlsplit(url).path or "/"))


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    link = soup.find("link", rel="canonical")
    href = str(link.get("href") or "").strip() if link else ""
    if href:
        absolute = urljoin(url, href)
        if _host(absolute) == _host(url):
            return _strip_fragment(absolute)
    return _strip_fragment(url)


def kind_of(url: str) -> str:
    path = urlsplit(url).path
    if path.startswith("/pages/"):
        return "page"
    match = _ROOT_PAGE.match(path)
    if match and not match.group(1).startswith("article-") and not is_listing_url(url):
        return "page"
    return "post"


def slug_of(url: str, title: str) -> str:
    path = unquote(urlsplit(url).path)
    for pattern in (_KIWI_POST, _V1_SLUG_ID):
        match = pattern.match(path)
        if match:
            return match.group(1)
    if _V1_ID.match(path):
        return slugify(title) or _V1_ID.match(path).group(1)
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


def _published(soup: BeautifulSoup, found: Found, canonical: str, article: Article) -> None:
    ld = json_ld(soup)
    iso = parse_iso_date(str(ld.get("datePublished") or ""))
    if iso:
        article.published, article.published_source, article.date_precision = (
            iso.isoformat(), "json-ld", "second")
        return
    time_el = (found.scope or soup).find("time", attrs={"datetime": True})
    iso = parse_iso_date(str(time_el["datetime"])) if time_el else None
    if iso:
        has_clock = "T" in str(time_el["datetime"]) or " " in str(time_el["datetime"]).strip()
        article.published, article.published_source = iso.isoformat(), "time"
        article.date_precision = "second" if has_clock else "day"
        return
    for text in found.date_texts:
        parsed = parse_date_text(text)
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


def build_article(url: str, soup: BeautifulSoup, found: Found, family: str,
                  theme: str | None) -> Article | None:
    """Assemble the Article from what the family parser found (None without title and body)."""
    if found.body is None:
        return None
    canonical = canonical_url(soup, url)
    given = _strip_fragment(url)
    body_html = clean_body(found.body, canonical)
    title = norm_text(double_unescape(found.title), typographic_spaces=False)
    if not title and not body_html:
        return None
    article = Article(url=canonical, title=title, body_html=body_html, family=family, theme=theme)
    article.aliases = [given] if given != canonical else []
    article.kind = kind_of(canonical)  # type: ignore[assignment]
    article.slug = slug_of(canonical, title)
    _published(soup, found, canonical, article)
    ld = json_ld(soup)
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
    article.images = body_images(body_html)
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


def _unique(items) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def comment_feature_status(soup: BeautifulSoup, html: str) -> str:
    """'unavailable' when the page has comments we cannot read, else 'none'."""
    if soup.select_one("#ob-comments, .ob-comments, [id^=comment-count], a.comments"):
        return "unavailable"
    if "initCommentApp" in html or "commentCount(" in html:
        return "unavailable"
    return "none"
