"""Safe slugs, logins and file names for the exporters.

Every output path is built from these helpers so that a hostile title or slug
("../../etc/passwd", "CON", 300 characters, only emoji) can never escape the output folder or
produce a name some file system refuses. ``ensure_inside`` is the last line of defence.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from slugify import slugify

from migrator.errors import ExportError

__all__ = [
    "MAX_SLUG_LENGTH",
    "ascii_login",
    "article_slug",
    "builder_path",
    "ensure_inside",
    "safe_slug",
    "term_slug",
    "unique_name",
    "url_path",
]

MAX_SLUG_LENGTH = 80

# Names Windows refuses as file names, whatever the extension.
_RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)


def safe_slug(
    text: str | None, fallback: str = "untitled", max_length: int = MAX_SLUG_LENGTH
) -> str:
    """ASCII, lower-case, hyphenated slug of ``text``; never empty, never a reserved name."""
    slug = slugify(text, max_length=max_length) if text else ""
    if not slug:
        slug = slugify(fallback, max_length=max_length) or "untitled"
    if slug in _RESERVED_NAMES:
        slug = f"{slug}-1"
    return slug


def term_slug(name: str) -> str:
    """Slug of a tag or category name; names with no ASCII letters get a stable hash slug."""
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return safe_slug(name, fallback=f"term-{digest}")


def ascii_login(display_name: str, fallback: str = "auteur") -> str:
    """WordPress-safe login (``sanitize_user`` strict keeps a-z 0-9 - _ . @ and spaces).

    >>> ascii_login("Gérard Dupont")
    'gerard-dupont'
    """
    return safe_slug(display_name, fallback=fallback, max_length=60)


def url_path(url: str) -> str:
    """Path (and query, if any) of a URL, always starting with ``/``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _slug_from_url(url: str) -> str:
    name = unquote(urlsplit(url).path).rstrip("/").rsplit("/", 1)[-1]
    for suffix in (".html", ".htm", ".php"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def article_slug(slug: str, title: str, url: str) -> str:
    """The article's own slug when it has one, else one from its URL, else from its title."""
    for candidate in (slug, _slug_from_url(url), title):
        cleaned = safe_slug(candidate, fallback="") if candidate else ""
        if cleaned and cleaned != "untitled":
            return cleaned
    return "untitled"


def unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``… the first not in ``used``; records the choice."""
    candidate = name
    counter = 2
    while candidate in used:
        candidate = f"{name}-{counter}"
        counter += 1
    used.add(candidate)
    return candidate


MAX_NAME_BYTES = 200
"""Longest file or folder name a builder may have to write for an old address (file systems
stop at 255 bytes; a margin is left for what a builder adds)."""
MAX_PATH_BYTES = 1024
_REFUSED_IN_NAMES = re.compile(r'[\x00-\x1f\x7f-\x9f\\:*?"<>|]')


def builder_path(path: str) -> str | None:
    """The old address ``path`` as a static-site builder can write it, or None.

    Hugo (``aliases``) and Jekyll (``redirect_from``) write one file per old address, and a
    web server looks a request up by its *decoded* path: so the path is percent-decoded, and
    refused when a file system or a builder could not take it as a file name: invalid UTF-8,
    a query, a control character or one of ``\\ : * ? " < > |`` (Windows), a ``.`` or ``..``
    segment, a name ending in a dot or a space, a name longer than ``MAX_NAME_BYTES`` bytes
    (Hugo fails with "file name too long") or a whole path longer than ``MAX_PATH_BYTES``.
    """
    if "?" in path or "#" in path:
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if not decoded.startswith("/") or _REFUSED_IN_NAMES.search(decoded):
        return None
    if len(decoded.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        return None
    names = decoded.strip("/").split("/")
    for name in names:
        if name in ("", ".", "..") and decoded != "/":
            return None
        if name.endswith((".", " ")) or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            return None
    return decoded


def ensure_inside(root: Path, path: Path) -> Path:
    """Return ``path`` resolved, or raise ExportError when it is not inside ``root``."""
    resolved_root = root.resolve()
    resolved = path.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise ExportError(f"refusing to write outside {resolved_root}: {resolved}")
    return resolved
