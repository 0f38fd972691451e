"""One exception tree for the whole tool, caught once by the CLI.

    MigratorError                 anything the user can act on; ``str(e)`` is one clear line
    ├── SourceError               the SOURCE argument is unusable (not a URL, missing folder)
    ├── FetchError(url, status)   a request failed for good (after retries)
    │   └── HostUnreachable       the blog's host cannot be reached at all
    ├── NotOverblogError          the site answers but is not an Overblog blog
    ├── ArchiveError              the archive cannot be opened, read or written
    └── ExportError               an output cannot be written (unwritable folder, invalid output)

Library code raises these; errors from requests, sqlite3 and the file system are translated
at the boundary of the module that meets them.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "ExportError",
    "FetchError",
    "HostUnreachable",
    "MigratorError",
    "NotOverblogError",
    "SourceError",
]


class MigratorError(Exception):
    """Base of every error this tool raises on purpose."""

    exit_code = 1


class SourceError(MigratorError):
    """SOURCE is neither an http(s) URL nor a folder holding a saved blog."""

    exit_code = 2


class FetchError(MigratorError):
    """A URL could not be fetched, even after retries."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"could not fetch {url}: {reason}")


class HostUnreachable(FetchError):
    """The blog's host does not answer at all (DNS failure, refused, timeout)."""


class NotOverblogError(MigratorError):
    """The site answered, but nothing in its pages looks like Overblog."""


class ArchiveError(MigratorError):
    """The SQLite archive cannot be opened, read or written."""


class ExportError(MigratorError):
    """An export cannot be written."""
