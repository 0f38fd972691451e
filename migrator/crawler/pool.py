"""A fixed pool of worker threads that runs urgent jobs first and reports jobs as they finish.

The crawl needs three things ``concurrent.futures.ThreadPoolExecutor`` does not give: the next
listing page (pagination is a chain, page N names page N+1) must not wait behind the articles
already queued; the crawl must handle whichever page is ready first instead of waiting for the
oldest one; and a worker must be free for the next download as soon as its page has arrived,
while the page is parsed elsewhere (a job may hand back a Future: the job is finished when that
Future is, but its thread is free at once).
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

__all__ = ["PriorityPool"]

T = TypeVar("T")
K = TypeVar("K")

STOP, URGENT, NORMAL = -1, 0, 1


@dataclass(slots=True)
class _Job(Generic[K, T]):
    key: K
    function: Callable[[], T | Future[T]]
    future: Future[T]
    priority: int


class PriorityPool(Generic[K, T]):
    """``workers`` threads; ``submit`` queues a job, ``next_done`` returns finished ones.

    Each job carries a key (the crawl uses its URL and kind); ``next_done`` blocks until some job
    is finished and returns its key and its future: urgent jobs first, then in the order they
    finished.
    """

    def __init__(self, workers: int, name: str = "worker") -> None:
        self._jobs: queue.PriorityQueue[tuple[int, int, _Job[K, T] | None]] = queue.PriorityQueue()
        self._done: queue.PriorityQueue[tuple[int, int, K, Future[T]]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}_{index}", daemon=True)
            for index in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, key: K, function: Callable[[], T | Future[T]],
               urgent: bool = False) -> Future[T]:
        """Queue ``function``; when it returns a Future, the job ends when that Future does."""
        job = _Job(key, function, Future(), URGENT if urgent else NORMAL)
        self._jobs.put((job.priority, next(self._order), job))
        return job.future

    def next_done(self) -> tuple[K, Future[T]]:
        """The key and future of a finished job, urgent ones first (waits for one)."""
        _priority, _order, key, future = self._done.get()
        return key, future

    def shutdown(self) -> None:
        """Cancel the jobs not started; threads stop after their current job (not awaited)."""
        while True:
            try:
                _priority, _order, job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.future.cancel()
        for index, _thread in enumerate(self._threads):
            self._jobs.put((STOP, index, None))

    def _work(self) -> None:
        while True:
            _priority, _order, job = self._jobs.get()
            if job is None:
                return
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                result = job.function()
            except BaseException as error:  # noqa: BLE001 - handed to whoever reads the future
                job.future.set_exception(error)
            else:
                if isinstance(result, Future):
                    result.add_done_callback(partial(self._settle, job))
                    continue
                job.future.set_result(result)
            self._finished(job)

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
