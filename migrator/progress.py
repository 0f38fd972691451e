"""Progress on long work: a one-line status on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["Progress"]

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """Counters of a crawl, shown as they change.

    On a terminal the status line is redrawn in place (at most 10 times a second); when the
    output is not a terminal a log line is written every ``every`` fetched pages.
    """

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    enabled: bool = True
    every: int = 25
    discovered: int = 0
    fetched: int = 0
    from_archive: int = 0
    articles: int = 0
    failed: int = 0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    """Seconds, for the redraw rate (a seam: tests pass a clock of their own)."""
    _last_draw: float = 0.0
    _drawn: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def interactive(self) -> bool:
        return self.enabled and hasattr(self.stream, "isatty") and self.stream.isatty()

    def line(self) -> str:
        return (
            f"discovered {self.discovered} · fetched {self.fetched} "
            f"(+{self.from_archive} from archive) · articles {self.articles} · failed {self.failed}"
        )

    def summary(self) -> str:
        """The line that ends a crawl."""
        return (
            f"Crawl finished: {self.fetched} fetched, {self.from_archive} from archive, "
            f"{self.failed} failed"
        )

    def update(self, **changes: int) -> None:
        """Add to counters (called from worker threads too)."""
        with self._lock:
            for name, delta in changes.items():
                setattr(self, name, getattr(self, name) + delta)
            if self.enabled:
                self._show(changes)

    def _show(self, changes: dict[str, int]) -> None:
        if self.interactive:
            now = self.clock()
            if now - self._last_draw >= 0.1:
                self._last_draw = now
                self.stream.write("\r\x1b[2K" + self.line())
                self.stream.flush()
                self._drawn = True
        elif changes.get("fetched") and self.fetched % self.every == 0:
            log.info("%s", self.line())

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[2K" + self.line() + "\n")
            self.stream.flush()
            self._drawn = False
