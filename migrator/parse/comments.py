"""Comments rendered in the HTML: v1 ``div.commentContainer``, kiwi 2013 ``.ob-commentsList``,
kiwi 2018 ``div.ob-comment``. Replies are nested under their comment (one level, as Overblog does).

v1 dates can be relative ("aujourd'hui à 10h20", "hier à …", "il y a 3 jours à …"): they are
resolved against the page's capture date when the caller knows it, else left None (never "now").
Current kiwi pages load comments with JavaScript (``ob.initCommentApp``); those are not here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bs4 import BeautifulSoup, Tag

from ..model import Comment
from .dates import PARIS, parse_date_text
from .walk import classes_of, first_tag

__all__ = ["kiwi_comments", "relative_date", "v1_comments"]

_CLOCK = r"(?:\s+(?:à|a|at)\s+\d{1,2}\s*[h:]\s*\d{2})?"
_V1_OPTION = re.compile(
    r"(?:post[ée]\s+par|r[ée]ponse\s+de|posted\s+by|reply\s+(?:by|from))\s+(?P<who>.+?)"
    r"\s+(?:(?:le|on)\s+)?(?P<when>(?:\d{1,2}/\d{1,2}/\d{2,4}|aujourd'hui|aujourd’hui|hier|"
    r"avant-hier|il\s+y\s+a\s+\d+\s+jours?)" + _CLOCK + ")",
    re.I | re.S,
)
_REPLY = re.compile(r"^\s*(?:r[ée]ponse\s+de|reply)", re.I)
_RELATIVE = re.compile(r"^(aujourd['’]hui|hier|avant-hier|il\s+y\s+a\s+(\d+)\s+jours?)"
                       r"(?:\s+(?:à|a|at)\s+(\d{1,2})\s*[h:]\s*(\d{2}))?", re.I)


def relative_date(text: str, captured: datetime | None) -> datetime | None:
    """"hier à 18h05" -> the day before ``captured`` (Paris time) at 18:05; None without it."""
    match = _RELATIVE.match(text.strip())
    if not match or captured is None:
        return None
    word = match.group(1).lower()
    days = (0 if word.startswith("aujourd") else 1 if word == "hier" else 2
            if word == "avant-hier" else int(match.group(2)))
    day = captured.astimezone(PARIS).date() - timedelta(days=days)
    hour, minute = int(match.group(3) or 0), int(match.group(4) or 0)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _iso(text: str, captured: datetime | None = None) -> str | None:
    relative = _RELATIVE.match(text.strip())
    if relative:
        resolved = relative_date(text, captured)
        return resolved.isoformat() if resolved else None
    parsed = parse_date_text(text)
    return parsed[0].isoformat() if parsed else None


def _inner_html(node: Tag | None) -> str:
    return node.decode_contents().strip() if node is not None else ""


def _v1_comment(container: Tag, captured: datetime | None) -> Comment | None:
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
                   published=_iso(match.group("when"), captured) if match else None)


def v1_comments(soup: BeautifulSoup, captured: datetime | None = None) -> list[Comment]:
    """v1 comments; a reply is a container nested in a comment or one saying "Réponse de X"."""
    comments: list[Comment] = []
    for container in soup.select("div.commentContainer"):
        parent = container.find_parent("div", class_="commentContainer")
        comment = _v1_comment(container, captured)
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


def _kiwi2013_comment(node: Tag) -> Comment:
    user = node.select_one(".ob-user .ob-name") or node.select_one(".ob-user, .ob-name")
    date = node.select_one(".ob-date")
    text = node.select_one(".ob-text") or node.select_one(".ob-message")
    link = node.select_one("a.ob-website[href], .ob-user a[href]")
    author = user.get_text(" ", strip=True) if user is not None else ""
    return Comment(author=author or "Anonyme", body_html=_inner_html(text),
                   url=str(link["href"]) if link is not None else None,
                   published=_iso(date.get_text(" ")) if date is not None else None)


def _kiwi2013_comments(root: Tag) -> list[Comment]:
    """2013 themes: .ob-commentsList items, replies under .ob-replies .ob-list (STRUCTURE §1.7)."""
    comments: list[Comment] = []
    items = [n for n in root.select(".ob-comment, .ob-list > .ob-message, li.ob-item")
             if not n.find_parent(class_="ob-replies")]
    for item in items:
        comment = _kiwi2013_comment(_without_replies(item))
        replies = item.select_one(".ob-replies")
        if replies is not None:
            for reply in replies.select(".ob-comment, .ob-list > .ob-message, li.ob-item"):
                comment.replies.append(_kiwi2013_comment(reply))
        comments.append(comment)
    return comments


def _without_replies(item: Tag) -> Tag:
    copy = BeautifulSoup(str(item), "lxml").find(item.name)
    for replies in copy.select(".ob-replies"):
        replies.decompose()
    return copy


def kiwi_comments(soup: BeautifulSoup) -> list[Comment]:
    """Server-rendered kiwi comments: 2018 div.ob-comment (replies in div.ob-comment-replies)
    or the 2013 .ob-commentsList."""
    widget = first_tag(soup, lambda tag: tag.get("id") == "ob-comments")
    root = (widget.find("div", class_="ob-list") or widget) if widget is not None else None
    if root is None:
        old = first_tag(soup, lambda tag: "ob-commentsList" in classes_of(tag))
        return _kiwi2013_comments(old) if old is not None else []
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
