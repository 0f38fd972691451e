"""A migration finishes whatever the network does: random 429/5xx/resets/cut bodies change nothing.

Every test runs the real ``migrator`` command through the fixture proxy, once without faults
(the reference) and once with the server's chaos on, and compares the exported files byte for
byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtureserver import FixtureServer, output_snapshot, run_migrator

BLOGS = ["cuisine-de-mamie.over-blog.com", "www.jardin-des-mots.fr", "vieux-grimoire.over-blog.fr"]
FORMATS = ["--to", "json", "--to", "wxr", "--to", "markdown"]
FAST = ["--delay", "0", "--no-images", "--concurrency", "4", "--backoff", "0.05"]
ISSUE_RATES = {"rate_429": 0.10, "rate_5xx": 0.05, "rate_reset": 0.02, "rate_truncated": 0.02}


def migrate(server: FixtureServer, host: str, out: Path, *extra: str) -> Any:
    return run_migrator(["migrate", f"http://{host}", *FORMATS, "--out", str(out), *FAST, *extra],
                        server.proxy_url)


def expected_urls(fixtures_dir: Path, host: str) -> list[str]:
    expected = json.loads((fixtures_dir / "expected" / f"{host}.json").read_text("utf-8"))
    return sorted(a["url"] for a in expected["articles"])


@pytest.mark.parametrize("host", BLOGS)
def test_migration_under_chaos_equals_a_clean_run(
    host: str, proxy_env: FixtureServer, fixtures_dir: Path, tmp_path: Path
) -> None:
    clean = migrate(proxy_env, host, tmp_path / "clean")
    assert clean.returncode == 0, clean.stderr
    clean_requests = sum(proxy_env.requests.values())

    proxy_env.reset_counts()
    # Retry-After 0 or 1 s on the smallest blog, 0 on the others to keep the suite short.
    retry_after = ("0", "1") if host.startswith("vieux") else ("0",)
    chaos = proxy_env.chaos(seed=7, retry_after=retry_after, **ISSUE_RATES)
    faulty = migrate(proxy_env, host, tmp_path / "faulty", "--retries", "4")

    assert faulty.returncode == 0, faulty.stderr
    assert "Traceback" not in faulty.stderr
    blog = json.loads((tmp_path / "faulty" / "blog.json").read_text("utf-8"))
    assert sorted(a["url"] for a in blog["articles"]) == expected_urls(fixtures_dir, host)
    assert output_snapshot(tmp_path / "faulty") == output_snapshot(tmp_path / "clean")
    report = json.loads((tmp_path / "faulty" / "report.json").read_text("utf-8"))
    assert report["ok"] is True and report["failures"] == []
    # the faults really happened, and were paid for with retries only
    assert chaos.hits["429"] > 0 and chaos.hits["5xx"] > 0
    assert sum(chaos.hits.values()) >= clean_requests // 10
    # (a "truncated" draw on a 404 page is served whole, hence <=)
    retried = sum(proxy_env.requests.values()) - clean_requests
    assert chaos.hits["429"] + chaos.hits["5xx"] <= retried <= sum(chaos.hits.values())


def test_every_kind_of_fault_is_survived(proxy_env: FixtureServer, tmp_path: Path) -> None:
    """Resets and truncated bodies are rare at issue rates: here they are frequent."""
    host = "vieux-grimoire.over-blog.fr"
    assert migrate(proxy_env, host, tmp_path / "clean").returncode == 0
    chaos = proxy_env.chaos(seed=3, rate_reset=0.15, rate_truncated=0.15, rate_slow=0.05,
                            slow_delay=0.2)
    faulty = migrate(proxy_env, host, tmp_path / "faulty", "--retries", "3")
    assert faulty.returncode == 0, faulty.stderr
    assert chaos.hits["reset"] >= 3 and chaos.hits["truncated"] >= 3
    assert output_snapshot(tmp_path / "faulty") == output_snapshot(tmp_path / "clean")


def test_url_that_keeps_failing_is_reported_not_fatal(
    proxy_env: FixtureServer, fixtures_dir: Path, tmp_path: Path
) -> None:
    host = "cuisine-de-mamie.over-blog.com"
    broken = "/2020/09/confiture-de-figues.html"
    proxy_env.faults[broken] = {"status": 500}
    result = migrate(proxy_env, host, tmp_path, "--retries", "2")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # 1 + 2 retries, then given up; once more (1 + 2) at the end of the crawl
    assert proxy_env.count(host, broken) == 6
    reason = "HTTP 500 after 3 attempts (tried again at the end of the crawl)"
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["ok"] is False and report["recovered"] == 0
    assert report["failures"] == [{"url": f"http://{host}{broken}", "reason": reason}]
    blog = json.loads((tmp_path / "blog.json").read_text("utf-8"))
    others = [u for u in expected_urls(fixtures_dir, host) if not u.endswith(broken)]
    assert sorted(a["url"] for a in blog["articles"]) == others
    assert "Crawl finished:" in result.stderr and ", 1 failed" in result.stderr
    assert f"{host}{broken}: {reason}" in result.stderr

    # the next run tries the failed URL again, and succeeds now that the server is well
    proxy_env.faults.clear()
    proxy_env.reset_counts()
    again = migrate(proxy_env, host, tmp_path)
    assert again.returncode == 0, again.stderr
    assert proxy_env.count(host, broken) == 1
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["failures"] == []


def test_retry_after_holds_the_whole_host(proxy_env: FixtureServer, tmp_path: Path) -> None:
    host = "vieux-grimoire.over-blog.fr"
    proxy_env.faults["/rss"] = {"status": 429, "times": 1, "headers": {"Retry-After": "1"}}
    result = run_migrator(["migrate", f"http://{host}", "--to", "json", "--out", str(tmp_path),
                           "--delay", "0", "--no-images", "--concurrency", "4"],
                          proxy_env.proxy_url)
    assert result.returncode == 0, result.stderr
    log = [(t, path) for t, h, path in proxy_env.request_log if h == host]
    refused = next(t for t, path in log if path == "/rss")
    # requests already on their way may land in the same instant; after that, nobody asks
    # the host anything during the second it asked for
    waited = [t - refused for t, _path in log if refused + 0.05 < t < refused + 0.95]
    assert waited == []
    assert any(t - refused >= 0.95 for t, _path in log)
    assert proxy_env.count(host, "/rss") == 2
