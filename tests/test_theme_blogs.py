"""Every blog of the 2013 theme catalogue (rendered by real Twig, tests/fixtures/themes) crawled
through the fixture server as a user's blog would be: every post and page arrives with its
title, date, author, tags and comments; the blog nobody can read fails loudly.

The crawls run in-process (library API, no delay, no images) to keep the 50 blogs affordable;
tests/test_silent_losses.py runs the real command on the same kinds of losses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtureserver import SITES_DIR, THEME_SITES_DIR, FixtureServer, run_migrator

from migrator.archive import Archive
from migrator.pipeline import crawl
from migrator.settings import CrawlSettings

THEMES = Path(__file__).parent / "fixtures" / "themes"
EXPECTED = {p.stem: json.loads(p.read_text("utf-8"))
            for p in sorted((THEMES / "expected").glob("*.json"))}
READABLE = sorted(host for host, blog in EXPECTED.items() if not blog.get("unreadable"))
MYSTERY = "mystery.over-blog.com"


@pytest.fixture(scope="module")
def theme_server() -> Iterator[FixtureServer]:
    server = FixtureServer(port=0, sites_dirs=[SITES_DIR, THEME_SITES_DIR]).start()
    yield server
    server.stop()


@pytest.fixture
def via_theme_server(theme_server: FixtureServer,
                     monkeypatch: pytest.MonkeyPatch) -> FixtureServer:
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, theme_server.proxy_url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return theme_server


def _comment_shape(comments: list[dict]) -> list[tuple]:
    return [(c["author"], c["published"], len(c["replies"])) for c in comments]


def _expected_shape(comments: list[dict]) -> list[tuple]:
    shape: list[tuple] = []
    for index, comment in enumerate(comments):
        if comment["parent"] is None:
            replies = [c for c in comments if c["parent"] == index]
            shape.append((comment["author"], comment["published"], len(replies)))
    return shape


def test_the_corpus_has_every_theme() -> None:
    assert len(READABLE) >= 49 and MYSTERY in EXPECTED


@pytest.mark.parametrize("host", READABLE)
def test_a_theme_blog_arrives_whole(via_theme_server: FixtureServer, tmp_path: Path,
                                    host: str) -> None:
    blog = EXPECTED[host]
    settings = CrawlSettings(delay=0, concurrency=2, download_images=False)
    report = crawl(blog["base_url"], tmp_path, settings)
    assert report.failures == [], report.failures
    with Archive(tmp_path) as archive:
        articles = {a.url: a.to_dict() for a in archive.iter_articles()}
    assert (report.posts, report.pages) == (blog["counts"]["posts"], blog["counts"]["pages"])
    assert sorted(articles) == sorted(a["url"] for a in blog["articles"])
    for spec in blog["articles"]:
        got = articles[spec["url"]]
        assert (got["kind"], got["title"], got["published"], got["author"], got["tags"]) == (
            spec["kind"], spec["title"], spec["published"], spec["author"], spec["tags"]), host
        assert [i["url"] for i in got["images"]] == spec["images"], host
        assert _comment_shape(got["comments"]) == _expected_shape(spec["comments"]), host
        assert got["comments_status"] == ("complete" if spec["kind"] == "post" else "none")
        for snippet in spec["body_snippets"]:
            assert snippet in got["body_html"] or snippet in _text(got["body_html"]), host


def _text(body_html: str) -> str:
    from migrator.evaluate import body_text
    return body_text(body_html)


def test_a_blog_nobody_can_read_fails_and_names_its_theme(via_theme_server: FixtureServer,
                                                         tmp_path: Path) -> None:
    """Every class and id of the Mystery theme renamed: the run exits 1, the summary names the
    theme, and report.json lists each article URL with its reason."""
    blog = EXPECTED[MYSTERY]
    out = tmp_path / "out"
    result = run_migrator(["migrate", blog["base_url"], "--to", "json", "--out", str(out),
                           "--delay", "0", "--no-images"], via_theme_server.proxy_url)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["ok"] is False
    reasons = {f["url"]: f["reason"] for f in report["failures"]}
    assert set(reasons) == set(blog["unreadable"])
    assert set(reasons.values()) == {"unreadable: theme 977 [Mystery]"}
    summary = result.stdout + result.stderr
    assert (f"{len(blog['unreadable'])} pages that look like articles gave no article "
            "(theme 977 [Mystery])") in summary
