"""HttpTransport takes its proxies from the environment (HTTP_PROXY, NO_PROXY), once per host."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fixtureserver import FixtureServer

from migrator.fetch import HttpTransport, TransientError

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy")
NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")
TIMEOUT = 5.0


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


@pytest.fixture
def local_server() -> Iterator[str]:
    """Base URL of a loopback server answering 200 "ok" to every GET."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> str:
    """HTTP_PROXY (both spellings) set to a loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, url)
    for name in ("ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return url


def set_no_proxy(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    for name in NO_PROXY_VARIABLES:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_no_proxy_host_is_reached_directly(
    local_server: str, dead_proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_no_proxy(monkeypatch, "127.0.0.1")
    transport = HttpTransport()
    try:
        response = transport.send(f"{local_server}/any.html", {}, TIMEOUT)
    finally:
        transport.close()
    assert (response.status, response.content) == (200, b"ok")


def test_without_no_proxy_the_dead_proxy_is_used_and_fails(
    local_server: str, dead_proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_no_proxy(monkeypatch, None)
    transport = HttpTransport()
    try:
        with pytest.raises(TransientError) as caught:
            transport.send(f"{local_server}/any.html", {}, TIMEOUT)
    finally:
        transport.close()
    assert caught.value.reason == "cannot connect to the proxy"
    assert caught.value.reached_host is False


def test_environment_is_read_once_per_host(
    local_server: str, dead_proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_no_proxy(monkeypatch, "127.0.0.1")
    transport = HttpTransport()
    try:
        assert transport.send(f"{local_server}/first", {}, TIMEOUT).status == 200
        set_no_proxy(monkeypatch, None)
        # Same host: the proxies chosen on the first request still hold.
        assert transport.send(f"{local_server}/second", {}, TIMEOUT).content == b"ok"
    finally:
        transport.close()
    fresh = HttpTransport()
    try:
        with pytest.raises(TransientError, match="proxy"):
            fresh.send(f"{local_server}/third", {}, TIMEOUT)
    finally:
        fresh.close()


def test_request_goes_through_the_fixture_proxy(proxy_env: FixtureServer) -> None:
    transport = HttpTransport()
    try:
        response = transport.send("http://cuisine-de-mamie.over-blog.com/", {}, TIMEOUT)
    finally:
        transport.close()
    assert response.status == 200
    assert b"<html" in response.content.lower()
    assert proxy_env.count("cuisine-de-mamie.over-blog.com", "/") == 1
