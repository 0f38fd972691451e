"""One place where article HTML is made safe for the new site: ``sanitize_article``.

Decision (issue 10): sanitising happens at export time, once per article, in the export stage
(``pipeline.export`` calls ``sanitize_article`` before any exporter sees the article). The
archive keeps the page as fetched and the article as parsed (the archivist's faithful copy);
every output, JSON included, gets the sanitised article.

The sanitiser is nh3 (Python binding of the Rust crate ammonia, a maintained allowlist
sanitiser) with two policies, as constants below:

- **articles** (``ARTICLE_TAGS``/``ARTICLE_ATTRIBUTES``): text formatting, headings, lists,
  quotes, code, tables, figures, images, links, ``<video>``/``<audio>``, and ``<iframe>``
  players of known video hosts only (``VIDEO_HOSTS``: YouTube and youtube-nocookie, Vimeo,
  Dailymotion; their ``src`` rewritten to the host's https embed URL). Any other iframe
  becomes a link to its address when that is an http(s) URL, else it is dropped;
- **comments** (``COMMENT_TAGS``/``COMMENT_ATTRIBUTES``): text formatting and links only.

Everywhere: no ``on*`` attribute, no ``style`` outside ``STYLE_PROPERTIES``, no ``id``/``name``
(they could clobber the new site's scripts), and URLs (``href``, ``src``) only relative or
``http``/``https``/``mailto`` (``URL_SCHEMES``: no ``javascript:``, ``vbscript:``, ``data:``,
``file:``). The contents of ``<script>``, ``<style>``, ``<template>``, ``<svg>``, ``<math>`` and
``<object>`` go with the tag; other refused tags (``<form>``, ``<span>``-like wrappers) are
removed and their text kept. Text that was escaped on the blog (``&lt;script&gt;``) stays
escaped text: the serialiser writes ``<`` and ``&`` of text as entities.

Flash players (``<object>``/``<embed>`` of a ``.swf``) cannot play anywhere any more: before
sanitising they become a link to the media, to the video's page when the player is a known
one (a Dailymotion ``/swf/<id>`` → ``https://www.dailymotion.com/video/<id>``, a YouTube
``/v/<id>`` → ``https://www.youtube.com/watch?v=<id>``, a Vimeo ``moogaloop.swf?clip_id=<id>``
→ ``https://vimeo.com/<id>``).

Text fields (title, excerpt, author, image alt and caption) stay text; exporters escape them
for their format. Image, cover and comment-author URLs that are not http(s) (or relative, for
images) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

import nh3
from bs4 import BeautifulSoup, Tag

from .model import Article, Comment, Image

__all__ = [
    "ARTICLE_ATTRIBUTES",
    "ARTICLE_TAGS",
    "COMMENT_ATTRIBUTES",
    "COMMENT_TAGS",
    "URL_SCHEMES",
    "VIDEO_HOSTS",
    "Video",
    "clean_article_html",
    "clean_comment_html",
    "clean_text",
    "safe_url",
    "sanitize_article",
    "video_of",
]

URL_SCHEMES = frozenset({"http", "https", "mailto"})

_TEXT_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "cite", "code", "del", "dfn", "em",
    "i", "ins", "kbd", "mark", "p", "pre", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u", "var", "ul", "ol", "li", "dl", "dt", "dd",
})
COMMENT_TAGS = _TEXT_TAGS
ARTICLE_TAGS = _TEXT_TAGS | frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "div", "center", "section", "article", "aside",
    "header", "footer", "details", "summary", "figure", "figcaption", "img", "picture",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "iframe", "video", "audio", "source", "track", "ruby", "rp", "rt", "wbr",
})

_CELL = {"colspan", "rowspan", "align", "valign", "headers", "scope"}
COMMENT_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "abbr": {"title"},
    "time": {"datetime"},
    "ol": {"start", "type"},
    "bdo": {"dir"},
}
ARTICLE_ATTRIBUTES: dict[str, set[str]] = {
    **COMMENT_ATTRIBUTES,
    "*": {"title", "lang", "dir", "class", "style", "align"},
    "img": {"src", "alt", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label"},
    "video": {"src", "width", "height", "controls"},
    "audio": {"src", "controls"},
    "iframe": {"src", "width", "height", "allowfullscreen", "frameborder"},
    "table": {"border", "cellpadding", "cellspacing", "width", "summary"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "td": _CELL | {"width", "height"},
    "th": _CELL | {"width", "height"},
    "tr": {"valign"},
    "del": {"datetime"},
    "ins": {"datetime"},
}
STYLE_PROPERTIES = frozenset({
    "text-align", "color", "background-color", "font-weight", "font-style", "text-decoration",
    "vertical-align", "width", "height", "max-width", "float", "clear", "margin",
    "margin-left", "margin-right", "margin-top", "margin-bottom", "padding", "border",
    "list-style-type",
})
_DROP_WITH_CONTENT = frozenset({
    "script", "style", "template", "svg", "math", "object", "applet", "noembed", "noframes",
    "textarea", "select", "title", "xmp", "plaintext", "frameset",
})

VIDEO_HOSTS = {
    "youtube": frozenset({"youtube.com", "www.youtube.com", "m.youtube.com",
                          "youtube-nocookie.com", "www.youtube-nocookie.com"}),
    "vimeo": frozenset({"player.vimeo.com"}),
    "dailymotion": frozenset({"www.dailymotion.com", "dailymotion.com", "geo.dailymotion.com"}),
}
"""Hosts whose ``<iframe>`` players are kept (decision: the three video hosts Overblog's
editor offered; any other iframe becomes a link to its address)."""

_ID = r"[A-Za-z0-9_-]+"
_EMBED_PATHS = {
    "youtube": re.compile(rf"^/embed/(?P<id>{_ID})/?$"),
    "vimeo": re.compile(r"^/video/(?P<id>\d+)/?$"),
    "dailymotion": re.compile(rf"^/(?:embed/video|video)/(?P<id>{_ID})/?$"),
}
_FLASH = (
    ("dailymotion", re.compile(r"(?:^|\.)dailymotion\.com$"),
     re.compile(rf"^/swf/(?:video/)?(?P<id>{_ID})")),
    ("youtube", re.compile(r"(?:^|\.)youtube(?:-nocookie)?\.com$"),
     re.compile(rf"^/v/(?P<id>{_ID})")),
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Video:
    """A player of a known video host."""

    provider: str
    video_id: str
    embed_url: str
    """The https player address (the iframe's ``src``)."""
    page_url: str
    """The video's own page (what a link points at)."""


def _video(provider: str, video_id: str, query: str = "") -> Video:
    if provider == "youtube":
        return Video(provider, video_id,
                     f"https://www.youtube.com/embed/{video_id}" + (f"?{query}" if query else ""),
                     f"https://www.youtube.com/watch?v={video_id}")
    if provider == "vimeo":
        return Video(provider, video_id, f"https://player.vimeo.com/video/{video_id}",
                     f"https://vimeo.com/{video_id}")
    return Video(provider, video_id, f"https://www.dailymotion.com/embed/video/{video_id}",
                 f"https://www.dailymotion.com/video/{video_id}")


def video_of(src: str | None) -> Video | None:
    """The known video player an iframe ``src`` points at (http or https), else None."""
    parts = urlsplit((src or "").strip())
    if parts.scheme.lower() not in ("http", "https", ""):
        return None
    host = (parts.hostname or "").lower()
    for provider, hosts in VIDEO_HOSTS.items():
        if host not in hosts:
            continue
        if provider == "dailymotion" and parts.path == "/player.html":
            ids = parse_qs(parts.query).get("video", [])
            if ids and re.fullmatch(_ID, ids[0]):
                return _video(provider, ids[0])
            return None
        match = _EMBED_PATHS[provider].match(parts.path)
        if match:
            query = parts.query if provider == "youtube" and _safe_query(parts.query) else ""
            return _video(provider, match["id"], query)
    return None


def _safe_query(query: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_=&.%-]*", query))


def safe_url(url: str | None, relative: bool = True) -> str | None:
    """``url`` when it is http(s) (or relative, when allowed), else None."""
    if not url:
        return None
    text = url.strip()
    if _CONTROL.search(text):
        return None
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        return text
    if not scheme and relative and not text.startswith("\\"):
        return text
    return None


def _flash_target(url: str) -> str | None:
    """The page of a Flash video, or the media's own http(s) address."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for provider, hosts, path in _FLASH:
        match = path.match(parts.path) if hosts.search(host) else None
        if match:
            return _video(provider, match["id"]).page_url
    if host.endswith("vimeo.com") and "moogaloop" in parts.path:
        clip = parse_qs(parts.query).get("clip_id", [""])[0]
        if clip.isdigit():
            return f"https://vimeo.com/{clip}"
    absolute = safe_url(url, relative=False)
    return absolute


def _flash_source(tag: Tag) -> str:
    for candidate in (tag.get("data"), tag.get("src")):
        if candidate:
            return str(candidate)
    for param in tag.find_all("param"):
        if str(param.get("name", "")).lower() in ("movie", "src", "url") and param.get("value"):
            return str(param["value"])
    embed = tag.find("embed")
    return str(embed.get("src") or "") if embed is not None else ""


def _link(soup: BeautifulSoup, url: str) -> Tag:
    paragraph = soup.new_tag("p")
    anchor = soup.new_tag("a", href=url)
    anchor.string = url
    paragraph.append(anchor)
    return paragraph


def _prepare(html: str) -> str:
    """Flash players → links; iframes → a known player's https embed, a link, or nothing."""
    lowered = html.lower()
    if "<object" not in lowered and "<embed" not in lowered and "<iframe" not in lowered:
        return html
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["object", "embed"]):
        if tag.decomposed or (tag.name == "embed" and tag.find_parent("object")):
            continue
        target = _flash_target(_flash_source(tag))
        if target:
            tag.replace_with(_link(soup, target))
        else:
            tag.decompose()
    for frame in soup.find_all("iframe"):
        video = video_of(_attribute(frame, "src"))
        if video is not None:
            frame["src"] = video.embed_url
            continue
        target = safe_url(_attribute(frame, "src"), relative=False)
        if target:
            frame.replace_with(_link(soup, target))
        else:
            frame.decompose()
    return str(soup)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src":
        video = video_of(value)
        return video.embed_url if video is not None else None
    return value


def _cleaner(tags: frozenset[str], attributes: dict[str, set[str]]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags=set(_DROP_WITH_CONTENT - tags),
        attributes={k: set(v) for k, v in attributes.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        filter_style_properties=set(STYLE_PROPERTIES),
    )


_ARTICLE = _cleaner(ARTICLE_TAGS, ARTICLE_ATTRIBUTES)
_COMMENT = _cleaner(COMMENT_TAGS, COMMENT_ATTRIBUTES)


def clean_article_html(html: str) -> str:
    """An article body (or any article HTML) under the article policy."""
    return _ARTICLE.clean(_prepare(html)) if html else ""


def clean_comment_html(html: str) -> str:
    """A comment body under the comment policy (text formatting and links)."""
    return _COMMENT.clean(html) if html else ""


def _attribute(tag: Tag, name: str) -> str | None:
    """A one-valued attribute (``src``, ``href``), or None."""
    value = tag.get(name)
    return None if value is None else str(value)


def clean_text(text: str | None) -> str:
    """A text field as every output gets it: without control characters."""
    return _CONTROL.sub("", text or "")


def _comment(comment: Comment) -> Comment:
    return replace(
        comment,
        author=clean_text(comment.author),
        body_html=clean_comment_html(comment.body_html),
        url=safe_url(comment.url, relative=False),
        replies=[_comment(reply) for reply in comment.replies],
    )


def _images(images: list[Image]) -> list[Image]:
    kept = []
    for image in images:
        url = safe_url(image.url)
        if url:
            kept.append(replace(image, url=url, alt=clean_text(image.alt),
                                caption=clean_text(image.caption)))
    return kept


def sanitize_article(article: Article) -> Article:
    """A copy of ``article`` safe to publish: body under the article policy, comments
    (replies included) under the comment policy, text fields without control characters,
    and only http(s) image, cover and comment-author URLs. The archive's copy is untouched."""
    return replace(
        article,
        title=clean_text(article.title),
        body_html=clean_article_html(article.body_html),
        excerpt=clean_text(article.excerpt) if article.excerpt is not None else None,
        author=clean_text(article.author) if article.author is not None else None,
        images=_images(article.images),
        cover_image=safe_url(article.cover_image),
        comments=[_comment(comment) for comment in article.comments],
    )
