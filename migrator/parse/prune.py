"""A page as the readers get it: parsed once by lxml, without what can never be content.

Scripts (JSON-LD kept), styles, icons, the Overblog top bar, share/related/newsletter widgets,
ads and theme sidebars are dropped with lxml before BeautifulSoup builds its tree, which makes
parsing several times faster (a Noodle page is ~165 kB, mostly CSS, JS, widgets); on a page
with a single kiwi article, only ``<head>``, the article and its comments are kept
(``focus``). Pages whose tags never close are kept whole (``nesting``).
"""

from __future__ import annotations

import html as htmlmod

import lxml.html
from bs4 import BeautifulSoup
from lxml import etree

from .nesting import bound_nesting, flatten_deep, is_unbalanced

__all__ = ["HTML_PARSER", "drop_never_content", "html_tree", "make_soup", "prune_html"]


# Never content: scripts (JSON-LD kept), styles, icons, the Overblog top bar, share/related/
# newsletter widgets, ads and theme sidebars. Dropping them with lxml before BeautifulSoup builds
# its tree makes parsing several times faster (a Noodle page is ~165 kB, mostly CSS, JS, widgets).
_NEVER_CONTENT_TAGS = frozenset({"script", "style", "noscript", "svg"})
_NEVER_CONTENT_CLASSES = frozenset({"ob-ShareBar", "ob-Shares", "ob-Newsletter", "ob-Related",
                                    "ob-PostNavigation", "ob-Outbrain", "Sidebar", "ads"})
_KEPT_METAS = ("author", "description", "keywords")
# Markers of pages that are not one kiwi article (listings) or that are v1 (left whole).
_NOT_ONE_KIWI_ARTICLE = frozenset({"PostPreview", "Content--list", "readmore", "contenuArticle",
                                   "divTitreArticle"})


# The nodes that can be never-content (the others have no class, no id and an ordinary tag),
# and those that can mark the article, in document order: lxml finds them in C, so the Python
# loops see a fraction of the page.
_MAY_BE_NEVER_CONTENT = etree.XPath(
    "descendant-or-self::*[self::script or self::style or self::noscript or self::svg"
    " or self::link or self::meta or @class or @id] | descendant::comment()")
_MAY_MARK_ARTICLE = etree.XPath("descendant-or-self::*[@class or @id]")


def _is_never_content(el: lxml.html.HtmlElement, classes: set[str]) -> bool:
    tag = el.tag
    if tag in _NEVER_CONTENT_TAGS:
        return tag != "script" or "ld+json" not in (el.get("type") or "")
    if tag == "link":
        return el.get("rel") != "canonical"
    if tag == "meta":
        return not (el.get("name") in _KEPT_METAS or (el.get("property") or "").startswith("og:"))
    return el.get("id") == "right-content" or not _NEVER_CONTENT_CLASSES.isdisjoint(classes)


def _is_doomed(node: lxml.html.HtmlElement) -> bool:
    """A never-content element, or an HTML comment."""
    if not isinstance(node.tag, str):
        return isinstance(node, etree._Comment)
    return _is_never_content(node, set((node.get("class") or "").split()))


def _find_article(root: lxml.html.HtmlElement
                  ) -> tuple[lxml.html.HtmlElement | None, list[lxml.html.HtmlElement]]:
    """The page's single kiwi article container (div.Post or article.post: title, dates, body
    and, in known themes, comments) if it has one, and the server-rendered comment blocks
    (#ob-comments, .ob-commentsList). Never-content elements count for neither."""
    comment_blocks = []
    posts, articles, not_one = [], [], False
    for el in _MAY_MARK_ARTICLE(root):
        classes = set((el.get("class") or "").split())
        if _is_never_content(el, classes):
            continue
        if el.get("id") == "ob-comments" or "ob-commentsList" in classes:
            comment_blocks.append(el)
        if classes:
            not_one = not_one or not _NOT_ONE_KIWI_ARTICLE.isdisjoint(classes)
            if el.tag == "div" and "Post" in classes:
                posts.append(el)
            elif el.tag == "article" and "post" in classes:
                articles.append(el)
    candidates = posts or articles
    article = candidates[0] if len(candidates) == 1 and not not_one else None
    return article, comment_blocks


def drop_never_content(subtree: lxml.html.HtmlElement) -> None:
    """Drop the never-content elements and comments under ``subtree`` (itself included)."""
    for el in [node for node in _MAY_BE_NEVER_CONTENT(subtree) if _is_doomed(node)]:
        if el.getparent() is not None:
            el.drop_tree()


def _drop_blank_text(head: lxml.html.HtmlElement) -> None:
    """Remove the white space between the head's elements (left by the template and by the
    dropped elements): BeautifulSoup would make an object of each run."""
    if head.text is not None and not head.text.strip():
        head.text = None
    for element in head:
        if element.tail is not None and not element.tail.strip():
            element.tail = None


def _html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, giving every element the plain HtmlElement class: its default
    lookup calls back into Python for each element (to pick form and input classes we never
    use), a twentieth of a page's parse. ``huge_tree``: no cut at 256 levels (see nesting)."""
    parser = lxml.html.HTMLParser(huge_tree=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser


HTML_PARSER = _html_parser()


def html_tree(html: str) -> lxml.html.HtmlElement | None:
    """The page parsed by lxml, or None when lxml cannot read it. Pages whose tags never
    close are kept whole (``nesting``)."""
    unbalanced = is_unbalanced(html)
    if unbalanced:
        html = bound_nesting(html)
    try:
        root = lxml.html.document_fromstring(html, parser=HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None
    if unbalanced:
        flatten_deep(root)
    return root


def prune_html(html: str, focus: bool = False,
               tree: lxml.html.HtmlElement | None = None) -> str:
    """The page without what can never be article content (see _is_never_content).

    ``focus``: keep only <head> and the article container when the page has exactly one kiwi
    article; BeautifulSoup then builds a tree of a third of the size. ``tree``: ``html``
    already parsed by ``html_tree`` (pruned in place, so usable once).
    """
    root = tree if tree is not None else html_tree(html)
    if root is None:
        return html
    article, comment_blocks = _find_article(root)
    head = root.find("head")
    if head is not None and _is_doomed(head):
        head = None
    if not focus or article is None or head is None:
        drop_never_content(root)
        return lxml.html.tostring(root, encoding="unicode", method="html")
    # Only what is serialized below needs pruning: the head (with its tail, which takes the
    # tails of the dropped nodes right after it), the article, then the comment blocks outside
    # the article, found once the article is pruned (a dropped widget cuts them off from it).
    drop_never_content(head)
    following = head.getnext()
    while following is not None and _is_doomed(following):
        following.drop_tree()
        following = head.getnext()
    _drop_blank_text(head)
    drop_never_content(article)
    kept = [article] + [block for block in comment_blocks  # comments placed after the article
                        if not any(a is article for a in block.iterancestors())]
    for block in kept[1:]:
        drop_never_content(block)
    lang = root.get("lang")
    opening = f'<html lang="{htmlmod.escape(lang)}">' if lang else "<html>"
    return (opening + lxml.html.tostring(head, encoding="unicode", method="html") + "<body>"
            + "".join(lxml.html.tostring(el, encoding="unicode", method="html", with_tail=False)
                      for el in kept)
            + "</body></html>")


def make_soup(html: str | BeautifulSoup, focus: bool = False,
              tree: lxml.html.HtmlElement | None = None) -> BeautifulSoup:
    """BeautifulSoup of a page without its never-content parts (``focus``, ``tree``: see
    prune_html)."""
    if isinstance(html, BeautifulSoup):
        return html
    return BeautifulSoup(prune_html(html, focus, tree), "lxml")
