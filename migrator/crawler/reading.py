"""Reading one fetched page: the article on it (if any), its links, the dates it shows, and the
image URLs it gives (as given: a thumbnail, a signed full-size link).

Pure (no archive, no network, no shared state), so that it can run in a parser process: the
scheduler hands article pages to one when the blog is big (``scheduler.Scheduler``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import discover, parse
from ..dates import from_iso
from ..media.identity import page_image_urls
from ..model import Article
from ..response import Response
from ..urls import Scope

__all__ = ["PageReading", "read_page"]


@dataclass(slots=True)
class PageReading:
    """What the crawl takes from one HTML page: the article on it (if any) and its links."""

    article: Article | None
    links: discover.Links
    dates: dict[str, tuple[str, bool]] = field(default_factory=dict)
    """Dates a listing page shows for the posts it lists (a fallback for undated posts)."""
    unread: str | None = None
    """Why a page that looks like an article gave none ("unreadable: theme 977 [Mystery]")."""
    media_seen: tuple[str, ...] | None = None
    """The Overblog image URLs of an article page, as the page gives them (None: not read)."""


def read_page(response: Response, scope: Scope, as_article: bool) -> PageReading:
    """Parse one page: as an article page (its article, or why none) or as a listing (the
    dates it shows); its links either way.

    The fetch time resolves relative dates ("hier à 18h05") of comments.
    """
    page_url, html = response.final_url, response.text
    # lxml parses the page once: links are read from the tree, then the parser prunes it.
    tree = parse.html_tree(html) if html.strip() else None
    links = discover.find_links(page_url, html, scope, tree=tree)
    seen = page_image_urls(tree, page_url) if as_article and tree is not None else None
    captured = from_iso(response.fetched_at) if as_article else None
    article = (parse.parse_page(page_url, html, captured=captured, tree=tree) if as_article
               else None)
    dates = {} if as_article else parse.listing_dates(page_url, html, tree=tree)
    unread = parse.unread_reason(page_url, html) if as_article and article is None else None
    return PageReading(article, links, dates, unread, seen)
