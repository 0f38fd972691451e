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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..archive import Archive
from ..errors import ExportError
from ..files import link_or_copy
from ..model import Article, Image
from .identity import file_key
from .urls import body_file_links

__all__ = ["MEDIA_OUTPUT_FOLDER", "attach_local_paths", "media_failures", "publish_media"]

MEDIA_OUTPUT_FOLDER = "media"


def attach_local_paths(archive: Archive, articles: Iterable[Article]) -> Iterator[Article]:
    """Articles with ``Image.local_path`` set for every downloaded file (and ``Image.url``,
    ``cover_image`` the URL its copy came from), plus one ``Image`` per attached file linked
    from the body (so every format declares and rewrites it); one ``Image`` per file."""
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
            record = archive.get_media_file(key)
            if record is not None and record.status == "done" and record.file:
                image.local_path = f"{MEDIA_OUTPUT_FOLDER}/{record.file}"
                image.url = record.url
            images.append(image)
        article.images = images
        if article.cover_image:
            record = archive.get_media(article.cover_image)
            if record is not None and record.status == "done" and record.file:
                article.cover_image = record.url
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
