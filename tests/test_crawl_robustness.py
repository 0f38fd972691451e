"""A crawl outlives its own machinery: a broken parser pool, or an unexpected error in a worker,
costs at most the page concerned, never the crawl."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from fixtureserver import FixtureServer

from migrator.archive import Archive
from migrator.crawler import Crawler, Scheduler
from migrator.fetch import Fetcher, HttpTransport, Response, Transport
from migrator.settings import CrawlSettings
from migrator.source import resolve_source
from migrator.urls import UrlKind, classify

HOST = "vieux-grimoire.over-blog.fr"
ARTICLES = 12


class RefusingPool(Executor):
    """A process pool whose processes died: every submit raises, as ProcessPoolExecutor does."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise BrokenProcessPool("a parser process was killed")


class DyingPool(Executor):
    """A pool that takes the job, then loses it (its process is killed while parsing)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("a parser process was killed"))
        return future


def crawl_articles(folder: Path, scheduler: Scheduler | None = None,
                   transport: Transport | None = None,
                   **settings: Any) -> tuple[Crawler, list[dict[str, Any]]]:
    options = {"delay": 0, "concurrency": 2, "download_images": False, **settings}
    fetcher = Fetcher(CrawlSettings(**options), transport) if transport else None
    with Archive(folder) as archive:
        run = Crawler(resolve_source(f"http://{HOST}"), archive, CrawlSettings(**options),
                      fetcher=fetcher, scheduler=scheduler)
        run.run()
        return run, [article.to_dict() for article in archive.iter_articles()]


@pytest.mark.parametrize("pool", [RefusingPool, DyingPool])
def test_a_broken_parser_pool_leaves_the_reading_to_the_main_thread(
    proxy_env: FixtureServer, tmp_path: Path, pool: type
) -> None:
    _run, expected = crawl_articles(tmp_path / "plain", concurrency=1)
    with Scheduler(2, parse_after=3, parser_pool=lambda workers: pool()) as scheduler:
        run, articles = crawl_articles(tmp_path / "broken", scheduler)
    assert run.read_in_processes == 0
    assert run.progress.failed == 0
    assert len(articles) == ARTICLES
    assert articles == expected


class FlakyTransport(HttpTransport):
    """Real HTTP, except that the first post address raises an error nobody expected."""

    def __init__(self) -> None:
        super().__init__()
        self.victim: list[str] = []

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        if classify(url) == UrlKind.POST and not self.victim:
            self.victim.append(url)
            raise RuntimeError("something nobody expected")
        return super().send(url, headers, timeout)


def test_an_unexpected_worker_error_fails_that_page_only(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    transport = FlakyTransport()
    victim = transport.victim
    run, articles = crawl_articles(tmp_path, transport=transport)
    assert len(victim) == 1
    assert len(articles) == ARTICLES - 1
    assert victim[0] not in {article["url"] for article in articles}
    with Archive(tmp_path) as archive:
        failures = dict(archive.failures())
    assert list(failures) == victim
    assert failures[victim[0]] == "unexpected error: RuntimeError: something nobody expected"
    assert run.progress.failed == 1
