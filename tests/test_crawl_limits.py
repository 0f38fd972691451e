"""Traps and hostile answers: the crawl stays in the blog, bounded, and reads odd pages right.

Hostile answers come from the fixture server's faults; each test checks both that the odd URL
is handled (skipped, reported, decoded) and that the rest of the blog is untouched.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtureserver import FaultResponse, FixtureServer, output_snapshot, run_migrator

from migrator.pipeline import crawl
from migrator.settings import CrawlSettings

HOST = "vieux-grimoire.over-blog.fr"
ARTICLE = "/article-le-loup-de-noel-41258963.html"
OTHER_ARTICLE = "/article-la-fee-des-houx-112345678.html"
COMMAND = ["migrate", f"http://{HOST}", "--to", "json", "--to", "wxr", "--to", "markdown",
           "--delay", "0", "--no-images", "--retries", "1", "--backoff", "0"]
HTML_PAGES = re.compile(rf"^http://{re.escape(HOST)}/(?!robots\.txt|rss)")


@pytest.fixture(scope="module")
def reference(fixture_server: FixtureServer, tmp_path_factory: pytest.TempPathFactory,
              ) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference")
    fixture_server.faults.clear()
    result = run_migrator([*COMMAND, "--out", str(out)], fixture_server.proxy_url)
    assert result.returncode == 0, result.stderr
    return output_snapshot(out)


def failures(out: Path) -> dict[str, str]:
    report = json.loads((out / "report.json").read_text("utf-8"))
    return {f["url"]: f["reason"] for f in report["failures"]}


def titles(out: Path) -> set[str]:
    return {a["title"] for a in json.loads((out / "blog.json").read_text("utf-8"))["articles"]}


# -- encodings -------------------------------------------------------------------------------

ENCODINGS = {
    # bytes in windows-1252, the header says nothing, the meta says so
    "windows-1252 in meta only": {"encoding": "windows-1252", "meta_charset": "windows-1252",
                                  "content_type": "text/html"},
    # ISO-8859-1 in the header only
    "iso-8859-1 in header only": {"encoding": "iso-8859-1", "meta_charset": "",
                                  "content_type": "text/html; charset=ISO-8859-1"},
    # the header lies (UTF-8), the bytes and the meta are windows-1252
    "wrong header charset": {"encoding": "windows-1252", "meta_charset": "windows-1252",
                             "content_type": "text/html; charset=utf-8"},
    # no label anywhere: detection
    "no charset at all": {"encoding": "windows-1252", "meta_charset": "", "content_type": ""},
}


@pytest.mark.parametrize("spec", ENCODINGS.values(), ids=list(ENCODINGS))
def test_pages_in_legacy_encodings_give_the_same_outputs(
    spec: dict[str, str], reference: dict[str, bytes], proxy_env: FixtureServer, tmp_path: Path
) -> None:
    proxy_env.faults[HTML_PAGES] = {"status": 0, **spec}
    result = run_migrator([*COMMAND, "--out", str(tmp_path)], proxy_env.proxy_url)
    assert result.returncode == 0, result.stderr
    assert "Le loup de Noël" in titles(tmp_path)
    assert output_snapshot(tmp_path) == reference


# -- hostile answers at article URLs ---------------------------------------------------------

HOSTILE = {
    "redirect loop": (
        {ARTICLE: {"status": 301, "headers": {"Location": f"http://{HOST}/loop-b.html"}},
         "/loop-b.html": {"status": 302, "headers": {"Location": f"http://{HOST}{ARTICLE}"}}},
        f"redirect loop at http://{HOST}{ARTICLE}",
    ),
    "off-site redirect": (
        {ARTICLE: {"status": 301, "headers": {"Location": "http://spam.example.com/win"}}},
        "redirect outside the blog to http://spam.example.com/win",
    ),
    "huge body": ({ARTICLE: {"status": 200, "size": 25 * 1024 * 1024,
                             "content_type": "text/html"}}, "response too large (over 20 MB)"),
    "server error": ({ARTICLE: {"status": 503}},
                     "HTTP 503 after 2 attempts (tried again at the end of the crawl)"),
    "forbidden": ({ARTICLE: {"status": 403}}, "HTTP 403"),
}


@pytest.mark.parametrize("faults,reason", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_answer_is_one_reported_failure(
    faults: dict[str, dict[str, object]], reason: str, proxy_env: FixtureServer, tmp_path: Path
) -> None:
    proxy_env.faults.update(faults)
    result = run_migrator([*COMMAND, "--out", str(tmp_path)], proxy_env.proxy_url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert failures(tmp_path) == {f"http://{HOST}{ARTICLE}": reason}
    assert "Le loup de Noël" not in titles(tmp_path)
    assert "La fée des houx : conte d'automne" in titles(tmp_path)
    assert proxy_env.count("spam.example.com", "/win") == 0


def test_binary_answer_is_not_parsed_and_is_a_failure(proxy_env: FixtureServer,
                                                       tmp_path: Path) -> None:
    """An article address that answers with an image gives no article: a loss, said aloud."""
    proxy_env.faults[ARTICLE] = {"status": 200, "body": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                                 "content_type": "image/png"}
    result = run_migrator([*COMMAND, "--out", str(tmp_path)], proxy_env.proxy_url)
    assert result.returncode == 1, result.stderr
    assert "Le loup de Noël" not in titles(tmp_path)
    assert len(titles(tmp_path)) == 11
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["failures"] == [{"url": f"http://{HOST}{ARTICLE}",
                                   "reason": "not an HTML page (image/png): no article"}]


def test_slow_answer_past_the_timeout_is_retried(proxy_env: FixtureServer, tmp_path: Path,
                                                 ) -> None:
    proxy_env.faults[ARTICLE] = {"status": 0, "delay": 1.5, "times": 1}
    settings = CrawlSettings(delay=0, timeout=0.5, retries=1, backoff=0, download_images=False)
    report = crawl(f"http://{HOST}", tmp_path, settings)
    assert report.failures == []
    assert proxy_env.count(HOST, ARTICLE) == 2


# -- scope and traps -------------------------------------------------------------------------


@pytest.fixture
def trap_site(tmp_path: Path, fixtures_dir: Path) -> Iterator[FixtureServer]:
    """The blog, with links that must never be followed added to its home page."""
    sites = tmp_path / "sites"
    shutil.copytree(fixtures_dir / "sites" / HOST, sites / HOST)
    shutil.copytree(fixtures_dir / "sites" / HOST, sites / "other-blog.over-blog.com")
    home = sites / HOST / "index.html"
    links = "".join(f'<a href="{href}">x</a>' for href in TRAP_LINKS)
    home.write_text(home.read_text("utf-8").replace("</body>", links + "</body>"), "utf-8")
    server = FixtureServer(port=0, sites_dir=sites).start()
    yield server
    server.stop()


TRAP_LINKS = [
    "/admin/article-1.html", "/share/article-2.html", "/_repost/article-3.html",
    "/search?q=loup", "/api/v1/posts", "/login", "/contact",
    "http://other-blog.over-blog.com/article-le-loup-de-noel-41258963.html",
    "http://admin.over-blog.com/article-4.html", "mailto:x@example.com",
    "javascript:void(0)", "/feed-article-5.pdf",
]


def test_links_out_of_scope_or_to_service_pages_are_never_asked(
    trap_site: FixtureServer, tmp_path: Path
) -> None:
    result = run_migrator([*COMMAND, "--out", str(tmp_path)], trap_site.proxy_url)
    assert result.returncode == 0, result.stderr
    hosts = {host for host, _path in trap_site.requests}
    assert hosts == {HOST}
    asked = {path for _host, path in trap_site.requests}
    for href in TRAP_LINKS:
        assert href not in asked


def test_endless_pagination_is_bounded(proxy_env: FixtureServer, tmp_path: Path) -> None:
    def endless(host: str, path: str) -> FaultResponse | None:
        number = int(path.rsplit("/", 1)[1])
        body = f'<html><body><a href="/page/{number + 1}">suivant</a></body></html>'
        return FaultResponse(200, body=body.encode(), content_type="text/html")

    home = (Path(__file__).parent / "fixtures" / "sites" / HOST / "index.html").read_bytes()
    proxy_env.faults[re.compile(r"/page/\d+$")] = endless
    proxy_env.faults["/"] = {"status": 200, "content_type": "text/html; charset=utf-8",
                             "body": home.replace(b"</body>", b'<a href="/page/2">2</a></body>')}
    settings = CrawlSettings(delay=0, max_listing_pages=15, download_images=False)
    report = crawl(f"http://{HOST}", tmp_path, settings)
    pages = [path for (host, path) in proxy_env.requests if path.startswith("/page/")]
    assert 5 <= len(pages) <= 15
    assert report.posts == 12  # the real articles are all there


def test_page_budget_caps_the_crawl(proxy_env: FixtureServer, tmp_path: Path) -> None:
    settings = CrawlSettings(delay=0, max_pages=5, download_images=False)
    report = crawl(f"http://{HOST}", tmp_path, settings)
    fetched = [p for (h, p) in proxy_env.requests if h == HOST and p not in ("/robots.txt", "/")]
    assert len(fetched) == 5
    assert report.failures and all("page limit reached" in f["reason"] for f in report.failures)
