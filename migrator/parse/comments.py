"""Comments rendered in the HTML: v1 ``div.commentContainer``, kiwi 2018 ``div.ob-comment``.

Current kiwi pages load comments with JavaScript (``ob.initCommentApp``); those are not here.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from ..model import Comment
from .dates import parse_date_text

__all__ = ["kiwi_comments", "v1_comments"]

_V1_OPTION = re.compile(
    r"(?:post[ée]\s+par|r[ée]ponse\s+de|posted\s+by|reply\s+(?:by|from))\s+(?P<who>.+?)"
    r"\s+(?:le|on)\s+(?P<when>\d{1,2}/\d{1,2}/\d{2,4}(?:\s+(?:à|at)\s+\d{1,2}\s*[h:]\s*\d{2})?)",
    re.I | re.S,
)
_REPLY = re.compile(r"^\s*(?:r[ée]ponse\s+de|reply)", re.I)


def _iso(text: str) -> str | None:
    parsed = parse_date_text(text)
    return parsed[0].isoformat() if parsed else None


def _inner_html(node: Tag | None) -> str:
    return node.decode_contents().strip() if node is not None else ""


def _v1_comment(container: Tag) -> Comment | None:
    option = container.find(class_="commentOption", recursive=False) or container.find(
        class_="commentOption")
    message = container.find(class_="commentMessage", recursive=False) or container.find(
        class_="commentMessage")
    if option is None and message is None:
        return None
    text = re.sub(r"\s+", " ", option.get_text(" ")) if option else ""
    match = _V1_OPTION.search(text)
    author = match.group("who").strip() if match else ""
    link = option.find("a", href=True) if option else None
    url = None
    if link is not None and link.get_text(strip=True) and "#" not in str(link["href"])[:1]:
        author = link.get_text(" ", strip=True)
        url = str(link["href"])
    return Comment(author=author or "Anonyme", body_html=_inner_html(message), url=url,
                   published=_iso(match.group("when")) if match else None)


def v1_comments(soup: BeautifulSoup) -> list[Comment]:
    """v1 comments; a reply is a container nested in a comment or one saying "Réponse de X"."""
    comments: list[Comment] = []
    for container in soup.select("div.commentContainer"):
        parent = container.find_parent("div", class_="commentContainer")
        comment = _v1_comment(container)
        if comment is None:
            continue
        option = container.find(class_="commentOption")
        is_reply = parent is not None or bool(option and _REPLY.match(option.get_text(" ")))
        if is_reply and comments:
            comments[-1].replies.append(comment)
        else:
            comments.append(comment)
    return comments


def _kiwi_comment(node: Tag) -> Comment:
    name = node.select_one(".ob-name")
    date = node.select_one(".ob-date")
    message = node.select_one(".ob-message")
    link = node.select_one("a.ob-website[href], .ob-name a[href]")
    inner = message.find("span") if message is not None else None
    return Comment(
        author=name.get_text(" ", strip=True) if name else "Anonyme",
        body_html=_inner_html(inner if inner is not None else message),
        url=str(link["href"]) if link is not None else None,
        published=_iso(date.get_text(" ")) if date else None,
    )


def kiwi_comments(soup: BeautifulSoup) -> list[Comment]:
    """Server-rendered kiwi 2018 comments: div.ob-comment, replies in div.ob-comment-replies."""
    root = soup.select_one("#ob-comments .ob-list") or soup.select_one("#ob-comments")
    if root is None:
        return []
    comments: list[Comment] = []
    for node in root.find_all("div", class_=["ob-comment", "ob-comment-replies"]):
        classes = node.get("class", [])
        if "ob-comment-replies" in classes:
            continue
        if node.find_parent("div", class_="ob-comment-replies"):
            if comments:
                comments[-1].replies.append(_kiwi_comment(node))
            continue
        comments.append(_kiwi_comment(node))
    return comments
