"""Overblog body blocks rewritten as plain HTML that Markdown and WordPress render well.

Kiwi bodies are a list of ``div.ob-section.ob-section-<type>`` blocks (STRUCTURE.md §1.4, §1.9):
text, images (rows of 1-5 columns with ``p.ob-desc`` captions), html, video, link cards, quotes,
files, maps, audio players and tweets. v1 bodies often sit in layout tables. Each rewrite keeps
the content (text, links, media) and drops the widget markup around it.
"""

from __future__ import annotations

import re
from typing import Any, cast

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement

from .walk import has_token, tags_where

__all__ = ["normalize_sections", "unwrap_layout_tables", "wrap_loose_inline"]

_BLOCK_TAGS = {"p", "div", "ul", "ol", "table", "blockquote", "figure", "h1", "h2", "h3", "h4",
               "h5", "h6", "pre", "hr", "iframe", "object", "embed", "video", "audio", "dl",
               "section", "article", "aside", "header", "footer", "form", "center"}
_MEDIA_TAGS = ("iframe", "object", "embed", "video", "audio")
_ROW = re.compile(r"^ob-row-\d+-col$")
_AUDIO_URL = re.compile(r"https?://[^\s\"'<>]+\.(?:mp3|ogg|m4a|wav)(?:\?[^\s\"'<>]*)?", re.I)


def _new(soup: BeautifulSoup, name: str, text: str | None = None, **attrs: str) -> Tag:
    tag = soup.new_tag(name, attrs=attrs)
    if text:
        tag.string = text
    return tag


def _text(node: Tag | None) -> str:
    return re.sub(r"[ \t\r\n]+", " ", node.get_text(" ")).strip() if node is not None else ""


def _images_section(soup: BeautifulSoup, section: Tag) -> list[Tag]:
    """One <figure> per row of images (``ob-row-N-col``); the ``p.ob-desc`` after a row is its
    <figcaption>, so a two-column row with one caption stays one captioned figure."""
    figures: list[Tag] = []
    open_figure: Tag | None = None
    open_row: Tag | None = None
    for node in section.find_all(["img", "p"]):
        if node.name == "img":
            row = node.find_parent(class_=_ROW)
            if open_figure is None or row is None or row is not open_row:
                open_figure, open_row = _new(soup, "figure"), row
                figures.append(open_figure)
            open_figure.append(_new(soup, "img", src=str(node.get("src") or ""),
                                    alt=str(node.get("alt") or "")))
        elif "ob-desc" in (node.get("class") or []) and _text(node) and open_figure is not None:
            if open_figure.find("figcaption") is None:
                open_figure.append(_new(soup, "figcaption", _text(node)))
            open_figure = None
    return figures


def _link_section(soup: BeautifulSoup, section: Tag) -> list[Tag]:
    """Link card: title link + snippet; the preview thumbnail belongs to the other site."""
    link = section.select_one("p.ob-title a, a.ob-link, a[href]")
    if link is None:
        return []
    url_text = _text(section.select_one("p.ob-url"))
    title = _text(section.select_one("p.ob-title")) or _text(link) or url_text
    out = [_new(soup, "p")]
    out[0].append(_new(soup, "a", title or str(link["href"]), href=str(link["href"])))
    snippet = _text(section.select_one("p.ob-snippet"))
    if snippet:
        out.append(_new(soup, "p", snippet))
    return out


def _quote_section(soup: BeautifulSoup, section: Tag) -> list[Tag]:
    """<blockquote><p>text</p><footer>author, <cite>source</cite></footer></blockquote>."""
    for svg in section.find_all("svg"):
        svg.decompose()
    quote = _new(soup, "blockquote")
    holder = section.select_one(".ob-quote") or section
    for para in holder.find_all("p"):
        classes: str | list[str] = para.get("class") or []
        if "ob-author" in classes or "ob-source" in classes or not _text(para):
            continue
        quote.append(_new(soup, "p", _text(para)))
    author = _text(section.select_one("p.ob-author, .ob-author"))
    source_el = section.select_one("p.ob-source, .ob-source")
    if author or source_el is not None:
        footer = _new(soup, "footer")
        footer.append(f"— {author}" if author else "— ")
        if source_el is not None and _text(source_el):
            if author:
                footer.append(", ")
            cite = _new(soup, "cite")
            link = source_el.find("a", href=True)
            cite.append(_new(soup, "a", _text(source_el), href=str(link["href"])) if link
                        else _text(source_el))
            footer.append(cite)
        quote.append(footer)
    return [quote]


def _file_section(soup: BeautifulSoup, section: Tag) -> list[Tag]:
    out = []
    for link in section.select(".ob-ctn a[href], a.ob-link[href], a.ob-button-link[href]"):
        para = _new(soup, "p")
        para.append(_new(soup, "a", _text(link) or str(link["href"]).rsplit("/", 1)[-1],
                         href=str(link["href"])))
        out.append(para)
    return out[:1] if len({str(cast(Tag, p.a)["href"]) for p in out}) == 1 else out


def _media_section(soup: BeautifulSoup, section: Tag) -> list[Tag]:
    """Video and map blocks: keep the player/map (iframe, object, img) and its description."""
    out: list[Tag] = []
    for node in section.find_all(("iframe", "object", "img", "video")):
        if node.find_parent(("object", "video")) is None:
            out.append(node.extract())
    for desc in section.select("p.ob-desc, .ob-desc"):
        if _text(desc):
            out.append(_new(soup, "p", _text(desc)))
    return out


def _audio_section(soup: BeautifulSoup, section: Tag) -> list[Tag]:
    """The ``obsoundplayer`` widget becomes a plain <audio controls> on its file."""
    source = section.find(("audio", "source"), src=True)
    url = str(source["src"]) if source is not None else ""
    if not url:
        for node in section.find_all(True):
            for value in node.attrs.values():
                match = _AUDIO_URL.search(str(value))
                if match:
                    url = match.group(0)
                    break
            if url:
                break
    if not url:
        return _media_section(soup, section)
    out = [_new(soup, "audio", controls="controls", src=url)]
    title = _text(section.select_one(".obsoundplayertitle, .ob-title, .ob-desc"))
    if title:
        out.append(_new(soup, "p", title))
    return out


def _tweet(soup: BeautifulSoup, quote: Tag) -> Tag:
    quote["class"] = cast(Any, ["twitter-tweet"])  # bs4's stubs want its own list type
    return quote


_REWRITERS = {
    "ob-section-images": _images_section,
    "ob-section-link": _link_section,
    "ob-section-quote": _quote_section,
    "ob-section-file": _file_section,
    "ob-section-video": _media_section,
    "ob-section-map": _media_section,
    "ob-section-audio": _audio_section,
}


def normalize_sections(root: Tag) -> None:
    """Replace each ob-section widget by its plain-HTML equivalent, in place."""
    soup = _owner(root)
    for quote in tags_where(root, lambda tag: has_token(tag, "blockquote", "ob-tweet")):
        _tweet(soup, quote)
    for section in tags_where(root, lambda tag: has_token(tag, "div", "ob-section")):
        if section.decomposed:
            continue
        classes: str | list[str] = section.get("class") or []
        rewrite = next((_REWRITERS[c] for c in classes if c in _REWRITERS), None)
        if rewrite is None:
            wrap_loose_inline(section.find(class_="ob-text") or section)
            section.unwrap()
            continue
        replacement = rewrite(soup, section)
        for node in replacement:
            section.insert_before(node)
        section.decompose()


def _owner(node: Tag) -> BeautifulSoup:
    while node.parent is not None:
        node = node.parent
    return node  # type: ignore[return-value]


def _is_block(node: object) -> bool:
    return isinstance(node, Tag) and node.name in _BLOCK_TAGS


def wrap_loose_inline(container: Tag) -> None:
    """Text and inline tags sitting directly in a block container go into <p> (v1/ob-text)."""
    if not any(isinstance(c, NavigableString) and c.strip() for c in container.contents):
        return
    soup = _owner(container)
    run: list[PageElement] = []
    for child in list(container.contents) + [None]:
        if child is not None and not _is_block(child):
            run.append(child)
            continue
        if any((isinstance(n, NavigableString) and n.strip()) or isinstance(n, Tag) for n in run):
            para = soup.new_tag("p")
            run[0].insert_before(para)
            for node in run:
                para.append(node.extract())
            _trim_breaks(para)
        run = []


def _trim_breaks(para: Tag) -> None:
    """No <br> or white space at either end of a paragraph made from loose inline content."""
    for end in (0, -1):
        while para.contents:
            node = para.contents[end]
            if isinstance(node, Tag) and node.name == "br":
                node.decompose()
            elif isinstance(node, NavigableString) and not node.strip():
                node.extract()
            else:
                if isinstance(node, NavigableString):
                    node.replace_with(node.lstrip() if end == 0 else node.rstrip())
                break


def _cells(table: Tag) -> list[Tag]:
    return [c for c in table.find_all(["td", "th"]) if c.find_parent("table") is table]


def _rows(table: Tag) -> list[Tag]:
    return [r for r in table.find_all("tr") if r.find_parent("table") is table]


def is_layout_table(table: Tag) -> bool:
    """Layout (unwrap) when it has one cell, one cell per row, or cells holding blocks/media.

    A table with header cells, or a grid of short text cells, is data and stays.
    """
    cells = _cells(table)
    if not cells:
        return True
    if any(c.name == "th" for c in cells) or table.find("caption"):
        return False
    rows = _rows(table)
    if len(cells) == 1 or all(len([c for c in r.find_all(["td"]) if c.find_parent("table")
                                   is table]) <= 1 for r in rows):
        return True
    return any(c.find(list(_BLOCK_TAGS) + ["img"]) for c in cells)


def unwrap_layout_tables(root: Tag) -> None:
    """Replace presentational v1 tables by their cells' content; data tables are kept."""
    for table in reversed(root.find_all("table")):
        if table.decomposed or not is_layout_table(table):
            continue
        for cell in _cells(table):
            wrap_loose_inline(cell)
            holder = _owner(root).new_tag("div")
            for child in list(cell.contents):
                holder.append(child.extract())
            table.insert_before(holder)
            holder.unwrap()
        table.decompose()
