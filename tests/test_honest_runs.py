"""Honest, locked runs (issue 12): never "ok" when something is missing, one writer per folder.

Every test runs the real ``migrator`` command through the fixture proxy. A crawl is held in
the middle by the fixture server itself (``Hold``: the answer to the N-th article request waits
until the test releases it), so what runs beside it (a second writer, an export, a signal)
always meets a crawl that is really writing, at a known point.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtureserver import MIGRATOR, FaultResponse, FixtureServer, migrator_env, run_migrator

HOST = "cuisine-de-mamie.over-blog.com"
BLOG = f"http://{HOST}"
ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/")
IMAGE_HOSTS = ("image.over-blog.com", "img.over-blog-kiwi.com", "idata.over-blog.com")
FAST = ["--delay", "0", "--backoff", "0"]


class Hold:
    """A fault that holds the answer to one request (the ``at``-th article, or the first
    image) until ``release`` is set; ``reached`` says the crawl is there."""

    def __init__(self, at: int = 4, images: bool = False) -> None:
        self.at = at
        self.images = images
        self.seen = 0
        self.reached = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, host: str, path: str) -> FaultResponse | None:
        wanted = host in IMAGE_HOSTS if self.images else host == HOST and bool(
            ARTICLE_PATH.match(path))
        if not wanted:
            return None
        with self._lock:
            self.seen += 1
            hold = self.seen == self.at
        if hold:
            self.reached.set()
            self.release.wait(60)
        return None


@pytest.fixture
def held(proxy_env: FixtureServer) -> Iterator[Hold]:
    hold = Hold()
    proxy_env.faults[re.compile(r"")] = hold
    yield hold
    hold.release.set()


def start(server: FixtureServer, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([MIGRATOR, *args], env=migrator_env(server.proxy_url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(hold: Hold, process: subprocess.Popen[str]) -> None:
    if not hold.reached.wait(60):
        process.kill()
        raise AssertionError("the crawl never reached the held request: "
                             + process.communicate()[1])


def archive_rows(folder: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(f"file:{folder / 'archive.sqlite'}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def until(condition: object, what: str) -> None:
    """Poll ``condition()`` (a crawl's thread writes it) for up to 30 s."""
    deadline = time.monotonic() + 30
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.05)


def report_of(out: Path) -> dict[str, object]:
    return json.loads((out / "report.json").read_text("utf-8"))


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error: ")]


# -- one writer per folder ---------------------------------------------------------------------


def test_a_second_crawl_of_the_same_archive_stops_at_once_naming_the_first(
    held: Hold, proxy_env: FixtureServer, tmp_path: Path
) -> None:
    first = start(proxy_env, "crawl", BLOG, "--archive", str(tmp_path), *FAST, "--no-images")
    wait_for(held, first)
    second = run_migrator(["crawl", BLOG, "--archive", str(tmp_path), *FAST, "--no-images"],
                          proxy_env.proxy_url, timeout=20)
    assert second.returncode == 2
    [line] = error_lines(second.stderr)
    assert line.startswith(f"Error: another migrator is writing the archive in {tmp_path} "
                           f"(pid {first.pid} on ")
    assert "started" in line and line.endswith(" UTC)")
    assert "Traceback" not in second.stderr
    held.release.set()
    _out, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr  # the first one never noticed


def test_two_migrations_into_one_folder_the_second_stops(
    held: Hold, proxy_env: FixtureServer, tmp_path: Path
) -> None:
    command = ["migrate", BLOG, "--to", "json", "--out", str(tmp_path), *FAST, "--no-images"]
    first = start(proxy_env, *command)
    wait_for(held, first)
    second = run_migrator(command, proxy_env.proxy_url, timeout=20)
    assert second.returncode == 2
    [line] = error_lines(second.stderr)
    assert f"another migrator is writing the folder {tmp_path} (pid {first.pid} on " in line
    held.release.set()
    _out, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert report_of(tmp_path)["ok"] is True


def test_a_killed_holder_does_not_block_the_next_run(
    held: Hold, proxy_env: FixtureServer, tmp_path: Path
) -> None:
    first = start(proxy_env, "crawl", BLOG, "--archive", str(tmp_path), *FAST, "--no-images")
    wait_for(held, first)
    first.kill()  # kill -9: no chance to release anything
    first.communicate(timeout=30)
    assert (tmp_path / ".migrator.lock").is_file()  # the file stays; the lock went with it
    held.release.set()
    again = run_migrator(["crawl", BLOG, "--archive", str(tmp_path), *FAST, "--no-images"],
                         proxy_env.proxy_url)
    assert again.returncode == 0, again.stderr
    assert archive_rows(tmp_path, "SELECT value FROM state WHERE key = 'crawl_status'") == [
        ("complete",)]


# -- exports that say what the archive lacks -----------------------------------------------------


def test_an_export_while_the_crawl_writes_says_so(
    held: Hold, proxy_env: FixtureServer, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    crawl = start(proxy_env, "crawl", BLOG, "--archive", str(archive), *FAST, "--no-images")
    wait_for(held, crawl)
    until(lambda: archive_rows(archive, "SELECT COUNT(*) FROM articles")[0][0] >= 2,
          "two articles stored")
    out = tmp_path / "out"
    export = run_migrator(["export", "--archive", str(archive), "--to", "json", "--out",
                           str(out)], proxy_env.proxy_url, timeout=60)
    held.release.set()
    assert export.returncode == 1, export.stderr
    assert f"The crawl is still running (pid {crawl.pid} on " in export.stderr
    report = report_of(out)
    assert report["ok"] is False and report["crawl_running"] is True
    assert report["failures"] == [{
        "url": f"{BLOG}/",
        "reason": "the crawl is still running: this export holds what was fetched so far"}]
    # what was fetched so far, in one consistent snapshot: every article of the plan written
    blog = json.loads((out / "blog.json").read_text("utf-8"))
    assert len(blog["articles"]) == report["articles"] >= 2
    _out, stderr = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, stderr


def test_an_export_after_ctrl_c_says_the_crawl_did_not_finish(
    held: Hold, proxy_env: FixtureServer, tmp_path: Path
) -> None:
    """Found by a user: Ctrl-C, then export: exit 0, "ok": true, "54 images"."""
    archive = tmp_path / "archive"
    crawl = start(proxy_env, "crawl", BLOG, "--archive", str(archive), *FAST)
    wait_for(held, crawl)
    until(lambda: archive_rows(archive, "SELECT COUNT(*) FROM articles")[0][0] >= 2,
          "two articles stored")
    crawl.send_signal(signal.SIGINT)
    _out, stderr = crawl.communicate(timeout=60)
    held.release.set()
    assert crawl.returncode == 130, stderr
    queued = archive_rows(archive, "SELECT COUNT(*) FROM urls WHERE state = 'todo'")[0][0]
    assert queued > 0

    out = tmp_path / "out"
    export = run_migrator(["export", "--archive", str(archive), "--to", "json", "--to",
                           "markdown", "--out", str(out)], proxy_env.proxy_url)
    assert export.returncode == 1, export.stderr
    assert (f"The crawl did not finish ({queued} URLs still queued): this export holds what "
            "was fetched so far") in export.stderr
    report = report_of(out)
    assert report["ok"] is False and report["crawl_finished"] is False
    assert report["urls_queued"] == queued
    reasons = [f["reason"] for f in report["failures"]]
    assert reasons[0] == f"crawl not finished: {queued} URLs still queued"
    # media are downloaded during the crawl: the images it did not get to are missing, each
    # named; an output points at a file only when the file is there
    blog = json.loads((out / "blog.json").read_text("utf-8"))
    images = [i for a in blog["articles"] for i in a["images"]]
    missing = {f["url"] for f in report["failures"]
               if f["reason"].startswith("media missing from the archive: never downloaded")}
    assert images and missing and report["media_missing"] == len(missing)
    assert all(i["local_path"] is None if i["url"] in missing
               else (out / i["local_path"]).is_file() for i in images)
    count = report["media_missing"]
    what = "1 image or file is" if count == 1 else f"{count} images and files are"
    assert f"{what} missing from the archive" in export.stderr
    assert len(reasons) == 1 + len(missing)

    # the same command again finishes the crawl; then the export is whole and honest
    resumed = run_migrator(["crawl", BLOG, "--archive", str(archive), *FAST],
                           proxy_env.proxy_url)
    assert resumed.returncode == 0, resumed.stderr
    again = run_migrator(["export", "--archive", str(archive), "--to", "json", "--out",
                          str(out)], proxy_env.proxy_url)
    assert again.returncode == 0, again.stderr
    assert report_of(out)["failures"] == [] and report_of(out)["crawl_finished"] is True


def test_an_export_after_the_media_stage_was_stopped(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    hold = Hold(at=3, images=True)
    proxy_env.faults[re.compile(r"")] = hold
    archive = tmp_path / "archive"
    # media are downloaded during the crawl: with two workers the pages go on while the
    # image host is held (one request at a time per host)
    crawl = start(proxy_env, "crawl", BLOG, "--archive", str(archive), *FAST,
                  "--concurrency", "2")
    try:
        wait_for(hold, crawl)
        # the answers before the held one may still be on their way to the media folder
        until(lambda: any(not name.startswith(".") for name in os.listdir(archive / "media")),
              "an image stored")
        until(lambda: archive_rows(archive, "SELECT COUNT(*) FROM urls WHERE state = 'todo'"
                                   )[0][0] == 0, "every page in")
        crawl.send_signal(signal.SIGINT)
        crawl.communicate(timeout=60)
    finally:
        hold.release.set()
    assert crawl.returncode == 130
    stored = {name for name in os.listdir(archive / "media") if not name.startswith(".")}
    assert stored  # some, not all: the held one and those behind it are missing (below)

    out = tmp_path / "out"
    export = run_migrator(["export", "--archive", str(archive), "--to", "json", "--out",
                           str(out)], proxy_env.proxy_url)
    assert export.returncode == 1, export.stderr
    report = report_of(out)
    assert report["crawl_finished"] is True  # the pages were all there
    blog = json.loads((out / "blog.json").read_text("utf-8"))
    local = {i["local_path"] for a in blog["articles"] for i in a["images"]} - {None}
    assert local == {f"media/{name}" for name in stored}
    assert sorted(os.listdir(out / "media")) == sorted(stored)
    assert report["media_missing"] > 0 and len(report["failures"]) == report["media_missing"]


def test_media_deleted_or_changed_in_the_archive_keep_their_url(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    """Found by a user: a media file deleted from the archive, its local_path still set."""
    out = tmp_path / "site"
    done = run_migrator(["migrate", BLOG, "--to", "json", "--to", "markdown", "--out",
                         str(out), *FAST], proxy_env.proxy_url)
    assert done.returncode == 0, done.stderr
    media = out / ".archive" / "media"
    gone, changed, *_ = sorted(media.iterdir())
    gone.unlink()
    changed.write_bytes(b"not the image any more")

    again = tmp_path / "again"
    export = run_migrator(["export", "--archive", str(out / ".archive"), "--to", "json",
                           "--to", "markdown", "--out", str(again)], proxy_env.proxy_url)
    assert export.returncode == 1, export.stderr
    report = report_of(again)
    assert report["media_missing"] == 2
    reasons = sorted(f["reason"] for f in report["failures"])
    assert reasons == sorted([
        f"media missing from the archive: its file {changed.name} changed since it was "
        "downloaded (another SHA-256)",
        f"media missing from the archive: its file {gone.name} is gone from {media}",
    ])
    blog = (again / "blog.json").read_text("utf-8")
    for name in (gone.name, changed.name):
        assert f"media/{name}" not in blog
        assert not (again / "media" / name).exists()
        assert not list((again / "markdown").rglob(name))
    for article in json.loads(blog)["articles"]:
        for image in article["images"]:
            if image["local_path"]:
                assert (again / image["local_path"]).is_file()


# -- binding -----------------------------------------------------------------------------------


def test_a_run_on_a_wrong_address_does_not_bind_the_folder(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    """Found by a user: after a wrong address, "the archive holds another blog"."""
    wrong = run_migrator(["migrate", "http://127.0.0.1:1/", "--to", "json", "--out",
                          str(tmp_path), "--retries", "0", *FAST], proxy_env.proxy_url)
    assert wrong.returncode == 2
    right = run_migrator(["migrate", BLOG, "--to", "json", "--out", str(tmp_path), *FAST,
                          "--no-images"], proxy_env.proxy_url)
    assert right.returncode == 0, right.stderr
    other = run_migrator(["migrate", "http://vieux-grimoire.over-blog.fr", "--to", "json",
                          "--out", str(tmp_path), *FAST], proxy_env.proxy_url)
    assert other.returncode == 2
    assert error_lines(other.stderr) == [
        f"Error: the archive holds another blog ({BLOG}/); use another output folder for "
        "this one"]
    # the refused run changed nothing in the archive: its export is still whole
    export = run_migrator(["export", "--archive", str(tmp_path / ".archive"), "--to", "json",
                           "--out", str(tmp_path / "again")], proxy_env.proxy_url)
    assert export.returncode == 0, export.stderr
    assert report_of(tmp_path / "again")["failures"] == []
