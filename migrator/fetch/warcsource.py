"""WARC or WACZ files as a transport: ``WarcTransport`` answers each URL from the records.

Whatever wrote them (this tool, ``wget --warc-file``, Browsertrix, Heritrix): the latest 200
response of a URL, else its latest redirect (the fetcher follows it), revisits resolved
(``warc.WarcRecords``); a URL the files do not hold answers 404, also under its other scheme
or ``www.`` spelling. Nothing is on the network: no politeness, nothing recorded.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

from ..response import Response
from ..settings import MAX_BODY_BYTES
from ..warc import WarcRecords

__all__ = ["WarcTransport"]

NOT_FOUND = b"<html><body>Not in the WARC files</body></html>"


class WarcTransport:
    needs_politeness = False

    def __init__(self, records: WarcRecords, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.records = records
        self.max_body_bytes = max_body_bytes

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        for spelling in _spellings(url):
            response = self.records.response(spelling, self.max_body_bytes)
            if response is not None:
                return replace(response, url=url, final_url=url)
        return Response(url, url, 404, {"content-type": "text/html",
                                        "content-length": str(len(NOT_FOUND))}, NOT_FOUND)

    def close(self) -> None:
        """Nothing to release."""


def _spellings(url: str) -> list[str]:
    """``url``, then with the other scheme, then with(out) ``www.``."""
    parts = urlsplit(url)
    other_scheme = "https" if parts.scheme == "http" else "http"
    host = parts.netloc
    other_host = host[4:] if host.startswith("www.") else f"www.{host}"
    return [url] + [urlunsplit((scheme, netloc, parts.path, parts.query, ""))
                    for scheme, netloc in ((other_scheme, host), (parts.scheme, other_host),
                                           (other_scheme, other_host))]
