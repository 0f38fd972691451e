"""Under real politeness every host is busy and no request is wasted (issue 13).

Each test runs the real ``migrator`` command through its own fixture server and reads what the
hosts saw (``request_log``: when each request arrived; ``answer_log``: when each answer left,
with its status and Retry-After). No wall-clock threshold: times are compared with each other
and with the delay (speed is measured in ``bench/bench_politeness.py``).
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import mediablog
import pytest
from fixtureserver import (
    MIGRATOR,
    SITES_DIR,
    FaultResponse,
    FixtureServer,
    migrator_env,
    output_snapshot,
    run_migrator,
)
from lxml import etree

DELAY = 0.15
HOST = mediablog.HOST
IMAGES = mediablog.IMAGE_HOST
KIWI = mediablog.KIWI_HOST
WP = "{http://wordpress.org/export/1.2/}"


@pytest.fixture
def media_blog(tmp_path: Path) -> Iterator[tuple[FixtureServer, mediablog.Blog]]:
    """The generated blog (12 posts of 2 images, and the thumbnail-only cases) on its own
    server: the fixture blog's other hosts behind it."""
    blog = mediablog.build(tmp_path / "sites", posts=12, images=2)
    server = FixtureServer(port=0, sites_dirs=[tmp_path / "sites", SITES_DIR]).start()
    yield server, blog
    server.stop()


def migrate(server: FixtureServer, out: Path, *options: str) -> None:
    result = run_migrator(["migrate", f"http://{HOST}", "--to", "json", "--to", "wxr",
                           "--to", "markdown", "--out", str(out), *options], server.proxy_url)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_images_are_downloaded_beside_the_pages_and_the_busiest_host_never_idles(
        media_blog: tuple[FixtureServer, mediablog.Blog], tmp_path: Path) -> None:
    server, _blog = media_blog
    migrate(server, tmp_path / "out", "--delay", str(DELAY), "--concurrency", "4")
    log = sorted(server.request_log)
    per_host = Counter(host for _t, host, _path in log)
    busiest = max(per_host, key=lambda host: per_host[host])
    assert busiest == IMAGES and per_host[IMAGES] > per_host[HOST]
    pages = [t for t, host, _path in log if host == HOST]
    images = [t for t, host, _path in log if host == IMAGES]
    # images come during the crawl, not after it: most of them before the last page
    assert images[0] < pages[-1]
    assert sum(t < pages[-1] for t in images) > len(images) / 2
    # once it had work, the busiest host was asked at each of its slots: never closer than
    # its delay (politeness), and hardly later (the time it stood idle, summed, is within
    # three delays over its whole run)
    gaps = [later - earlier for earlier, later in zip(images, images[1:], strict=False)]
    assert min(gaps) >= 0.8 * DELAY
    idle = sum(max(0.0, gap - DELAY) for gap in gaps)
    assert idle <= 3 * DELAY, f"{idle / DELAY:.1f} delays idle; gaps {sorted(gaps)[-5:]}"
    # the blog's own host too, while pages were left
    page_gaps = [later - earlier for earlier, later in zip(pages, pages[1:], strict=False)]
    assert min(page_gaps) >= 0.8 * DELAY


def test_one_file_one_download_and_every_reference_points_at_it(
        media_blog: tuple[FixtureServer, mediablog.Blog], tmp_path: Path) -> None:
    server, blog = media_blog
    out = tmp_path / "out"
    migrate(server, out, "--delay", "0", "--concurrency", "4")
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["ok"] and report["failures"] == []

    asked = Counter(f"http://{host}{path}" for _t, host, path in server.request_log
                    if host in (IMAGES, KIWI) and path != "/robots.txt")
    assert all(count == 1 for count in asked.values()), asked.most_common(3)
    full = set(blog.full.values())
    thumbnails = {url for urls in blog.thumbnails.values() for url in urls}
    for url in (u for u in asked if mediablog.DAY in u):  # the generated files
        # a full file, a thumbnail of a file shown nowhere in full, or a kiwi path; never a
        # size cut out of a signed thumbnail URL
        assert url in full or url in thumbnails or url.startswith(f"http://{KIWI}/"), url
    generated = [url for url in asked if "banc-" in url]
    assert sorted(generated) == sorted(u for name, u in blog.full.items() if "banc-" in name)
    cover_thumb = "ob_c0c0a2_couverture-vignette.jpg"
    assert [u for u in asked if u in thumbnails] == blog.thumbnails[cover_thumb]
    assert asked[blog.kiwi["ob_c0c0a1_couverture-kiwi.jpg"]] == 1

    articles = {a["url"].removeprefix(f"http://{HOST}"): a
                for a in json.loads((out / "blog.json").read_text("utf-8"))["articles"]}
    for path in blog.posts[:12]:
        article = articles[path]
        first = article["images"][0]
        # the cover, a 600x400 thumbnail on the page, is the body's first file, in full
        assert article["cover_image"] == first["url"] == blog.full[first["url"].split("%2F")[-1]]
        assert first["local_path"] == f"media/{first['url'].split('%2F')[-1]}"
    assert articles["/2024/06/cover-kiwi.html"]["cover_image"] == blog.kiwi[
        "ob_c0c0a1_couverture-kiwi.jpg"]
    assert articles["/2024/06/cover-thumb.html"]["cover_image"] == blog.thumbnails[cover_thumb][0]
    elsewhere = articles["/2024/06/full-elsewhere.html"]["images"][0]["url"]
    assert articles["/2024/06/cover-elsewhere.html"]["cover_image"] == elsewhere
    stored = sorted(p.name for p in (out / "media").iterdir())
    assert len(stored) == len(set(blog.full) | set(blog.kiwi) | {cover_thumb}) + 54

    # WordPress: one attachment URL per file, and the featured image is the body's one (a
    # cover shown only in another post's body is declared again for its post, as before)
    tree = etree.parse(str(out / "wordpress.xml"))
    attachments = {item.findtext(f"{WP}post_id"): item.findtext(f"{WP}attachment_url")
                   for item in tree.iter("item")
                   if item.findtext(f"{WP}post_type") == "attachment"}
    assert len(set(attachments.values())) == len(stored)
    for item in tree.iter("item"):
        link = item.findtext("link") or ""
        if "banc-d-essai" in link:
            meta = {m.findtext(f"{WP}meta_key"): m.findtext(f"{WP}meta_value")
                    for m in item.iter(f"{WP}postmeta")}
            path = link.removeprefix(f"http://{HOST}")
            assert attachments[meta["_thumbnail_id"]] == articles[path]["images"][0]["url"]


def test_a_crawl_under_faults_names_and_stores_the_files_alike(
        media_blog: tuple[FixtureServer, mediablog.Blog], tmp_path: Path) -> None:
    server, _blog = media_blog
    migrate(server, tmp_path / "clean", "--delay", "0", "--concurrency", "4")
    chaos = server.chaos(seed=11, rate_429=0.10, rate_5xx=0.05, rate_reset=0.02,
                         retry_after=("0",))
    migrate(server, tmp_path / "faulty", "--delay", "0", "--concurrency", "3",
            "--backoff", "0.05")
    assert chaos.hits["429"] > 0 and chaos.hits["5xx"] > 0
    assert output_snapshot(tmp_path / "faulty") == output_snapshot(tmp_path / "clean")
    files = {side: {p.name: p.read_bytes() for p in (tmp_path / side / "media").iterdir()}
             for side in ("clean", "faulty")}
    assert files["faulty"] == files["clean"]


def test_no_url_is_asked_twice_at_once_nor_before_its_retry_after(
        proxy_env: FixtureServer, tmp_path: Path) -> None:
    chaos = proxy_env.chaos(seed=5, rate_429=0.10, retry_after=("1",))
    result = run_migrator(["migrate", "http://cuisine-de-mamie.over-blog.com", "--to", "json",
                           "--out", str(tmp_path), "--delay", "0", "--concurrency", "4"],
                          proxy_env.proxy_url)
    assert result.returncode == 0, result.stderr
    assert chaos.hits["429"] >= 5
    events = sorted([(t, "asked", host, path, 0, None)
                     for t, host, path in proxy_env.request_log]
                    + [(t, "answered", host, path, status, retry_after)
                       for t, host, path, status, retry_after in proxy_env.answer_log])
    in_flight: Counter[tuple[str, str]] = Counter()
    not_before: dict[tuple[str, str], float] = {}
    checked = 0
    for at, what, host, path, status, retry_after in events:
        url = (host, path)
        if what == "asked":
            assert in_flight[url] == 0, f"http://{host}{path} asked while being answered"
            if url in not_before:
                assert at >= not_before.pop(url), f"http://{host}{path} asked before its " \
                                                  "Retry-After"
                checked += 1
            in_flight[url] += 1
        else:
            in_flight[url] -= 1
            if status == 429 and retry_after is not None:
                not_before[url] = at + float(retry_after)
    assert checked == chaos.hits["429"]  # every 429'd URL was asked again, late enough


def test_a_crawl_killed_while_downloading_images_resumes_them(
        media_blog: tuple[FixtureServer, mediablog.Blog], tmp_path: Path) -> None:
    """kill -9 in the middle of the downloads: the files met so far are pending in the
    archive, and the next run downloads them (none twice but those cut by the kill)."""
    server, _blog = media_blog
    reference, out = tmp_path / "reference", tmp_path / "out"
    migrate(server, reference, "--delay", "0", "--concurrency", "2")
    server.reset_counts()
    process: list[subprocess.Popen[str]] = []
    stopped_at: list[str] = []
    images_asked = [0]

    def kill_at_the_tenth_image(host: str, path: str) -> FaultResponse | None:
        if host != IMAGES or path == "/robots.txt":
            return None
        images_asked[0] += 1
        if images_asked[0] == 10:
            stopped_at.append(path)
            process[0].send_signal(signal.SIGKILL)
            return FaultResponse(0, delay=0.5)  # the child is gone by then
        return None

    server.faults[re.compile(r"")] = kill_at_the_tenth_image
    command = ["migrate", f"http://{HOST}", "--to", "json", "--to", "wxr", "--to", "markdown",
               "--out", str(out), "--delay", "0", "--concurrency", "2"]
    process.append(subprocess.Popen([MIGRATOR, *command], env=migrator_env(server.proxy_url),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    process[0].communicate(timeout=120)
    server.faults.clear()
    assert process[0].returncode == -signal.SIGKILL and stopped_at
    with sqlite3.connect(out / ".archive" / "archive.sqlite") as db:
        states = dict(db.execute("SELECT status, COUNT(*) FROM media_files GROUP BY status"))
    assert states.get("pending", 0) > 0 and states.get("done", 0) > 0

    migrate(server, out, "--delay", "0", "--concurrency", "2")
    assert output_snapshot(out) == output_snapshot(reference)
    files = {side: {p.name: p.read_bytes() for p in (side / "media").iterdir()}
             for side in (reference, out)}
    assert files[out] == files[reference]
    twice = {path for (host, path), count in server.requests.items()
             if host == IMAGES and count > 1}
    # asked again: only what was in flight when the kill came (one request per worker)
    assert len(twice - {"/robots.txt"}) <= 2
