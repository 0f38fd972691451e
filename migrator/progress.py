"""Progress on long work: a one-line status on a terminal, plain log lines otherwise.

The line says what the crawl knows (``discovered 412 · done 230 · failed 1 · media 310/655 ·
ETA 1h12m``): pages discovered, pages done (fetched or taken from the archive), failures
(pages and media files), media files stored out of those met, and the time left. The ETA is
given by the crawl (``set_eta``) from its per-host queues and delays: under politeness the end
is the busiest host's remaining requests × its pace, not an extrapolation of the rate so far.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["Progress", "ProgressAwareHandler", "duration"]

log = logging.getLogger(__name__)

_ERASE = "\r\x1b[2K"
_on_screen: Progress | None = None
"""The progress whose line the terminal shows now (a log line erases it first)."""


class ProgressAwareHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A log handler that erases the progress line before writing (a log line written after
    it ran into it: "… ETA 0.5sMedia: 24 files"); the next update draws it again below."""

    def emit(self, record: logging.LogRecord) -> None:
        shown = _on_screen
        if shown is not None:
            shown.erase()
        super().emit(record)


def duration(seconds: float) -> str:
    """``1h12m``, ``3m05s``, ``42s``, ``0.4s``."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


@dataclass
class Progress:
    """Counters of a crawl, shown as they change.

    On a terminal the status line is redrawn in place (at most 10 times a second); when the
    output is not a terminal a log line is written every ``every`` seconds.
    """

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    enabled: bool = True
    every: float = 10.0
    discovered: int = 0
    fetched: int = 0
    from_archive: int = 0
    earlier: int = 0
    """Pages done by an earlier run (not walked again)."""
    articles: int = 0
    failed: int = 0
    media_files: int = 0
    media_stored: int = 0
    media_failed: int = 0
    eta: float | None = None
    """Seconds left, as the crawl estimates them (None: not known yet)."""
    wall: float | None = None
    """Seconds the crawl took, once finished."""
    waited: dict[str, float] = field(default_factory=dict)
    """Seconds workers slept for politeness, by reason (``delay``, ``retry``), once finished."""
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    """Seconds, for the redraw rate (a seam: tests pass a clock of their own)."""
    _last_draw: float | None = None
    _drawn: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def interactive(self) -> bool:
        return self.enabled and hasattr(self.stream, "isatty") and self.stream.isatty()

    @property
    def done(self) -> int:
        """Pages handled without failure (fetched, taken from the archive, or done by an
        earlier run)."""
        return self.fetched + self.from_archive + self.earlier

    def line(self) -> str:
        parts = [f"discovered {self.discovered}", f"done {self.done}",
                 f"failed {self.failed + self.media_failed}"]
        if self.media_files:
            parts.append(f"media {self.media_stored}/{self.media_files}")
        if self.eta is not None:
            parts.append(f"ETA {duration(self.eta)}")
        return " · ".join(parts)

    def summary(self) -> str:
        """The line that ends a crawl."""
        earlier = f"{self.earlier} done by an earlier run, " if self.earlier else ""
        text = (f"Crawl finished: {self.fetched} fetched, {self.from_archive} from archive, "
                f"{earlier}{self.failed} failed")
        if self.media_files:
            text += f"; media: {self.media_stored} of {self.media_files} files stored"
        if self.wall is not None:
            text += f"; {duration(self.wall)} in all"
            delay, retry = self.waited.get("delay", 0.0), self.waited.get("retry", 0.0)
            if delay or retry:
                text += (f", workers waited {duration(delay)} for politeness delays"
                         f" and {duration(retry)} before retries (summed over the workers)")
        return text

    def update(self, **changes: int) -> None:
        """Add to counters (called from worker threads too)."""
        with self._lock:
            for name, delta in changes.items():
                setattr(self, name, getattr(self, name) + delta)
            if self.enabled:
                self._show()

    def set_eta(self, seconds: float | None) -> None:
        with self._lock:
            self.eta = seconds
            if self.enabled:
                self._show()

    def finished(self, wall: float, waited: dict[str, float]) -> None:
        """The crawl is over: how long it took, how long workers slept for politeness."""
        self.wall, self.waited, self.eta = wall, dict(waited), None

    def _show(self) -> None:
        now = self.clock()
        if self.interactive:
            if self._last_draw is None or now - self._last_draw >= 0.1:
                self._last_draw = now
                self.stream.write(_ERASE + self.line())
                self.stream.flush()
                self._drawn = True
                _show_on_screen(self)
        elif self._last_draw is None:
            self._last_draw = now  # the first line comes ``every`` seconds after the start
        elif now - self._last_draw >= self.every:
            self._last_draw = now
            log.info("%s", self.line())

    def erase(self) -> None:
        """Take the line off the screen (drawn again at the next update)."""
        with self._lock:
            if self._drawn:
                self.stream.write(_ERASE)
                self.stream.flush()
                self._drawn, self._last_draw = False, None

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                self.stream.write(_ERASE + self.line() + "\n")
                self.stream.flush()
                self._drawn = False
            _show_on_screen(None)


def _show_on_screen(progress: Progress | None) -> None:
    global _on_screen
    _on_screen = progress
