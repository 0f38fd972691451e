"""Exports read the archive read-only: one consistent snapshot while a crawl writes, and an
archive on a read-only medium (an archivist's copy) exports.

Found by a user: a read-only archive could not be exported ("attempt to write a readonly
database").
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtureserver import FixtureServer, output_snapshot, run_migrator

from migrator.archive import Archive
from migrator.errors import ArchiveError
from migrator.locks import FolderLock
from migrator.model import Blog

BLOG = "http://myblog.over-blog.com"


@contextlib.contextmanager
def read_only_medium(folder: Path) -> Iterator[None]:
    """``folder`` as on a read-only disk: a read-only bind mount as root (who can write
    anything else), its permissions taken away otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
        for path in sorted(modes, reverse=True):
            path.chmod(stat.S_IMODE(modes[path]) & ~0o222)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(stat.S_IMODE(mode))


def test_a_read_only_archive_refuses_writes(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        archive.enqueue(f"{BLOG}/", "listing")
    with Archive(tmp_path, read_only=True) as archive:
        assert archive.url_state(f"{BLOG}/") == "todo"
        with pytest.raises(ArchiveError, match="opened read-only"):
            archive.mark(f"{BLOG}/", "done")


def test_a_snapshot_does_not_see_writes_made_after_it_began(tmp_path: Path) -> None:
    writer = Archive(tmp_path)
    writer.enqueue(f"{BLOG}/a", "post")
    reader = Archive(tmp_path, read_only=True)
    try:
        with reader.snapshot():
            assert reader.url_counts()["todo"] == 1
            writer.enqueue(f"{BLOG}/b", "post")  # committed, while the export reads
            writer.set_crawl_status("complete")
            assert reader.url_counts()["todo"] == 1
            assert reader.crawl_status is None
        with reader.snapshot():
            assert reader.url_counts()["todo"] == 2
            assert reader.crawl_status == "complete"
    finally:
        reader.close()
        writer.close()


def test_no_archive_file_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive file"):
        Archive(tmp_path, read_only=True)
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_the_read_only_medium_helper_really_forbids_writing(tmp_path: Path) -> None:
    (tmp_path / "kept").write_text("x")
    with read_only_medium(tmp_path), pytest.raises(OSError):
        (tmp_path / "new").write_text("y")


def test_an_archive_on_a_read_only_medium_exports(proxy_env: FixtureServer,
                                                  tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = run_migrator(["migrate", "http://cuisine-de-mamie.over-blog.com", "--to", "json",
                         "--to", "markdown", "--to", "wxr", "--out", str(site), "--delay", "0"],
                        proxy_env.proxy_url)
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "copy"  # the archivist's copy, closed cleanly: no WAL file
    shutil.copytree(site / ".archive", copy)
    before = {p.name: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    with read_only_medium(copy):
        export = run_migrator(["export", "--archive", str(copy), "--to", "json", "--to",
                               "markdown", "--to", "wxr", "--out", str(out)],
                              proxy_env.proxy_url)
    assert export.returncode == 0, export.stderr
    assert output_snapshot(out) == output_snapshot(site)
    assert sorted(os.listdir(out / "media")) == sorted(os.listdir(site / "media"))
    assert {p.name: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def test_a_schema_1_archive_is_exported_as_it_is(tmp_path: Path) -> None:
    """Read-only, an old archive is read without its migration (the export reads nothing the
    migration moves); the file stays as the previous version wrote it."""
    from migrator.pipeline import export

    fixture = Path(__file__).parent / "fixtures" / "archives" / "v1-vieux-grimoire"
    shutil.copytree(fixture / "archive", tmp_path / "archive")
    before = (tmp_path / "archive" / "archive.sqlite").read_bytes()
    report = export(tmp_path / "archive", ["json"], tmp_path / "out")
    assert report.ok
    assert (tmp_path / "out" / "blog.json").read_bytes() == (
        fixture / "export" / "blog.json").read_bytes()
    assert (tmp_path / "archive" / "archive.sqlite").read_bytes() == before


def test_a_read_only_copy_with_pending_writes_says_what_to_do(tmp_path: Path) -> None:
    """A copy made while a crawl had writes not yet in the main file (its ``-wal`` file) can
    only be read from a writable folder: the message says so, rather than SQLite's words."""
    source, copy = tmp_path / "source", tmp_path / "copy"
    writing = Archive(source)
    try:
        writing.set_base_url("http://myblog.over-blog.com/")
        copy.mkdir()
        for path in source.iterdir():
            if not path.name.endswith("-shm"):
                shutil.copy(path, copy / path.name)
    finally:
        writing.close()
    assert (copy / "archive.sqlite-wal").stat().st_size > 0
    with read_only_medium(copy), pytest.raises(ArchiveError) as caught:
        Archive(copy, read_only=True)
    assert str(caught.value).startswith(f"cannot open the archive {copy / 'archive.sqlite'} "
                                        "read-only: ")
    assert str(caught.value).endswith("copy the archive folder to a writable disk)")


def as_schema_2(folder: Path) -> None:
    """The archive as schema 2 kept it: media by URL only (no ``media_files``, no key)."""
    db = sqlite3.connect(folder / "archive.sqlite")
    db.executescript("DROP INDEX media_key; DROP TABLE media_files; "
                     "ALTER TABLE media DROP COLUMN key; ALTER TABLE media DROP COLUMN rank; "
                     "DELETE FROM media WHERE status NOT IN ('done', 'failed', 'skipped'); "
                     "PRAGMA user_version = 2; PRAGMA wal_checkpoint(TRUNCATE);")
    db.close()


def test_an_older_schema_with_media_is_migrated_in_memory_on_a_read_only_medium(
        proxy_env: FixtureServer, tmp_path: Path) -> None:
    """Read-only, an archive of an older schema is migrated in memory (TEMP tables), never on
    disk: its images keep their files, and the file stays as it was."""
    site = tmp_path / "site"
    done = run_migrator(["migrate", "http://cuisine-de-mamie.over-blog.com", "--to", "json",
                         "--out", str(site), "--delay", "0"], proxy_env.proxy_url)
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "copy"
    shutil.copytree(site / ".archive", copy)
    as_schema_2(copy)
    before = {p.name: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    with read_only_medium(copy):
        export = run_migrator(["export", "--archive", str(copy), "--to", "json",
                               "--out", str(out)], proxy_env.proxy_url)
    assert export.returncode == 0, export.stderr
    assert (out / "blog.json").read_bytes() == (site / "blog.json").read_bytes()
    assert sorted(os.listdir(out / "media")) == sorted(os.listdir(site / "media"))
    assert {p.name: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def _archive_with_a_blog(folder: Path) -> None:
    with Archive(folder) as archive:
        archive.set_blog(Blog(url=BLOG + "/", title="Mon blog"))
    with FolderLock(folder, "the archive", "crawl"):
        pass  # its lock file, as every crawl leaves one


def test_a_read_only_reader_leaves_the_folder_as_it_found_it(tmp_path: Path) -> None:
    folder = tmp_path / ".archive"
    _archive_with_a_blog(folder)
    before = sorted(p.name for p in folder.iterdir())
    with Archive(folder, read_only=True) as archive:
        assert archive.get_blog().title == "Mon blog"
        assert (folder / "archive.sqlite-wal").exists()  # SQLite's, for a WAL reader
    assert sorted(p.name for p in folder.iterdir()) == before


def test_while_a_run_holds_the_archive_its_reader_files_are_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / ".archive"
    _archive_with_a_blog(folder)
    with FolderLock(folder, "the archive", "crawl"):
        with Archive(folder, read_only=True) as archive:
            assert archive.get_blog().title == "Mon blog"
        assert (folder / "archive.sqlite-wal").exists()
        assert (folder / "archive.sqlite-shm").exists()
