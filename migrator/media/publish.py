"""The export stage's side of media: what was downloaded, put where the outputs point.

``attach_local_paths`` fills ``Image.local_path`` (``media/<file>``) from the archive's media
index and adds the files linked from a body (PDFs…) as extra ``Image`` entries, so that every
format declares and rewrites them. The index is by uploaded file (``identity.file_key``), so
every reference to one file (a body image in any size, the cover, a link) points at its one
stored copy, and names the URL that copy came from (the best one the blog gave: a cover known
as a thumbnail and shown full in the body is the full file); an article shows each file once.
``publish_media`` hard-links (or copies) the downloaded files into ``DIR/media/``;
``media_failures`` lists the files no version of which could be downloaded, for the report.
Reads the archive only: nothing here touches the network.

Decision (issue 12): a ``local_path`` never points at a file that is not there. ``StoredMedia``
checks each file of the archive's media folder once per export (present, and the same SHA-256
as when it was downloaded: reading the files costs about a second per gigabyte, little next to
the export itself); a file that is gone or changed, and a media file the crawl never got to
(stopped before it was downloaded: still pending, or never recorded), is "missing from the
archive": its outputs keep the original URL and it is a failure of the export
(``StoredMedia.missing``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..archive import Archive, MediaRecord
from ..errors import ExportError
from ..files import link_or_copy
from ..model import Article, Image
from .identity import file_key
from .urls import body_file_links

__all__ = ["MEDIA_OUTPUT_FOLDER", "MISSING", "StoredMedia", "attach_local_paths",
           "media_failures", "publish_media"]

MEDIA_OUTPUT_FOLDER = "media"
MISSING = "media missing from the archive"
"""Start of the failure reason of a media URL whose file the archive does not hold."""
_HASH_CHUNK = 1024 * 1024
NEVER_DOWNLOADED = f"{MISSING}: never downloaded (the crawl was stopped before it got to it)"


class StoredMedia:
    """Which media files the archive really holds, each checked once (see the module)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.missing: dict[str, str] = {}
        """Media URL -> why its file is missing from the archive (a failure each)."""
        self._files: dict[str, str | None] = {}
        status = archive.media_status
        # An archive written before the media stage was recorded: media were wanted when
        # some were downloaded (else it was crawled without them).
        self._media_wanted = status in ("running", "complete") or (
            status is None and next(archive.iter_media(), None) is not None)

    def stored(self, url: str) -> MediaRecord | None:
        """The record of the file ``url`` shows when that file is in the archive's media
        folder, intact; else None (and ``missing`` says why, when the archive should hold it)."""
        record = self.archive.get_media(url)
        if record is None or record.status == "pending":
            if self._media_wanted:
                self.missing[url] = NEVER_DOWNLOADED
            return None
        if record.status != "done" or not record.file:
            return None  # failed (reported by media_failures) or skipped (kept outside)
        problem = self.problem(record)
        if problem is not None:
            self.missing[url] = f"{MISSING}: {problem}"
            return None
        return record

    def problem(self, record: MediaRecord) -> str | None:
        """Why ``record``'s file cannot be used (gone, changed), or None."""
        file = record.file or ""
        if file not in self._files:
            self._files[file] = self._check(file, record.sha256)
        return self._files[file]

    def _check(self, file: str, sha256: str | None) -> str | None:
        path = self.archive.media_dir / file
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as stream:
                while chunk := stream.read(_HASH_CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            return f"its file {file} is gone from {self.archive.media_dir}"
        except OSError as error:
            return f"its file {path} cannot be read ({error.strerror or error})"
        if sha256 and digest.hexdigest() != sha256:
            return f"its file {file} changed since it was downloaded (another SHA-256)"
        return None


def attach_local_paths(archive: Archive, articles: Iterable[Article],
                       stored: StoredMedia | None = None) -> Iterator[Article]:
    """Articles with ``Image.local_path`` set for every file the archive holds intact (and
    ``Image.url``, ``cover_image`` the URL its copy came from), plus one ``Image`` per attached
    file linked from the body (so every format declares and rewrites it); one ``Image`` per
    file. ``stored`` collects the media missing from the archive."""
    stored = stored or StoredMedia(archive)
    for article in articles:
        known = {file_key(image.url) for image in article.images}
        for url, text in body_file_links(article.body_html):
            if file_key(url) not in known:
                article.images.append(Image(url=url, alt=text))
                known.add(file_key(url))
        shown: set[str] = set()
        images = []
        for image in article.images:
            key = file_key(image.url)
            if key in shown:
                continue  # the same file again (another size of it, say)
            shown.add(key)
            record = stored.stored(image.url)
            if record is not None and record.file:
                image.local_path = f"{MEDIA_OUTPUT_FOLDER}/{record.file}"
                image.url = record.url
            images.append(image)
        article.images = images
        if article.cover_image and article.cover_image.startswith(("http://", "https://")):
            record = stored.stored(article.cover_image)
            if record is not None:
                article.cover_image = record.url
        yield article


def media_failures(archive: Archive) -> list[dict[str, str]]:
    """report.json entries for the media that could not be downloaded."""
    return [
        {"url": record.url, "reason": f"media not downloaded: {record.reason or 'unknown'}"}
        for record in archive.iter_media("failed")
    ]


def publish_media(archive: Archive, out_dir: Path, stored: StoredMedia | None = None) -> int:
    """Hard-link (or copy) every downloaded file the archive holds intact into
    ``out_dir/media/``; returns the count."""
    stored = stored or StoredMedia(archive)
    target_dir = out_dir / MEDIA_OUTPUT_FOLDER
    count = 0
    records = {r.file: r for r in archive.iter_media("done") if r.file}
    for file, record in records.items():
        if stored.problem(record) is None:
            if count == 0:
                _make_folder(target_dir)
            link_or_copy(archive.media_dir / file, target_dir / file)
            count += 1
    return count


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot write {folder}: {error.strerror or error}") from error
