"""``WarcWriter``: every HTTP exchange of a crawl, appended to WARC 1.1 files as it happens.

Files: ``<archive>/warc/migrator-<UTC time>-<serial>.warc.gz``, one new file per run (a file
is never appended to by a later run) and another when one would pass ``max_file_bytes``
(100 MB); each starts with a ``warcinfo`` record (the tool, its version, the User-Agent, the
robots policy). For each exchange, a ``response`` record (status line, headers and body as
received: content coding kept) and the ``request`` record (``WARC-Concurrent-To`` the
response), each its own gzip member, written with one ``write`` and flushed: a crawl killed
at any moment leaves files that are valid up to their last whole record. The next run cuts
what a kill left half-written at the end of a file (``repair``), before it writes anything.

Revisits (``revisit`` records, HTTP headers only): a 304 answer refers to the URL's earlier
response (profile ``server-not-modified``); a 200 whose payload digest is already stored, in
this run or an earlier one, refers to the record that holds it (``identical-payload-digest``).
``records.tsv`` (``warc.index``) remembers every record for that.

Thread-safe: the crawl's worker threads record through one writer.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import uuid
import zlib
from collections.abc import Callable
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from ..errors import ArchiveError
from .index import IndexedRecord, RecordIndex

__all__ = ["MAX_FILE_BYTES", "PROFILE_IDENTICAL", "PROFILE_NOT_MODIFIED", "WARC_FOLDER",
           "WarcWriter", "payload_digest", "warc_date"]

log = logging.getLogger(__name__)

WARC_FOLDER = "warc"
MAX_FILE_BYTES = 100 * 1024 * 1024
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def payload_digest(data: bytes) -> str:
    """``sha1:<base32>``, the form WARC tools (and warcio) write."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date: UTC, microseconds, ``Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


class WarcWriter:
    """Appends exchanges to the WARC files of ``folder`` (see the module's docstring)."""

    def __init__(self, folder: Path, info: dict[str, str], *,
                 max_file_bytes: int = MAX_FILE_BYTES,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.folder = Path(folder)
        self.info = info
        self.max_file_bytes = max_file_bytes
        self.clock = clock
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArchiveError(f"cannot create {self.folder}: {error.strerror or error}") \
                from error
        self.index = RecordIndex(self.folder)
        self.repaired = self._repair()
        """Files whose cut last record was removed when this writer opened the folder."""
        self.files: list[Path] = []
        """The files this writer created, in order."""
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._size = 0
        self._info_size = 0
        self._stamp = clock().astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
        self._serial = 0

    # -- recording -------------------------------------------------------------------------

    def record(self, url: str, status: int, request_head: bytes, response_head: bytes,
               body: bytes) -> None:
        """Append one exchange (``body`` as the HTTP message carried it)."""
        with self._lock:
            date = warc_date(self.clock())
            response_id, request_id = _record_id(), _record_id()
            digest = payload_digest(body)
            head: dict[str, str] = {"WARC-Record-ID": response_id, "WARC-Date": date,
                                    "WARC-Payload-Digest": digest}
            record_type, payload = "response", response_head + body
            earlier = self._earlier(url, status, digest)
            if earlier is not None:  # its payload digest is the earlier record's
                record_type, payload = "revisit", response_head
                head.update(earlier)
                digest = head["WARC-Payload-Digest"]
            builder = WARCWriter(BytesIO(), gzip=True, warc_version="1.1")
            response = builder.create_warc_record(url, record_type, payload=BytesIO(payload),
                                                  length=len(payload), warc_headers_dict=head)
            request = builder.create_warc_record(
                url, "request", payload=BytesIO(request_head), length=len(request_head),
                warc_headers_dict={"WARC-Record-ID": request_id, "WARC-Date": date,
                                   "WARC-Concurrent-To": response_id})
            parts = [_gzipped(builder, response), _gzipped(builder, request)]
            self._ensure_room(sum(len(p) for p in parts))
            offset = self._append(b"".join(parts))
            entries = ((record_type, response_id, digest, status),
                       ("request", request_id, "", 0))
            for part, (kind, record_id, part_digest, part_status) in zip(
                    parts, entries, strict=True):
                self.index.add(IndexedRecord(kind, url, date, record_id, part_digest,
                                             part_status, self._name, offset, len(part)))
                offset += len(part)

    def _earlier(self, url: str, status: int, digest: str) -> dict[str, str] | None:
        """The revisit headers when this answer repeats one already stored, else None."""
        if status == 304:
            capture = self.index.by_url.get(url)
            profile = PROFILE_NOT_MODIFIED
        elif status == 200:
            capture = self.index.by_digest.get(digest)
            profile = PROFILE_IDENTICAL
        else:
            return None
        if capture is None or status == 200 and digest == EMPTY_DIGEST:
            return None
        return {"WARC-Profile": profile, "WARC-Refers-To-Target-URI": capture.uri,
                "WARC-Refers-To-Date": capture.date, "WARC-Refers-To": capture.record_id,
                "WARC-Payload-Digest": capture.digest}

    # -- files -----------------------------------------------------------------------------

    @property
    def _name(self) -> str:
        return self.files[-1].name

    def _ensure_room(self, size: int) -> None:
        """Open the first file, or the next one when ``size`` more bytes would pass the cap
        (a file holds at least one exchange, however big)."""
        if self._file is not None and (self._size + size <= self.max_file_bytes
                                       or self._size <= self._info_size):
            return
        self._close_file()
        while True:
            self._serial += 1
            path = self.folder / f"migrator-{self._stamp}-{self._serial:05d}.warc.gz"
            try:
                self._file = path.open("xb", buffering=0)  # never an existing file
            except FileExistsError:
                continue
            except OSError as error:
                raise ArchiveError(f"cannot create {path}: {error.strerror or error}") \
                    from error
            break
        self.files.append(path)
        self._size = 0
        builder = WARCWriter(BytesIO(), gzip=True, warc_version="1.1")
        info = builder.create_warcinfo_record(path.name, dict(self.info))
        data = _gzipped(builder, info)
        offset = self._append(data)
        self._info_size = len(data)
        self.index.add(IndexedRecord("warcinfo", "", info.rec_headers.get_header("WARC-Date"),
                                     info.rec_headers.get_header("WARC-Record-ID"), "", 0,
                                     path.name, offset, len(data)))

    def _append(self, data: bytes) -> int:
        """Write ``data`` at the end of the current file; the offset it starts at."""
        assert self._file is not None
        offset = self._size
        view = memoryview(data)
        try:
            while view:
                written = self._file.write(view)
                view = view[written or 0:]
        except OSError as error:
            raise ArchiveError(f"cannot write {self.files[-1]}: {error.strerror or error}") \
                from error
        self._size += len(data)
        return offset

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self) -> None:
        with self._lock:
            self._close_file()
            self.index.close()

    # -- after a kill ----------------------------------------------------------------------

    def _repair(self) -> list[Path]:
        """Cut the half-written record a killed run left at the end of a file; whole records
        after the last indexed one are kept and indexed."""
        repaired = []
        for path in sorted(self.folder.glob("*.warc.gz")):
            indexed_end = self.index.file_ends.get(path.name, 0)
            if path.stat().st_size <= indexed_end:
                continue
            good = self._whole_records_after(path, indexed_end)
            if good < path.stat().st_size:
                with path.open("r+b") as handle:
                    handle.truncate(good)
                log.warning("WARC file %s ended with a cut record (a killed run): cut at "
                            "byte %d", path.name, good)
                repaired.append(path)
        return repaired

    def _whole_records_after(self, path: Path, start: int) -> int:
        """Where the last whole gzip member (one record each) after ``start`` ends; the
        records up to there are indexed."""
        with path.open("rb") as handle:
            handle.seek(start)
            tail = handle.read()
        whole = _whole_members(tail)
        records = ArchiveIterator(BytesIO(tail[:whole]))
        for record in records:
            headers = record.rec_headers
            status = record.http_headers.get_statuscode() if record.http_headers else "0"
            records.read_to_end(record)
            self.index.add(IndexedRecord(
                record.rec_type, headers.get_header("WARC-Target-URI") or "",
                headers.get_header("WARC-Date") or "",
                headers.get_header("WARC-Record-ID") or "",
                headers.get_header("WARC-Payload-Digest") or "",
                int(status) if str(status).isdigit() else 0, path.name,
                start + records.get_record_offset(), records.get_record_length()))
        return start + whole


def _whole_members(data: bytes) -> int:
    """How many leading bytes of ``data`` are whole gzip members (their CRC checked)."""
    good = 0
    while good < len(data):
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            member.decompress(data[good:])
        except zlib.error:
            break
        if not member.eof:
            break
        good = len(data) - len(member.unused_data)
    return good


EMPTY_DIGEST = payload_digest(b"")


def _gzipped(builder: WARCWriter, record: Any) -> bytes:
    """One record as its own gzip member."""
    out = BytesIO()
    builder.out = out
    builder.write_record(record)
    return out.getvalue()
