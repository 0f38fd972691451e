"""Turn the SOURCE argument into a base URL and the transport that reaches it.

SOURCE is either a blog's URL (any host: Overblog is recognised later, by its markup) or a local
folder holding a saved copy of a blog as ``wget --mirror`` lays it out (``host/path`` files).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import SourceError
from .fetch import HttpTransport, MirrorTransport, Transport
from .settings import CrawlSettings

__all__ = ["Source", "resolve_source"]


@dataclass(slots=True)
class Source:
    base_url: str
    """Scheme and host of the blog, with a trailing slash: ``http://myblog.over-blog.com/``."""
    description: str
    """What the user gave, for messages and the report."""
    mirror_root: Path | None = None
    """Folder of host folders when SOURCE is a saved copy on disk."""

    def transport(self, settings: CrawlSettings) -> Transport:
        if self.mirror_root is not None:
            return MirrorTransport(self.mirror_root, settings.max_body_bytes)
        return HttpTransport(settings.max_body_bytes)


def resolve_source(source: str) -> Source:
    """Read SOURCE; raise SourceError with one clear line when it is unusable."""
    source = source.strip()
    if source.startswith(("http://", "https://")):
        return Source(_base_url(source), source)
    folder = Path(source).expanduser()
    if folder.is_dir():
        return _mirror_source(folder, source)
    if "://" in source:
        raise SourceError(f"SOURCE must be an http:// or https:// URL, not {source!r}")
    if "." in source and "/" not in source.rstrip("/") and not folder.exists():
        raise SourceError(
            f"{source!r} is not a URL: did you mean http://{source.rstrip('/')}/ ?"
        )
    raise SourceError(
        f"SOURCE {source!r} is neither an http(s) URL nor a folder holding a saved blog"
    )


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname or " " in url:
        raise SourceError(f"SOURCE {url!r} is not a valid URL")
    host = parts.hostname.lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/"


def _mirror_source(folder: Path, given: str) -> Source:
    """A folder named after a host is its mirror; a folder of host folders is a mirror root."""
    folder = folder.resolve()
    if _looks_like_host(folder.name) and (folder / "index.html").is_file():
        root, host = folder.parent, folder.name
    else:
        hosts = [p.name for p in folder.iterdir() if p.is_dir() and (p / "index.html").is_file()]
        blogs = [h for h in hosts if _looks_like_host(h)]
        if len(blogs) != 1:
            raise SourceError(
                f"folder {given!r} must be one host's saved copy (host/index.html) "
                f"or hold exactly one; found {len(blogs)}"
            )
        root, host = folder, blogs[0]
    return Source(f"http://{host}/", given, mirror_root=root)


def _looks_like_host(name: str) -> bool:
    return "." in name and " " not in name and not name.startswith(".")
