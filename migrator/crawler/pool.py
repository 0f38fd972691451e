"""A fixed pool of worker threads with a queue per host: a free worker takes the ready job of
the host whose slot comes first, and jobs are reported as they finish.

Under a politeness delay every host is its own queue, so the best wall time is the busiest
host's requests × its delay: that needs every host to be asked at each of its slots, never a
worker asleep before one host's slot while another host has work that is ready. So a worker
never commits to a job whose host is not ready: it takes, among the hosts with queued jobs, the
one whose next slot (``Slots.next_slot``: its delay after its last start, its Retry-After)
came first; a host kept one request at a time (``Slots.spaced``) is given to one worker at a
time; a job whose URL is being fetched by another job, or is held by its Retry-After
(``Slots.url_ready_at``), waits. When nothing is ready, workers sleep until the first slot or
until a job is submitted or finished. Within a host, urgent jobs (listings, feeds, sitemaps:
pagination is a chain) go first, then the others in the order they came; a job submitted
``ahead`` goes before the urgent ones.

The crawl also needs what ``concurrent.futures.ThreadPoolExecutor`` does not give: it handles
whichever job is finished first (urgent ones first), and a worker is free for the next download
as soon as its page has arrived while the page is parsed elsewhere (a job may hand back a
Future: the job is finished when that Future is, but its thread and its host are free at once).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["PriorityPool", "Slots"]

T = TypeVar("T")
K = TypeVar("K")

AHEAD, URGENT, NORMAL = 0, 1, 2
SCAN = 16
"""Jobs of one host looked at for one whose URL is free (the first one nearly always is)."""


class Slots(Protocol):
    """When each host may be asked next (``fetch.HostQueues`` is one)."""

    @property
    def clock(self) -> Callable[[], float]: ...

    def next_slot(self, host: str) -> float: ...

    def spaced(self, host: str) -> bool: ...

    def url_ready_at(self, url: str) -> float: ...

    def retrying(self, host: str) -> bool: ...


class AnyTime:
    """No politeness known: every host is ready, requests may overlap."""

    clock: Callable[[], float] = staticmethod(time.monotonic)

    def next_slot(self, host: str) -> float:
        return 0.0

    def spaced(self, host: str) -> bool:
        return False

    def url_ready_at(self, url: str) -> float:
        return 0.0

    def retrying(self, host: str) -> bool:
        return False


@dataclass(slots=True)
class _Job(Generic[K, T]):
    key: K
    function: Callable[[], T | Future[T]]
    future: Future[T]
    priority: int
    order: int
    host: str
    url: str | None


@dataclass(slots=True)
class _HostQueue(Generic[K, T]):
    by_priority: tuple[deque[_Job[K, T]], ...] = field(
        default_factory=lambda: (deque(), deque(), deque()))

    def __len__(self) -> int:
        return sum(len(jobs) for jobs in self.by_priority)

    def first(self, busy: set[str]) -> tuple[deque[_Job[K, T]], int] | None:
        """Where the first job whose URL is not busy is (by priority, then order)."""
        for jobs in self.by_priority:
            for index, job in enumerate(itertools.islice(jobs, SCAN)):
                if job.url is None or job.url not in busy:
                    return jobs, index
        return None


class PriorityPool(Generic[K, T]):
    """``workers`` threads; ``submit`` queues a job on its host, ``next_done`` returns finished
    ones (urgent first, then in the order they finished)."""

    def __init__(self, workers: int, name: str = "worker", slots: Slots | None = None) -> None:
        self._slots: Slots = slots or AnyTime()
        self._clock = self._slots.clock
        self._cond = threading.Condition()
        self._hosts: dict[str, _HostQueue[K, T]] = {}
        self._claimed: set[str] = set()
        """Hosts kept one request at a time that a worker is serving."""
        self._busy_urls: set[str] = set()
        self._stopping = False
        self._wait_why = "delay"
        self.slept = {"delay": 0.0, "retry": 0.0}
        """Seconds workers slept here for a host's slot (its delay, or a retry's wait), summed
        over the workers."""
        self._done: queue.PriorityQueue[tuple[int, int, K, Future[T]]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}_{index}", daemon=True)
            for index in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, key: K, function: Callable[[], T | Future[T]], urgent: bool = False,
               host: str = "", url: str | None = None, ahead: bool = False) -> Future[T]:
        """Queue ``function`` on ``host``'s queue; ``url``: what it fetches (never two jobs
        for one URL at once). When it returns a Future, the job ends when that Future does."""
        priority = AHEAD if ahead else URGENT if urgent else NORMAL
        job = _Job(key, function, Future(), priority, next(self._order), host, url)
        with self._cond:
            waiting = self._hosts.setdefault(host, _HostQueue())
            waiting.by_priority[priority].append(job)
            self._cond.notify()
        return job.future

    def next_done(self) -> tuple[K, Future[T]]:
        """The key and future of a finished job, urgent ones first (waits for one)."""
        _priority, _order, key, future = self._done.get()
        return key, future

    def queued(self) -> dict[str, int]:
        """Jobs waiting for a worker, per host."""
        with self._cond:
            return {host: len(jobs) for host, jobs in self._hosts.items() if jobs}

    def shutdown(self) -> None:
        """Cancel the jobs not started; threads stop after their current job (not awaited)."""
        with self._cond:
            self._stopping = True
            for waiting in self._hosts.values():
                for jobs in waiting.by_priority:
                    for job in jobs:
                        job.future.cancel()
            self._hosts.clear()
            self._cond.notify_all()

    # -- workers -------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._take()
                while job is None:
                    if self._stopping:
                        return
                    wait, why = self._wait, self._wait_why
                    began = self._clock()
                    self._cond.wait(wait)
                    if wait is not None:  # waiting for a slot: politeness
                        self.slept[why] += max(0.0, self._clock() - began)
                    job = self._take()
            self._run(job)

    _wait: float | None = None
    """How long a worker with nothing ready sleeps (until the first slot; None: until told)."""

    def _take(self) -> _Job[K, T] | None:
        """The ready job of the host whose slot came first (called holding the condition)."""
        if self._stopping:
            return None
        now = self._clock()
        best: tuple[tuple[float, int, int], deque[_Job[K, T]], int] | None = None
        soonest: float | None = None
        why = "delay"
        for host, waiting in self._hosts.items():
            if not waiting or host in self._claimed:
                continue
            place = waiting.first(self._busy_urls)
            if place is None:
                continue
            jobs, index = place
            job = jobs[index]
            ready = self._slots.next_slot(host)
            if job.url is not None:
                ready = max(ready, self._slots.url_ready_at(job.url))
            if ready > now:
                if soonest is None or ready - now < soonest:
                    soonest = ready - now
                    why = "retry" if self._slots.retrying(host) else "delay"
                continue
            rank = (ready, job.priority, job.order)
            if best is None or rank < best[0]:
                best = (rank, jobs, index)
        self._wait, self._wait_why = soonest, why
        if best is None:
            return None
        _rank, jobs, index = best
        job = jobs[index]
        del jobs[index]
        if self._slots.spaced(job.host):
            self._claimed.add(job.host)
        if job.url is not None:
            self._busy_urls.add(job.url)
        return job

    def _run(self, job: _Job[K, T]) -> None:
        if not job.future.set_running_or_notify_cancel():
            self._release(job)
            return
        try:
            result = job.function()
        except BaseException as error:  # noqa: BLE001 - handed to whoever reads the future
            self._release(job)
            job.future.set_exception(error)
        else:
            self._release(job)
            if isinstance(result, Future):
                result.add_done_callback(partial(self._settle, job))
                return
            job.future.set_result(result)
        if job.future.done():
            self._finished(job)

    def _release(self, job: _Job[K, T]) -> None:
        """The job's host and URL are free (its network part is over)."""
        with self._cond:
            self._claimed.discard(job.host)
            if job.url is not None:
                self._busy_urls.discard(job.url)
            self._cond.notify_all()

    def _settle(self, job: _Job[K, T], continuation: Future[Any]) -> None:
        """Runs when the Future a job handed back is done (in whatever thread finished it)."""
        if continuation.cancelled():
            job.future.set_exception(CancelledError())
        elif (error := continuation.exception()) is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(continuation.result())
        self._finished(job)

    def _finished(self, job: _Job[K, T]) -> None:
        self._done.put((job.priority, next(self._order), job.key, job.future))
