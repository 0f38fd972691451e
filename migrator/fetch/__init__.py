"""Reading URLs: politely, with retries, from the web or from a saved copy.

- ``fetcher``: ``Fetcher.get(url)``, the only way the crawl (and the media stage) reads a URL;
- ``politeness``: ``HostQueues``, each host's robots.txt, delay and queue of requests;
- ``transport``: the seam, ``Transport.send(url, headers, timeout) -> Response``;
- ``http``: ``HttpTransport`` (requests; ``wire``: the exchange as sent and received);
  ``recording``: ``RecordingTransport``, HTTP whose exchanges are written as WARC;
- saved copies: ``mirror`` (``MirrorTransport``, a ``wget --mirror`` folder), ``saved``
  (``SavedPagesTransport``, any folder of saved pages: HTTrack, a browser's, a partial copy),
  ``warcsource`` (``WarcTransport``, WARC or WACZ files). A new source is one more transport.

``Response`` (``migrator.response``) is what every transport returns and what the archive
stores.
"""

from __future__ import annotations

from ..response import Response, decode_html
from .fetcher import Fetcher
from .http import HttpTransport
from .mirror import MirrorTransport
from .politeness import HostQueues
from .transport import TransientError, Transport

__all__ = [
    "Fetcher",
    "HostQueues",
    "HttpTransport",
    "MirrorTransport",
    "Response",
    "TransientError",
    "Transport",
    "decode_html",
]
