"""The one vocabulary every stage speaks: Blog, Article, Comment, Image.

Parsers build these, the archive stores them (as ``to_dict()`` JSON), exporters read them.
``to_dict`` gives exactly the shape of the JSON contract (``blog.json``); ``from_dict`` reads it
back, ignoring keys it does not know so that older archives stay readable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from .dates import from_iso

__all__ = ["Article", "Blog", "Comment", "Image", "ArticleKind", "CommentsStatus"]

ArticleKind = Literal["post", "page"]
CommentsStatus = Literal["complete", "none", "unavailable"]
DateSource = Literal["json-ld", "time", "text", "url", "feed", "listing", "export"]


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


@dataclass(slots=True)
class Image:
    url: str
    """Original full-resolution URL (resize wrappers and thumbnail sizes removed)."""
    local_path: str | None = None
    """Path relative to the output folder (``media/…``) once downloaded, else None."""
    alt: str = ""
    caption: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Image:
        return cls(**_known(cls, data))


@dataclass(slots=True)
class Comment:
    author: str
    body_html: str
    url: str | None = None
    published: str | None = None
    """ISO 8601 with offset, or None."""
    replies: list[Comment] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "url": self.url,
            "published": self.published,
            "body_html": self.body_html,
            "replies": [r.to_dict() for r in self.replies],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comment:
        known = _known(cls, data)
        known["replies"] = [cls.from_dict(r) for r in data.get("replies", [])]
        return cls(**known)


@dataclass(slots=True)
class Article:
    url: str
    """Canonical URL of the post or page."""
    title: str
    body_html: str
    kind: ArticleKind = "post"
    slug: str = ""
    aliases: list[str] = field(default_factory=list)
    published: str | None = None
    """ISO 8601 with offset (``2021-10-27T07:18:18+02:00``), or None when unknown."""
    published_source: DateSource | None = None
    updated: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    excerpt: str | None = None
    images: list[Image] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    comments_status: CommentsStatus = "none"
    # Extra fields (allowed by the contract): how the page was read.
    status: Literal["publish", "draft"] = "publish"
    cover_image: str | None = None
    family: str = ""
    """Template family of the parser that produced it (``post``, ``kiwi``, ``v1``, ``generic``)."""
    theme: str | None = None
    """Theme name from the ``<!-- Basic theme id NN [Name] -->`` comment, when present."""
    date_precision: Literal["second", "day", "month"] | None = None
    guessed: list[str] = field(default_factory=list)
    """Fields a fallback guessed rather than read from known markup (reported)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def published_datetime(self) -> datetime | None:
        return from_iso(self.published) if self.published else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["images"] = [i.to_dict() for i in self.images]
        data["comments"] = [c.to_dict() for c in self.comments]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        known = _known(cls, data)
        known["images"] = [Image.from_dict(i) for i in data.get("images", [])]
        known["comments"] = [Comment.from_dict(c) for c in data.get("comments", [])]
        return cls(**known)

    def comment_count(self) -> int:
        def count(items: list[Comment]) -> int:
            return sum(1 + count(c.replies) for c in items)

        return count(self.comments)


@dataclass(slots=True)
class Blog:
    url: str
    title: str = ""
    description: str = ""
    language: str = "fr"
    platform: str = "overblog"
    theme: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Blog:
        return cls(**_known(cls, data))
