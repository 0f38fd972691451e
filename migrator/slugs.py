"""Safe slugs, logins and file names for the exporters.

Every output path is built from these helpers so that a hostile title or slug
("../../etc/passwd", "CON", 300 characters, only emoji) can never escape the output folder or
produce a name some file system refuses. ``ensure_inside`` is the last line of defence.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from slugify import slugify

from migrator.errors import ExportError

__all__ = [
    "MAX_SLUG_LENGTH",
    "ascii_login",
    "article_slug",
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


def ensure_inside(root: Path, path: Path) -> Path:
    """Return ``path`` resolved, or raise ExportError when it is not inside ``root``."""
    resolved_root = root.resolve()
    resolved = path.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise ExportError(f"refusing to write outside {resolved_root}: {resolved}")
    return resolved
