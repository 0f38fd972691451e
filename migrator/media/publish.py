"""The export stage's side of media: what was downloaded, put where the outputs point.

``attach_local_paths`` fills ``Image.local_path`` (``media/<file>``) from the archive's media
index and adds the files linked from a body (PDFs…) as extra ``Image`` entries, so that every
format declares and rewrites them; ``publish_media`` hard-links (or copies) the downloaded files
into ``DIR/media/``; ``media_failures`` lists what could not be downloaded, for the report.
Reads the archive only: nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..archive import Archive
from ..errors import ExportError
from ..files import link_or_copy
from ..model import Article, Image
from .urls import body_file_links, original_image_url

__all__ = ["MEDIA_OUTPUT_FOLDER", "attach_local_paths", "media_failures", "publish_media"]

MEDIA_OUTPUT_FOLDER = "media"


def attach_local_paths(archive: Archive, articles: Iterable[Article]) -> Iterator[Article]:
    """Articles with ``Image.local_path`` set for every downloaded image, plus one ``Image``
    per attached file linked from the body (so every format declares and rewrites it)."""
    for article in articles:
        known = {original_image_url(image.url) for image in article.images}
        for url, text in body_file_links(article.body_html):
            if url not in known:
                article.images.append(Image(url=url, alt=text))
                known.add(url)
        for image in article.images:
            record = archive.get_media(original_image_url(image.url))
            if record is not None and record.status == "done" and record.file:
                image.local_path = f"{MEDIA_OUTPUT_FOLDER}/{record.file}"
        yield article


def media_failures(archive: Archive) -> list[dict[str, str]]:
    """report.json entries for the media that could not be downloaded."""
    return [
        {"url": record.url, "reason": f"media not downloaded: {record.reason or 'unknown'}"}
        for record in archive.iter_media("failed")
    ]


def publish_media(archive: Archive, out_dir: Path) -> int:
    """Hard-link (or copy) every downloaded file into ``out_dir/media/``; returns the count."""
    target_dir = out_dir / MEDIA_OUTPUT_FOLDER
    count = 0
    for file in dict.fromkeys(r.file for r in archive.iter_media("done") if r.file):
        source = archive.media_dir / file
        if source.is_file():
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
