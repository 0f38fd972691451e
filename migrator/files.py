"""Atomic file writing shared by every writer: a temp file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["temp_file_beside"]

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
