"""One exception tree for the whole tool, caught once by the CLI.

    MigratorError                 anything the user can act on; ``str(e)`` is one clear line
    ├── SourceError           (2) the SOURCE argument is unusable (not a URL, missing folder,
    │                             no archive in the folder given to ``export``)
    ├── UsageError            (2) a setting out of its range, a folder that cannot be used
    │   │                         (a file, unwritable); also a ``ValueError``
    │   └── FolderLocked      (2) another migrator is writing that folder
    ├── FetchError(url, status)   a request failed for good (after retries)
    │   └── HostUnreachable   (2) the blog cannot be had: its host does not answer, or its home
    │                             page fails (an HTTP error, TLS on a plain-HTTP port…)
    ├── NotOverblogError      (2) the site answers but is not an Overblog blog
    ├── ArchiveError              the archive cannot be opened, read or written
    └── ExportError               an output cannot be written (a disk full, invalid output)

``exit_code`` is the CLI's exit status for the error: 2 (marked) for an unusable SOURCE or a
user error, 1 for the others (README, "Exit status"). Library code raises these; errors from
requests, sqlite3 and the file system are translated at the boundary of the module that meets
them.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "ExportError",
    "FetchError",
    "FolderLocked",
    "HostUnreachable",
    "MigratorError",
    "NotOverblogError",
    "SourceError",
    "UsageError",
]


class MigratorError(Exception):
    """Base of every error this tool raises on purpose."""

    exit_code = 1


class SourceError(MigratorError):
    """SOURCE is neither an http(s) URL nor a folder holding a saved blog."""

    exit_code = 2


class UsageError(MigratorError, ValueError):
    """A setting out of its range, or a folder that cannot be used (a file, unwritable)."""

    exit_code = 2


class FolderLocked(UsageError):
    """Another migrator is writing the folder (its lock is held)."""


class FetchError(MigratorError):
    """A URL could not be fetched, even after retries."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"could not fetch {url}: {reason}")


class HostUnreachable(FetchError):
    """The blog's host does not answer at all (DNS failure, refused, timeout); raised out of a
    crawl when the blog's home page cannot be had for any reason."""

    exit_code = 2


class NotOverblogError(MigratorError):
    """The site answered, but nothing in its pages looks like Overblog."""

    exit_code = 2


class ArchiveError(MigratorError):
    """The SQLite archive cannot be opened, read or written."""


class ExportError(MigratorError):
    """An export cannot be written."""
