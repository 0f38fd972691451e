"""The export stage's side of media: what was downloaded, put where the outputs point.

``attach_local_paths`` fills ``Image.local_path`` (``media/<file>``) from the archive's media
index and adds the files linked from a body (PDFs…) as extra ``Image`` entries, so that every
format declares and rewrites them; ``publish_media`` hard-links (or copies) the downloaded files
into ``DIR/media/``; ``media_failures`` lists what could not be downloaded, for the report.
Reads the archive only: nothing here touches the network.

Decision (issue 12): a ``local_path`` never points at a file that is not there. ``StoredMedia``
checks each file of the archive's media folder once per export (present, and the same SHA-256
as when it was downloaded: reading the files costs about a second per gigabyte, little next to
the export itself); a file that is gone or changed, and a media URL the crawl never got to
(stopped before its media stage), is "missing from the archive": its outputs keep the original
URL and it is a failure of the export (``StoredMedia.missing``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..archive import Archive, MediaRecord
from ..errors import ExportError
from ..files import link_or_copy
from ..model import Article, Image
from .urls import body_file_links, original_image_url

__all__ = ["MEDIA_OUTPUT_FOLDER", "MISSING", "StoredMedia", "attach_local_paths",
           "media_failures", "publish_media"]

MEDIA_OUTPUT_FOLDER = "media"
MISSING = "media missing from the archive"
"""Start of the failure reason of a media URL whose file the archive does not hold."""
_HASH_CHUNK = 1024 * 1024


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
        self._unrecorded_missing = status in ("running", "complete") or (
            status is None and next(archive.iter_media(), None) is not None)

    def local_file(self, url: str) -> str | None:
        """The name of ``url``'s file in the archive's media folder when it is there, intact;
        else None (and ``missing`` says why, when the archive should have held it)."""
        record = self.archive.get_media(url)
        if record is None:
            if self._unrecorded_missing:
                self.missing[url] = (f"{MISSING}: never downloaded (the crawl was stopped "
                                     "before it got to it)")
            return None
        if record.status != "done" or not record.file:
            return None  # failed (reported by media_failures) or skipped (kept outside)
        problem = self.problem(record)
        if problem is not None:
            self.missing[url] = f"{MISSING}: {problem}"
            return None
        return record.file

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
    """Articles with ``Image.local_path`` set for every image whose file the archive holds,
    plus one ``Image`` per attached file linked from the body (so every format declares and
    rewrites it). ``stored`` collects the media missing from the archive."""
    stored = stored or StoredMedia(archive)
    for article in articles:
        known = {original_image_url(image.url) for image in article.images}
        for url, text in body_file_links(article.body_html):
            if url not in known:
                article.images.append(Image(url=url, alt=text))
                known.add(url)
        for image in article.images:
            file = stored.local_file(original_image_url(image.url))
            if file is not None:
                image.local_path = f"{MEDIA_OUTPUT_FOLDER}/{file}"
        if article.cover_image and article.cover_image.startswith(("http://", "https://")):
            stored.local_file(original_image_url(article.cover_image))  # missing or not
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
        source = archive.media_dir / file
        if stored.problem(record) is None:
            if count == 0:
                _make_folder(target_dir)
            link_or_copy(source, target_dir / file)
            count += 1
    return count


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot write {folder}: {error.strerror or error}") from error
