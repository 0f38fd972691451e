"""The archivist's workflow (issue 14): crawl → WARC → WACZ → replay, and a kill on the way.

- a crawl killed with SIGKILL leaves WARC files that warcio reads whole (digests checked); the
  resumed run starts a new file and leaves the old ones as they were;
- ``export --to wacz`` writes a WACZ the ``wacz`` package's validator accepts, listing every
  post and page with its title;
- pywb (a real replay engine) indexes the WARC files and replays every article URL of the
  blog, in ``id_`` mode, with the bytes the crawl stored in the archive.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtureserver import MIGRATOR, FaultResponse, FixtureServer, migrator_env, run_migrator
from warcio.archiveiterator import ArchiveIterator

HOST = "www.jardin-des-mots.fr"
BLOG = f"http://{HOST}"
ARTICLE_PATH = re.compile(r"^/(\d{4}/\d{2}/|article-)")
COMMAND = ["migrate", BLOG, "--to", "json", "--delay", "0", "--concurrency", "4"]
BIN = Path(sys.executable).parent


def read_all(path: Path) -> int:
    """Records of a WARC file, every one read to its end with its digests checked."""
    count = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            record.content_stream().read()
            count += 1
    return count


def test_a_killed_crawl_leaves_valid_warc_files_and_resumes_in_a_new_one(
        proxy_env: FixtureServer, tmp_path: Path) -> None:
    process: list[subprocess.Popen[bytes]] = []
    seen = [0]

    def kill_at_the_sixth_article(host: str, path: str) -> FaultResponse | None:
        if ARTICLE_PATH.match(path):
            seen[0] += 1
            if seen[0] == 6:
                process[0].send_signal(signal.SIGKILL)
                return FaultResponse(0, delay=0.5)
        return None

    proxy_env.faults[re.compile(r"")] = kill_at_the_sixth_article
    # one worker: no parser process (those outlive a parent killed with SIGKILL)
    command = [MIGRATOR, *COMMAND[:-2], "--out", str(tmp_path)]
    process.append(subprocess.Popen(command, env=migrator_env(proxy_env.proxy_url),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    process[0].wait(timeout=120)
    proxy_env.faults.clear()
    assert process[0].returncode == -signal.SIGKILL
    warc_dir = tmp_path / ".archive" / "warc"
    killed = sorted(warc_dir.glob("*.warc.gz"))
    assert len(killed) == 1
    before = {path: path.read_bytes() for path in killed}
    assert read_all(killed[0]) > 3  # warcinfo, robots.txt, the home page…: all whole

    resumed = run_migrator(command[1:], proxy_env.proxy_url)
    assert resumed.returncode == 0, resumed.stderr
    files = sorted(warc_dir.glob("*.warc.gz"))
    assert len(files) == 2 and files[0] == killed[0]
    assert files[0].read_bytes() == before[killed[0]]  # never appended to
    for path in files:
        read_all(path)
    checked = subprocess.run([str(BIN / "warcio"), "check", *map(str, files)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture(scope="module")
def crawled(fixture_server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migration of the blog (images included), its WARC files in .archive/warc/."""
    out = tmp_path_factory.mktemp("crawled")
    fixture_server.faults.clear()
    result = run_migrator([*COMMAND, "--to", "wacz", "--out", str(out)],
                          fixture_server.proxy_url)
    assert result.returncode == 0, result.stderr
    return out


def stored_pages(out: Path) -> dict[str, bytes]:
    """Every 200 page and file the archive holds, as the crawl stored it."""
    with sqlite3.connect(out / ".archive" / "archive.sqlite") as db:
        rows = db.execute("SELECT url, content FROM responses WHERE status = 200 "
                          "AND url = final_url").fetchall()
    return {url: bytes(content) for url, content in rows}


def article_urls(out: Path) -> list[str]:
    blog = json.loads((out / "blog.json").read_text(encoding="utf-8"))
    return [article["url"] for article in blog["articles"]]


def test_the_wacz_is_valid_and_lists_every_post_and_page(crawled: Path) -> None:
    wacz = crawled / "archive.wacz"
    validate = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(wacz)],
                              capture_output=True, text=True, check=False, timeout=300)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "the passed WACZ is valid" in validate.stdout
    with zipfile.ZipFile(wacz) as archive:
        names = archive.namelist()
        assert sorted(n for n in names if n.startswith("archive/")) == sorted(
            f"archive/{p.name}" for p in (crawled / ".archive" / "warc").glob("*.warc.gz"))
        assert all(archive.getinfo(n).compress_type == zipfile.ZIP_STORED
                   for n in names if n.startswith("archive/"))
        pages = [json.loads(line) for line in
                 archive.read("pages/pages.jsonl").decode("utf-8").splitlines()]
        index = archive.read("indexes/index.cdxj").decode("utf-8").splitlines()
        package = json.loads(archive.read("datapackage.json"))
        digest = json.loads(archive.read("datapackage-digest.json"))
    assert pages[0]["format"] == "json-pages-1.0"
    blog = json.loads((crawled / "blog.json").read_text(encoding="utf-8"))
    assert [(p["url"], p["title"]) for p in pages[1:]] == [
        (a["url"], a["title"]) for a in blog["articles"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p["ts"]) for p in pages[1:])
    assert index == sorted(index) and len(index) > len(pages)
    assert {r["path"] for r in package["resources"]} == {
        n for n in names if not n.startswith("datapackage")}
    assert all(r["hash"].startswith("sha256:") for r in package["resources"])
    assert digest["path"] == "datapackage.json" and digest["hash"].startswith("sha256:")
    assert package["mainPageURL"] == blog["blog"]["url"]


def test_wacz_of_an_archive_without_warc_is_one_clear_error(crawled: Path,
                                                            tmp_path: Path) -> None:
    saved = Path(__file__).parent / "fixtures" / "sites" / "cuisine-de-mamie.over-blog.com"
    result = subprocess.run([MIGRATOR, "migrate", str(saved), "--to", "wacz", "--out",
                             str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "holds no WARC file" in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def pywb(crawled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """pywb's ``wayback`` on a free loopback port, its collection ``blog`` indexed from the
    WARC files by ``wb-manager`` (in its own process: pywb patches the standard library)."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    warcs = sorted((crawled / ".archive" / "warc").glob("*.warc.gz"))
    for args in (["init", "blog"], ["add", "blog", *map(str, warcs)]):
        done = subprocess.run([str(BIN / "wb-manager"), *args], cwd=tmp_path,
                              capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "collections" / "blog" / "indexes" / "index.cdxj").stat().st_size > 0
    port = free_port()
    server = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1",
                               "-d", str(tmp_path)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _attempt in range(300):  # until it listens (bounded: 30 s)
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/blog"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_pywb_replays_every_article_with_the_bytes_the_crawl_stored(crawled: Path,
                                                                     pywb: str) -> None:
    stored = stored_pages(crawled)
    urls = article_urls(crawled)
    assert len(urls) >= 10
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for url in [*urls, f"{BLOG}/"]:
        with opener.open(f"{pywb}/2100id_/{url}", timeout=60) as answer:
            assert answer.status == 200, url
            assert answer.read() == stored[url], url
    robots = Path(__file__).parent / "fixtures" / "sites" / HOST / "robots.txt"
    with opener.open(f"{pywb}/2100id_/{BLOG}/robots.txt", timeout=60) as answer:
        assert answer.read() == robots.read_bytes()  # fetched by the politeness layer too
