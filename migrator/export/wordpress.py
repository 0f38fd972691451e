"""What WordPress and its importer expect of the values a WXR file holds.

Logins (one per distinct author name; ``-2``… when two names give the same login, so two
authors are never merged), comment authors as WordPress stores them, text fields WordPress
shows as HTML, comments flattened parents first, attachment titles. Used by ``export.wxr``.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from migrator.model import Comment
from migrator.sanitize import clean_text
from migrator.slugs import ascii_login, unique_name

from .wxr_xml import xml_safe

__all__ = [
    "DEFAULT_AUTHOR_NAME",
    "Logins",
    "comment_author_text",
    "default_author_login",
    "file_name",
    "flatten_comments",
    "html_text",
    "url_digest",
]

DEFAULT_AUTHOR_NAME = "Auteur"


def comment_author_text(name: str | None) -> str:
    """A comment author the way WordPress stores it (``pre_comment_author_name``:
    ``sanitize_text_field`` then ``_wp_specialchars``): white space runs as one space, ``&``,
    ``<`` and ``>`` as entities. The importer skips a comment on re-import only when
    ``comment_exists(author, date)`` finds the stored value, so the file must hold it."""
    return html.escape(" ".join((name or "").split()), quote=False)


def html_text(text: str | None) -> str:
    """Text for a WordPress field shown as HTML without escaping (title, excerpt, caption,
    comment author): ``<`` as ``&lt;``, so no tag can open and escaped text on the blog
    stays text (``&`` and ``>`` are left as they are: WordPress shows them as typed)."""
    return (text or "").replace("<", "&lt;")


def default_author_login(blog_url: str) -> str:
    """Login for articles without author: the blog host's first label (``monblog.over-blog.com``
    → ``monblog``)."""
    host = (urlsplit(blog_url).hostname or "").removeprefix("www.")
    return ascii_login(host.split(".")[0], fallback="auteur")


def url_digest(url: str) -> int:
    """64 bits that stand for a URL in the set of attachments already declared."""
    digest = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def file_name(url: str) -> str:
    # Not PurePosixPath: it interns every part, a table that grows with each new name.
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1] or "image"


def flatten_comments(
    comments: list[Comment], next_id: int, parent: int = 0
) -> Iterator[tuple[int, int, Comment]]:
    """(id, parent id, comment) depth-first; a parent always gets a smaller id than its replies."""
    stack = [(parent, c) for c in reversed(comments)]
    current = next_id
    while stack:
        parent_id, comment = stack.pop()
        yield current, parent_id, comment
        stack.extend((current, reply) for reply in reversed(comment.replies))
        current += 1


class Logins:
    """One WordPress login per distinct author name, articles without author sharing the
    blog's default login; ``declared`` lists (login, display name) in order of appearance."""

    def __init__(self, default_login: str) -> None:
        self.default_login = default_login
        self.declared: dict[str, str] = {}
        """Login → display name, in order of first appearance."""
        self._by_name: dict[str, str] = {}
        self._used: set[str] = set()

    @staticmethod
    def name_of(author: str | None) -> str:
        """The name as the file holds it: the article's author as the sanitiser leaves it
        (``sanitize.clean_text``: the site plan holds the archive's), XML-safe, trimmed."""
        return xml_safe(clean_text(author)).strip()

    def declare(self, author: str | None) -> str:
        """The login of ``author`` (``-2``… when two names give the same login, so two
        authors are never merged), declared at its first appearance."""
        name = self.name_of(author)
        known = self._by_name.get(name)
        if known is not None:
            return known
        base = ascii_login(name, fallback=self.default_login) if name else self.default_login
        login = unique_name(base, self._used)
        self.declared[login] = name or DEFAULT_AUTHOR_NAME
        self._by_name[name] = login
        return login

    def login_of(self, author: str | None) -> str | None:
        """The login declared for ``author``, or None when it was not declared."""
        return self._by_name.get(self.name_of(author))
