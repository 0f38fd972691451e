"""WARC files (ISO 28500, version 1.1), written during a crawl and read as a source.

- ``writer``: ``WarcWriter``, every HTTP exchange of a crawl appended to
  ``<archive>/warc/migrator-<UTC time>-<serial>.warc.gz`` (gzip per record, flushed per
  exchange, a new file per run and at 100 MB, ``revisit`` records for 304s and repeated
  payloads), and the repair of a file a killed run left with a cut last record;
- ``index``: ``RecordIndex``, the file beside them (``records.tsv``) that remembers every
  record written (its payload digest, its place), so that later runs write revisits;
- ``reader``: ``WarcRecords``, the answers a set of WARC or WACZ files holds, by URL (the
  latest response, revisits resolved), for the WARC source (``fetch.warcsource``).

The HTTP side lives in ``fetch`` (``fetch.recording`` gives each exchange to the writer); this
package loads no HTTP client, so the export stage (WACZ) can use it.
"""

from __future__ import annotations

from .index import INDEX_FILE, RecordIndex
from .reader import WarcRecords, warc_files
from .writer import WARC_FOLDER, WarcWriter, payload_digest

__all__ = ["INDEX_FILE", "WARC_FOLDER", "RecordIndex", "WarcRecords", "WarcWriter",
           "payload_digest", "warc_files"]
