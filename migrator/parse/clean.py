"""Turn an article body element into a clean HTML fragment.

Removes Overblog chrome (share bars, newsletter, related posts, navigation, comments, ads,
scripts), rewrites ob-section widgets and v1 layout tables as plain HTML (``sections.py``),
drops empty paragraphs and inline font styles, moves images/iframes out of headings,
rewrites image URLs to full resolution and makes every URL absolute.
"""

from __future__ import annotations

import html as htmlmod
import re
from typing import cast
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import NavigableString

from ..media import original_image_url
from ..model import Image
from .sections import normalize_sections, unwrap_layout_tables, wrap_loose_inline
from .walk import classes_of, has_token, tags, tags_where

__all__ = ["CHROME_SELECTORS", "body_images", "clean_body", "clean_body_and_images",
           "remove_chrome"]

CHROME_SELECTORS = (
    "script, style, noscript, link, meta, form, button, "
    ".ob-ShareBar, .ob-Shares, .ob-Shares-title, .ob-share, .ob-repost, .ob-Newsletter, "
    ".ob-Related, .ob-PostNavigation, .ob-Outbrain, .Post-comments, #ob-comments, .ob-comments, "
    ".ob-commentsList, .comments, #comments, .commentContainer, #anchorComment, .h2commentMessage, "
    ".readmore, .ob-readmore, .plusExtrait, .ads, [class^='ads-'], [class*=' ads-'], .Sidebar, "
    "[class*='Sidebar-ad'], [class*='Ad--'], .socialShare, .afterArticle, .beforeArticle, "
    ".post-cover, .fb-share-button, .fb-like, .twitter-share-button"
)
_AD_SLOT_ID = re.compile(r"^_[0-9a-z]{5,}$")
_EMBED_TAGS = ("img", "iframe", "object", "embed", "video", "audio", "table", "picture", "svg")
_DROP_STYLES = re.compile(
    r"^\s*(font-family|font-size|font|line-height|letter-spacing|tab-stops|mso-[\w-]+)\s*:", re.I)
_URL_ATTRS = {"a": "href", "img": "src", "iframe": "src", "source": "src", "embed": "src",
              "object": "data", "video": "src", "audio": "src"}
_UNWRAP_SECTIONS = ("ob-sections", "ob-section-html", "ob-section-text", "ob-text")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_HEADING_MEDIA = frozenset(("img", "iframe", "object", "embed", "video"))


_CHROME_TAGS = frozenset({"script", "style", "noscript", "link", "meta", "form", "button"})
_CHROME_IDS = frozenset({"ob-comments", "comments", "anchorComment"})
_CHROME_CLASSES = frozenset(
    c.strip()[1:] for c in CHROME_SELECTORS.split(",") if re.fullmatch(r"\s*\.[\w-]+\s*", c))


def _is_chrome(tag: Tag) -> bool:
    """CHROME_SELECTORS as one cheap test (soupsieve is slow on 40 alternatives per tag)."""
    if tag.name in _CHROME_TAGS or tag.get("id") in _CHROME_IDS:
        return True
    return any(c in _CHROME_CLASSES or c.startswith("ads-") or "Sidebar-ad" in c or "Ad--" in c
               for c in classes_of(tag))


def remove_chrome(root: Tag) -> None:
    """Delete Overblog chrome, ads and scripts found anywhere under root."""
    for comment in [node for node in root.descendants if isinstance(node, Comment)]:
        comment.extract()
    for tag in tags_where(root, _is_chrome):
        if not tag.decomposed:
            tag.decompose()
    for tag in tags_where(root, _is_ad_slot):
        if not tag.decomposed and tag.name in ("div", "ins", "aside"):
            tag.decompose()


def _is_ad_slot(tag: Tag) -> bool:
    ident = tag.get("id")
    return ident is not None and bool(_AD_SLOT_ID.search(str(ident)))


def _image_link(img: Tag) -> Tag | None:
    """The ``a.ob-link-img`` around an image (``img.find_parent("a", class_=...)``)."""
    node = img.parent
    while node is not None:
        if has_token(node, "a", "ob-link-img"):
            return node
        node = node.parent
    return None


def _best_src(img: Tag) -> str:
    link = _image_link(img)
    if link and link.get("href"):
        return str(link["href"])
    for attr in ("data-src", "data-original", "data-lazy-src"):
        if img.get(attr):
            return str(img[attr])
    if img.get("srcset"):
        return _largest_candidate(str(img["srcset"]))
    return str(img.get("src") or "")


def _largest_candidate(srcset: str) -> str:
    """The srcset entry with the biggest width/density descriptor."""
    best, best_size = "", -1.0
    for entry in srcset.split(","):
        parts = entry.strip().split()
        if not parts:
            continue
        size = float(re.sub(r"[^\d.]", "", parts[1]) or 0) if len(parts) > 1 else 1.0
        if size > best_size:
            best, best_size = parts[0], size
    return best


def _unwrap_self_links(root: Tag) -> None:
    """<a href="X.jpg"><img src="X.jpg"></a>: the link only repeats the image; keep the image."""
    for link in tags_where(root, _is_link):
        images = link.find_all("img")
        if (len(images) == 1 and not link.get_text(strip=True)
                and images[0].get("src") == link["href"]):
            link.unwrap()


def _fix_images(root: Tag, base_url: str) -> None:
    for img in root.find_all("img"):
        src = _best_src(img)
        if not src:
            img.decompose()
            continue
        img["src"] = original_image_url(urljoin(base_url, src))
        for attr in ("srcset", "sizes", "data-src", "data-original", "data-lazy-src",
                     "data-amp-height", "data-amp-width"):
            img.attrs.pop(attr, None)
    for link in tags_where(root, _is_image_link):
        link["href"] = original_image_url(urljoin(base_url, str(link["href"])))


def _is_link(tag: Tag) -> bool:
    return tag.name == "a" and tag.get("href") is not None


def _is_image_link(tag: Tag) -> bool:
    return _is_link(tag) and "ob-link-img" in classes_of(tag)


def _absolute_urls(root: Tag, base_url: str) -> None:
    by_name: dict[str, list[Tag]] = {name: [] for name in _URL_ATTRS}
    for node in tags(root):  # only attributes change: one walk serves every name
        if node.name in by_name:
            by_name[node.name].append(node)
    for name, attr in _URL_ATTRS.items():
        for node in by_name[name]:
            value = node.get(attr)
            if value and not str(value).startswith(("#", "mailto:", "javascript:", "data:")):
                node[attr] = urljoin(base_url, str(value).strip())


_LITERAL_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")


def _fix_double_escapes(root: Tag) -> None:
    """Text showing '&amp;' or '&eacute;' comes from entities escaped twice: decode it once more."""
    texts = [node for node in root.descendants
             if isinstance(node, NavigableString) and _LITERAL_ENTITY.search(node)]
    for text in texts:
        if not isinstance(text, Comment):
            text.replace_with(htmlmod.unescape(str(text)))


def _clean_styles(root: Tag) -> None:
    for node in tags_where(root, lambda tag: tag.get("style") is not None):
        kept = [d for d in str(node["style"]).split(";") if d.strip() and not _DROP_STYLES.match(d)]
        if kept:
            node["style"] = ";".join(d.strip() for d in kept)
        else:
            del node["style"]


def _is_empty(node: Tag) -> bool:
    if any(tag.name in _EMBED_TAGS for tag in tags(node)):
        return False
    return not node.get_text().replace("\u00a0", " ").strip()


def _drop_empty_paragraphs(root: Tag) -> None:
    for para in root.find_all("p"):
        if not para.decomposed and _is_empty(para):
            para.decompose()
    for span in root.find_all("span"):
        if span.decomposed:
            continue
        if not span.contents:
            span.decompose()
        elif not span.attrs:
            span.unwrap()


def _lift_media_out_of_headings(root: Tag) -> None:
    for heading in tags_where(root, lambda tag: tag.name in _HEADINGS):
        media = tags_where(heading, lambda tag: tag.name in _HEADING_MEDIA)
        for node in reversed(media):
            parent = cast(Tag, node.parent)
            outer = parent if parent.name == "a" and parent is not heading else node
            heading.insert_after(outer.extract())
        if media and _is_empty(heading):
            heading.decompose()


def _unwrap_plain_sections(root: Tag) -> None:
    for cls in _UNWRAP_SECTIONS:
        def of_class(tag: Tag, cls: str = cls) -> bool:
            return has_token(tag, "div", cls)

        for node in tags_where(root, of_class):
            node.unwrap()
    for node in root.find_all("font"):  # v1 editor output: presentational only
        node.unwrap()


def clean_body_and_images(body: Tag, base_url: str) -> tuple[str, list[Image]]:
    """clean_body and body_images in one go (without parsing the cleaned HTML again)."""
    html = clean_body(body, base_url)
    return html, _images_of(body)


def clean_body(body: Tag, base_url: str) -> str:
    """Return the cleaned inner HTML of body (the element itself is not included).

    Cleans in place: the page's soup is single-use, and re-parsing the body costs as much as
    everything else.
    """
    root = body
    remove_chrome(root)
    _fix_images(root, base_url)
    normalize_sections(root)
    _unwrap_self_links(root)
    unwrap_layout_tables(root)
    _absolute_urls(root, base_url)
    _fix_double_escapes(root)
    _clean_styles(root)
    _lift_media_out_of_headings(root)
    _drop_empty_paragraphs(root)
    _unwrap_plain_sections(root)
    wrap_loose_inline(root)
    html = root.decode_contents()
    return re.sub(r"\n\s*\n+", "\n", html).strip()


def _caption_of(img: Tag) -> str:
    figure = img.find_parent("figure")
    if figure and figure.find("figcaption"):
        return cast(Tag, figure.find("figcaption")).get_text(" ", strip=True)
    holder = img.find_parent("a", class_="ob-link-img") or img
    for node in (holder, holder.parent):
        desc = node.find_next_sibling("p", class_="ob-desc") if node is not None else None
        if desc is not None:
            return desc.get_text(" ", strip=True)
    return ""


def body_images(body_html: str) -> list[Image]:
    """One Image per distinct content image of a cleaned body, in order."""
    return _images_of(BeautifulSoup(body_html, "lxml"))


def _images_of(root: Tag) -> list[Image]:
    images: list[Image] = []
    seen: set[str] = set()
    for img in root.find_all("img"):
        url = str(img.get("src") or "")
        if not url or url in seen or url.startswith("data:"):
            continue
        seen.add(url)
        alt = str(img.get("alt") or "").strip()
        images.append(Image(url=url, alt=alt, caption=_caption_of(img)))
    return images
