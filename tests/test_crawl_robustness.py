"""A crawl outlives its own machinery: a broken parser pool, or an unexpected error in a worker,
costs at most the page concerned, never the crawl."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from fixtureserver import FixtureServer

from migrator import crawler
from migrator.archive import Archive
from migrator.crawler import Crawler
from migrator.settings import CrawlSettings
from migrator.source import resolve_source

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


def crawl_articles(folder: Path, **settings: Any) -> tuple[Crawler, list[dict[str, Any]]]:
    options = {"delay": 0, "concurrency": 2, "download_images": False, **settings}
    with Archive(folder) as archive:
        run = Crawler(resolve_source(f"http://{HOST}"), archive, CrawlSettings(**options))
        run.run()
        return run, [article.to_dict() for article in archive.iter_articles()]


@pytest.mark.parametrize("pool", [RefusingPool, DyingPool])
def test_a_broken_parser_pool_leaves_the_reading_to_the_main_thread(
    proxy_env: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool: type
) -> None:
    _run, expected = crawl_articles(tmp_path / "plain", concurrency=1)
    monkeypatch.setattr(crawler, "PARSER_PROCESSES_AFTER", 3)
    monkeypatch.setattr(crawler, "_parser_pool", lambda workers: pool())
    run, articles = crawl_articles(tmp_path / "broken")
    assert run.read_in_processes == 0
    assert run.progress.failed == 0
    assert len(articles) == ARTICLES
    assert articles == expected


def test_an_unexpected_worker_error_fails_that_page_only(
    proxy_env: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch_one = Crawler._fetch_one  # noqa: SLF001 - the seam under test
    victim: list[str] = []

    def flaky(self: Crawler, item: tuple[str, str]) -> Any:
        url, kind = item
        if kind == "post" and not victim:
            victim.append(url)
            raise RuntimeError("something nobody expected")
        return fetch_one(self, item)

    monkeypatch.setattr(Crawler, "_fetch_one", flaky)
    run, articles = crawl_articles(tmp_path)
    assert len(victim) == 1
    assert len(articles) == ARTICLES - 1
    assert victim[0] not in {article["url"] for article in articles}
    with Archive(tmp_path) as archive:
        failures = dict(archive.failures())
    assert list(failures) == victim
    assert failures[victim[0]] == "unexpected error: RuntimeError: something nobody expected"
    assert run.progress.failed == 1
