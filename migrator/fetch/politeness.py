"""Per host: its robots.txt rules, the delay between two requests, and each request's turn.

``HostQueues`` is what makes many worker threads polite to one host: threads of a host queue at
its gate and get their turn one at a time, ``delay`` seconds apart (counted from the start of
the previous request, which must have been answered: a host never has two requests from us at
once). Every fetch of a run goes through the fetcher's one ``HostQueues`` (pages, robots.txt
and media alike), so a job of any kind that shares the fetcher shares each host's queue and
delay: media downloaded during the crawl take their turns among the pages of their host.

A ``Retry-After`` (or a retry's backoff) defers the host and the URL (``defer``): no turn of
that host before it, and the URL is not asked again before it, whoever asks. The scheduler
reads each host's next slot (``next_slot``, ``spaced``, ``url_ready_at``) to give a free worker
the host that is ready first; ``pace`` (the delay, or the answers' latency when longer) gives
the ETA; ``waited`` sums the time workers slept for delays and for retries.
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
    latency: float | None = None
    """How long answers take (a moving average), seconds."""
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
        self._url_not_before: dict[str, float] = {}
        self.waited = {"delay": 0.0, "retry": 0.0}
        """Seconds workers slept for the delays between requests and for retries (Retry-After,
        backoff), summed over the workers."""

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock

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

    def spaced(self, host: str) -> bool:
        """True when requests to ``host`` go one at a time (a delay is kept between them)."""
        return self.polite and self.delay(host) > 0

    def next_slot(self, host: str) -> float:
        """When (on ``clock``) the next request to ``host`` may start, as far as known now."""
        state = self._host(host)
        delay = self._delay(state) if self.polite else 0.0
        with self._lock:
            slot = state.not_before
            if state.last_start is not None:
                slot = max(slot, state.last_start + delay)
            return slot

    def retrying(self, host: str) -> bool:
        """True when ``host``'s next slot is held back by a retry's wait (not its delay)."""
        state = self._host(host)
        delay = self._delay(state) if self.polite else 0.0
        with self._lock:
            spaced_at = state.last_start + delay if state.last_start is not None else 0.0
            return state.not_before > spaced_at

    def url_ready_at(self, url: str) -> float:
        """When (on ``clock``) ``url`` may be asked again (0: any time)."""
        with self._lock:
            return self._url_not_before.get(url, 0.0)

    def pace(self, host: str) -> float:
        """Seconds one more request to ``host`` takes in its queue: the delay, or the time
        its answers take when that is longer."""
        state = self._host(host)
        delay = self._delay(state) if self.polite else 0.0
        return max(delay, state.latency or 0.0)

    @contextmanager
    def turn(self, host: str, url: str | None = None) -> Iterator[None]:
        """Wait for the host's next slot (and for ``url``'s Retry-After), then send (the body
        of the ``with``).

        Threads of one host queue at its gate. With a delay, the gate is held until the answer
        is in and the next slot is ``delay`` after this one started: the host never has two
        requests from us at once, and never sees two starts closer than the delay, however
        many workers there are or however late a thread wakes. Without a delay, the gate only
        orders the slots and the requests overlap. A Retry-After set while a thread slept for
        its slot is waited for too.
        """
        state = self._host(host)
        delay = self._delay(state) if self.polite else 0.0
        state.gate.acquire()
        held = True
        try:
            start = self._wait_for_slot(state, delay, url)
            if delay <= 0:
                held = False
                state.gate.release()
            yield
            with self._lock:
                elapsed = max(0.0, self._clock() - start)
                state.latency = (elapsed if state.latency is None
                                 else 0.8 * state.latency + 0.2 * elapsed)
        finally:
            if held:
                state.gate.release()

    def _wait_for_slot(self, state: _Host, delay: float, url: str | None) -> float:
        """Sleep until the slot (the gate is held); the slot is taken: returns its time."""
        with self._lock:
            now = self._clock()
            spaced_at = state.last_start + delay if state.last_start is not None else now
            deferred_at = max(state.not_before, self._url_not_before.get(url or "", 0.0))
            start = max(now, spaced_at, deferred_at)
        if start > now:
            self._sleep(start - now)
            self._count_wait("retry" if deferred_at >= spaced_at else "delay", start - now)
        while True:  # a Retry-After that came in meanwhile (requests overlap without a delay)
            with self._lock:
                deferred_at = max(state.not_before, self._url_not_before.get(url or "", 0.0))
                if deferred_at <= start:
                    # the slot counts from when this thread goes, not when it meant to: a
                    # thread that wakes late does not bring the next request closer
                    state.last_start = max(start, self._clock())
                    return state.last_start
            self._sleep(deferred_at - start)
            self._count_wait("retry", deferred_at - start)
            start = deferred_at

    def _count_wait(self, why: str, seconds: float) -> None:
        with self._lock:
            self.waited[why] += seconds

    def defer(self, host: str, seconds: float, url: str | None = None) -> None:
        """No turn for ``host`` before ``seconds`` from now, and ``url`` not asked again
        before then (a retry's backoff, a Retry-After)."""
        state = self._host(host)
        with self._lock:
            until = self._clock() + seconds
            state.not_before = max(state.not_before, until)
            if url is not None:
                self._url_not_before[url] = max(self._url_not_before.get(url, 0.0), until)
