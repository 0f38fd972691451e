"""A saved copy of a blog on disk as a transport: ``MirrorTransport``.

The folder is laid out as ``wget --mirror`` writes a site (``<host>/<path>``,
``<host>/<dir>/index.html``, ``<path>?<query>`` files), with an optional ``<host>/.redirects``
table (``PATH STATUS LOCATION`` lines). Missing files and unknown hosts answer 404; a copy on
disk needs no politeness (``needs_politeness = False``). A file over ``max_body_bytes`` is
refused as an HTTP body over the cap is (``settings.MAX_BODY_BYTES``), read in chunks.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import FetchError
from ..response import Response
from ..settings import MAX_BODY_BYTES
from .transport import too_large

__all__ = ["MirrorTransport", "layout_file", "read_capped"]


MIRROR_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".css": "text/css",
    ".js": "application/javascript",
    ".mp3": "audio/mpeg",
}


class MirrorTransport:
    """Answers from a saved copy laid out as ``wget --mirror`` writes it (``<host>/<path>``).

    ``folder`` holds one sub-folder per host, or is itself the blog's host folder (then other
    hosts are its siblings). Missing files and unknown hosts answer 404.
    """

    needs_politeness = False

    def __init__(self, folder: Path, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.folder = Path(folder)
        self.max_body_bytes = max_body_bytes

    def site_hosts(self) -> list[str]:
        """Hosts saved in the folder that have a home page (the folder itself first)."""
        hosts = [self.folder.name.lower()] if (self.folder / "index.html").is_file() else []
        for child in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if "." in child.name and (child / "index.html").is_file():
                hosts.append(child.name.lower())
        return hosts

    def host_dir(self, host: str) -> Path | None:
        inside = self.folder / host
        if inside.is_dir():
            return inside
        if self.folder.name.lower() == host:
            return self.folder
        sibling = self.folder.parent / host
        if "." in self.folder.name and sibling.is_dir():
            return sibling
        return None

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        parts = urlsplit(url)
        host_dir = self.host_dir((parts.hostname or "").lower())
        if host_dir is None:
            return _mirror_answer(url, 404, b"", "text/plain", {"x-mirror": "no-such-host"})
        redirect = _mirror_redirects(host_dir).get(parts.path or "/")
        if redirect:
            status, location = redirect
            return _mirror_answer(url, status, b"", "text/html", {"location": location})
        path = layout_file(host_dir, parts.path, parts.query)
        if path is None:
            return _mirror_answer(url, 404, b"<html><body>Not found</body></html>", "text/html")
        body = read_capped(url, path, self.max_body_bytes)
        return _mirror_answer(url, 200, body, _mirror_type(path, body))

    def close(self) -> None:
        """Nothing to release."""


READ_CHUNK = 64 * 1024


def read_capped(url: str, path: Path, limit: int) -> bytes:
    """The bytes of ``path``, read in chunks; ``FetchError`` when there are more than
    ``limit`` (checked before reading, and again while reading: the file may grow)."""
    try:
        if path.stat().st_size > limit:
            raise FetchError(url, too_large(limit))
        chunks: list[bytes] = []
        size = 0
        with open(path, "rb") as stream:
            while chunk := stream.read(READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FetchError(url, too_large(limit))
                chunks.append(chunk)
    except OSError as error:
        raise FetchError(url, f"cannot read {path}: {error.strerror or error}") from error
    return b"".join(chunks)


def _mirror_answer(
    url: str, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
) -> Response:
    headers = {"content-type": content_type, "content-length": str(len(body)), **(extra or {})}
    return Response(url, url, status, headers, body)


def layout_file(host_dir: Path, path: str, query: str) -> Path | None:
    relative = unquote(path).lstrip("/")
    if query:
        relative = f"{relative}?{unquote(query)}"
    candidate = host_dir / relative if relative else host_dir
    try:
        candidate.resolve().relative_to(host_dir.resolve())
    except ValueError:
        return None
    for option in (candidate / "index.html", candidate, Path(f"{candidate}.html")):
        if option.is_file():
            return option
    return None


def _mirror_redirects(host_dir: Path) -> dict[str, tuple[int, str]]:
    table_file = host_dir / ".redirects"
    if not table_file.is_file():
        return {}
    table: dict[str, tuple[int, str]] = {}
    for line in table_file.read_text(encoding="utf-8").splitlines():
        fields_ = line.split()
        if len(fields_) == 3 and not line.startswith("#") and fields_[1].isdigit():
            table[fields_[0]] = (int(fields_[1]), fields_[2])
    return table


def _mirror_type(path: Path, body: bytes) -> str:
    suffix = path.suffix.lower() if "?" not in path.name else ""
    if suffix in MIRROR_TYPES:
        return MIRROR_TYPES[suffix]
    start = body.lstrip()[:100].lower()
    if start.startswith(b"<?xml") or start.startswith(b"<rss") or start.startswith(b"<feed"):
        return "application/xml"
    return "text/html"


