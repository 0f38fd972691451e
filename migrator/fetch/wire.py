"""One HTTP exchange as it went on the wire: ``Exchange``, and how its body is decoded.

``HttpTransport.exchange`` reads a body without decoding it (the bytes the server sent,
``Content-Encoding`` kept), so that a recorder (``fetch.recording``, WARC) keeps exactly what
came over the network; ``decode_body`` then undoes gzip/deflate for our own use. The HTTP
client undoes the chunked transfer coding while it reads: a chunked body is framed again as one
chunk (``Exchange.wire_body``), so that the record stays a valid HTTP message whose header
still says ``Transfer-Encoding: chunked``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from ..response import Response
from ..settings import MAX_BODY_BYTES
from .transport import too_large

__all__ = ["ACCEPT_ENCODING", "Exchange", "UndecodableBody", "decode_body"]

ACCEPT_ENCODING = "gzip, deflate"
"""What we ask for: the codings ``decode_body`` undoes with the standard library alone (the
client would otherwise offer ``br`` whenever a Brotli module happens to be installed)."""


class UndecodableBody(Exception):
    """The body does not decode with the coding its ``Content-Encoding`` names."""


@dataclass(slots=True)
class Exchange:
    """A request and its answer, as sent and received."""

    request_head: bytes
    """Request line (origin form: ``GET /path HTTP/1.1``), ``Host`` and every header sent."""
    response_head: bytes
    """Status line and headers as received, in their order, ending with an empty line."""
    body: bytes
    """The body as received (content coding kept; chunked transfer coding undone)."""
    chunked: bool
    response: Response
    """The same answer for the crawl: lower-case headers, the body decoded."""

    @property
    def wire_body(self) -> bytes:
        """The body as an HTTP message carries it (one chunk when it came chunked)."""
        if not self.chunked:
            return self.body
        if not self.body:
            return b"0\r\n\r\n"
        return b"%x\r\n%s\r\n0\r\n\r\n" % (len(self.body), self.body)


def decode_body(body: bytes, content_encoding: str, limit: int = MAX_BODY_BYTES) -> bytes:
    """``body`` without its content codings (``gzip``, ``x-gzip``, ``deflate``, ``identity``,
    applied in the order the header lists them); an unknown coding is left as it is, as HTTP
    clients do. A body that would decode to more than ``limit`` bytes (a few kilobytes of gzip
    can hold gigabytes) is ``UndecodableBody`` as soon as the limit is passed."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            body = _gunzip(body, limit)
        elif coding == "deflate":
            body = _inflate(body, limit)
        elif coding != "identity":
            return body
    return body


def _gunzip(body: bytes, limit: int) -> bytes:
    """Every gzip member, one after the other (a server may send several)."""
    out: list[bytes] = []
    size = 0
    rest = body
    try:
        while rest:
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            chunk = decompressor.decompress(rest, limit - size + 1)
            size += len(chunk)
            if size > limit:
                raise UndecodableBody(too_large(limit))
            out.append(chunk)
            if not decompressor.eof:
                raise UndecodableBody("the gzip body is cut short")
            rest = decompressor.unused_data.lstrip(b"\0")
    except zlib.error as error:
        raise UndecodableBody(f"the gzip body does not decode ({error})") from error
    return b"".join(out)


def _inflate(body: bytes, limit: int) -> bytes:
    """``deflate`` as specified (zlib) or as some servers send it (raw deflate)."""
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        decompressor = zlib.decompressobj(wbits)
        try:
            out = decompressor.decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit:
            raise UndecodableBody(too_large(limit))
        if decompressor.eof:
            return out
    raise UndecodableBody("the deflate body does not decode")
