"""Real HTTP through requests (so ``HTTP_PROXY``/``HTTPS_PROXY`` work): ``HttpTransport``.

One request per ``send``, no redirect followed (the fetcher decides), the body read in chunks
up to ``max_body_bytes`` as it came over the wire (``exchange`` gives those bytes and the exact
request and response heads to a recorder, ``fetch.wire``), then decoded for the crawl; errors of
requests become ``TransientError`` (worth a retry) or ``FetchError`` at this boundary.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import requests
import urllib3

from ..errors import FetchError
from ..response import Response
from ..settings import MAX_BODY_BYTES
from .transport import TransientError, too_large
from .wire import ACCEPT_ENCODING, Exchange, UndecodableBody, decode_body

__all__ = ["HttpTransport"]

# A 304 may carry the Content-Length of the full page (RFC 9110 §8.6): never read a body.
BODILESS_STATUSES = frozenset({204, 304})
CHUNK_BYTES = 64 * 1024
MAX_CONNECTIONS_PER_HOST = 16


class HttpTransport:
    """Real HTTP through a requests.Session (honours HTTP_PROXY/HTTPS_PROXY)."""

    needs_politeness = True

    def __init__(self, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.max_body_bytes = max_body_bytes
        self.session = requests.Session()
        # one connection per worker thread (the CLI allows up to 16), kept alive
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=MAX_CONNECTIONS_PER_HOST)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # The environment (HTTP_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) is read once per host
        # instead of on every request, where it cost a third of a fetch's CPU.
        self.session.trust_env = False
        self.session.verify = (os.environ.get("REQUESTS_CA_BUNDLE")
                               or os.environ.get("CURL_CA_BUNDLE") or True)
        self._proxies: dict[str, dict[str, str]] = {}

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        return self.exchange(url, headers, timeout).response

    def exchange(self, url: str, headers: dict[str, str], timeout: float) -> Exchange:
        """``send``, with the request and the answer as they went on the wire."""
        try:
            raw = self.session.get(
                url, headers={"Accept-Encoding": ACCEPT_ENCODING, **headers}, timeout=timeout,
                allow_redirects=False, stream=True, proxies=self._proxies_for(url),
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise TransientError(f"connection timed out ({exc.__class__.__name__})", False) from exc
        except requests.exceptions.Timeout as exc:
            raise TransientError("timed out waiting for the server", True) from exc
        except requests.exceptions.SSLError as exc:
            raise _tls_error(url, exc) from exc
        except requests.exceptions.ConnectionError as exc:
            raise TransientError(_connection_reason(exc), False) from exc
        except requests.exceptions.RequestException as exc:
            raise FetchError(url, f"invalid request: {_short(exc)}") from exc
        with raw:
            body = b"" if raw.status_code in BODILESS_STATUSES else self._read_body(url, raw)
        coding = raw.headers.get("Content-Encoding", "")
        try:
            content = decode_body(body, coding, self.max_body_bytes) if coding else body
        except UndecodableBody as exc:
            raise FetchError(url, str(exc), raw.status_code) from exc
        headers_out = {name.lower(): value for name, value in raw.headers.items()}
        return Exchange(_request_head(raw), _response_head(raw), body,
                        bool(getattr(raw.raw, "chunked", False)),
                        Response(url, url, raw.status_code, headers_out, content))

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The proxies the environment sets for this URL's host (none when NO_PROXY says so)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        proxies = self._proxies.get(origin)
        if proxies is None:
            proxies = self._proxies[origin] = requests.utils.get_environ_proxies(url)
        return proxies

    def _read_body(self, url: str, raw: requests.Response) -> bytes:
        """The body as the server sent it (no content decoding), whole or not at all."""
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise FetchError(url, too_large(self.max_body_bytes), raw.status_code)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in raw.raw.stream(CHUNK_BYTES, decode_content=False):
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise FetchError(url, too_large(self.max_body_bytes), raw.status_code)
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise TransientError("timed out while reading the body", True) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            reason = (f"truncated body ({size} of {declared} bytes)" if declared.isdigit()
                      else f"truncated body: {_short(exc)}")
            raise TransientError(reason, True) from exc
        content = b"".join(chunks)
        if declared.isdigit() and len(content) != int(declared):
            raise TransientError(f"truncated body ({len(content)} of {declared} bytes)", True)
        return content

    def close(self) -> None:
        self.session.close()


def _request_head(raw: requests.Response) -> bytes:
    """The request line and headers sent (``Host`` first, as http.client sends it)."""
    sent = raw.request
    parts = urlsplit(sent.url or "")
    lines = [f"{sent.method} {sent.path_url} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {_latin1(value)}" for name, value in sent.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def _latin1(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _response_head(raw: requests.Response) -> bytes:
    """The status line and the headers as received: every line, in order (duplicates kept)."""
    version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(raw.raw, "version", 11), "HTTP/1.1")
    original = getattr(raw.raw, "_original_response", None)  # http.client's, if there is one
    message = getattr(original, "msg", None)
    pairs = message.raw_items() if message is not None else raw.raw.headers.items()
    lines = [f"{version} {raw.status_code} {raw.reason or ''}".rstrip()]
    lines += [f"{name}: {value}" for name, value in pairs]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


PLAIN_HTTP_SIGNS = ("wrong version number", "record layer failure", "packet length too long",
                   "unknown protocol", "http request")
"""What OpenSSL says when the server answers a TLS handshake in plain HTTP."""


def _tls_error(url: str, exc: requests.exceptions.SSLError) -> FetchError | TransientError:
    """The real cause, at once: retrying cannot turn a plain-HTTP port or a bad certificate
    into TLS (an ``https://`` address on a plain-HTTP port used to wait out every retry and
    end in "the host does not answer")."""
    text = str(exc).lower()
    netloc = urlsplit(url).netloc
    if any(sign in text for sign in PLAIN_HTTP_SIGNS):
        return FetchError(url, f"the server at {netloc} answered in plain HTTP, not TLS: "
                               f"try http://{netloc}/")
    if "certificate verify failed" in text or "certificate" in text and "verify" in text:
        return FetchError(url, f"the TLS certificate of {netloc} is not valid "
                               f"({_ssl_reason(exc)})")
    return TransientError(f"TLS handshake failed ({_ssl_reason(exc)})", False)


def _ssl_reason(exc: Exception) -> str:
    """OpenSSL's words, without urllib3's wrapping: "certificate has expired"."""
    text = str(exc)
    inner = text.rsplit("] ", 1)[-1] if "] " in text else text
    return inner.split(" (_ssl.c", 1)[0].strip("')\" ")[:160] or "TLS error"


def _connection_reason(exc: Exception) -> str:
    """One readable phrase instead of urllib3's nested repr."""
    text = str(exc)
    if "ProxyError" in text or isinstance(exc, requests.exceptions.ProxyError):
        return "cannot connect to the proxy"
    if any(
        sign in text
        for sign in (
            "NameResolutionError",
            "Name or service not known",
            "getaddrinfo failed",
            "nodename nor servname",
        )
    ):
        return "host name not found (DNS)"
    if "refused" in text.lower():
        return "connection refused"
    if "reset" in text.lower():
        return "connection reset"
    return "cannot connect"


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:200]


