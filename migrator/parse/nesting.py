"""Keep pathologically nested pages whole.

Pasted Word HTML often leaves hundreds of inline tags open (``<span>`` × 300). Each one nests
the rest of the page one level deeper, and libxml2 stops building the tree at 256 levels (2,048
with its "huge" option): the rest of the body, images included, would silently vanish. Every
later stage that walks the tree recursively (markdownify, serialisers) has limits of its own.

So, before parsing, an opening tag of a name already open ``MAX_OPEN_PER_NAME`` times (more
for tags with a class or id) is left out (with the closing tag that would match it): text and
images stay, only redundant formatting levels go. After parsing, anything still deeper than
``MAX_DEPTH`` is unwrapped into its parent. Both passes run only when a page's tags are far
from balanced.
"""

from __future__ import annotations

import re
from typing import cast

from lxml import etree
from lxml.html import HtmlElement

__all__ = ["MAX_DEPTH", "MAX_OPEN_MARKED", "MAX_OPEN_PER_NAME", "bound_nesting", "flatten_deep",
           "is_unbalanced"]

MAX_OPEN_PER_NAME = 40
MAX_OPEN_MARKED = 400
"""Tags with a class or id may be structure (a share bar to remove, say): kept longer."""
MAX_DEPTH = 100
UNBALANCED = 40
"""How many more opening than closing tags of the tracked names make a page worth fixing."""

_TRACKED = ("span", "font", "b", "i", "em", "strong", "u", "s", "strike", "small", "big",
            "sub", "sup", "div", "blockquote", "center", "ul", "ol", "dl", "table", "section")
_TAG = re.compile(r"<(/?)(" + "|".join(_TRACKED) + r")\b[^>]*>", re.I)
_MARKED = re.compile(r"\s(?:class|id)\s*=", re.I)
_KEPT_DEEP = frozenset({"img", "iframe", "embed", "object", "video", "audio", "source", "br",
                        "hr", "picture", "param"})


def is_unbalanced(html: str) -> bool:
    opened = closed = 0
    for match in _TAG.finditer(html):
        if match.group(1):
            closed += 1
        else:
            opened += 1
    return opened - closed > UNBALANCED


def bound_nesting(html: str) -> str:
    """``html`` without the opening tags (and their matching closing tags) that would open a
    name more than ``MAX_OPEN_PER_NAME`` times at once."""
    stacks: dict[str, list[bool]] = {}
    kept_open: dict[str, int] = {}
    pieces: list[str] = []
    last = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        stack = stacks.setdefault(name, [])
        if match.group(1):
            keep = stack.pop() if stack else True
            if keep and kept_open.get(name):
                kept_open[name] -= 1
        else:
            limit = MAX_OPEN_MARKED if _MARKED.search(match.group(0)) else MAX_OPEN_PER_NAME
            keep = kept_open.get(name, 0) < limit
            stack.append(keep)
            kept_open[name] = kept_open.get(name, 0) + keep
        if not keep:
            pieces.append(html[last:match.start()])
            last = match.end()
    if last == 0:
        return html
    pieces.append(html[last:])
    return "".join(pieces)


def flatten_deep(root: etree._Element) -> None:
    """Unwrap every element deeper than ``MAX_DEPTH`` (its text and children move up)."""
    deep: list[etree._Element] = []
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > MAX_DEPTH and isinstance(element.tag, str) and (
                    element.tag not in _KEPT_DEEP):
                deep.append(element)
        else:
            depth -= 1
    for element in reversed(deep):
        cast(HtmlElement, element).drop_tag()
