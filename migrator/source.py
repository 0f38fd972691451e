"""Turn the SOURCE argument into a base URL and the transport that reaches it.

SOURCE is recognised by what it is:

- a blog's URL (any host: Overblog is recognised later, by its markup) → HTTP;
- a ``.warc``, ``.warc.gz`` or ``.wacz`` file, or a folder holding such files → the WARC
  records (``fetch.warcsource``; decision: WARC files win over saved pages beside them, as
  ``wget --mirror --warc-file`` leaves both: they keep statuses, headers and redirects);
- a folder laid out as ``wget --mirror`` writes one blog (``host/index.html``) → that copy
  (``fetch.mirror``), as before;
- any other folder of saved pages (an HTTrack mirror, a browser's "Save page as", a copy
  without its home page) → every page in it (``fetch.saved``).

For a saved copy (WARC or pages) the blog's address is the host most of its pages come from,
and ``Source.pages`` lists every page it holds: the crawl reads them all, home page or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import SourceError
from .fetch import HttpTransport, MirrorTransport, Transport
from .fetch.saved import SavedPagesTransport, scan_saved_pages
from .fetch.warcsource import WarcTransport
from .parse import is_overblog
from .settings import CrawlSettings
from .warc import WarcRecords, warc_files
from .warc.reader import is_warc_file

__all__ = ["Source", "resolve_source"]


@dataclass(slots=True)
class Source:
    base_url: str
    """Scheme and host of the blog, with a trailing slash: ``http://myblog.over-blog.com/``."""
    description: str
    """What the user gave, for messages and the report."""
    mirror_root: Path | None = None
    """Folder of host folders when SOURCE is a saved copy on disk."""
    saved: Transport | None = None
    """The transport of a saved copy read when SOURCE was resolved (WARC files, pages)."""
    pages: tuple[str, ...] = ()
    """Every page of the blog a saved copy holds: crawled as if a page linked them (a copy
    may lack its home page, or pages no other page links)."""

    @property
    def over_http(self) -> bool:
        """Whether the crawl fetches over HTTP (then its exchanges are worth a WARC)."""
        return self.mirror_root is None and self.saved is None

    def transport(self, settings: CrawlSettings) -> Transport:
        if self.saved is not None:
            return self.saved
        if self.mirror_root is not None:
            return MirrorTransport(self.mirror_root, settings.max_body_bytes)
        return HttpTransport(settings.max_body_bytes)


def resolve_source(source: str) -> Source:
    """Read SOURCE; raise SourceError with one clear line when it is unusable."""
    source = source.strip()
    if source.startswith(("http://", "https://")):
        return Source(_base_url(source), source)
    folder = Path(source).expanduser()
    if folder.is_file():
        if is_warc_file(folder):
            return _warc_source([folder], source)
        raise SourceError(f"{source!r} is a file but not a WARC or WACZ file "
                          "(.warc, .warc.gz, .wacz)")
    if folder.is_dir():
        return _folder_source(folder, source)
    if "://" in source:
        raise SourceError(f"SOURCE must be an http:// or https:// URL, not {source!r}")
    if "." in source and "/" not in source.rstrip("/") and not folder.exists():
        raise SourceError(
            f"{source!r} is not a URL: did you mean http://{source.rstrip('/')}/ ?"
        )
    raise SourceError(
        f"SOURCE {source!r} is neither an http(s) URL nor a folder holding a saved blog "
        "(nor a WARC or WACZ file)"
    )


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname or " " in url:
        raise SourceError(f"SOURCE {url!r} is not a valid URL")
    host = parts.hostname.lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/"


def _folder_source(folder: Path, given: str) -> Source:
    folder = folder.resolve()
    warcs = warc_files(folder)
    if warcs:
        return _warc_source(warcs, given)
    if not (folder / "hts-cache").is_dir():
        mirror = _mirror_source(folder, given)
        if mirror is not None:
            return mirror
    return _saved_pages_source(folder, given)


def _mirror_source(folder: Path, given: str) -> Source | None:
    """A folder named after a host is its mirror; a folder of host folders is a mirror root
    (None: no host folder with a home page, another kind of copy)."""
    if _looks_like_host(folder.name) and (folder / "index.html").is_file():
        root, host = folder.parent, folder.name
    else:
        hosts = [p.name for p in folder.iterdir() if p.is_dir() and (p / "index.html").is_file()]
        blogs = [h for h in hosts if _looks_like_host(h)]
        if len(blogs) > 1:
            raise SourceError(
                f"folder {given!r} holds the saved copies of {len(blogs)} sites "
                f"({', '.join(sorted(blogs)[:3])}…): give the folder of one of them"
            )
        if not blogs:
            return None
        root, host = folder, blogs[0]
    return Source(f"http://{host}/", given, mirror_root=root)


def _saved_pages_source(folder: Path, given: str) -> Source:
    """Every saved page of the folder, whatever saved it (see the module's docstring)."""
    pages, index = scan_saved_pages(folder, is_overblog)
    blog_pages = [page.url for page in pages if page.overblog]
    if not blog_pages:
        raise SourceError(
            f"folder {given!r} holds no saved Overblog page ({len(pages)} HTML file(s) with "
            "a known address; a page's address comes from its host folder, the comment "
            "HTTrack or a browser writes, or its canonical link)"
        )
    base_url = _blog_of(blog_pages)
    return Source(base_url, given, saved=SavedPagesTransport(folder, index),
                  pages=tuple(_on_blog(blog_pages, base_url)))


def _warc_source(files: list[Path], given: str) -> Source:
    records = WarcRecords(files)
    pages = records.html_pages()
    if not pages:
        raise SourceError(f"{given!r} holds no HTML page answered 200 in its WARC records "
                          f"({len(files)} file(s), {len(records)} URL(s))")
    base_url = _blog_of(pages)
    return Source(base_url, given, saved=WarcTransport(records),
                  pages=tuple(_on_blog(pages, base_url)))


def _blog_of(urls: list[str]) -> str:
    """The base URL of the host most of ``urls`` are on (``www.`` or not), first seen first."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for url in urls:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        counts[host] = counts.get(host, 0) + 1
        first.setdefault(host, url)
    best = max(counts, key=lambda host: counts[host])  # the first of equals wins
    return _base_url(first[best])


def _on_blog(urls: list[str], base_url: str) -> list[str]:
    host = (urlsplit(base_url).hostname or "").removeprefix("www.")
    return [url for url in urls
            if (urlsplit(url).hostname or "").lower().removeprefix("www.") == host]


def _looks_like_host(name: str) -> bool:
    return "." in name and " " not in name and not name.startswith(".")
