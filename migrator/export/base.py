"""The streaming exporter interface and the plumbing every format shares.

An exporter is built with the site plan (``links.SitePlan``: where every article lands, fixed
in a first pass over the archive), receives the blog once (``start``), then articles one at a
time (``write``), then ``finish``; it never keeps articles in memory. The base class runs that
lifecycle (a ``write`` or ``finish`` before ``start`` is an error) and calls the format's
``_start``, ``_write`` and ``_finish``. Output goes to temporary files in the target folder,
renamed into place only when complete, so a crash never leaves half a file; ``abort`` removes
them. File-system failures become one-line ``ExportError``s naming the path.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import IO, ClassVar, Literal, overload

from bs4 import BeautifulSoup

from migrator.errors import ExportError
from migrator.files import temp_file_beside
from migrator.links import Placement, SitePlan
from migrator.media.identity import file_key
from migrator.model import Article, Blog, Image
from migrator.settings import ExportSettings
from migrator.slugs import ensure_inside

__all__ = ["Exporter", "describe_os_error", "rewrite_image_sources"]


def describe_os_error(path: Path, error: OSError) -> str:
    reason = error.strerror or str(error) or type(error).__name__
    return f"cannot write {path}: {reason}"


class Exporter(ABC):
    """One output format. Call ``start`` once, ``write`` per article, ``finish`` once.

    ``plan`` places every article the exporter will be given (its slug, its new address, how
    WordPress must see it) and names the site's authors and terms.
    """

    name: ClassVar[str]
    target: Path
    """What the format writes (a file or a folder), for messages; set by each format."""

    def __init__(self, out_dir: Path, settings: ExportSettings, plan: SitePlan) -> None:
        self.out_dir = Path(out_dir)
        self.settings = settings
        self.plan = plan
        self.written: list[Path] = []
        self.warnings: list[tuple[str, str]] = []
        """(article URL, message) for ``report.json``: what this format had to change."""
        self._temps: list[Path] = []
        self._started = False

    # -- the lifecycle ---------------------------------------------------------------------

    def start(self, blog: Blog) -> None:
        self._started = True
        self._start(blog)

    def write(self, article: Article) -> None:
        self._require_start("write")
        self._write(article)

    def finish(self) -> None:
        self._require_start("finish")
        self._finish()
        self._started = False

    def _require_start(self, call: str) -> None:
        if not self._started:
            raise ExportError(f"cannot write {self.target}: {call}() called before start()")

    @abstractmethod
    def _start(self, blog: Blog) -> None: ...

    @abstractmethod
    def _write(self, article: Article) -> None: ...

    @abstractmethod
    def _finish(self) -> None: ...

    def abort(self) -> None:
        """Close and remove temporary files after a failure; the final files stay untouched."""
        try:
            self._close_handles()
        except (OSError, ExportError):
            pass  # the original failure is the one worth reporting
        for temp in self._temps:
            temp.unlink(missing_ok=True)
        self._temps.clear()

    def _close_handles(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Formats close their open handles here."""

    # -- shared by the formats -------------------------------------------------------------

    def warn(self, url: str, message: str) -> None:
        self.warnings.append((url, message))

    def placement(self, article: Article) -> Placement:
        """Where ``article`` lands (the plan's answer; an article outside it is an error)."""
        placement = self.plan.placement(article.url)
        if placement is None:
            raise ExportError(f"cannot write {self.target}: {article.url} is not in the site "
                              "plan the exporter was built with")
        return placement

    def _emit(self, handle: IO[str], text: str, path: Path | None = None) -> None:
        """Write ``text``; on failure, abort and raise an ``ExportError`` naming ``path``."""
        try:
            handle.write(text)
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(path or self.target, error)) from error

    # -- file plumbing ---------------------------------------------------------------------

    def _target(self, relative: str | Path) -> Path:
        """Absolute path of ``relative`` under out_dir, refused if it escapes out_dir."""
        return ensure_inside(self.out_dir, self.out_dir / relative)

    def _make_dir(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ExportError(describe_os_error(folder, error)) from error

    @overload
    def _open_temp(self, final: Path, errors: str = "strict", *,
                   binary: Literal[False] = False) -> tuple[IO[str], Path]: ...

    @overload
    def _open_temp(self, final: Path, errors: str = "strict", *,
                   binary: Literal[True]) -> tuple[IO[bytes], Path]: ...

    def _open_temp(self, final: Path, errors: str = "strict", *,
                   binary: bool = False) -> tuple[IO[str], Path] | tuple[IO[bytes], Path]:
        """A handle (text, or ``binary``) on a new temporary file beside ``final``."""
        self._make_dir(final.parent)
        try:
            fd, temp = temp_file_beside(final)
            handle: IO[str] | IO[bytes] = (
                os.fdopen(fd, "wb") if binary
                else os.fdopen(fd, "w", encoding="utf-8", errors=errors, newline="\n"))
        except OSError as error:
            raise ExportError(describe_os_error(final, error)) from error
        self._temps.append(temp)
        return handle, temp  # type: ignore[return-value]  # the overloads say which

    def _commit(self, temp: Path, final: Path) -> None:
        """Atomically move a finished temporary file into place."""
        try:
            os.replace(temp, final)
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(final, error)) from error
        if temp in self._temps:
            self._temps.remove(temp)
        self.written.append(final)

    def _write_atomically(self, final: Path, text: str) -> None:
        handle, temp = self._open_temp(final)
        try:
            with handle:
                handle.write(text)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise ExportError(describe_os_error(final, error)) from error
        self._commit(temp, final)


def rewrite_image_sources(
    body_html: str, images: list[Image], url_for: Callable[[Image], str]
) -> str:
    """Point every reference to one of ``images`` at exactly ``url_for(image)``.

    ``<img src>`` (and ``data-src``) and ``<a href>`` (the full-size link around a thumbnail,
    a link to an attached PDF) match the image's local path or any URL of the same uploaded
    file: every size, host or resizer form of it (``media.identity.file_key``).
    ``srcset``/``data-src`` are dropped from rewritten images so nothing else points at the
    old host.
    """
    if not images or ("<img" not in body_html and "<a" not in body_html):
        return body_html
    targets: dict[str, str] = {}
    for image in images:
        for key in (file_key(image.url), image.local_path):
            if key:
                targets.setdefault(key, url_for(image))

    def target_of(url: str) -> str | None:
        url = url.strip()
        return targets.get(file_key(url)) or targets.get(url) if url else None

    soup = BeautifulSoup(body_html, "html.parser")
    changed = False
    for img in soup.find_all("img"):
        target = target_of(str(img.get("src") or img.get("data-src") or ""))
        if target is None:
            continue
        img["src"] = target
        for attribute in ("srcset", "data-src", "data-srcset"):
            if attribute in img.attrs:
                del img[attribute]
        changed = True
    for anchor in soup.find_all("a", href=True):
        target = target_of(str(anchor["href"]))
        if target is not None:
            anchor["href"] = target
            changed = True
    return str(soup) if changed else body_html
