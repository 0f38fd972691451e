"""Plain loops over a BeautifulSoup tree, for the searches parse_page makes on every page.

bs4's ``find_all``/``find`` with attribute, class or function filters build a SoupStrainer per
call and match every node through several layers: on a crawl that was a third of the parse
time. These loops return the same nodes, in the same (document) order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bs4 import Tag

__all__ = ["classes_of", "first_tag", "has_token", "tags", "tags_where"]


def tags(root: Tag) -> Iterator[Tag]:
    """Every tag under ``root`` (not root itself), in document order."""
    return (node for node in root.descendants if isinstance(node, Tag))


def tags_where(root: Tag, keep: Callable[[Tag], bool]) -> list[Tag]:
    """``root.find_all(keep)``: the tags under root for which ``keep`` is true."""
    return [node for node in root.descendants if isinstance(node, Tag) and keep(node)]


def first_tag(root: Tag, keep: Callable[[Tag], bool]) -> Tag | None:
    """``root.find(keep)``: the first tag under root for which ``keep`` is true."""
    for node in root.descendants:
        if isinstance(node, Tag) and keep(node):
            return node
    return None


def classes_of(tag: Tag) -> list[str]:
    """The tag's class tokens (bs4 keeps ``class`` as a list; a str set by hand is split)."""
    value = tag.get("class")
    if not value:
        return []
    return value.split() if isinstance(value, str) else list(value)


def has_token(tag: Tag, name: str, cls: str) -> bool:
    """``tag`` is a ``name`` element carrying class ``cls`` (bs4's ``find(name, class_=cls)``
    test for a one-word class)."""
    return tag.name == name and cls in classes_of(tag)
