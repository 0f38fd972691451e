"""Where every article lands on the new site, and the rewriting of links between articles.

``SitePlan`` is built in a first pass over the archive (``SitePlan.build(articles)``): it keeps,
per article, only its final slug and new path, and a map from every old address form to it — a
few strings per article, never whole articles. The exporters then stream the articles and ask
the plan for the slug (so the Markdown files, the WXR ``wp:post_name`` and the redirect maps
agree) and for the new target of each link.

New paths (the same for Hugo and Jekyll, so one redirect map serves both): posts
``/posts/<slug>/``, pages ``/pages/<slug>/``. On WordPress (``Post name`` permalinks):
``/<slug>/``.

WordPress duplicates (decision, issue 10): the WordPress Importer skips an item when
``post_exists(title, '', post_date, post_type)`` finds one already imported ("already
exists"), so two posts with one title published in the same second (a double submit) would
reach WordPress as one. The plan's first pass also keeps, per article, its type, a digest of
its title as MySQL compares it (trimmed, case- and accent-insensitive) and its local date;
at the end of ``build`` a later item that would collide with an earlier one is moved by one
second (again until its date is free: never onto another item's own date), recorded as
``Placement.date_shift``; the WXR exporter writes the moved date and the original one in the
postmeta ``_overblog_date_shifted``. Undated items (empty dates) collide on title alone
(``post_exists`` drops the date condition when it is empty): a later undated item whose
title an earlier item of its type already has gets " (2)", " (3)"… after its WordPress title
(``Placement.title_number``; the original title goes to the postmeta
``_overblog_title_changed``): a made-up date would publish a false one.

Old address forms that resolve to an article: any of its URLs (canonical and aliases) on any
host of the blog (with or without ``www.``, http or https), relative links, and for v1 posts
every ``/article-…-<id>.html`` spelling of the same ``<id>``. Tag links (``/tag/<name>/``,
``/tag/<name>/<page>``) go to ``/tags/<name>/`` (the term page Hugo generates).

The plan also lists, in order of first appearance, every author, category and tag name (as the
archive has them): WXR declares them in its channel before the first item, so the exporter
knows them before the articles stream through it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

from .dates import wordpress_dates, wordpress_format
from .model import Article
from .slugs import article_slug, builder_path, term_slug, unique_name, url_path
from .urls import V1_ARTICLE

__all__ = [
    "Placement",
    "SitePlan",
    "builder_aliases",
    "link_key",
    "old_paths",
    "tag_target",
    "v1_short_path",
    "wordpress_tag_target",
]

_TAG_PATH = re.compile(r"^/tag/([^/]+)(?:/\d+)?/?$")


@dataclass(frozen=True, slots=True)
class Placement:
    kind: str
    slug: str
    date_shift: int = 0
    """Seconds added to the WordPress date so the importer does not merge this item into an
    earlier one with the same type, title and date."""
    title_number: int = 0
    """When 2 or more: `` (n)`` follows the WordPress title of this undated item (the
    importer would merge it into an earlier item with the same title)."""

    @property
    def path(self) -> str:
        """Path on the new static site (Hugo and Jekyll)."""
        section = "pages" if self.kind == "page" else "posts"
        return f"/{section}/{self.slug}/"

    @property
    def wordpress_path(self) -> str:
        """Path on WordPress with ``Post name`` permalinks."""
        return f"/{self.slug}/"


def link_key(url: str) -> str:
    """What identifies an article address whatever its host, scheme, query or fragment."""
    path = unquote(urlsplit(url).path) or "/"
    v1 = V1_ARTICLE.match(path)
    if v1:
        return f"v1:{v1['id']}"
    return path.rstrip("/") or "/"


def v1_short_path(path: str) -> str | None:
    """``/article-<id>.html`` for any v1 article path (``/article-slug-<id>.html``)."""
    match = V1_ARTICLE.match(path)
    return f"/article-{match['id']}.html" if match else None


def old_paths(article: Article) -> list[str]:
    """Every old path of an article: canonical, aliases, and the short v1 form of each."""
    paths: list[str] = []
    for url in [article.url, *article.aliases]:
        if not url:
            continue
        path = url_path(url)
        paths.append(path)
        short = v1_short_path(urlsplit(url).path)
        if short:
            paths.append(short)
    return list(dict.fromkeys(paths))


def builder_aliases(article: Article, new_path: str) -> tuple[list[str], list[str]]:
    """(old paths a static-site builder can write as redirect pages, old paths it cannot).

    The first are decoded (``slugs.builder_path``) for Hugo ``aliases`` and Jekyll
    ``redirect_from``; the second stay in the redirect maps only (decision, issue 10)."""
    kept: list[str] = []
    refused: list[str] = []
    for path in old_paths(article):
        if path == new_path:
            continue
        usable = builder_path(path)
        if usable is None:
            refused.append(path)
        elif usable != new_path and usable not in kept:
            kept.append(usable)
    return kept, refused


def _title_key(kind: str, title: str) -> bytes:
    """What MySQL's ``post_title = %s`` (utf8mb4 *_ci collation, trailing spaces ignored) and
    WordPress's ``trim`` see as one title, as a 12-byte digest (approximation: case and
    accents folded, white space runs as one space)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(title.split()))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return hashlib.blake2b(f"{kind}\n{folded}".encode("utf-8", "surrogatepass"),
                           digest_size=12).digest()


def tag_target(path: str) -> str | None:
    """``/tags/<name>/`` for an Overblog tag listing path, the way Hugo names term pages."""
    match = _TAG_PATH.match(path)
    if not match:
        return None
    name = unquote(match.group(1)).strip().lower()
    name = re.sub(r"\s+", "-", name)
    return f"/tags/{name}/" if name else None


def wordpress_tag_target(path: str) -> str | None:
    """``/tag/<term slug>/`` for an Overblog tag listing path (the WXR's tag slugs)."""
    match = _TAG_PATH.match(path)
    return f"/tag/{term_slug(unquote(match.group(1)).strip())}/" if match else None


def _bare_host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


class SitePlan:
    """Final slug and new path of every article, and the old-address → article map."""

    def __init__(self) -> None:
        self._placements: dict[str, Placement] = {}
        self._by_key: dict[str, str] = {}
        self._used: dict[str, set[str]] = {"post": set(), "page": set()}
        self._import_keys: list[tuple[str, bytes, str, str]] | None = []
        """(url, title key, local date, title if undated) per article until ``build`` ends."""
        self.hosts: set[str] = set()
        """Bare host names (no ``www.``) of the blog."""
        self._authors: dict[str | None, None] = {}
        self._categories: dict[str, None] = {}
        self._tags: dict[str, None] = {}

    @classmethod
    def build(cls, articles: Iterable[Article], blog_urls: Iterable[str] = ()) -> SitePlan:
        """Place every article; ``blog_urls`` (or bare host names) are more hosts of the blog."""
        plan = cls()
        for url in blog_urls:
            host = _bare_host(url) if "://" in url else url.lower().removeprefix("www.")
            if host:
                plan.hosts.add(host)
        for article in articles:
            plan.add(article)
        plan._separate_import_duplicates()
        return plan

    def add(self, article: Article) -> Placement:
        """Place an article (first come, first served: ``-2``, ``-3``… on collisions)."""
        known = self._placements.get(article.url)
        if known is not None:
            return known
        kind = "page" if article.kind == "page" else "post"
        base = article_slug(article.slug, article.title, article.url)
        placement = Placement(kind, unique_name(base, self._used[kind]))
        self._placements[article.url] = placement
        self._authors.setdefault(article.author)
        self._categories.update(dict.fromkeys(article.categories))
        self._tags.update(dict.fromkeys(article.tags))
        if self._import_keys is not None:
            local = wordpress_dates(article.published)[0]
            self._import_keys.append((article.url, _title_key(kind, article.title), local,
                                      "" if local else article.title))
        for url in [article.url, *article.aliases]:
            if url:
                self.hosts.add(_bare_host(url))
                self._by_key.setdefault(link_key(url), article.url)
        return placement

    def _separate_import_duplicates(self) -> None:
        """Give every item a distinct importer key (see the module's docstring)."""
        keys, self._import_keys = self._import_keys or [], None
        groups: dict[bytes, list[tuple[str, str, str]]] = {}
        for url, title_key, local, title in keys:
            groups.setdefault(title_key, []).append((url, local, title))
        for group in [g for g in groups.values() if len(g) > 1]:
            self._separate_group(group, groups)

    def _separate_group(
        self, group: list[tuple[str, str, str]], titles: dict[bytes, Any]
    ) -> None:
        originals = {local for _url, local, _title in group if local}
        taken: set[str] = set()
        for position, (url, local, title) in enumerate(group):
            if not local:
                if position:  # an item with this title is imported before this one
                    kind = self._placements[url].kind
                    number = 2
                    while _title_key(kind, f"{title} ({number})") in titles:
                        number += 1
                    titles[_title_key(kind, f"{title} ({number})")] = url
                    self._placements[url] = replace(self._placements[url], title_number=number)
                continue
            moment, shift = local, 0
            while moment in taken or (shift and moment in originals):
                shift += 1
                moved = datetime.strptime(local, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=shift)
                moment = wordpress_format(moved)
            taken.add(moment)
            if shift:
                self._placements[url] = replace(self._placements[url], date_shift=shift)

    def placement(self, article_url: str) -> Placement | None:
        return self._placements.get(article_url)

    @property
    def authors(self) -> list[str | None]:
        """Every article's author as the archive has it (None: none), each once, in order of
        first appearance: WXR declares the authors before its first item."""
        return list(self._authors)

    @property
    def categories(self) -> list[str]:
        """Every category name, each once, in order of first appearance (same reason)."""
        return list(self._categories)

    @property
    def tags(self) -> list[str]:
        """Every tag name, each once, in order of first appearance (same reason)."""
        return list(self._tags)

    def __len__(self) -> int:
        return len(self._placements)

    def is_internal(self, url: str) -> bool:
        return _bare_host(url) in self.hosts

    def resolve(self, href: str, page_url: str = "", wordpress: bool = False) -> str | None:
        """New path for a link to an article, a tag listing or the home; else None.

        Static-site paths, or WordPress ones (``/<slug>/``, ``/tag/<term slug>/``)."""
        absolute = urljoin(page_url, href.strip()) if page_url else href.strip()
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or not self.is_internal(absolute):
            return None
        path = unquote(parts.path) or "/"
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if path == "/":
            return "/" + fragment
        target_url = self._by_key.get(link_key(absolute))
        if target_url is not None:
            placement = self._placements[target_url]
            return (placement.wordpress_path if wordpress else placement.path) + fragment
        if wordpress:
            return wordpress_tag_target(path)
        return tag_target(path)

    def rewrite_links(
        self, body_html: str, page_url: str, wordpress: bool = False, base_url: str = ""
    ) -> str:
        """``body_html`` with every ``<a href>`` to an article, tag or home of the blog
        pointing at its new path (prefixed with ``base_url``); other links are left alone."""
        if "<a" not in body_html:
            return body_html
        soup = BeautifulSoup(body_html, "html.parser")
        changed = False
        for anchor in soup.find_all("a", href=True):
            target = self.resolve(str(anchor["href"]), page_url, wordpress)
            if target is not None:
                target = base_url.rstrip("/") + target
            if target is not None and target != anchor["href"]:
                anchor["href"] = target
                changed = True
        return str(soup) if changed else body_html
