"""File plumbing shared by every writer: atomic writes (a temp file beside the target, then a
rename) and links to files that already exist."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import ExportError

__all__ = ["link_or_copy", "temp_file_beside"]

_UMASK = os.umask(0)
os.umask(_UMASK)


def temp_file_beside(final: Path) -> tuple[int, Path]:
    """Open a new temporary file in ``final``'s folder (same file system, so rename is atomic).

    ``mkstemp`` creates files readable by the owner only; outputs are meant to be published,
    so they get the usual permissions (0666 less the umask) like any file the user creates.
    """
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.fchmod(fd, 0o666 & ~_UMASK)
    return fd, Path(name)


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` holds the bytes of ``source``: a hard link when possible, else a copy
    (``ExportError`` when it cannot be written)."""
    try:
        if target.exists():
            if target.samefile(source) or target.stat().st_size == source.stat().st_size:
                return
            target.unlink()
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
