"""One writer per folder: a lock file held with the OS's advisory lock.

A run that writes a folder (``crawl`` and ``migrate`` the archive, ``migrate`` and ``export``
their output folder) holds ``<folder>/.migrator.lock`` with ``fcntl.flock`` for as long as it
writes. The kernel releases the lock when its holder ends, however it ends (kill -9, a crash, a
power cut: the next boot has no lock), so a dead run never blocks the next one; the file itself
stays, and says who held it last. The holder writes its pid, host name and start time in it,
for the one line a second run prints: "another migrator is writing the archive out/.archive
(pid 1234 on myhost, started 10:42 UTC)".

Readers take no lock: ``holder_of(folder)`` tells whether a writer holds the folder now (an
export says the crawl it reads is still running). It probes with a shared lock held for a few
microseconds, so a writer starting at that very moment tries again for a short while
(``ACQUIRE_PATIENCE``) before it gives up.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from .errors import FolderLocked, UsageError

__all__ = ["ACQUIRE_PATIENCE", "LOCK_FILE", "FolderLock", "Holder", "holder_of"]

LOCK_FILE = ".migrator.lock"
ACQUIRE_PATIENCE = 0.5
"""Seconds a writer keeps trying when the lock is busy (a reader's probe lasts microseconds)."""
_ACQUIRE_STEP = 0.02


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) a folder's lock."""

    pid: int | None
    host: str
    started: str
    """ISO 8601, UTC."""
    command: str = ""

    def describe(self) -> str:
        """"pid 1234 on myhost, started 10:42 UTC" (the date too when not today)."""
        pid = f"pid {self.pid}" if self.pid is not None else "unknown pid"
        host = f" on {self.host}" if self.host else ""
        return f"{pid}{host}{_started(self.started)}"

    @classmethod
    def me(cls, command: str) -> Holder:
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return cls(os.getpid(), socket.gethostname(), started, command)

    @classmethod
    def read(cls, text: str) -> Holder:
        try:
            data = json.loads(text)
            pid = data.get("pid")
            return cls(pid if isinstance(pid, int) else None, str(data.get("host", "")),
                       str(data.get("started", "")), str(data.get("command", "")))
        except (ValueError, AttributeError):
            return cls(None, "", "")


def _started(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso).astimezone(timezone.utc)
    except ValueError:
        return ""
    if when.date() == datetime.now(timezone.utc).date():
        return f", started {when:%H:%M} UTC"
    return f", started {when:%Y-%m-%d %H:%M} UTC"


class FolderLock:
    """The write lock of ``folder`` (``what`` names it in messages: "the archive in X")."""

    def __init__(self, folder: Path, what: str, command: str = "") -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.what = what
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        """Take the lock, or raise ``FolderLocked`` naming the holder (``UsageError`` when
        the lock file cannot be written)."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise UsageError(f"cannot write to {self.folder}: "
                             f"{error.strerror or error}") from error
        try:
            if not _lock(fd, fcntl.LOCK_EX, patience=ACQUIRE_PATIENCE):
                holder = Holder.read(_read_all(fd))
                raise FolderLocked(f"another migrator is writing {self.what} "
                                   f"({holder.describe()})")
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(_as_dict(Holder.me(self.command))).encode() + b"\n", 0)
        except OSError as error:
            os.close(fd)
            raise UsageError(f"cannot lock {self.path}: {error.strerror or error}") from error
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the only descriptor releases the lock

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


def holder_of(folder: Path) -> Holder | None:
    """The run writing ``folder`` now, or None (nobody, or no lock file can be read: a
    folder on a read-only medium has no writer)."""
    try:
        fd = os.open(Path(folder) / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return None
    try:
        if _lock(fd, fcntl.LOCK_SH, patience=0):
            return None  # closing the descriptor below releases the probe
        return Holder.read(_read_all(fd))
    except OSError:
        return None  # a file system without locks: nobody can be told apart
    finally:
        os.close(fd)


def _lock(fd: int, kind: int, patience: float) -> bool:
    """Lock ``fd`` without blocking, trying again for ``patience`` seconds; False if busy
    (``OSError`` when the file system cannot lock)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            return False
        time.sleep(_ACQUIRE_STEP)


def _read_all(fd: int) -> str:
    try:
        return os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        return ""


def _as_dict(holder: Holder) -> dict[str, object]:
    return {"pid": holder.pid, "host": holder.host, "started": holder.started,
            "command": holder.command}
