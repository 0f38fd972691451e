"""The worker threads' side of the crawl: one URL's stored answer, or a (conditional) fetch.

A page already in the archive is not fetched again, unless the refresh policy says it must be
asked again (then conditionally, with its ETag / Last-Modified: a 304 gives the stored copy
back). What is fetched is stored at once, also under the address a redirect led to, so that
the target's own queue entry finds it. A redirect to a page already stored costs no request.
The number of pages fetched in one crawl is bounded (``max_pages``: a trap guard).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from ..archive import Archive
from ..errors import FetchError, HostUnreachable, NotOverblogError
from ..fetch import Fetcher
from ..parse import is_overblog
from ..progress import Progress
from ..response import Response
from ..settings import CrawlSettings
from ..urls import Scope, UrlKind
from .refresh import RefreshPolicy

__all__ = ["PageFetcher", "validators"]

log = logging.getLogger(__name__)


def validators(stored: Response | None) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) for a conditional ``Fetcher.get`` from a stored answer."""
    if stored is None or stored.status != 200:
        return None, None
    headers = stored.headers
    return headers.get("etag"), headers.get("last-modified")


class PageFetcher:
    """Fetches for the crawl (thread-safe: called from the worker threads)."""

    def __init__(self, archive: Archive, fetcher: Fetcher, scope: Scope,
                 refresh: RefreshPolicy, settings: CrawlSettings, progress: Progress) -> None:
        self.archive = archive
        self.fetcher = fetcher
        self.scope = scope
        self.refresh = refresh
        self.settings = settings
        self.progress = progress
        self.pages_seen = 0
        self._lock = threading.Lock()

    def fetch_home(self, url: str, saved_pages: Sequence[str] = ()) -> Response:
        """The blog's home page: it must answer, and be Overblog's. A redirect (http→https,
        www.) tells the blog's real address, which joins the scope.

        A saved copy (``saved_pages``: every page it holds) may lack its home page: then its
        first Overblog page stands for it (the blog's title and theme are on every page).
        A home page that cannot be had, for any reason, makes SOURCE unusable:
        ``HostUnreachable`` (exit status 2), with the real cause."""
        stored = self.archive.get_response(url)
        try:
            etag, last_modified = validators(stored)
            response = self.fetcher.get(url, any_host=True, etag=etag,
                                        last_modified=last_modified)
        except HostUnreachable as error:
            raise HostUnreachable(url, f"the host does not answer ({error.reason})") from error
        except FetchError as error:
            raise HostUnreachable(url, error.reason, error.status) from error
        if response.status == 404 and saved_pages:
            stand_in = self._first_blog_page(saved_pages)
            if stand_in is not None:
                log.info("No home page in the saved copy: the crawl starts from its %d pages",
                         len(saved_pages))
                return stand_in
        if response.status >= 400:
            raise HostUnreachable(url, f"the blog's home page answered HTTP {response.status}",
                                  response.status)
        final_host = urlsplit(response.final_url).hostname
        if final_host:
            self.scope.add_alias(final_host)
        revalidated = response.status == 304 and stored is not None
        if self.archive.url_state(url) != "done":  # else counted as done by an earlier run
            self.progress.update(**{"from_archive" if revalidated else "fetched": 1})
        if stored is not None and revalidated:
            response = stored
        if not is_overblog(response.text):
            raise NotOverblogError(
                f"{url} does not look like an Overblog blog (no Overblog markup on its home page)"
            )
        self.archive.put_response(response)
        self.refresh.fetched(url)
        return response

    def _first_blog_page(self, urls: Sequence[str]) -> Response | None:
        for url in urls:
            try:
                response = self.fetcher.get(url)
            except FetchError:
                continue
            if response.status == 200 and is_overblog(response.text):
                return response
        return None

    def fetch(self, url: str, kind: UrlKind) -> Response | FetchError:
        """The stored answer, or a (conditional) fetch; a failure comes back as a FetchError."""
        stored = self.archive.get_response(url)
        if stored is not None and not self.refresh.must_revalidate(url, kind):
            if not self.refresh.fetched_in_this_run(url):  # the home page: counted once
                self.progress.update(from_archive=1)
            return stored
        if not self._take_page_budget():
            return FetchError(url, f"page limit reached ({self.settings.max_pages} pages)")
        etag, last_modified = validators(stored)
        try:
            response = self.fetcher.get(
                url, allowed_hosts=self.scope.hosts_with_www(), known=self._stored_page,
                etag=etag, last_modified=last_modified,
            )
        except FetchError as error:
            return error
        self.refresh.fetched(url)
        if response.status == 304 and stored is not None:
            self.progress.update(from_archive=1)
            return stored
        self.archive.put_response(response)
        self._store_under_final_url(response)
        self.progress.update(fetched=1)
        return response

    def _take_page_budget(self) -> bool:
        with self._lock:
            if self.pages_seen >= self.settings.max_pages:
                return False
            self.pages_seen += 1
            return True

    def _stored_page(self, url: str) -> Response | None:
        """A page already stored (200), so that a redirect to it costs no request."""
        if not self.scope.contains(url):
            return None
        stored = self.archive.get_response(self.scope.canonical(url))
        return stored if stored is not None and stored.status == 200 else None

    def _store_under_final_url(self, response: Response) -> None:
        """After a redirect, the target's own queue entry must find the page stored."""
        if response.final_url == response.url or response.status != 200:
            return
        if not self.scope.contains(response.final_url):
            return
        target = self.scope.canonical(response.final_url)
        if not self.archive.has_response(target):
            self.archive.put_response(replace(response, url=target, final_url=target))
