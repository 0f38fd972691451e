"""A burst of errors does not cost a page: what ran out of retries is tried again at the end of
the crawl, after a pause, and first in the next run.

Found by a user under injected faults (15% of answers 429 or 5xx): one article met five
failures in a row within 15 s (500, 429, 500, 500, 429) and was lost, exit 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fixtureserver import FaultResponse, FixtureServer, output_snapshot, run_migrator

from migrator.crawler.retry import worth_another_try
from migrator.errors import FetchError, HostUnreachable

HOST = "www.jardin-des-mots.fr"
BLOG = f"http://{HOST}"
COMMAND = ["migrate", BLOG, "--to", "json", "--to", "wxr", "--to", "markdown", "--delay", "0",
           "--no-images"]
ARTICLE = re.compile(r"^/(\d{4}/\d{2}/|article-)")


class Burst:
    """Answers the first request for ``path`` with ``statuses``, one each, then serves it."""

    def __init__(self, path: str, statuses: list[int]) -> None:
        self.path = path
        self.statuses = list(statuses)
        self.asked = 0

    def __call__(self, host: str, path: str) -> FaultResponse | None:
        if host != HOST or path != self.path:
            return None
        self.asked += 1
        if self.statuses:
            status = self.statuses.pop(0)
            headers = {"Retry-After": "0"} if status == 429 else {}
            return FaultResponse(status, headers, b"busy")
        return None


def first_article(server: FixtureServer, out: Path) -> str:
    """The path of an article of the blog (from a clean run's request log)."""
    result = run_migrator([*COMMAND, "--out", str(out)], server.proxy_url)
    assert result.returncode == 0, result.stderr
    return next(path for _t, host, path in server.request_log
                if host == HOST and ARTICLE.match(path))


def report_of(out: Path) -> dict[str, object]:
    return json.loads((out / "report.json").read_text("utf-8"))


def test_five_failures_in_a_row_cost_no_page(proxy_env: FixtureServer, tmp_path: Path) -> None:
    article = first_article(proxy_env, tmp_path / "clean")
    proxy_env.reset_counts()
    burst = Burst(article, [500, 429, 500, 500, 429])
    proxy_env.faults[re.compile(r"")] = burst
    result = run_migrator([*COMMAND, "--out", str(tmp_path / "burst"), "--retries", "4",
                           "--backoff", "0.02"], proxy_env.proxy_url)

    assert result.returncode == 0, result.stderr
    assert burst.asked == 6  # five failures (its retries ran out), then once more at the end
    report = report_of(tmp_path / "burst")
    assert report["ok"] is True and report["failures"] == [] and report["recovered"] == 1
    assert "1 URLs failed, then were fetched when tried again at the end of the crawl" in (
        result.stderr)
    assert output_snapshot(tmp_path / "burst") == output_snapshot(tmp_path / "clean")
    # the last request of the crawl: the article, after every other page
    last = [path for _t, host, path in proxy_env.request_log if host == HOST][-1]
    assert last == article


def test_the_round_waits_its_pause_after_the_last_failure(proxy_env: FixtureServer,
                                                           tmp_path: Path) -> None:
    article = first_article(proxy_env, tmp_path / "clean")
    proxy_env.reset_counts()
    proxy_env.faults[re.compile(r"")] = Burst(article, [503, 503])
    result = run_migrator([*COMMAND, "--out", str(tmp_path / "burst"), "--retries", "1",
                           "--backoff", "0.02"], proxy_env.proxy_url)
    assert result.returncode == 0, result.stderr
    times = [(t, path) for t, host, path in proxy_env.request_log if host == HOST]
    second_failure, retried = [t for t, path in times if path == article][1:]
    # 30 × the backoff (0.6 s) after the last failure, once every other page was asked
    assert retried - second_failure >= 0.55
    assert times[-1] == (retried, article)


def test_a_later_run_tries_what_failed_first(proxy_env: FixtureServer, tmp_path: Path) -> None:
    article = first_article(proxy_env, tmp_path / "clean")
    proxy_env.faults[article] = {"status": 500}
    failed = run_migrator([*COMMAND, "--out", str(tmp_path / "run"), "--retries", "0",
                           "--backoff", "0"], proxy_env.proxy_url)
    assert failed.returncode == 1
    reason = "HTTP 500 after 1 attempt (tried again at the end of the crawl)"
    assert report_of(tmp_path / "run")["failures"] == [{"url": BLOG + article,
                                                        "reason": reason}]

    proxy_env.faults.clear()
    proxy_env.reset_counts()
    again = run_migrator([*COMMAND, "--out", str(tmp_path / "run")], proxy_env.proxy_url)
    assert again.returncode == 0, again.stderr
    asked = [path for _t, host, path in proxy_env.request_log if host == HOST]
    # robots.txt and the home page (revalidated) first, as always; then what failed
    assert asked[:3] == ["/robots.txt", "/", article]
    assert report_of(tmp_path / "run")["failures"] == []


@pytest.mark.parametrize("error,again", [
    (FetchError("u", "HTTP 500 after 5 attempts", 500), True),
    (FetchError("u", "HTTP 429 after 5 attempts", 429), True),
    (FetchError("u", "HTTP 503, server asks to wait 600 s (more than 120 s)", 503), True),
    (FetchError("u", "timed out waiting for the server after 5 attempts"), True),
    (FetchError("u", "truncated body (5 of 10 bytes) after 5 attempts"), True),
    (FetchError("u", "connection reset by the server after 1 attempt"), True),
    (HostUnreachable("u", "connection refused"), True),
    (FetchError("u", "HTTP 403", 403), False),
    (FetchError("u", "disallowed by robots.txt"), False),
    (FetchError("u", "response too large (over 20 MB)", 200), False),
    (FetchError("u", "redirect outside the blog to http://x/", 301), False),
    (FetchError("u", "page limit reached (20000 pages)"), False),
    (FetchError("u", "crawl interrupted"), False),
])
def test_which_failures_are_worth_another_try(error: FetchError, again: bool) -> None:
    assert worth_another_try(error) is again
