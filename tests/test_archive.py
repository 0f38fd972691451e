"""The SQLite archive: round trips, resume after reopen, ordering, errors, threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from migrator.archive import ARCHIVE_FILE, SCHEMA_VERSION, Archive
from migrator.errors import ArchiveError
from migrator.fetch import Response
from migrator.model import Article, Blog, Comment, Image

BLOG = "http://myblog.over-blog.com"


def article(slug: str, published: str | None) -> Article:
    return Article(
        url=f"{BLOG}/{slug}.html",
        title=slug.title(),
        body_html=f"<p>{slug}</p>",
        slug=slug,
        published=published,
    )


def test_response_round_trip_and_upsert(tmp_path: Path) -> None:
    body = "<p>été</p>".encode("iso-8859-1") + b"\x00\xff"
    response = Response(
        f"{BLOG}/a",
        f"{BLOG}/b",
        200,
        {"content-type": "text/html; charset=iso-8859-1", "etag": '"x"'},
        body,
        "2026-11-27T06:00:00+00:00",
    )
    with Archive(tmp_path) as archive:
        assert archive.get_response(f"{BLOG}/a") is None
        assert not archive.has_response(f"{BLOG}/a")
        archive.put_response(response)
        got = archive.get_response(f"{BLOG}/a")
        assert got == response
        assert got is not None and got.text.startswith("<p>été</p>")
        archive.put_response(
            Response(f"{BLOG}/a", f"{BLOG}/a", 304, {}, b"", "2026-11-28T00:00:00+00:00")
        )
        again = archive.get_response(f"{BLOG}/a")
        assert again is not None and (again.status, again.content, again.headers) == (304, b"", {})
        assert archive.has_response(f"{BLOG}/a")


def test_queue_survives_reopen(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    assert archive.enqueue(f"{BLOG}/", "listing", "start")
    assert archive.enqueue(f"{BLOG}/2020/01/a.html", "post", f"{BLOG}/")
    assert archive.enqueue(f"{BLOG}/page/2", "listing", f"{BLOG}/")
    assert archive.enqueue(f"{BLOG}/2020/01/b.html", "post", f"{BLOG}/")
    assert not archive.enqueue(f"{BLOG}/2020/01/a.html", "post", "again")  # already known
    archive.mark(f"{BLOG}/", "done")
    archive.mark(f"{BLOG}/2020/01/a.html", "failed", "HTTP 500 after 5 attempts")
    archive.close()  # as after a kill: every write is already committed

    with Archive(tmp_path) as reopened:
        assert reopened.next_todo() == [
            (f"{BLOG}/page/2", "listing"),
            (f"{BLOG}/2020/01/b.html", "post"),
        ]
        assert reopened.next_todo(("post",)) == [(f"{BLOG}/2020/01/b.html", "post")]
        assert reopened.next_todo(limit=1) == [(f"{BLOG}/page/2", "listing")]
        assert reopened.url_counts() == {"todo": 2, "done": 1, "failed": 1, "skipped": 0, "gone": 0}
        assert reopened.failures() == [(f"{BLOG}/2020/01/a.html", "HTTP 500 after 5 attempts")]
        assert reopened.url_state(f"{BLOG}/") == "done"
        reopened.reset_kinds(("listing",))
        assert reopened.next_todo(("listing",)) == [
            (f"{BLOG}/", "listing"),
            (f"{BLOG}/page/2", "listing"),
        ]
        assert reopened.url_state(f"{BLOG}/2020/01/a.html") == "failed"  # posts untouched
        with pytest.raises(ArchiveError, match="unknown URL state"):
            reopened.mark(f"{BLOG}/", "finished")


def test_commits_are_visible_without_close(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.enqueue(f"{BLOG}/", "listing")
    archive.set_state("phase", "articles")
    # A second connection (as a new process after kill -9) already sees the writes.
    other = sqlite3.connect(tmp_path / ARCHIVE_FILE)
    assert other.execute("SELECT url, state FROM urls").fetchall() == [(f"{BLOG}/", "todo")]
    assert other.execute("SELECT value FROM state WHERE key='phase'").fetchone() == ("articles",)
    assert other.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    other.close()
    archive.close()


def test_article_round_trip_and_order(tmp_path: Path) -> None:
    full = article("full", "2021-10-27T07:18:18+02:00")
    full.tags = ["pain", "suisse"]
    full.images = [Image(url="http://img.over-blog-kiwi.com/a.jpg", alt="a")]
    full.comments = [
        Comment(
            author="Ann",
            body_html="<p>hi</p>",
            replies=[Comment(author="Bob", body_html="<p>yo</p>")],
        )
    ]
    with Archive(tmp_path) as archive:
        archive.put_article(article("undated-b", None))
        archive.put_article(full)
        archive.put_article(article("older", "2019-01-01T10:00:00+01:00"))
        archive.put_article(article("undated-a", None))
        # 06:00+00:00 is after 07:18+02:00 (05:18 UTC): offsets must be compared in UTC
        archive.put_article(article("same-day-later", "2021-10-27T06:00:00+00:00"))
        archive.put_article(article("day-only", "2020-05-01"))
        archive.put_article(article("zulu", "2021-10-27T05:30:00Z"))
        assert archive.get_article(full.url) == full
        assert archive.get_article(f"{BLOG}/nope.html") is None
        assert [a.slug for a in archive.iter_articles()] == [
            "older",
            "day-only",
            "full",
            "zulu",
            "same-day-later",
            "undated-a",
            "undated-b",
        ]
        full.title = "New title"
        archive.put_article(full)
        assert archive.article_count() == 7
        assert archive.get_article(full.url).title == "New title"  # type: ignore[union-attr]
        archive.remove_article(f"{BLOG}/older.html")
        assert archive.article_count() == 6


def test_iter_articles_pages_through_many(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        for n in range(450):
            day = f"2020-01-01T00:00:{n % 60:02d}+00:00" if n % 3 else None
            archive.put_article(article(f"p{n:03d}", day))
        urls = [a.url for a in archive.iter_articles()]
        assert len(urls) == 450 and len(set(urls)) == 450
        dated = [u for u in urls if int(u[-8:-5]) % 3]
        assert urls[: len(dated)] == dated  # all dated first


def test_blog_and_state(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        assert archive.get_blog() is None
        assert archive.get_state("x") is None
        archive.set_blog(Blog(url=BLOG, title="Mon blog", theme="Noodle"))
        archive.set_state("x", "1")
        archive.set_state("x", "2")
    with Archive(tmp_path) as archive:
        assert archive.get_blog() == Blog(url=BLOG, title="Mon blog", theme="Noodle")
        assert archive.get_state("x") == "2"


def test_unwritable_folder_is_an_archive_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ArchiveError, match="cannot create the archive folder"):
        Archive(blocker / "archive")
    (tmp_path / "busy" / ARCHIVE_FILE).mkdir(parents=True)  # a folder where the db should be
    with pytest.raises(ArchiveError, match="cannot open the archive"):
        Archive(tmp_path / "busy")


def test_not_sqlite_file_is_an_archive_error(tmp_path: Path) -> None:
    (tmp_path / ARCHIVE_FILE).write_bytes(b"this is not a database at all, just text " * 50)
    with pytest.raises(ArchiveError, match="not an archive") as caught:
        Archive(tmp_path)
    assert "\n" not in str(caught.value)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / ARCHIVE_FILE)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ArchiveError, match="newer version"):
        Archive(tmp_path)


def test_writes_from_threads(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:

        def worker(n: int) -> None:
            for i in range(50):
                archive.enqueue(f"{BLOG}/{n}/{i}", "post")
                archive.mark(f"{BLOG}/{n}/{i}", "done")

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert archive.url_counts()["done"] == 200
