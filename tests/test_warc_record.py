"""WARC out (issue 14): every HTTP exchange of a crawl, as WARC 1.1 records warcio reads back.

The writer alone (records, digests, revisits across runs, rotation, repair after a kill), the
transport over a real local server (gzip and chunked bodies kept as they came), and a crawl of
a fixture blog with four workers (every answer the archive stored is in the WARC files).
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fixtureserver import FixtureServer
from warcio.archiveiterator import ArchiveIterator

from migrator import CrawlSettings, crawl
from migrator.fetch import HttpTransport
from migrator.fetch.recording import RecordingTransport
from migrator.warc import INDEX_FILE, WarcWriter
from migrator.warc.writer import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED

BLOG = "http://cuisine-de-mamie.over-blog.com"
INFO = {"software": "test"}
REQUEST = b"GET / HTTP/1.1\r\nHost: blog.example\r\nUser-Agent: t\r\n\r\n"


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def records(folder: Path) -> list[dict[str, object]]:
    """Every record of every WARC file of ``folder``, digests checked, in file order."""
    found = []
    for path in sorted(folder.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, check_digests="raise"):
                http = record.http_headers
                found.append({
                    "file": path.name, "type": record.rec_type,
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "headers": dict(record.rec_headers.headers),
                    "status": http.get_statuscode() if http and record.rec_type != "request"
                    else None,
                    "http": http,
                    "raw": record.raw_stream.read(),
                })
    return found


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def test_an_exchange_is_a_response_and_its_request(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, INFO, clock=Clock())
    writer.record(f"{BLOG}/", 200, REQUEST, head(Content_Type="text/html"), b"<html>hi</html>")
    writer.close()
    info, response, request = records(tmp_path)
    assert info["type"] == "warcinfo" and info["file"] == "migrator-20261207100001-00001.warc.gz"
    assert (response["type"], response["uri"], response["status"]) == ("response", f"{BLOG}/",
                                                                      "200")
    assert response["raw"] == b"<html>hi</html>"
    assert response["headers"]["WARC-Payload-Digest"].startswith("sha1:")
    assert response["headers"]["WARC-Block-Digest"].startswith("sha1:")
    assert request["type"] == "request" and request["uri"] == f"{BLOG}/"
    assert request["headers"]["WARC-Concurrent-To"] == response["id"]
    assert request["date"] == response["date"] == "2026-12-07T10:00:02.000000Z"
    assert request["http"].get_header("User-Agent") == "t"
    # every record is its own gzip member: the file is a concatenation of members
    data = (tmp_path / info["file"]).read_bytes()  # type: ignore[operator]
    assert data.count(b"\x1f\x8b\x08") >= 3


def test_revisits_for_304_and_for_a_payload_already_stored(tmp_path: Path) -> None:
    body = b"<html>same</html>"
    first = WarcWriter(tmp_path, INFO, clock=Clock())
    first.record(f"{BLOG}/a.html", 200, REQUEST, head(ETag='"1"'), body)
    first.close()
    later = Clock()
    later.now += timedelta(days=1)
    second = WarcWriter(tmp_path, INFO, clock=later)  # a later run: a new file
    second.record(f"{BLOG}/a.html", 304, REQUEST, head("304 Not Modified", ETag='"1"'), b"")
    second.record(f"{BLOG}/b.html", 200, REQUEST, head(), body)  # same bytes, another URL
    second.record(f"{BLOG}/c.html", 200, REQUEST, head(), b"")  # empty: never a revisit
    second.close()
    found = records(tmp_path)
    assert len({r["file"] for r in found}) == 2
    original = next(r for r in found if r["type"] == "response" and r["uri"] == f"{BLOG}/a.html")
    not_modified, identical = [r for r in found if r["type"] == "revisit"]
    for revisit in (not_modified, identical):
        assert revisit["headers"]["WARC-Refers-To-Target-URI"] == f"{BLOG}/a.html"
        assert revisit["headers"]["WARC-Refers-To-Date"] == original["date"]
        assert revisit["headers"]["WARC-Refers-To"] == original["id"]
        assert revisit["headers"]["WARC-Payload-Digest"] == \
            original["headers"]["WARC-Payload-Digest"]
        assert revisit["raw"] == b""  # headers only
    assert not_modified["headers"]["WARC-Profile"] == PROFILE_NOT_MODIFIED
    assert not_modified["status"] == "304"
    assert identical["headers"]["WARC-Profile"] == PROFILE_IDENTICAL
    assert identical["uri"] == f"{BLOG}/b.html" and identical["status"] == "200"
    assert any(r["type"] == "response" and r["uri"] == f"{BLOG}/c.html" for r in found)


def test_a_run_never_appends_and_files_rotate_by_size(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, INFO, max_file_bytes=3000, clock=Clock())
    for n in range(6):
        writer.record(f"{BLOG}/{n}.html", 200, REQUEST, head(), bytes(range(256)) * 4 + bytes([n]))
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3 and [f.name for f in files] == [f.name for f in writer.files]
    sizes = {f.name: f.stat().st_size for f in files}
    found = records(tmp_path)
    for name in sizes:  # each file starts with its warcinfo
        assert next(r for r in found if r["file"] == name)["type"] == "warcinfo"
    assert len([r for r in found if r["type"] == "response"]) == 6
    again = WarcWriter(tmp_path, INFO, clock=Clock())  # same second: another serial
    again.record(f"{BLOG}/7.html", 200, REQUEST, head(), b"seven")
    again.close()
    assert {f.name: f.stat().st_size for f in files} == sizes
    assert len(list(tmp_path.glob("*.warc.gz"))) == len(files) + 1


def test_a_cut_last_record_is_removed_by_the_next_run(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, INFO, clock=Clock())
    writer.record(f"{BLOG}/1.html", 200, REQUEST, head(), b"one")
    writer.record(f"{BLOG}/2.html", 200, REQUEST, head(), b"two" * 1000)
    writer.close()
    path = writer.files[0]
    whole = path.read_bytes()
    index = (tmp_path / INDEX_FILE).read_text().splitlines(keepends=True)
    # as after a kill: the second exchange half-written, its index lines never written
    path.write_bytes(whole[:-300])
    (tmp_path / INDEX_FILE).write_text("".join(index[:-2]) + index[-2][:10])
    repaired = WarcWriter(tmp_path, INFO, clock=Clock())
    assert repaired.repaired == [path]
    repaired.close()
    found = records(tmp_path)  # whole records only: warcio reads every one, digests pass
    # the response of /2.html was whole (kept, indexed again), its request record was cut
    assert [r["uri"] for r in found if r["type"] == "response"] == [f"{BLOG}/1.html",
                                                                   f"{BLOG}/2.html"]
    assert [r["uri"] for r in found if r["type"] == "request"] == [f"{BLOG}/1.html"]
    assert f"{BLOG}/2.html" in (tmp_path / INDEX_FILE).read_text()
    assert path.stat().st_size < len(whole) - 300 + 1


# -- the transport: exact bytes --------------------------------------------------------------


class _Gzipped(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = "<html><body>Crème brûlée</body></html>".encode()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        packed = gzip.compress(self.body, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        if self.path == "/chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(packed), 7):
                piece = packed[start:start + 7]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(packed)))
            self.end_headers()
            self.wfile.write(packed)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


@pytest.fixture
def gzip_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Gzipped)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path", ["/plain", "/chunked"])
def test_the_record_keeps_the_body_as_sent(gzip_server: str, tmp_path: Path, path: str) -> None:
    transport = RecordingTransport(HttpTransport(), WarcWriter(tmp_path, INFO))
    response = transport.send(gzip_server + path, {"User-Agent": "ua", "If-None-Match": '"x"'},
                              5)
    transport.close()
    assert response.content == _Gzipped.body  # decoded for the crawl
    assert response.headers["content-encoding"] == "gzip"
    found = records(tmp_path)
    record = next(r for r in found if r["type"] == "response")
    http = record["http"]
    assert http.get_header("Content-Encoding") == "gzip"  # type: ignore[union-attr]
    assert [v for k, v in http.headers if k == "Set-Cookie"] == ["a=1", "b=2"]  # type: ignore[union-attr]
    raw = record["raw"]
    if path == "/chunked":  # framed again as one chunk: still a valid HTTP message
        assert http.get_header("Transfer-Encoding") == "chunked"  # type: ignore[union-attr]
        size, _, rest = raw.partition(b"\r\n")  # type: ignore[union-attr]
        raw = rest[:int(size, 16)]
    assert gzip.decompress(raw) == _Gzipped.body  # type: ignore[arg-type]
    request = next(r for r in found if r["type"] == "request")["http"]
    assert request.protocol == "GET" and request.statusline.startswith(path)  # type: ignore[union-attr]
    assert request.get_header("User-Agent") == "ua"  # type: ignore[union-attr]
    assert request.get_header("If-None-Match") == '"x"'  # type: ignore[union-attr]
    assert request.get_header("Host") == gzip_server.removeprefix("http://")  # type: ignore[union-attr]
    assert request.get_header("Accept-Encoding") == "gzip, deflate"  # type: ignore[union-attr]


# -- a crawl with four workers ---------------------------------------------------------------


def archived_answers(archive_dir: Path) -> dict[str, tuple[int, bytes]]:
    with sqlite3.connect(archive_dir / "archive.sqlite") as db:
        rows = db.execute("SELECT url, status, content FROM responses WHERE url = final_url")
        return {url: (status, bytes(content)) for url, status, content in rows}


def test_a_crawl_with_four_workers_records_every_exchange(proxy_env: FixtureServer,
                                                         tmp_path: Path) -> None:
    settings = CrawlSettings(delay=0, concurrency=4, user_agent="warc-test/1")
    report = crawl(BLOG, tmp_path, settings)
    assert report.ok
    found = records(tmp_path / "warc")
    info = found[0]
    assert info["type"] == "warcinfo"
    fields = dict(line.split(": ", 1) for line in info["raw"].decode().splitlines() if line)  # type: ignore[union-attr]
    assert fields["http-header-user-agent"] == "warc-test/1"
    assert fields["robots"] == "obey" and fields["software"].startswith("overblog-migrator/")
    responses = {r["uri"]: r for r in found if r["type"] == "response"}
    requests_ = [r for r in found if r["type"] == "request"]
    # one record pair per request the server answered (pages, robots.txt, images)
    assert len(responses) == len(requests_) == sum(proxy_env.requests.values())
    assert {r["headers"]["WARC-Concurrent-To"] for r in requests_} == \
        {r["id"] for r in responses.values()}
    assert f"{BLOG}/robots.txt" in responses
    assert any(str(uri).startswith("http://image.over-blog.com/") for uri in responses)
    for url, (status, content) in archived_answers(tmp_path).items():
        record = responses[url]
        assert int(record["status"]) == status  # type: ignore[call-overload]
        assert record["raw"] == content, url
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        media = db.execute("SELECT url, file FROM media WHERE status = 'done'").fetchall()
    assert media
    for url, file in media:
        assert responses[url]["raw"] == (tmp_path / "media" / file).read_bytes()
    for record in requests_:
        assert record["http"].get_header("User-Agent") == "warc-test/1"  # type: ignore[union-attr]

    # a second run: conditional requests answered 304 become revisits of the first capture
    proxy_env.reset_counts()
    assert crawl(BLOG, tmp_path, settings).ok
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) == 2
    later = [r for r in records(tmp_path / "warc") if r["file"] == files[1].name]
    not_modified = [r for r in later if r["type"] == "revisit" and r["status"] == "304"]
    assert not_modified
    for revisit in not_modified:
        assert revisit["headers"]["WARC-Refers-To"] == responses[revisit["uri"]]["id"]
        request = next(r for r in later if r["type"] == "request"
                       and r["headers"]["WARC-Concurrent-To"] == revisit["id"])
        assert request["http"].get_header("If-None-Match")  # type: ignore[union-attr]
    assert proxy_env.statuses[("cuisine-de-mamie.over-blog.com", "/", 304)] == 1


def test_no_warc_option_and_saved_copies_write_none(proxy_env: FixtureServer, tmp_path: Path,
                                                    fixtures_dir: Path) -> None:
    assert crawl(BLOG, tmp_path / "off", CrawlSettings(delay=0, warc=False)).ok
    assert not (tmp_path / "off" / "warc").exists()
    saved = fixtures_dir / "sites" / "cuisine-de-mamie.over-blog.com"
    assert crawl(str(saved), tmp_path / "saved", CrawlSettings(delay=0)).ok
    assert not (tmp_path / "saved" / "warc").exists()


def test_index_lines_are_tab_separated_and_complete(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, INFO, clock=Clock())
    writer.record(f"{BLOG}/\ttab", 200, REQUEST, head(), b"x")
    writer.close()
    lines = (tmp_path / INDEX_FILE).read_text().splitlines()
    assert [len(line.split("\t")) for line in lines] == [9, 9, 9]
    assert json.dumps(lines)  # plain text
    data = writer.files[0].read_bytes()
    for line in lines:
        offset, length = map(int, line.split("\t")[7:9])
        member = gzip.GzipFile(fileobj=io.BytesIO(data[offset:offset + length])).read()
        assert member.startswith(b"WARC/1.1\r\n")
