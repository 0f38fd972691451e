"""The downloaded files in ``<archive>/media/``: stored once, named the same whatever the order.

A file is stored under its own name (``ob_<hash>_<name>.jpg``, made safe: ``media_file_name``);
files with the same SHA-256 share one copy. Downloads finish in whatever order threads and
hosts give, so a name decided at download time would depend on it; names are therefore settled
when the downloads are over (``settle_names``): every stored copy is named after the smallest
key that holds it, and when two files want one name the smallest key keeps the plain name, the
others take the first 8 hex digits of their key's SHA-1 as a prefix (``1a2b3c4d-ob_…jpg``), so
nothing is ever overwritten and a crawl under any timing names every file alike. Until then a
clash gets that prefix at once. A file moves by a hard link (or a copy), the records, then the
removal of the old name: a crash at any point leaves every record pointing at a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from slugify import slugify

from ..archive import Archive, MediaRecord
from ..errors import ArchiveError, ExportError
from ..files import link_or_copy, temp_file_beside
from ..response import Response
from .urls import original_image_url

__all__ = ["MediaFiles", "media_file_name"]

MAX_NAME_LENGTH = 120
_UNSAFE_NAME_CHARS = r"[^-A-Za-z0-9._]+"


def media_file_name(url: str, content_type: str = "") -> str:
    """The original file name of ``url``, made safe (transliterated to ASCII letters, digits
    and ``._-``; the extension from the Content-Type when the name has none)."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = slugify(stem, lowercase=False, regex_pattern=_UNSAFE_NAME_CHARS).strip("-.") or "file"
    extension = re.sub(_UNSAFE_NAME_CHARS, "", extension).lower()[:8]
    if not extension:
        guessed = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin"
        extension = guessed.lstrip(".")
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1]
    return f"{stem}.{extension}"


def _prefix(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]


class MediaFiles:
    """Stores downloaded copies and settles their names (used by the crawl's thread only)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.folder = archive.media_dir

    def make_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArchiveError(f"cannot create {self.folder}: {error.strerror or error}") from error

    def has(self, record: MediaRecord | None) -> bool:
        """True when ``record`` is a stored file whose copy is in the folder."""
        return (record is not None and record.status == "done" and bool(record.file)
                and (self.folder / str(record.file)).is_file())

    def store(self, key: str, url: str, rank: int, response: Response) -> bool:
        """Keep the copy of file ``key`` that ``url`` gave; True when it was written (False:
        the same bytes were already stored, for this file or another one)."""
        content = response.content
        sha256 = hashlib.sha256(content).hexdigest()
        name = media_file_name(original_image_url(url), response.content_type)
        same = self.archive.media_with_sha256(sha256)
        written = not self.has(same)
        if same is not None and not written:
            file = str(same.file)
        else:
            current = self.archive.get_media_file(key)
            if (current is not None and self.has(current)
                    and self.archive.media_file_holders(str(current.file)) == [key]):
                file = str(current.file)  # a better copy of this file replaces the stored one
            else:
                file = self._free_name(key, name)
            _write_file(self.folder / file, content)
        self.archive.put_media(MediaRecord(url, "done", sha256, file, None, key, rank, name))
        self.archive.put_media_url(url, "done", None, sha256, file)
        return written

    def _free_name(self, key: str, name: str) -> str:
        candidate, counter = name, 2
        while self.archive.media_file_taken(candidate) or (self.folder / candidate).exists():
            prefix = _prefix(key) if counter == 2 else f"{_prefix(key)}-{counter}"
            candidate = f"{prefix}-{name}"
            counter += 1
        return candidate

    # -- names -----------------------------------------------------------------------------

    def settle_names(self) -> int:
        """Give every stored copy the name its smallest key wants (see the module's
        docstring); returns how many files were renamed."""
        holders: dict[str, list[MediaRecord]] = {}
        for record in self.archive.iter_media("done"):  # by key
            if record.file:
                holders.setdefault(record.file, []).append(record)
        owners = sorted(holders.items(), key=lambda item: item[1][0].key)
        final: dict[str, str] = {}
        used: set[str] = set()
        for file, records in owners:
            owner = records[0]
            wanted = owner.name or file
            name, counter = wanted, 2
            while name in used:
                prefix = _prefix(owner.key) if counter == 2 else f"{_prefix(owner.key)}-{counter}"
                name, counter = f"{prefix}-{wanted}", counter + 1
            used.add(name)
            final[file] = name
        moves = {old: new for old, new in final.items() if old != new}
        if not moves:
            return 0
        # Through temporary names first: one file may take the name another one leaves.
        parked = {}
        for index, old in enumerate(sorted(moves)):
            parked[old] = self._move(old, f".settling-{index}-{moves[old]}")
        for old, temporary in parked.items():
            self._move(temporary, moves[old])
        return len(moves)

    def _move(self, old: str, new: str) -> str:
        source, target = self.folder / old, self.folder / new
        try:
            target.unlink(missing_ok=True)  # never referenced: no record names it
            link_or_copy(source, target)
        except OSError as error:
            raise ArchiveError(f"cannot rename {source}: {error.strerror or error}") from error
        except ExportError as error:
            raise ArchiveError(str(error)) from error
        self.archive.rename_media_file(old, new)
        with contextlib.suppress(OSError):
            source.unlink()
        return new


def _write_file(path: Path, content: bytes) -> None:
    """Temporary file then rename: a killed run never leaves half an image under its name."""
    try:
        fd, temp = temp_file_beside(path)
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
        os.replace(temp, path)
    except OSError as error:
        raise ArchiveError(f"cannot write {path}: {error.strerror or error}") from error
