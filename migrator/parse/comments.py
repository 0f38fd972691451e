"""Comments rendered in the HTML: v1 ``div.commentContainer``, kiwi 2013 ``.ob-commentsList``,
kiwi 2018 ``div.ob-comment``. Replies are nested under their comment (one level, as Overblog does).

v1 dates can be relative ("aujourd'hui à 10h20", "hier à …", "il y a 3 jours à …"): they are
resolved against the page's capture date when the caller knows it, else left None (never "now").
Current kiwi pages load comments with JavaScript (``ob.initCommentApp``); those are not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from bs4 import BeautifulSoup, Tag

from ..dates import PARIS
from ..model import Comment
from .dates import parse_date_text
from .walk import classes_of, first_tag

__all__ = ["comment_widget_status", "kiwi_comments", "read_kiwi_comments", "relative_date",
           "v1_comments"]

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


_REPLY_WRAPPER = re.compile(r"answer|repl|r[ée]pons", re.I)


def _is_v1_reply(tag: Tag) -> bool:
    """A reply block inside a v1 comment: a nested div.commentContainer or a wrapper such as
    div.commentAnswer / .reply / .reponse."""
    classes = classes_of(tag)
    return "commentContainer" in classes or any(_REPLY_WRAPPER.search(c) for c in classes)


def _author_and_date(line: Tag | None, text: str,
                     captured: datetime | None) -> tuple[str, str | None, str | None]:
    """(author, url, ISO date) from "Commentaire n°1 posté par X le 04/10/2012 à 09h15" or
    "Réponse de X le …" (the author may be a link to their site)."""
    match = _V1_OPTION.search(re.sub(r"\s+", " ", text))
    author = match.group("who").strip() if match else ""
    link = line.find("a", href=True) if line is not None else None
    url = None
    if link is not None and link.get_text(strip=True) and "#" not in str(link["href"])[:1]:
        author = link.get_text(" ", strip=True)
        url = str(link["href"])
    return author, url, _iso(match.group("when"), captured) if match else None


def _v1_comment(container: Tag, captured: datetime | None) -> Comment | None:
    option = _own(container, _with_class("commentOption"), _is_v1_reply)
    message = _own(container, _with_class("commentMessage"), _is_v1_reply)
    if option is None and message is None:
        return None
    author, url, published = _author_and_date(
        option, option.get_text(" ") if option is not None else "", captured)
    return Comment(author=author or "Anonyme", body_html=_inner_html(message), url=url,
                   published=published)


def _v1_reply(wrapper: Tag, captured: datetime | None) -> Comment | None:
    """A reply in any wrapper: its commentOption/commentMessage when it has them, else the
    "Réponse de X le …" line and the rest of the wrapper as the message."""
    if "commentContainer" in classes_of(wrapper):
        return _v1_comment(wrapper, captured)
    option = wrapper.find(class_="commentOption")
    message = wrapper.find(class_="commentMessage")
    line = option or _smallest_with(wrapper, _V1_OPTION)
    text = line.get_text(" ") if line is not None else wrapper.get_text(" ")
    author, url, published = _author_and_date(line, text, captured)
    if not author and not published:
        return None
    if message is not None:
        body = _inner_html(message)
    else:
        copy = cast(Tag, BeautifulSoup(str(wrapper), "lxml").find(wrapper.name))
        own_line = _smallest_with(copy, _V1_OPTION)
        if own_line is not None and own_line is not copy:
            own_line.decompose()
            body = _inner_html(copy)
        else:
            body = _V1_OPTION.sub("", _inner_html(copy)).strip()
    return Comment(author=author or "Anonyme", body_html=body, url=url, published=published)


def _smallest_with(root: Tag, pattern: re.Pattern[str]) -> Tag | None:
    """The deepest element under ``root`` (or root) whose text matches ``pattern``."""
    found = root if pattern.search(re.sub(r"\s+", " ", root.get_text(" "))) else None
    for tag in root.find_all(True):
        if pattern.search(re.sub(r"\s+", " ", tag.get_text(" "))):
            found = tag
    return found


def _outermost(root: Tag, keep: Callable[[Tag], object]) -> list[Tag]:
    """The tags under ``root`` for which ``keep`` is true, without those nested in another."""
    found: list[Tag] = []
    for tag in root.find_all(True):
        if keep(tag) and not any(tag in f.descendants for f in found):
            found.append(tag)
    return found


def v1_comments(soup: BeautifulSoup, captured: datetime | None = None) -> list[Comment]:
    """v1 comments with their replies: a container or any reply wrapper (``div.commentAnswer``)
    inside a comment, or a container after it whose line says "Réponse de X"."""
    comments: list[Comment] = []
    for container in soup.select("div.commentContainer"):
        if any(_is_v1_reply(parent) for parent in container.parents):
            continue  # read with the comment it answers
        comment = _v1_comment(container, captured)
        if comment is None:
            continue
        option = _own(container, _with_class("commentOption"), _is_v1_reply)
        if option is not None and _REPLY.match(option.get_text(" ")) and comments:
            comments[-1].replies.append(comment)
            continue
        for wrapper in _outermost(container, _is_v1_reply):
            reply = _v1_reply(wrapper, captured)
            if reply is not None:
                comment.replies.append(reply)
        comments.append(comment)
    return comments


def _own(node: Tag, keep: Callable[[Tag], object],
         nested: Callable[[Tag], bool] | None = None) -> Tag | None:
    """The first tag under ``node`` for which ``keep`` is true, outside nested replies
    (``nested``: what a reply block looks like; kiwi's div.ob-comment-replies by default)."""
    nested = nested or (lambda tag: "ob-comment-replies" in classes_of(tag))
    for tag in node.descendants:
        if not isinstance(tag, Tag) or not keep(tag):
            continue
        if not any(nested(p) for p in _parents_up_to(tag, node)):
            return tag
    return None


def _parents_up_to(tag: Tag, stop: Tag) -> list[Tag]:
    parents, node = [], tag.parent
    while node is not None and node is not stop:
        parents.append(node)
        node = node.parent
    return parents


def _with_class(name: str) -> Callable[[Tag], bool]:
    return lambda tag: name in classes_of(tag)


def _kiwi_comment(node: Tag) -> Comment:
    """One 2018 or 2023 comment (STRUCTURE §1.7): the name in ``.ob-name``, the date in
    ``.ob-date``, the text in ``.ob-text`` (2023) or ``p.ob-message > span`` (2018; in 2023
    ``.ob-message`` also holds the name and date, which are no part of the text)."""
    name = _own(node, _with_class("ob-name"))
    date = _own(node, _with_class("ob-date"))
    text = _own(node, _with_class("ob-text"))
    if text is None:
        message = _own(node, _with_class("ob-message"))
        inner = message.find("span") if message is not None else None
        text = inner if inner is not None else message
    link = _own(node, lambda tag: tag.name == "a" and tag.get("href") and (
        "ob-website" in classes_of(tag) or any("ob-name" in classes_of(p) for p in tag.parents)))
    return Comment(
        author=name.get_text(" ", strip=True) if name else "Anonyme",
        body_html=_inner_html(text),
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
    copy = cast(Tag, BeautifulSoup(str(item), "lxml").find(item.name))
    for replies in copy.select(".ob-replies"):
        replies.decompose()
    return copy


def _kiwi_list(root: Tag) -> list[Comment]:
    """div.ob-comment items in document order; replies (inside a div.ob-comment-replies, nested
    in their comment or just after it) go under the comment before them."""
    comments: list[Comment] = []
    for node in root.find_all("div", class_="ob-comment"):
        if node.find_parent("div", class_="ob-comment-replies"):
            if comments:
                comments[-1].replies.append(_kiwi_comment(node))
            continue
        comments.append(_kiwi_comment(node))
    return comments


def kiwi_comments(soup: BeautifulSoup) -> list[Comment]:
    """Server-rendered kiwi comments: 2018/2023 div.ob-comment (replies in
    div.ob-comment-replies) or the 2013 .ob-commentsList."""
    return read_kiwi_comments(soup, "")[0]


_LOAD_MORE = re.compile(r"charger plus|load more|more comments|plus de commentaires|"
                        r"voir (?:plus|les) (?:de )?commentaires|afficher plus", re.I)
_COUNT_HOLDER = re.compile(r"comment-?count|comments-?number|nb-?comments?", re.I)


def _announced_count(soup: BeautifulSoup) -> int:
    """The largest comment count the platform prints as a number (``span#comment-count-<id>``
    and the like; JavaScript placeholders such as "…" count for nothing)."""
    best = 0
    for tag in soup.find_all(True):
        names = " ".join([str(tag.get("id") or ""), *classes_of(tag)])
        if not _COUNT_HOLDER.search(names):
            continue
        match = re.search(r"\d+", tag.get_text(" "))
        if match:
            best = max(best, int(match.group()))
    return best


def _offers_more(widget: Tag) -> bool:
    """A control that loads more comments than the page holds ("Charger plus de
    commentaires"); the script's I18N strings do not count, only rendered elements."""
    for tag in widget.find_all(["a", "button", "div", "span", "p"]):
        names = " ".join(classes_of(tag)).lower()
        if "more" in names or _LOAD_MORE.search(tag.get_text(" ", strip=True)):
            return True
    return False


def _shown(comments: list[Comment]) -> int:
    return sum(1 + len(c.replies) for c in comments)


def read_kiwi_comments(soup: BeautifulSoup, html: str) -> tuple[list[Comment], str]:
    """The comments the page holds and its ``comments_status`` (DESIGN.md).

    A rendered ``#ob-comments > div.ob-list`` is the article's comments: an empty list means
    none (``complete``). ``unavailable`` needs evidence that comments exist outside the HTML:
    the widget without its list, a "load more" control, or a printed count above what is
    rendered.
    """
    widget = first_tag(soup, lambda tag: tag.get("id") == "ob-comments")
    if widget is not None:
        listing = widget.find("div", class_="ob-list")
        if listing is None:
            return [], "unavailable"
        comments = _kiwi_list(listing)
        if _offers_more(listing) or _announced_count(soup) > _shown(comments):
            return comments, "unavailable"
        return comments, "complete"
    old = first_tag(soup, lambda tag: "ob-commentsList" in classes_of(tag))
    if old is not None:
        return _kiwi2013_comments(old), "complete"
    return [], comment_widget_status(soup, html)


def comment_widget_status(soup: BeautifulSoup, html: str) -> str:
    """Without comments in the HTML: 'unavailable' when the page shows that comments exist
    elsewhere (a printed count above zero, the comment app set up on it), else 'none'.

    A count that JavaScript fills ("…" in ``span#comment-count-<id>``) says nothing: themes
    print it on static pages too, where there is no comment at all.
    """
    if _announced_count(soup) > 0 or "initCommentApp" in html:
        return "unavailable"
    return "none"
