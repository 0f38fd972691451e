"""An archive written by the previous version (schema 1) opens, migrates and exports as before.

The fixture (tests/fixtures/archives/v1-vieux-grimoire/, see its README) was written by the last
schema-1 version, which kept the crawl's dates as strings in the ``state`` table; the export
beside it is what that version made of it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from fixtureserver import FixtureServer

from migrator.archive import SCHEMA_VERSION, Archive
from migrator.pipeline import crawl, export
from migrator.settings import CrawlSettings

FIXTURE = Path(__file__).parent / "fixtures" / "archives" / "v1-vieux-grimoire"
BLOG = "http://vieux-grimoire.over-blog.fr/"


@pytest.fixture
def old_archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(FIXTURE / "archive", folder)
    return folder


def rows(folder: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(folder / "archive.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_the_fixture_is_a_schema_1_archive_with_dates_in_state() -> None:
    folder = FIXTURE / "archive"
    assert rows(folder, "PRAGMA user_version") == [(1,)]
    assert rows(folder, "SELECT COUNT(*) FROM state WHERE key LIKE 'listing_date:%'") == [(12,)]
    assert rows(folder, "SELECT COUNT(*) FROM state WHERE key LIKE 'feed_date:%'") == [(10,)]


def test_opening_migrates_the_dates_to_their_tables(old_archive: Path) -> None:
    before = dict(rows(old_archive, "SELECT key, value FROM state"))
    with Archive(old_archive) as archive:
        assert archive.base_url == BLOG
        assert archive.crawl_status == "complete"
        for key, value in before.items():
            name, _, subject = key.partition(":")
            if name == "listing_date":
                iso, _, has_time = value.rpartition("|")
                assert archive.listing_date(subject) == (iso, has_time == "1")
            elif name == "feed_date":
                assert archive.feed_date(subject) == value
    assert rows(old_archive, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(old_archive, "SELECT COUNT(*) FROM state WHERE key LIKE '%_date:%'") == [(0,)]
    assert rows(old_archive, "SELECT COUNT(*) FROM listing_dates") == [(12,)]
    assert rows(old_archive, "SELECT COUNT(*) FROM feed_dates") == [(10,)]


def test_it_exports_what_the_previous_version_exported(old_archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export(old_archive, ["json", "wxr", "markdown"], out)
    assert report.ok and (report.posts, report.comments) == (12, 9)
    for name in ("blog.json", "wordpress.xml"):
        assert (out / name).read_bytes() == (FIXTURE / "export" / name).read_bytes(), name


def test_a_refresh_of_it_fetches_no_article_again(proxy_env: FixtureServer, old_archive: Path,
                                                  tmp_path: Path) -> None:
    report = crawl(BLOG, old_archive, CrawlSettings(delay=0, download_images=False))
    assert report.ok and report.posts == 12
    article_paths = [path for (host, path) in proxy_env.requests
                     if host == "vieux-grimoire.over-blog.fr" and "article-" in path]
    assert article_paths == []
    out = tmp_path / "out"
    export(old_archive, ["json"], out)
    assert (out / "blog.json").read_bytes() == (FIXTURE / "export" / "blog.json").read_bytes()
