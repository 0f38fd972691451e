"""Archive.transaction(): all writes of a block are stored together, or none on error."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from migrator.archive import Archive
from migrator.urls import UrlKind

BLOG = "http://myblog.over-blog.com"
KNOWN = f"{BLOG}/known.html"
NEW = f"{BLOG}/new.html"
WAIT = 5.0


class Boom(Exception):
    """Raised inside a block to make it fail."""


@pytest.fixture
def archives(tmp_path: Path) -> Iterator[tuple[Archive, Archive]]:
    """Two instances on one folder: the second one is a separate SQLite connection."""
    writer = Archive(tmp_path)
    writer.enqueue(KNOWN, "post")
    reader = Archive(tmp_path)
    yield writer, reader
    reader.close()
    writer.close()


def write_some(archive: Archive) -> None:
    archive.enqueue(NEW, "post")
    archive.mark(KNOWN, "done")
    archive.set_state("cursor", "page-7")


def snapshot(archive: Archive) -> tuple[str | None, str | None, str | None]:
    return archive.url_state(NEW), archive.url_state(KNOWN), archive.get_state("cursor")


STORED = ("todo", "done", "page-7")
UNTOUCHED = (None, "todo", None)


def test_writes_of_a_block_are_visible_together_after_it(
    archives: tuple[Archive, Archive],
) -> None:
    writer, reader = archives
    with writer.transaction():
        write_some(writer)
        assert snapshot(writer) == STORED  # the writer sees its own writes
        assert snapshot(reader) == UNTOUCHED  # nobody else does before the commit
    assert snapshot(writer) == STORED
    assert snapshot(reader) == STORED


def test_exception_inside_stores_none_of_the_writes(
    archives: tuple[Archive, Archive], tmp_path: Path
) -> None:
    writer, reader = archives
    with pytest.raises(Boom), writer.transaction():
        write_some(writer)
        raise Boom
    assert snapshot(writer) == UNTOUCHED
    assert snapshot(reader) == UNTOUCHED
    with Archive(tmp_path) as fresh:
        assert snapshot(fresh) == UNTOUCHED
        assert fresh.url_counts()["todo"] == 1


def test_archive_works_normally_after_a_rolled_back_block(
    archives: tuple[Archive, Archive],
) -> None:
    writer, reader = archives
    with pytest.raises(Boom), writer.transaction():
        writer.set_state("cursor", "lost")
        raise Boom
    writer.set_state("cursor", "kept")
    assert reader.get_state("cursor") == "kept"
    with writer.transaction():
        writer.enqueue(NEW, "tag")
    assert reader.url_state(NEW) == "todo"


def test_nested_blocks_commit_with_the_outer_one(archives: tuple[Archive, Archive]) -> None:
    writer, reader = archives
    with writer.transaction():
        writer.enqueue(NEW, "post")
        with writer.transaction():
            writer.mark(KNOWN, "done")
            writer.set_state("cursor", "page-7")
        assert snapshot(reader) == UNTOUCHED  # the inner block's end is not a commit
        assert snapshot(writer) == STORED
    assert snapshot(reader) == STORED


def test_error_from_a_nested_block_rolls_back_the_outer_writes_too(
    archives: tuple[Archive, Archive], tmp_path: Path
) -> None:
    writer, reader = archives
    with pytest.raises(Boom), writer.transaction():
        writer.enqueue(NEW, "post")
        with writer.transaction():
            writer.mark(KNOWN, "done")
            writer.set_state("cursor", "page-7")
            raise Boom
    assert snapshot(writer) == UNTOUCHED
    assert snapshot(reader) == UNTOUCHED
    with Archive(tmp_path) as fresh:
        assert snapshot(fresh) == UNTOUCHED


def test_writes_outside_a_block_commit_at_once(archives: tuple[Archive, Archive]) -> None:
    writer, reader = archives
    assert writer.enqueue(NEW, "post") is True
    assert reader.url_state(NEW) == "todo"
    writer.mark(KNOWN, "failed", "HTTP 500")
    assert reader.failures() == [(KNOWN, "HTTP 500")]
    writer.set_state("cursor", "page-2")
    assert reader.get_state("cursor") == "page-2"


def test_another_thread_writes_after_the_block_not_inside_it(
    archives: tuple[Archive, Archive],
) -> None:
    writer, reader = archives
    other = threading.Thread(target=writer.set_state, args=("other-thread", "yes"))
    with pytest.raises(Boom), writer.transaction():
        writer.set_state("cursor", "lost")
        other.start()
        other.join(0.3)
        assert other.is_alive()  # waits for the block to end...
        raise Boom
    other.join(WAIT)
    assert not other.is_alive()
    # ...so the rollback did not take its write with it.
    assert reader.get_state("other-thread") == "yes"
    assert reader.get_state("cursor") is None


def test_a_transaction_left_open_by_ctrl_c_is_collected_quietly(tmp_path: Path) -> None:
    """Ctrl-C landing inside ``transaction()``'s ``__enter__`` leaves the block never exited:
    its generator is closed only when collected, after the archive was closed. That must not
    print "Exception ignored … Cannot operate on a closed database" under "Interrupted."."""
    archive = Archive(tmp_path)
    block = archive.transaction()
    block.__enter__()
    archive.enqueue("http://b.over-blog.com/never.html", UrlKind.POST)
    archive.close()
    unraisable: list[object] = []
    previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        del block
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert unraisable == []
    with Archive(tmp_path) as reopened:  # closing without a commit dropped the write
        assert reopened.count_urls({UrlKind.POST}) == 0
