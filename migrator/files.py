"""File plumbing shared by every writer: atomic writes (a temp file beside the target, then a
rename), links to files that already exist, and the clean-up of temp files a killed run left.

Every temporary file the tool writes is named ``.migrator-tmp.<name>.<random>.tmp`` and lives in
the folder of the file it becomes (decision of issue 12): a run killed with -9 leaves them
behind, and the next run that writes the folder removes those older than itself
(``remove_leftover_temps``), never anything else.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import ExportError

__all__ = ["TEMP_PREFIX", "TEMP_SUFFIX", "is_temp_name", "link_or_copy",
           "remove_leftover_temps", "temp_file_beside"]

TEMP_PREFIX = ".migrator-tmp."
TEMP_SUFFIX = ".tmp"
_NAME_IN_TEMP = 80
"""Characters of the final name kept in a temp file's name (names stay under 255 bytes)."""

_UMASK = os.umask(0)
os.umask(_UMASK)


def temp_file_beside(final: Path) -> tuple[int, Path]:
    """Open a new temporary file in ``final``'s folder (same file system, so rename is atomic).

    ``mkstemp`` creates files readable by the owner only; outputs are meant to be published,
    so they get the usual permissions (0666 less the umask) like any file the user creates.
    """
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{final.name[:_NAME_IN_TEMP]}.",
                                suffix=TEMP_SUFFIX, dir=final.parent)
    os.fchmod(fd, 0o666 & ~_UMASK)
    return fd, Path(name)


def is_temp_name(name: str) -> bool:
    """True for the name of a temporary file this tool writes."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def remove_leftover_temps(folders: Iterable[Path], older_than: float,
                          recursive: Iterable[Path] = ()) -> int:
    """Remove the temporary files a killed run left in ``folders`` (and in ``recursive`` and
    every folder below them), modified before ``older_than`` (a ``time.time()``); returns how
    many. Only files named as ``temp_file_beside`` names them are touched; symbolic links are
    not followed; an error leaves the file where it is."""
    removed = 0
    for folder in [*folders]:
        removed += _remove_temps_in(Path(folder), older_than)
    for top in recursive:
        for below, _dirs, _files in os.walk(top):
            removed += _remove_temps_in(Path(below), older_than)
    return removed


def _remove_temps_in(folder: Path, older_than: float) -> int:
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < older_than:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` holds the bytes of ``source``: a hard link when possible, else a copy
    written beside it and renamed into place (``ExportError`` when it cannot be written)."""
    try:
        if target.exists():
            if target.samefile(source) or target.stat().st_size == source.stat().st_size:
                return
            target.unlink()
        try:
            os.link(source, target)
        except OSError:
            _copy_atomically(source, target)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error


def _copy_atomically(source: Path, target: Path) -> None:
    """A copy that is never seen half-written under its name (a kill leaves a temp file)."""
    fd, temp = temp_file_beside(target)
    try:
        with os.fdopen(fd, "wb") as stream, open(source, "rb") as original:
            shutil.copyfileobj(original, stream)
        shutil.copystat(source, temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
