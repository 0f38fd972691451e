"""Author and tags as themes print them around a body, in any markup.

Themes say who wrote a post and under which tags in many ways: an element whose class says
so (``span.post-author``, ``span.author vcard``, ``.tags``), a link per tag (``/tag/x/``,
or a bare ``<a href="">`` in one theme), or a line of text ("Written by Wendy", "Publié par
Sakura sur 27 Avril 2014", "Author: Lydia", "Catégories : #Europe, #United Kingdom",
"Labels: Bike rides", "Publié le 9 Mars 2013 par Thaddée's dans Journal d'un écrivain").
These functions read them from a list of candidate elements (the reader chooses which: the
article's header and footer, never the body, menus or comments).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import Tag
from bs4.element import NavigableString

from .walk import classes_of

__all__ = ["author_from", "tags_from"]

_AUTHOR_CLASS = re.compile(r"author|byline|vcard|posted-?by|publishedby|auteur", re.I)
_NAME_CLASS = re.compile(r"^(?:fn|nickname|name|author-name|vcard)$", re.I)
_PREFIX = (r"r[ée]dig[ée]\s+par|publi[ée]\s+par|[ée]crit\s+par|post[ée]\s+par|"
           r"written\s+by|posted\s+by|published\s+by|publicado\s+por|escrito\s+por|"
           r"veröffentlicht\s+von|geschrieben\s+von|pubblicato\s+da|scritto\s+da|"
           r"auteur\s*:|author\s*:|autor\s*:|autore\s*:|par|by|por|von|da")
_BYLINE = re.compile(rf"(?:^|(?<=[\s,|(]))(?:{_PREFIX})(?=\s|$)\s*:?\s*(?P<rest>.*)$",
                     re.I | re.S)
_BYLINE_AFTER = re.compile(r"^(?P<name>[^|/,:]{1,60}?)\s+\w+ed\s+(?:this|it)\s+(?:on|at)\b",
                           re.I)
"""nyan: "Zoé nyaned this on 2014-01-05"."""
_NAME_END = re.compile(
    r"\s+(?:(?:publi[ée]e?|posted|published)\s+)?(?:sur|on|le|el|am|il|dans|in|en|at|à)"
    r"(?:\s+.*)?$|\s*[|/,–—(].*$|\s+(?:et|and|y|und|e)\s+publi.*$|\s+tagged(?:\s+.*)?$",
    re.I | re.S)
_TAG_CLASS = re.compile(r"tag|categor|label|topic|rubri", re.I)
_TAG_LINE = re.compile(r"(?:^|\b)(?:cat[ée]gories?|tags?\(s\)|tags?|labels?|[ée]tiquettes?|"
                       r"etiquetas|categor[íi]as|kategorien|schlagw[öo]rter|categorie|"
                       r"etichette|tagged\s+on|posted\s+in|class[ée]\s+dans)\s*:?\s*(.+)$",
                       re.I | re.S)
_IN_CATEGORY = re.compile(r"(?:^|\s)(?:publi[ée]\s+)?dans\s+(.+)$|"
                          r"^(?:published|posted|publicado|pubblicato)\s+in\s+(.+)$", re.I)


def _text(node: Tag) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


def _name_of(text: str) -> str:
    return _NAME_END.sub("", text).strip(" :-–,")


_EXACT_AUTHOR = frozenset({"author", "vcard", "fn", "post-author", "entry-author",
                           "author-name", "auteur", "Post-author"})


def _author_rank(tag: Tag) -> int | None:
    """How surely an element's markup says "author": 0 by its class, rel or itemprop, 1 by a
    class containing the word, 2 for bylines (which may also hold the date); None if not."""
    classes = classes_of(tag)
    if (not _EXACT_AUTHOR.isdisjoint(classes) or "author" in (tag.get("rel") or [])
            or tag.get("itemprop") == "author"):
        return 0
    names = " ".join(classes)
    if re.search(r"author|auteur", names, re.I):
        return 1
    return 2 if _AUTHOR_CLASS.search(names) else None


def author_from(elements: Iterable[Tag]) -> str | None:
    """The author a byline names: an element whose markup says author (its name part when it
    has one), else a text line "Written by X" / "Publié par X" (the name may be the next
    element: "Publié par <span>X</span>"). None when nothing says who."""
    elements = list(elements)
    ranked = sorted((rank, index, tag) for index, tag in enumerate(elements)
                    if (rank := _author_rank(tag)) is not None)
    for rank, _index, tag in ranked:
        named = tag.find(lambda t: any(_NAME_CLASS.match(c) for c in classes_of(t)))
        text = _text(named) if named is not None else _text(tag)
        byline = _BYLINE.search(text)
        if rank == 2 and byline is None:
            continue  # "Date: Jul 14 2013" in a div.byline says no author
        name = _name_of(byline.group("rest")) if byline else _name_of(text)
        if name:
            return name
    for tag in elements:
        for string in tag.find_all(string=True, recursive=False):
            found = _author_in_string(string)
            if found:
                return found
    return None


def _author_in_string(string: NavigableString) -> str | None:
    text = re.sub(r"\s+", " ", str(string)).strip()
    byline = _BYLINE.search(text)
    if byline is None:
        after = _BYLINE_AFTER.match(text)
        return after.group("name").strip() if after else None
    rest = _name_of(byline.group("rest"))
    if rest:
        return rest
    following = string.next_sibling
    while isinstance(following, NavigableString) and not following.strip():
        following = following.next_sibling
    if isinstance(following, Tag):
        return _name_of(_text(following)) or None
    return None


def tags_from(elements: Iterable[Tag]) -> list[str]:
    """Tag names: ``/tag/`` links; else the links (or text) of an element whose class says
    tags; else a "Tags: a, b" or "… dans X" line."""
    elements = list(elements)
    links = [tag for tag in elements
             if tag.name == "a" and "/tag/" in str(tag.get("href") or "")]
    if links:
        return [_link_name(a) for a in links]
    for tag in elements:
        if tag.name == "a" or not _TAG_CLASS.search(" ".join(classes_of(tag))):
            continue
        inner = [_link_name(a) for a in tag.find_all("a")]
        if inner:
            return inner
        line = _TAG_LINE.search(_text(tag))
        if line:
            return _split(line.group(1))
    lines = [_TAG_LINE.search(_text(tag)) for tag in elements if tag.name != "a"]
    found = [line for line in lines if line and len(line.string) < 300]
    if found:
        return _split(min(found, key=lambda m: len(m.string)).group(1))
    for tag in elements:
        for string in tag.find_all(string=True, recursive=False):
            category = _IN_CATEGORY.search(re.sub(r"\s+", " ", str(string)).strip())
            if category:
                return _split(category.group(1) or category.group(2))
    return []


def _link_name(link: Tag) -> str:
    """The link's text; its title when that is the same name in other letter case (themes
    print "Bike Rides" for the tag "Bike rides")."""
    text = link.get_text(" ", strip=True).strip(" ,;")
    title = str(link.get("title") or "").strip()
    if title and title.casefold() == text.lstrip("#").casefold():
        return title
    return text or title


def _split(text: str) -> list[str]:
    parts = (part.strip(" :") for part in re.split(r"\s*[,;]\s*|\s+-\s+", text))
    return [part for part in parts if re.search(r"\w", part)]
