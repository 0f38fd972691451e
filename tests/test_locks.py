"""One writer per folder: the lock file, its holder, and a holder that died."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from migrator import FolderLocked, UsageError
from migrator.locks import LOCK_FILE, FolderLock, Holder, holder_of


def test_a_second_writer_is_refused_naming_the_first(tmp_path: Path) -> None:
    with FolderLock(tmp_path, "the archive in x", "crawl"):
        with pytest.raises(FolderLocked) as caught:
            FolderLock(tmp_path, "the archive in x", "crawl").acquire()
    message = str(caught.value)
    assert message.startswith(f"another migrator is writing the archive in x (pid {os.getpid()} "
                              f"on {socket.gethostname()}, started ")
    assert message.endswith(" UTC)") and caught.value.exit_code == 2
    assert isinstance(caught.value, UsageError)


def test_the_lock_is_free_again_once_released(tmp_path: Path) -> None:
    lock = FolderLock(tmp_path, "x").acquire()
    lock.release()
    lock.release()  # twice is harmless
    with FolderLock(tmp_path, "x"):
        pass


def test_the_lock_file_says_who_holds_it(tmp_path: Path) -> None:
    assert holder_of(tmp_path) is None  # no lock file yet
    with FolderLock(tmp_path, "x", "migrate"):
        holder = holder_of(tmp_path)
        assert holder is not None
        assert (holder.pid, holder.host, holder.command) == (os.getpid(), socket.gethostname(),
                                                             "migrate")
    assert holder_of(tmp_path) is None  # the file stays; nobody holds it
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()


def test_a_holder_killed_with_9_blocks_nothing(tmp_path: Path) -> None:
    script = ("import os, signal, sys\n"
              "from pathlib import Path\n"
              "from migrator.locks import FolderLock\n"
              "FolderLock(Path(sys.argv[1]), 'x', 'crawl').acquire()\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    dead = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)])
    assert dead.wait(timeout=60) == -signal.SIGKILL
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == dead.pid  # its last words
    assert holder_of(tmp_path) is None
    with FolderLock(tmp_path, "x", "crawl"):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()


def test_a_readers_probe_does_not_refuse_a_writer(tmp_path: Path) -> None:
    """An export probing the lock holds it shared for an instant: a writer starting then
    waits for the probe to end instead of failing."""
    (tmp_path / LOCK_FILE).write_text("")
    fd = os.open(tmp_path / LOCK_FILE, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)
    releaser = threading.Timer(0.1, os.close, [fd])
    releaser.start()
    try:
        with FolderLock(tmp_path, "x"):
            pass
    finally:
        releaser.join()


def test_a_folder_that_cannot_hold_a_lock_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match=f"cannot write to {blocker}"):
        FolderLock(blocker, "x").acquire()


def test_holder_descriptions() -> None:
    today = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    assert Holder(12, "box", today).describe() == f"pid 12 on box, started {today[11:16]} UTC"
    assert Holder(12, "box", "2020-01-02T03:04:05+00:00").describe() == (
        "pid 12 on box, started 2020-01-02 03:04 UTC")
    assert Holder.read("not json").describe() == "unknown pid"
