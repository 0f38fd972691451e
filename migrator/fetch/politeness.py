"""Per host: its robots.txt rules, the delay between two requests, and each request's turn.

``HostQueues`` is what makes many worker threads polite to one host: threads of a host queue at
its gate and get their turn one at a time, ``delay`` seconds apart. Every fetch of a run goes
through the fetcher's one ``HostQueues`` (pages, robots.txt and media alike), so a job of any
kind that shares the fetcher shares each host's queue and delay: media downloaded during the
crawl take their turns among the pages of their host, spaced like them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from ..settings import CrawlSettings

__all__ = ["HostQueues", "hostname"]


def hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@dataclass
class _Host:
    last_start: float | None = None
    not_before: float = 0.0
    robots: Protego | None = None
    robots_loaded: bool = False
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    gate: threading.Lock = field(default_factory=threading.Lock)
    """Held by the thread waiting for the host's next slot (and, with a delay, sending)."""


class HostQueues:
    """The politeness state of every host met, shared by the threads of one fetcher.

    ``load_robots(robots_url)`` fetches and parses a robots.txt (None: allow everything); it is
    called once per host. ``polite`` is False for a copy on disk (no delay). ``sleep`` and
    ``clock`` are the fetcher's (tests pass fakes).
    """

    def __init__(self, settings: CrawlSettings, polite: bool,
                 load_robots: Callable[[str], Protego | None],
                 sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
        self.settings = settings
        self.polite = polite
        self._load_robots = load_robots
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        with self._lock:
            return self._hosts.setdefault(host, _Host())

    # -- robots.txt ----------------------------------------------------------------------

    def robots(self, url: str) -> Protego | None:
        """The host's parsed robots.txt, fetched once (failure = allow all)."""
        parts = urlsplit(url)
        state = self._host((parts.hostname or "").lower())
        with state.robots_lock:
            if not state.robots_loaded:
                state.robots = self._load_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
                state.robots_loaded = True
        return state.robots

    def allowed(self, url: str) -> bool:
        if urlsplit(url).path == "/robots.txt":
            return True
        robots = self.robots(url)
        return robots is None or robots.can_fetch(url, self.settings.user_agent)

    # -- turns ---------------------------------------------------------------------------

    def delay(self, host: str) -> float:
        """Seconds between two requests to ``host``: the setting, else its robots.txt
        ``Crawl-delay`` (once loaded), else the default."""
        return self._delay(self._host(host))

    def _delay(self, state: _Host) -> float:
        if self.settings.delay is not None:
            return max(0.0, self.settings.delay)
        if state.robots is not None:
            crawl_delay = state.robots.crawl_delay(self.settings.user_agent)
            if crawl_delay is not None:
                return max(0.0, float(crawl_delay))
        return max(0.0, self.settings.default_delay)

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Wait for the host's next slot, then send (the body of the ``with``).

        Threads of one host queue at its gate. With a delay, the gate is held until the
        answer is in and the delay counts from there: the host never has two requests from us
        at once, and never sees two closer than the delay, however many workers there are or
        however late a thread wakes. Without a delay, the gate only orders the slots and the
        requests overlap.
        """
        state = self._host(host)
        delay = self._delay(state) if self.polite else 0.0
        state.gate.acquire()
        held = True
        try:
            with self._lock:
                now = self._clock()
                start = max(now, state.not_before)
                if state.last_start is not None:
                    start = max(start, state.last_start + delay)
            if start > now:
                self._sleep(start - now)
            if delay <= 0:
                with self._lock:
                    state.last_start = start
                held = False
                state.gate.release()
            yield
            if held:
                with self._lock:
                    state.last_start = max(start, self._clock())
        finally:
            if held:
                state.gate.release()

    def defer(self, host: str, seconds: float) -> None:
        """No turn for ``host`` before ``seconds`` from now (a retry's backoff, Retry-After)."""
        state = self._host(host)
        with self._lock:
            state.not_before = max(state.not_before, self._clock() + seconds)
