"""The fixture server/proxy answers like a wget-mirrored Overblog host would."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fixtureserver import FaultResponse, FixtureServer

HOST = "demo.over-blog.com"


@pytest.fixture
def mini_server(tmp_path: Path) -> Iterator[FixtureServer]:
    site = tmp_path / HOST
    (site / "page").mkdir(parents=True)
    (site / "tag" / "recettes de pains").mkdir(parents=True)
    (site / "index.html").write_text("<html>home</html>", encoding="utf-8")
    (site / "page" / "2").write_text("<html>page two</html>", encoding="utf-8")
    (site / "rss").write_text('<?xml version="1.0"?><rss/>', encoding="utf-8")
    (site / "tag" / "recettes de pains" / "index.html").write_text("pains", encoding="utf-8")
    (site / "search?q=pain").write_text("results", encoding="utf-8")
    (site / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (site / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site / ".redirects").write_text(
        "/article-12345678.html 301 http://demo.over-blog.com/2019/05/x.html\n", encoding="utf-8"
    )
    server = FixtureServer(port=0, sites_dir=tmp_path).start()
    yield server
    server.stop()


def fetch(server: FixtureServer, url: str, **kwargs: object) -> requests.Response:
    proxies = {"http": server.proxy_url}
    return requests.get(url, proxies=proxies, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_serves_files_by_wget_layout(mini_server: FixtureServer) -> None:
    assert fetch(mini_server, f"http://{HOST}/").text == "<html>home</html>"
    page2 = fetch(mini_server, f"http://{HOST}/page/2")
    assert page2.text == "<html>page two</html>"
    assert page2.headers["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(mini_server, f"http://{HOST}/tag/recettes%20de%20pains/").text == "pains"
    assert fetch(mini_server, f"http://{HOST}/search?q=pain").text == "results"


def test_content_types(mini_server: FixtureServer) -> None:
    assert fetch(mini_server, f"http://{HOST}/rss").headers["Content-Type"] == "application/xml"
    robots = fetch(mini_server, f"http://{HOST}/robots.txt")
    assert robots.headers["Content-Type"].startswith("text/plain")
    png = fetch(mini_server, f"http://{HOST}/x.png")
    assert png.headers["Content-Type"] == "image/png"
    assert png.content == b"\x89PNG\r\n\x1a\n"


def test_missing_file_and_unknown_host(mini_server: FixtureServer) -> None:
    missing = fetch(mini_server, f"http://{HOST}/nope.html")
    assert missing.status_code == 404
    assert "n'existe pas" in missing.text
    dead = fetch(mini_server, "http://dead.example.org/")
    assert dead.status_code == 502
    assert dead.headers["X-Fixture"] == "no-such-host"


def test_redirects(mini_server: FixtureServer) -> None:
    answer = fetch(mini_server, f"http://{HOST}/article-12345678.html", allow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "http://demo.over-blog.com/2019/05/x.html"


def test_counts_requests(mini_server: FixtureServer) -> None:
    for _ in range(3):
        fetch(mini_server, f"http://{HOST}/page/2")
    fetch(mini_server, f"http://{HOST}/")
    assert mini_server.count(HOST, "/page/2") == 3
    assert mini_server.requests[(HOST, "/")] == 1
    mini_server.reset_counts()
    assert mini_server.count(HOST, "/page/2") == 0


def test_fault_spec_fires_given_times_then_serves(mini_server: FixtureServer) -> None:
    mini_server.faults["/page/2"] = {"status": 429, "times": 2, "headers": {"Retry-After": "1"}}
    statuses = [fetch(mini_server, f"http://{HOST}/page/2") for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["Retry-After"] == "1"
    assert statuses[2].text == "<html>page two</html>"


def test_fault_regex_and_callable(mini_server: FixtureServer) -> None:
    mini_server.faults[re.compile(r"/tag/")] = {"status": 503}
    assert fetch(mini_server, f"http://{HOST}/tag/recettes%20de%20pains/").status_code == 503
    mini_server.faults.clear()
    mini_server.faults["/"] = lambda host, path: FaultResponse(500) if host == HOST else None
    assert fetch(mini_server, f"http://{HOST}/").status_code == 500


def test_session_fixture_and_proxy_env(proxy_env: FixtureServer) -> None:
    answer = requests.get("http://dead.example.org/robots.txt", timeout=5)
    assert answer.status_code == 502
    assert proxy_env.count("dead.example.org", "/robots.txt") == 1


def test_real_fixtures_through_proxy_env(proxy_env: FixtureServer) -> None:
    noodle = "http://cuisine-de-mamie.over-blog.com"
    tag = requests.get(f"{noodle}/tag/recettes%20de%20pains/", timeout=5)
    assert tag.status_code == 200
    assert "Pain de campagne au levain" in tag.text
    rss = requests.get(f"{noodle}/rss", timeout=5)
    assert rss.headers["Content-Type"] == "application/xml"
    assert rss.text.count("<item>") == 10
    robots = requests.get(f"{noodle}/robots.txt", timeout=5)
    assert "Crawl-delay: 5" in robots.text
    alias_path = "/article-compost-mode-d-emploi-27182818.html"
    alias = f"http://www.jardin-des-mots.fr{alias_path}"
    moved = requests.get(alias, allow_redirects=False, timeout=5)
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/2019/10/compost-mode-d-emploi.html")
    assert requests.get(alias, timeout=5).url.endswith("/2019/10/compost-mode-d-emploi.html")
    assert proxy_env.count("www.jardin-des-mots.fr", alias_path) == 2


def test_real_image_hosts(proxy_env: FixtureServer) -> None:
    resized = ("http://resize.over-blog.com/300x200.jpg?http://img.over-blog-kiwi.com"
               "/1/23/45/67/20190801/ob_837669_dahlias.jpg")
    answer = requests.get(resized, timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert answer.content[:2] == b"\xff\xd8"
    kiwi = requests.get("http://img.over-blog-kiwi.com/1/23/45/67/20190801/ob_837669_dahlias.jpg",
                        timeout=5)
    assert kiwi.content[:2] == b"\xff\xd8"


def test_conditional_requests(mini_server: FixtureServer) -> None:
    first = fetch(mini_server, f"http://{HOST}/page/2")
    etag = first.headers["ETag"]
    again = fetch(mini_server, f"http://{HOST}/page/2", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert fetch(mini_server, f"http://{HOST}/page/2", headers=since).status_code == 304
    other = fetch(mini_server, f"http://{HOST}/page/2", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200
    mini_server.conditional = False
    assert fetch(mini_server, f"http://{HOST}/page/2", headers=since).status_code == 200


# -- hostile answers and chaos ---------------------------------------------------------------


def test_reset_truncate_huge_and_slow_faults(mini_server: FixtureServer) -> None:
    mini_server.faults["/page/2"] = {"reset": True, "times": 1}
    with pytest.raises(requests.exceptions.ConnectionError):
        fetch(mini_server, f"http://{HOST}/page/2")
    assert fetch(mini_server, f"http://{HOST}/page/2").text == "<html>page two</html>"

    mini_server.faults["/"] = {"status": 0, "truncate": True}
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        fetch(mini_server, f"http://{HOST}/")

    mini_server.faults["/x.png"] = {"status": 200, "size": 3_000_000}
    huge = fetch(mini_server, f"http://{HOST}/x.png")
    assert len(huge.content) == 3_000_000
    assert huge.headers["Content-Type"] == "application/octet-stream"

    mini_server.faults["/rss"] = {"status": 0, "delay": 0.3}
    started = time.monotonic()
    assert fetch(mini_server, f"http://{HOST}/rss").text == '<?xml version="1.0"?><rss/>'
    assert time.monotonic() - started >= 0.3
    assert mini_server.statuses[(HOST, "/page/2", 0)] == 1  # the reset
    assert mini_server.statuses[(HOST, "/page/2", 200)] == 1


def test_charset_faults_reencode_the_real_page(tmp_path: Path) -> None:
    site = tmp_path / HOST
    site.mkdir()
    page = '<html><head><meta charset="utf-8"></head><body>Noël – l’été</body></html>'
    (site / "index.html").write_text(page, encoding="utf-8")
    server = FixtureServer(port=0, sites_dir=tmp_path).start()
    try:
        server.faults["/"] = {"status": 0, "encoding": "windows-1252",
                              "meta_charset": "windows-1252", "content_type": "text/html"}
        answer = fetch(server, f"http://{HOST}/")
        assert answer.headers["Content-Type"] == "text/html"
        assert answer.content == page.replace("utf-8", "windows-1252").encode("cp1252")
        server.faults["/"] = {"status": 0, "encoding": "iso-8859-1", "meta_charset": "",
                              "content_type": ""}
        bare = fetch(server, f"http://{HOST}/")
        assert "Content-Type" not in bare.headers
        assert b"charset=" not in bare.content
        assert "Noël &#8211; l&#8217;été".encode("latin-1") in bare.content
    finally:
        server.stop()


def test_chaos_is_repeatable_and_gives_up_after_max_in_a_row(tmp_path: Path) -> None:
    def statuses(seed: int) -> list[int]:
        site = tmp_path / HOST
        site.mkdir(exist_ok=True)
        for n in range(5):
            (site / f"p{n}.html").write_text("<html>page</html>", encoding="utf-8")
        server = FixtureServer(port=0, sites_dir=tmp_path).start()
        try:
            chaos = server.chaos(seed=seed, rate_429=0.4, rate_5xx=0.4, max_in_a_row=2)
            got = [fetch(server, f"http://{HOST}/p{n % 5}.html").status_code for n in range(40)]
            assert chaos.hits["429"] + chaos.hits["5xx"] == sum(s != 200 for s in got)
            return got
        finally:
            server.stop()

    first = statuses(seed=5)
    assert first == statuses(seed=5)  # same seed, same answers
    assert first != statuses(seed=6)
    assert {429, 200} <= set(first) and set(first) - {200, 429} <= {500, 502, 503, 504}
    for n in range(5):  # the answers to one URL, in order: never three faults in a row
        streak = 0
        for status in first[n::5]:
            streak = streak + 1 if status != 200 else 0
            assert streak <= 2


def test_chaos_429_carries_retry_after_and_clear_ends_it(mini_server: FixtureServer) -> None:
    mini_server.chaos(seed=1, rate_429=1.0, retry_after=("1",), max_in_a_row=100)
    answer = fetch(mini_server, f"http://{HOST}/")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    mini_server.faults.clear()
    assert fetch(mini_server, f"http://{HOST}/").status_code == 200


def test_latency_and_request_log(mini_server: FixtureServer) -> None:
    mini_server.latency = 0.1
    started = time.monotonic()
    fetch(mini_server, f"http://{HOST}/")
    fetch(mini_server, f"http://{HOST}/page/2")
    assert time.monotonic() - started >= 0.2
    assert [(h, p) for _t, h, p in mini_server.request_log] == [(HOST, "/"), (HOST, "/page/2")]


def test_several_sites_folders(tmp_path: Path) -> None:
    """One server, several sites folders: hosts from each; a host in both folders falls
    through to the next folder for what the first lacks; the first folder wins otherwise."""
    first, second = tmp_path / "a", tmp_path / "b"
    (first / HOST).mkdir(parents=True)
    (first / HOST / "index.html").write_text("first", encoding="utf-8")
    (first / "images.example").mkdir()
    (first / "images.example" / "one.jpg").write_bytes(b"1")
    (second / "other.over-blog.com").mkdir(parents=True)
    (second / "other.over-blog.com" / "index.html").write_text("other", encoding="utf-8")
    (second / HOST).mkdir()
    (second / HOST / "index.html").write_text("shadowed", encoding="utf-8")
    (second / "images.example").mkdir()
    (second / "images.example" / "two.jpg").write_bytes(b"2")
    (second / "images.example" / ".redirects").write_text("/old.jpg 301 /two.jpg\n",
                                                          encoding="utf-8")
    server = FixtureServer(port=0, sites_dirs=[first, second]).start()
    try:
        assert server.sites_dir == first
        assert fetch(server, f"http://{HOST}/").text == "first"
        assert fetch(server, "http://other.over-blog.com/").text == "other"
        assert fetch(server, "http://images.example/one.jpg").content == b"1"
        assert fetch(server, "http://images.example/two.jpg").content == b"2"
        moved = fetch(server, "http://images.example/old.jpg", allow_redirects=False)
        assert (moved.status_code, moved.headers["Location"]) == (301, "/two.jpg")
        assert fetch(server, "http://images.example/three.jpg").status_code == 404
        assert fetch(server, "http://nowhere.example/").status_code == 502
    finally:
        server.stop()
