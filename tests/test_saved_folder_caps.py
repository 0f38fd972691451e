"""A saved folder has the same size cap as HTTP: no file makes memory grow beyond a bound.

Found by a user: a 50 MB page in a saved folder took 340 s and 4.3 GB of memory (over HTTP the
same page is refused by the 20 MB cap; saved folders had none). Peak memory is measured on the
real command (``ru_maxrss`` of that process alone); time is measured in ``bench/``, not here.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from fixtureserver import MIGRATOR
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from migrator.errors import FetchError
from migrator.fetch import MirrorTransport
from migrator.fetch.warcsource import WarcTransport
from migrator.fetch.wire import UndecodableBody, decode_body
from migrator.settings import MAX_BODY_BYTES
from migrator.warc import WarcRecords

SITE = Path(__file__).parent / "fixtures" / "sites" / "vieux-grimoire.over-blog.fr"
PAGE = "article-le-loup-de-noel-41258963.html"
PEAK_BOUND_MB = 150  # a clean migration of this blog peaks at about 55 MB


def swell(page: Path, size: int) -> None:
    """Make ``page`` a valid article page of ``size`` bytes (its body repeated)."""
    head, _, tail = page.read_bytes().partition(b"</body>")
    paragraph = "<p>Il était une fois un loup qui aimait Noël.</p>\n".encode() * 40
    with open(page, "wb") as stream:
        stream.write(head)
        while stream.tell() < size:
            stream.write(paragraph)
        stream.write(b"</body>" + tail)


# Linux keeps a process's peak memory across exec, and a child forked from pytest starts with
# pytest's (over 100 MB in the full suite): a small launcher starts the command and reports
# the peak of that grandchild alone, which starts from the launcher's few megabytes.
LAUNCHER = """
import json, os, subprocess, sys
with open(sys.argv[1], "w") as log:
    child = subprocess.Popen(sys.argv[2:], stdout=log, stderr=log)
    _pid, status, usage = os.wait4(child.pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))
"""


def migrate_peak_mb(folder: Path, out: Path) -> tuple[int, float]:
    """Exit status and peak resident memory (MB) of ``migrator migrate folder``."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(out.with_suffix(".log")), MIGRATOR, "migrate",
         str(folder), "--to", "json", "--out", str(out), "--no-images"],
        env=env, capture_output=True, text=True, timeout=600, check=True)
    status, peak_kb = json.loads(launched.stdout)
    return status, peak_kb / 1024  # kilobytes on Linux


def test_a_50_mb_page_is_refused_with_little_memory(tmp_path: Path) -> None:
    site = tmp_path / "saved" / SITE.name
    shutil.copytree(SITE, site)
    swell(site / PAGE, 50 * 1024 * 1024)
    status, peak = migrate_peak_mb(site, tmp_path / "out")
    assert status == 1, (tmp_path / "out.log").read_text()
    assert peak < PEAK_BOUND_MB
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["failures"] == [{"url": f"http://{SITE.name}/{PAGE}",
                                   "reason": "response too large (over 20 MB)"}]
    assert report["posts"] == 11  # every other article is there


def test_the_cap_is_the_http_cap_and_is_checked_while_reading(tmp_path: Path) -> None:
    host = tmp_path / "myblog.over-blog.com"
    host.mkdir()
    (host / "index.html").write_bytes(b"<html>home</html>")
    (host / "big.html").write_bytes(b"x" * 1001)
    (host / "fits.html").write_bytes(b"x" * 1000)
    transport = MirrorTransport(tmp_path, max_body_bytes=1000)
    assert transport.send("http://myblog.over-blog.com/fits.html", {}, 5).content == b"x" * 1000
    with pytest.raises(FetchError, match=r"response too large \(over 1000 bytes\)"):
        transport.send("http://myblog.over-blog.com/big.html", {}, 5)
    assert MirrorTransport(tmp_path).max_body_bytes == MAX_BODY_BYTES == 20 * 1024 * 1024


def test_a_50_mb_page_saved_by_a_browser_is_refused_with_little_memory(tmp_path: Path) -> None:
    """The same cap for pages "saved as" by a browser (no host folder: fetch/saved.py)."""
    folder = tmp_path / "Téléchargements"
    folder.mkdir()
    for path in SITE.glob("article-*.html"):
        url = f"http://{SITE.name}/{path.name}"
        marker = f"<!-- saved from url=({len(url):04d}){url} -->\n".encode()
        (folder / path.name).write_bytes(marker + path.read_bytes())
    swell(folder / PAGE, 50 * 1024 * 1024)
    status, peak = migrate_peak_mb(folder, tmp_path / "out")
    assert status == 1, (tmp_path / "out.log").read_text()
    assert peak < PEAK_BOUND_MB
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    too_large = [f for f in report["failures"] if f["reason"].startswith("response too large")]
    assert too_large == [{"url": f"http://{SITE.name}/{PAGE}",
                          "reason": "response too large (over 20 MB)"}]


def warc_with(tmp_path: Path, url: str, body: bytes, **headers: str) -> Path:
    path = tmp_path / "pages.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        http_headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"),
                                                   *headers.items()], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http_headers))
    return path


def test_a_warc_record_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    url = "http://myblog.over-blog.com/big.html"
    records = WarcRecords([warc_with(tmp_path, url, b"x" * 1001)])
    assert records.response(url, limit=1001).content == b"x" * 1001
    with pytest.raises(FetchError, match=r"response too large \(over 1000 bytes\)"):
        records.response(url, limit=1000)
    with pytest.raises(FetchError, match=r"response too large \(over 1000 bytes\)"):
        WarcTransport(records, max_body_bytes=1000).send(url, {}, 5)


def test_a_compressed_body_is_capped_once_decoded(tmp_path: Path) -> None:
    """A few kilobytes of gzip can hold gigabytes: the cap applies to what it decodes to."""
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(UndecodableBody, match=r"response too large \(over 20 MB\)"):
        decode_body(bomb, "gzip")
    with pytest.raises(UndecodableBody, match=r"response too large \(over 20 MB\)"):
        decode_body(zlib.compress(b"\0" * (30 * 1024 * 1024)), "deflate")
    assert decode_body(gzip.compress(b"page") + gzip.compress(b" two"), "gzip") == b"page two"
    assert decode_body(zlib.compress(b"page"), "deflate", limit=4) == b"page"
    # in a WARC record too (warcio decodes the Content-Encoding it names)
    url = "http://myblog.over-blog.com/bomb.html"
    records = WarcRecords([warc_with(tmp_path, url, bomb, **{"Content-Encoding": "gzip"})])
    with pytest.raises(FetchError, match=r"response too large \(over 20 MB\)"):
        records.response(url)
