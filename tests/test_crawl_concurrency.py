"""A bounded pool of fetchers that still keeps the per-host delay; progress on screen or in logs.

Timing is read at the server (``request_log``: when each request arrived), so the tests check
what the blog's host really sees.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtureserver import FixtureServer

from migrator.archive import Archive
from migrator.crawler import Crawler, Scheduler
from migrator.pipeline import crawl
from migrator.progress import Progress, ProgressAwareHandler
from migrator.settings import CrawlSettings
from migrator.source import resolve_source

HOST = "vieux-grimoire.over-blog.fr"


@pytest.fixture
def slow_server() -> Iterator[FixtureServer]:
    """Its own server (the latency must not leak into other tests)."""
    server = FixtureServer(port=0).start()
    server.latency = 0.1
    yield server
    server.stop()


def arrivals(server: FixtureServer) -> list[float]:
    return sorted(t for t, host, _path in server.request_log if host == HOST)


def crawl_through(server: FixtureServer, out: Path, monkeypatch: pytest.MonkeyPatch,
                  **settings: object) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.proxy_url)
    monkeypatch.setenv("http_proxy", server.proxy_url)
    server.reset_counts()
    report = crawl(f"http://{HOST}", out, CrawlSettings(download_images=False, **settings))
    assert report.failures == [] and report.posts == 12


def test_concurrency_never_breaks_the_host_delay(proxy_env: FixtureServer, tmp_path: Path) -> None:
    settings = CrawlSettings(delay=0.05, concurrency=4, download_images=False)
    report = crawl(f"http://{HOST}", tmp_path, settings)
    assert report.failures == []
    times = arrivals(proxy_env)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) > 20
    # 4 workers, yet one request per 50 ms (a few ms of thread scheduling tolerated)
    assert min(gaps) >= 0.04


def test_pool_overlaps_requests_up_to_its_size(
    slow_server: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawl_through(slow_server, tmp_path / "one", monkeypatch, delay=0, concurrency=1)
    times = arrivals(slow_server)
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.1  # one at a time
    crawl_through(slow_server, tmp_path / "four", monkeypatch, delay=0, concurrency=4)
    times = arrivals(slow_server)
    # each worker waits for its answer (0.1 s): never more than 4 requests in 0.09 s
    busiest = max(sum(1 for t in times if start <= t < start + 0.09) for start in times)
    assert 2 <= busiest <= 4


def test_resumed_or_refreshed_run_counts_archive_hits(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    settings = CrawlSettings(delay=0, concurrency=2, download_images=False)
    first = crawl(f"http://{HOST}", tmp_path, settings)
    proxy_env.reset_counts()
    second = crawl(f"http://{HOST}", tmp_path, settings)
    assert first.pages_fetched > 15 and first.pages_from_archive == 0
    # listings answered 304, articles read from the archive; only what was missing is asked
    # again (a 404 has no validators, and the blog may have grown): the sitemap, and the page
    # after the last one, which the pagination look-ahead asks (discover.page_after)
    answers = {(path, status) for (_host, path, status) in proxy_env.statuses}
    assert {a for a in answers if a[1] != 304} == {
        ("/robots.txt", 200), ("/sitemap.xml", 404), ("/4-index.html", 404)}
    assert second.pages_fetched == 2
    # every URL of the blog counted once: fetched, revalidated, or done by the first run
    total = first.pages_fetched + first.pages_from_archive
    assert first.pages_done_earlier == 0
    assert second.pages_fetched + second.pages_from_archive + second.pages_done_earlier == total
    assert second.pages_done_earlier > 5  # the articles, not walked again
    # every 304 is a page read from the archive (the home page: checked once, counted once)
    revalidated = sum(n for (_h, _p, status), n in proxy_env.statuses.items() if status == 304)
    assert second.pages_from_archive == revalidated > 3


# -- progress --------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_one_line_on_a_terminal() -> None:
    screen = Terminal()
    seconds = iter([1000.0, 1001.0, 1002.0])  # a second between the changes: all are drawn
    progress = Progress(stream=screen, clock=lambda: next(seconds))
    progress.update(discovered=3)
    progress.update(fetched=2, from_archive=1, articles=1, media_files=4, media_stored=1)
    progress.set_eta(4332.0)
    progress.close()
    text = screen.getvalue()
    assert text.startswith("\r\x1b[2K")
    assert text.endswith("discovered 3 · done 3 · failed 0 · media 1/4 · ETA 1h12m\n")
    assert text.count("\n") == 1


def test_a_log_line_erases_the_progress_line_and_the_next_update_draws_it_below() -> None:
    # seen by a new user: "… media 24/24 · ETA 0.5sMedia: 24 files, 24 stored …"
    screen = Terminal()
    seconds = iter([1000.0, 1000.01, 1000.02])  # closer than the redraw rate
    progress = Progress(stream=screen, clock=lambda: next(seconds))
    logger = logging.getLogger("test.progress.erase")
    logger.handlers[:] = [ProgressAwareHandler(screen)]
    logger.propagate = False
    try:
        progress.update(discovered=1)
        logger.warning("Media: 24 files")
        progress.update(fetched=1)  # drawn at once, below the log line
        progress.close()
    finally:
        logger.handlers.clear()
    assert screen.getvalue() == (
        "\r\x1b[2Kdiscovered 1 · done 0 · failed 0"
        "\r\x1b[2KMedia: 24 files\n"
        "\r\x1b[2Kdiscovered 1 · done 1 · failed 0"
        "\r\x1b[2Kdiscovered 1 · done 1 · failed 0\n")


def test_progress_writes_a_log_line_every_few_seconds_when_not_a_terminal(
        caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    now = [0.0]
    progress = Progress(stream=stream, every=10, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="migrator.progress"):
        for _ in range(25):
            now[0] += 1.0
            progress.update(fetched=1)
        progress.update(failed=1, media_failed=1)
        progress.close()
    assert stream.getvalue() == ""  # nothing drawn on a pipe
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "discovered 0 · done 11 · failed 0",
        "discovered 0 · done 21 · failed 0",
    ]
    assert progress.summary() == "Crawl finished: 25 fetched, 0 from archive, 1 failed"
    progress.finished(4000.0, {"delay": 3600.0, "retry": 20.0})
    assert progress.summary() == (
        "Crawl finished: 25 fetched, 0 from archive, 1 failed; 1h06m in all, workers waited "
        "1h00m for politeness delays and 20s before retries (summed over the workers)")


def test_parser_processes_read_pages_like_the_main_thread(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    """Past a few pages, HTML is parsed in worker processes: same archive as without them."""
    archives = {}
    for concurrency in (1, 2):
        settings = CrawlSettings(delay=0, concurrency=concurrency, download_images=False)
        with (Archive(tmp_path / str(concurrency)) as archive,
              Scheduler(concurrency, parse_after=3) as scheduler):
            crawl_run = Crawler(resolve_source(f"http://{HOST}"), archive, settings,
                                scheduler=scheduler)
            crawl_run.run()
            archives[concurrency] = [a.to_dict() for a in archive.iter_articles()]
            # every reading was used
            assert crawl_run.read_in_processes == scheduler.parsed_in_processes
        assert (crawl_run.read_in_processes > 10) == (concurrency == 2)
    assert len(archives[1]) == 12
    assert archives[2] == archives[1]
