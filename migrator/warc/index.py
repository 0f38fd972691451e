"""``records.tsv``: every record the crawls wrote into the WARC folder, one line each.

A line is appended (and flushed) once its record is whole in its file, so the index says where
each file's last complete record ends (a file longer than that was cut by a kill: see
``WarcWriter``), which payloads are already stored (a later identical payload is written as a
``revisit``) and which response a URL last had (a 304 points at it). A line cut by a kill is
ignored when the file is read. Tab-separated fields::

    type  target-uri  warc-date  record-id  payload-digest  status  file  offset  length
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import ArchiveError

__all__ = ["INDEX_FILE", "IndexedRecord", "RecordIndex"]

log = logging.getLogger(__name__)

INDEX_FILE = "records.tsv"
FIELDS = 9


@dataclass(frozen=True, slots=True)
class IndexedRecord:
    type: str
    """``warcinfo``, ``response``, ``revisit`` or ``request``."""
    uri: str
    date: str
    record_id: str
    digest: str
    status: int
    file: str
    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length

    def line(self) -> str:
        fields = (self.type, self.uri, self.date, self.record_id, self.digest,
                  str(self.status), self.file, str(self.offset), str(self.length))
        return "\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields) + "\n"


@dataclass(frozen=True, slots=True)
class Capture:
    """The response record a later revisit refers to."""

    uri: str
    date: str
    record_id: str
    digest: str


class RecordIndex:
    """The index of a WARC folder: read once when a crawl starts, appended to as it writes.

    Not thread-safe by itself: ``WarcWriter`` calls it under its lock.
    """

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / INDEX_FILE
        self.by_digest: dict[str, Capture] = {}
        """Payload digest → the first response record that holds it."""
        self.by_url: dict[str, Capture] = {}
        """URL → its latest 200 response record (through a revisit, the record it refers to)."""
        self.file_ends: dict[str, int] = {}
        """WARC file name → where its last indexed record ends."""
        self._handle: IO[str] | None = None
        if self.path.is_file():
            self._load()

    def _load(self) -> None:
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.rstrip("\n").split("\t")
                if not line.endswith("\n") or len(fields) != FIELDS:
                    continue  # a line cut by a kill
                try:
                    record = IndexedRecord(fields[0], fields[1], fields[2], fields[3],
                                           fields[4], int(fields[5]), fields[6],
                                           int(fields[7]), int(fields[8]))
                except ValueError:
                    continue
                self._learn(record)

    def _learn(self, record: IndexedRecord) -> None:
        self.file_ends[record.file] = max(self.file_ends.get(record.file, 0), record.end)
        if record.status != 200 or record.type not in ("response", "revisit"):
            return
        capture = Capture(record.uri, record.date, record.record_id, record.digest)
        if record.type == "response":
            self.by_digest.setdefault(record.digest, capture)
        else:
            capture = self.by_digest.get(record.digest, capture)
        self.by_url[record.uri] = capture

    def add(self, record: IndexedRecord) -> None:
        """Remember ``record`` (whole in its file) and append its line."""
        self._learn(record)
        try:
            if self._handle is None:
                self._handle = self.path.open("a", encoding="utf-8")
            self._handle.write(record.line())
            self._handle.flush()
        except OSError as error:
            raise ArchiveError(f"cannot write {self.path}: {error.strerror or error}") from error

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
