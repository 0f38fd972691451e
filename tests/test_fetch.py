"""Fetcher politeness, retries, redirects, decoding; HttpTransport and MirrorTransport."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from migrator.dates import parse_retry_after
from migrator.errors import FetchError, HostUnreachable
from migrator.fetch import (
    Fetcher,
    HttpTransport,
    MirrorTransport,
    Response,
    TransientError,
    decode_html,
)
from migrator.settings import CrawlSettings

BLOG = "http://myblog.over-blog.com"
Answer = Response | Exception


class FakeClock:
    """sleep() advances the clock; nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeTransport:
    """Answers from a table url -> list of answers (the last one repeats)."""

    def __init__(self, table: dict[str, list[Answer]]) -> None:
        self.table = table
        self.calls: list[tuple[str, dict[str, str]]] = []

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        self.calls.append((url, dict(headers)))
        answers = self.table.get(url)
        if not answers:
            return resp(url, 404)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def urls(self) -> list[str]:
        return [url for url, _ in self.calls]


def resp(url: str, status: int = 200, body: bytes = b"<html>ok</html>", **headers: str) -> Response:
    lowered = {k.replace("_", "-").lower(): v for k, v in headers.items()}
    lowered.setdefault("content-type", "text/html; charset=utf-8")
    return Response(url, url, status, lowered, body)


def make_fetcher(
    table: dict[str, list[Answer]], **settings: object
) -> tuple[Fetcher, FakeTransport, FakeClock]:
    options: dict[str, object] = {"delay": 0.0, "backoff": 1.0, "retries": 3}
    options.update(settings)
    clock = FakeClock()
    transport = FakeTransport(table)
    fetcher = Fetcher(CrawlSettings(**options), transport, sleep=clock.sleep, clock=clock.clock)
    return fetcher, transport, clock


# -- robots.txt ------------------------------------------------------------------------------

ROBOTS = b"""User-agent: *
Disallow: /admin/
Disallow: /*?share=
Disallow: /*.pdf$
Crawl-delay: 7
Sitemap: http://myblog.over-blog.com/sitemap.xml
"""


def robots_table() -> dict[str, list[Answer]]:
    return {
        f"{BLOG}/robots.txt": [resp(f"{BLOG}/robots.txt", body=ROBOTS, content_type="text/plain")],
        f"{BLOG}/": [resp(f"{BLOG}/")],
        f"{BLOG}/2020/06/a.html": [resp(f"{BLOG}/2020/06/a.html")],
        f"{BLOG}/file.pdf?x=1": [resp(f"{BLOG}/file.pdf?x=1")],
    }


def test_robots_disallow_with_wildcards_and_end_anchor() -> None:
    fetcher, transport, _ = make_fetcher(robots_table(), delay=None)
    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        fetcher.get(f"{BLOG}/admin/write")
    with pytest.raises(FetchError, match="disallowed"):
        fetcher.get(f"{BLOG}/2020/06/a.html?share=fb")
    with pytest.raises(FetchError, match="disallowed"):
        fetcher.get(f"{BLOG}/doc.pdf")
    assert fetcher.get(f"{BLOG}/file.pdf?x=1").status == 200  # "$" anchors the end
    assert transport.urls() == [f"{BLOG}/robots.txt", f"{BLOG}/file.pdf?x=1"]


def test_robots_crawl_delay_spaces_requests() -> None:
    fetcher, transport, clock = make_fetcher(robots_table(), delay=None)
    fetcher.get(f"{BLOG}/")
    fetcher.get(f"{BLOG}/2020/06/a.html")
    fetcher.get(f"{BLOG}/")
    assert fetcher.crawl_delay(BLOG) == 7.0
    # robots.txt at t0, then one request every 7 s
    assert clock.sleeps == [7.0, 7.0, 7.0]
    assert transport.urls().count(f"{BLOG}/robots.txt") == 1


def test_explicit_delay_beats_crawl_delay_and_default_without_robots() -> None:
    fetcher, _, clock = make_fetcher(robots_table(), delay=2.0)
    fetcher.get(f"{BLOG}/")
    fetcher.get(f"{BLOG}/")
    assert clock.sleeps == [2.0, 2.0]

    other = "http://other.example"
    fetcher2, _, clock2 = make_fetcher({f"{other}/": [resp(f"{other}/")]}, delay=None)
    fetcher2.get(f"{other}/")  # robots.txt is a 404: allow all, default delay
    assert clock2.sleeps == [5.0]


def test_delay_counts_time_already_spent() -> None:
    fetcher, _, clock = make_fetcher(robots_table(), delay=3.0)
    fetcher.get(f"{BLOG}/")
    clock.now += 10  # the caller spent 10 s parsing: no more waiting needed
    fetcher.get(f"{BLOG}/")
    assert clock.sleeps == [3.0]


def test_robots_sitemaps_and_user_agent() -> None:
    fetcher, transport, _ = make_fetcher(robots_table(), user_agent="test-agent/1")
    assert fetcher.robots_sitemaps(BLOG) == ["http://myblog.over-blog.com/sitemap.xml"]
    fetcher.get(f"{BLOG}/")
    assert all(headers["User-Agent"] == "test-agent/1" for _, headers in transport.calls)


def test_obey_robots_false_skips_robots() -> None:
    fetcher, transport, _ = make_fetcher(robots_table(), obey_robots=False)
    fetcher.get(f"{BLOG}/")
    assert transport.urls() == [f"{BLOG}/"]


# -- retries ---------------------------------------------------------------------------------


def test_retries_503_then_200_with_exponential_backoff() -> None:
    url = f"{BLOG}/page/2"
    fetcher, transport, clock = make_fetcher(
        {url: [resp(url, 503), resp(url, 503), resp(url, 200, b"fine")]}, obey_robots=False
    )
    response = fetcher.get(url)
    assert response.status == 200 and response.content == b"fine"
    assert len(transport.calls) == 3
    first, second = clock.sleeps
    assert 1.0 <= first <= 1.25 and 2.0 <= second <= 2.5


def test_retry_after_seconds_and_http_date() -> None:
    url = f"{BLOG}/page/3"
    fetcher, _, clock = make_fetcher(
        {url: [resp(url, 429, retry_after="17"), resp(url, 200)]}, obey_robots=False
    )
    assert fetcher.get(url).status == 200
    assert clock.sleeps == [17.0]
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=_at_0720) == 480.0
    assert parse_retry_after("soon") is None


def _at_0720():  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    return datetime(2015, 10, 21, 7, 20, tzinfo=timezone.utc)


def test_retry_after_longer_than_cap_fails_at_once() -> None:
    url = f"{BLOG}/page/4"
    fetcher, transport, _ = make_fetcher(
        {url: [resp(url, 429, retry_after="3600")]}, obey_robots=False, max_retry_after=120
    )
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert caught.value.status == 429
    assert "3600" in str(caught.value)
    assert len(transport.calls) == 1


def test_persistent_500_raises_fetch_error_after_all_attempts() -> None:
    url = f"{BLOG}/broken"
    fetcher, transport, _ = make_fetcher({url: [resp(url, 500)]}, obey_robots=False, retries=2)
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)
    assert not isinstance(caught.value, HostUnreachable)
    assert caught.value.status == 500
    assert len(transport.calls) == 3


def test_truncated_body_is_retried() -> None:
    url = f"{BLOG}/2020/06/a.html"
    cut = TransientError("truncated body (10 of 100 bytes)", reached_host=True)
    fetcher, transport, _ = make_fetcher({url: [cut, resp(url)]}, obey_robots=False)
    assert fetcher.get(url).status == 200
    assert len(transport.calls) == 2


def test_host_that_never_answers_is_unreachable() -> None:
    url = f"{BLOG}/"
    refused = TransientError("cannot connect: refused", reached_host=False)
    fetcher, transport, _ = make_fetcher({url: [refused]}, obey_robots=False, retries=2)
    with pytest.raises(HostUnreachable):
        fetcher.get(url)
    assert len(transport.calls) == 3


def test_404_and_410_are_returned_other_4xx_raise() -> None:
    table: dict[str, list[Answer]] = {
        f"{BLOG}/gone": [resp(f"{BLOG}/gone", 410)],
        f"{BLOG}/private": [resp(f"{BLOG}/private", 403)],
    }
    fetcher, transport, _ = make_fetcher(table, obey_robots=False)
    assert fetcher.get(f"{BLOG}/missing").status == 404
    assert fetcher.get(f"{BLOG}/gone").status == 410
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"{BLOG}/private")
    assert caught.value.status == 403
    assert len(transport.calls) == 3  # no retries on 4xx


def test_conditional_headers_and_304() -> None:
    url = f"{BLOG}/2020/06/a.html"
    fetcher, transport, _ = make_fetcher({url: [resp(url, 304, b"")]}, obey_robots=False)
    response = fetcher.get(url, etag='"abc"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
    assert response.status == 304
    headers = transport.calls[0][1]
    assert headers["If-None-Match"] == '"abc"'
    assert headers["If-Modified-Since"] == "Wed, 21 Oct 2015 07:28:00 GMT"


# -- redirects -------------------------------------------------------------------------------


def test_redirect_inside_scope_is_followed() -> None:
    old = f"{BLOG}/article-123.html"
    new = f"{BLOG}/2020/06/a.html"
    www = "http://www.myblog.over-blog.com/x.html"
    table: dict[str, list[Answer]] = {
        old: [resp(old, 301, b"", location="/2020/06/a.html")],
        new: [resp(new, 200, b"post")],
        www: [resp(www, 302, b"", location=old)],
    }
    fetcher, _, _ = make_fetcher(table, obey_robots=False)
    response = fetcher.get(old)
    assert (response.url, response.final_url, response.content) == (old, new, b"post")
    scoped = fetcher.get(www, allowed_hosts={"myblog.over-blog.com", "www.myblog.over-blog.com"})
    assert scoped.final_url == new
    with pytest.raises(FetchError, match="redirect outside the blog"):
        fetcher.get(www)  # default scope: same host only


def test_redirect_out_of_scope_and_loop() -> None:
    away = f"{BLOG}/away"
    loop_a, loop_b = f"{BLOG}/a", f"{BLOG}/b"
    table: dict[str, list[Answer]] = {
        away: [resp(away, 302, b"", location="https://www.over-blog.com/")],
        loop_a: [resp(loop_a, 301, b"", location=loop_b)],
        loop_b: [resp(loop_b, 301, b"", location=loop_a)],
    }
    fetcher, _, _ = make_fetcher(table, obey_robots=False)
    with pytest.raises(FetchError, match=r"redirect outside the blog to https://www\.over-blog"):
        fetcher.get(away)
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.get(loop_a)


# -- decoding --------------------------------------------------------------------------------


def test_charset_from_header_iso_8859_1() -> None:
    body = "<p>Publié le 23 Juin</p>".encode("iso-8859-1")
    response = resp(BLOG, body=body, content_type="text/html; charset=ISO-8859-1")
    assert response.text == "<p>Publié le 23 Juin</p>"
    assert response.content_type == "text/html"


def test_charset_from_meta_windows_1252() -> None:
    body = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "<p>l’été – œuvre</p>"
    )
    response = resp(BLOG, body=body.encode("cp1252"), content_type="text/html")
    assert "l’été – œuvre" in response.text
    assert (
        decode_html('<meta charset="utf-8"><p>été</p>'.encode())
        == '<meta charset="utf-8"><p>été</p>'
    )


def test_no_charset_utf8_then_windows_1252_fallback() -> None:
    assert decode_html("<p>déjà</p>".encode()) == "<p>déjà</p>"
    assert decode_html("<p>déjà €</p>".encode("cp1252")) == "<p>déjà €</p>"
    assert decode_html(b'<?xml version="1.0" encoding="ISO-8859-1"?><rss>\xe9</rss>').endswith(
        "é</rss>"
    )


# -- MirrorTransport -------------------------------------------------------------------------


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    host = tmp_path / "myblog.over-blog.com"
    (host / "page").mkdir(parents=True)
    (host / "tag" / "mes tites croix").mkdir(parents=True)
    (host / "index.html").write_text("<html>home</html>")
    (host / "page" / "2").write_text("<html>page 2</html>")
    (host / "tag" / "mes tites croix" / "index.html").write_text("<html>tag</html>")
    (host / "search?q=x").write_text("<html>search</html>")
    (host / "rss").write_text('<?xml version="1.0"?><rss/>')
    (host / ".redirects").write_text("/article-1.html 301 /page/2\n")
    images = tmp_path / "img.over-blog-kiwi.com"
    images.mkdir()
    (images / "a.jpg").write_bytes(b"\xff\xd8jpeg")
    return tmp_path


@pytest.mark.parametrize("from_host_folder", [False, True])
def test_mirror_transport_layout(mirror: Path, from_host_folder: bool) -> None:
    folder = mirror / "myblog.over-blog.com" if from_host_folder else mirror
    transport = MirrorTransport(folder)

    def get(url: str) -> Response:
        return transport.send(url, {}, 1.0)

    assert get(f"{BLOG}/").content == b"<html>home</html>"
    assert get(f"{BLOG}/page/2").text == "<html>page 2</html>"
    assert get(f"{BLOG}/tag/mes%20tites%20croix/").content == b"<html>tag</html>"
    assert get(f"{BLOG}/search?q=x").content == b"<html>search</html>"
    assert get(f"{BLOG}/rss").content_type == "application/xml"
    assert get(f"{BLOG}/nope.html").status == 404
    assert get(f"{BLOG}/../../etc/passwd").status == 404
    image = get("http://img.over-blog-kiwi.com/a.jpg")
    assert (image.status, image.content_type) == (200, "image/jpeg")
    assert get("http://unknown.example/").status == 404
    redirect = get(f"{BLOG}/article-1.html")
    assert (redirect.status, redirect.headers["location"]) == (301, "/page/2")


def test_fetcher_over_mirror_follows_redirect_without_waiting(mirror: Path) -> None:
    clock = FakeClock()
    fetcher = Fetcher(
        CrawlSettings(delay=None), MirrorTransport(mirror), sleep=clock.sleep, clock=clock.clock
    )
    response = fetcher.get(f"{BLOG}/article-1.html")
    assert response.final_url == f"{BLOG}/page/2"
    assert response.text == "<html>page 2</html>"
    fetcher.get(f"{BLOG}/")
    assert clock.sleeps == []  # a saved copy needs no politeness


# -- HttpTransport against a loopback server ------------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


class _Routes(BaseHTTPRequestHandler):
    routes: dict[str, Handler] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.routes.get(self.path, _not_found)(self)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


def _not_found(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(404)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _answer(status: int, body: bytes, **headers: str) -> Handler:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        if "content_length" not in headers:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return handle


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, Handler]]]:
    routes: dict[str, Handler] = {}
    handler = type("Handler", (_Routes,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


def test_http_transport_real_requests(server: tuple[str, dict[str, Handler]]) -> None:
    base, routes = server
    routes["/ok"] = _answer(
        200, "é".encode("latin-1"), Content_Type="text/html; charset=iso-8859-1"
    )
    routes["/moved"] = _answer(301, b"", Location="/ok")
    routes["/cut"] = _answer(200, b"only part", content_length="100")
    transport = HttpTransport(max_body_bytes=1000)
    ok = transport.send(f"{base}/ok", {"User-Agent": "t"}, 5)
    assert (ok.status, ok.text, ok.headers["content-type"]) == (
        200,
        "é",
        "text/html; charset=iso-8859-1",
    )
    moved = transport.send(f"{base}/moved", {}, 5)  # not followed by the transport
    assert (moved.status, moved.headers["location"]) == (301, "/ok")
    with pytest.raises(TransientError, match="truncated") as caught:
        transport.send(f"{base}/cut", {}, 5)
    assert caught.value.reached_host
    transport.close()


def test_http_transport_body_size_cap(server: tuple[str, dict[str, Handler]]) -> None:
    base, routes = server
    routes["/big"] = _answer(200, b"x" * 5000)
    with pytest.raises(FetchError, match="response too large"):
        HttpTransport(max_body_bytes=1000).send(f"{base}/big", {}, 5)


def test_fetcher_over_http_retries_cut_body(server: tuple[str, dict[str, Handler]]) -> None:
    base, routes = server
    cut = _answer(200, b"half", content_length="50")
    full = _answer(200, b"whole body")
    answers = [cut, full]
    routes["/post.html"] = lambda handler: answers.pop(0)(handler)
    clock = FakeClock()
    fetcher = Fetcher(CrawlSettings(delay=0, retries=2), sleep=clock.sleep, clock=clock.clock)
    response = fetcher.get(f"{base}/post.html")
    assert response.content == b"whole body"
    assert len(clock.sleeps) == 1
    fetcher.close()


def test_closed_port_is_host_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    fetcher = Fetcher(CrawlSettings(delay=0, retries=1), sleep=clock.sleep, clock=clock.clock)
    with pytest.raises(HostUnreachable, match="could not fetch .*: connection refused$"):
        fetcher.get(f"http://127.0.0.1:{port}/")
    fetcher.close()


def test_304_with_content_length_is_not_truncated(server: tuple[str, dict[str, Handler]]) -> None:
    base, routes = server

    def not_modified(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(304)
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Length", "5000")  # allowed by RFC 9110 on a 304
        handler.end_headers()

    routes["/post.html"] = not_modified
    response = HttpTransport().send(f"{base}/post.html", {"If-None-Match": '"v1"'}, 5)
    assert (response.status, response.content, response.headers["etag"]) == (304, b"", '"v1"')


def test_robots_redirect_on_same_host_is_followed() -> None:
    table: dict[str, list[Answer]] = {
        f"{BLOG}/robots.txt": [resp(f"{BLOG}/robots.txt", 301, b"", location="/robots-real.txt")],
        f"{BLOG}/robots-real.txt": [resp(f"{BLOG}/robots-real.txt", body=ROBOTS)],
    }
    fetcher, _, _ = make_fetcher(table)
    with pytest.raises(FetchError, match="disallowed"):
        fetcher.get(f"{BLOG}/admin/x")


def test_robots_server_error_allows_all() -> None:
    table: dict[str, list[Answer]] = {
        f"{BLOG}/robots.txt": [TransientError("cannot connect", reached_host=False)],
        f"{BLOG}/admin/x": [resp(f"{BLOG}/admin/x")],
    }
    fetcher, transport, _ = make_fetcher(table)
    assert fetcher.get(f"{BLOG}/admin/x").status == 200
    assert fetcher.robots_sitemaps(BLOG) == []
    # retried like a page (1 + 3 retries), then "allow all" is remembered
    assert transport.urls().count(f"{BLOG}/robots.txt") == 4


def test_a_host_that_answered_neither_robots_nor_the_page_fails_after_one_round(
        caplog: pytest.LogCaptureFixture) -> None:
    # a dead host was waited for 34 s in silence (robots.txt's retries, then the home page's)
    refused = TransientError("connection refused", reached_host=False)
    table: dict[str, list[Answer]] = {f"{BLOG}/robots.txt": [refused], f"{BLOG}/": [refused]}
    fetcher, transport, clock = make_fetcher(table)
    with caplog.at_level(logging.INFO, logger="migrator.fetch"), \
            pytest.raises(HostUnreachable, match="connection refused$"):
        fetcher.get(f"{BLOG}/")
    assert transport.urls() == [f"{BLOG}/robots.txt"] * 4 + [f"{BLOG}/"]
    said = [r.getMessage() for r in caplog.records]
    assert said[0].startswith(f"{BLOG}/robots.txt: connection refused; trying again in ")
    assert said[-1].endswith("(attempt 4 of 4)") and len(said) == 3


def test_a_host_that_answers_again_gets_its_retries_back() -> None:
    refused = TransientError("connection refused", reached_host=False)
    table: dict[str, list[Answer]] = {
        f"{BLOG}/robots.txt": [refused],
        f"{BLOG}/a": [resp(f"{BLOG}/a")],
        f"{BLOG}/b": [refused, refused, resp(f"{BLOG}/b")],
    }
    fetcher, transport, _ = make_fetcher(table)
    assert fetcher.get(f"{BLOG}/a").status == 200  # it answers: no longer "unreached"
    assert fetcher.get(f"{BLOG}/b").status == 200
    assert transport.urls().count(f"{BLOG}/b") == 3


def test_robots_429_is_retried_and_its_crawl_delay_kept() -> None:
    table = robots_table()
    table[f"{BLOG}/robots.txt"].insert(0, resp(f"{BLOG}/robots.txt", 429, retry_after="2"))
    fetcher, transport, clock = make_fetcher(table, delay=None)
    with pytest.raises(FetchError, match="disallowed"):
        fetcher.get(f"{BLOG}/admin/x")
    assert transport.urls().count(f"{BLOG}/robots.txt") == 2
    assert fetcher.crawl_delay(BLOG) == 7
    assert clock.sleeps[0] >= 2  # Retry-After (or the default delay, longer) was waited


def test_cancel_ends_waits_and_later_gets() -> None:
    import threading

    fetcher = Fetcher(CrawlSettings(delay=30.0, obey_robots=False),
                      FakeTransport({f"{BLOG}/": [resp(f"{BLOG}/")]}))
    fetcher.get(f"{BLOG}/")
    errors: list[Exception] = []

    def second() -> None:
        try:
            fetcher.get(f"{BLOG}/")  # would wait 30 s for its slot
        except FetchError as error:
            errors.append(error)

    worker = threading.Thread(target=second)
    worker.start()
    fetcher.cancel()
    worker.join(timeout=2)
    assert not worker.is_alive()
    assert len(errors) == 1 and "interrupted" in str(errors[0])


def test_wrong_charset_label_is_corrected() -> None:
    page = "<p>Publié l’été</p>"
    # header says UTF-8, bytes are windows-1252, the meta tells the truth
    cp1252 = f'<meta charset="windows-1252">{page}'.encode("cp1252")
    assert decode_html(cp1252, "text/html; charset=utf-8").endswith(page)
    # header says ISO-8859-1 (a server default), bytes are UTF-8
    assert decode_html(page.encode(), "text/html; charset=ISO-8859-1") == page
    # no label anywhere
    assert decode_html(page.encode("cp1252"), "text/html") == page


def test_mirror_site_hosts(mirror: Path) -> None:
    assert MirrorTransport(mirror).site_hosts() == ["myblog.over-blog.com"]
    host_folder = MirrorTransport(mirror / "myblog.over-blog.com")
    assert host_folder.site_hosts() == ["myblog.over-blog.com"]


def test_concurrent_workers_share_the_host_delay() -> None:
    url = f"{BLOG}/"
    lock = threading.Lock()
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # record the slot each worker got, without waiting
        with lock:
            waits.append(seconds)

    settings = CrawlSettings(delay=4.0, backoff=1.0, retries=3, obey_robots=False)
    fetcher = Fetcher(settings, FakeTransport({url: [resp(url)]}), sleep=sleep,
                      clock=FakeClock().clock)
    threads = [threading.Thread(target=fetcher.get, args=(url,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [4.0, 8.0, 12.0]  # clock frozen: slots 0, 4, 8, 12


def test_through_the_fixture_proxy(proxy_env) -> None:  # type: ignore[no-untyped-def]
    from fixtureserver import FaultResponse

    url = "http://proxied-blog.example/2020/01/a.html"
    proxy_env.faults["/robots.txt"] = {"status": 404}
    proxy_env.faults["/2020/01/a.html"] = {
        "status": 503,
        "times": 1,
        "headers": {"Retry-After": "2"},
    }
    proxy_env.faults["/2020/01/b.html"] = lambda host, path: FaultResponse(200, body=b"<p>ok</p>")
    clock = FakeClock()
    fetcher = Fetcher(CrawlSettings(delay=0), sleep=clock.sleep, clock=clock.clock)
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)  # 503 once (Retry-After 2), then the proxy has no such host: 502
    assert caught.value.status == 502
    assert clock.sleeps[0] == 2.0
    assert fetcher.get("http://proxied-blog.example/2020/01/b.html").content == b"<p>ok</p>"
    assert proxy_env.count("proxied-blog.example", "/2020/01/a.html") == 5  # 1 + 4 retries
    fetcher.close()
