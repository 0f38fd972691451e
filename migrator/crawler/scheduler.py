"""The crawl stage's one concurrency mechanism: worker threads that fetch, processes that parse.

Every job of the stage goes through one ``Scheduler``: page fetches (urgent ones, listings,
feeds, sitemaps, ahead of the others), the parsing of article pages (in parser processes once
the blog proves big), and media downloads, submitted during the crawl as articles are stored.
Each job is queued on its host (``pool``): a free worker takes the ready job of the host whose
slot comes first, as the fetcher's per-host queues (``fetch.HostQueues``, the ``slots``) tell
it, so no host waits while a worker sleeps for another host's slot; one URL is never fetched
by two jobs at once. The fetcher still spaces the requests to each host, whoever sends them.
A job runs in a worker thread; when it is finished, ``handle_next`` calls its ``done``
function in the thread that drives the stage (the only one that writes to the archive), urgent
jobs first, then in the order they finished.

Parser processes (one per CPU, at most one per worker, at a lower CPU priority than the crawl)
start once ``parse_after`` pages were handled (``pages_handled``): a small blog never pays their
start-up. ``parse(function, *args)`` runs a function in one of them, or says there is none.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from .pool import PriorityPool, Slots

__all__ = ["GC_THRESHOLDS", "PARSE_AFTER", "Scheduler", "start_parser_processes"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Done = Callable[[Future[Any]], None]

PARSE_AFTER = 50
"""Pages handled before parser processes start (when there is more than one worker and CPU)."""
PARSER_NICENESS = 10
GC_THRESHOLDS = (20_000, 20, 20)
"""Cycle collection thresholds while the crawl runs, in its process and the parser processes:
a page makes many short-lived objects, and the default thresholds ran a collection every 700
allocations, a tenth of the CPU of a parse."""


def _start_parser_process() -> None:
    """Parser processes leave Ctrl-C to the crawl, which stops them itself, and yield the CPU
    to it: parsing can wait, the downloads the crawl keeps going cannot."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(PARSER_NICENESS)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def start_parser_processes(workers: int) -> Executor | None:
    """Parser processes when there is more than one CPU and more than one worker."""
    processes = min(workers, os.cpu_count() or 1)
    if processes < 2:
        return None
    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_parser_process,
    )


class Scheduler:
    """``workers`` threads for jobs and, on a big blog, processes for parsing.

    ``slots``: when each host may be asked next (the fetcher's ``HostQueues``; the crawler
    gives its fetcher's when none was given). ``parse_after`` and ``parser_pool`` (a function
    of the number of workers giving an ``Executor``, or None for none) are seams: tests start
    parser processes early, or give a broken pool.
    """

    def __init__(self, workers: int, *, slots: Slots | None = None,
                 parse_after: int = PARSE_AFTER,
                 parser_pool: Callable[[int], Executor | None] = start_parser_processes,
                 name: str = "worker") -> None:
        self.workers = max(1, workers)
        self.slots = slots
        self.parse_after = parse_after
        self._parser_pool = parser_pool
        self._name = name
        self._pool: PriorityPool[Done, Any] | None = None
        """The threads, started with the first job."""
        self._parsers: Executor | None = None
        self._pages = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self.parsed_in_processes = 0
        """Pages a parser process read (and whose reading was handed back)."""

    # -- jobs ----------------------------------------------------------------------------

    def submit(self, job: Callable[[], T | Future[T]], done: Callable[[Future[T]], None],
               urgent: bool = False, host: str = "", url: str | None = None,
               ahead: bool = False) -> None:
        """Run ``job`` in a worker thread when ``host`` is ready; ``handle_next`` calls
        ``done`` with its Future. ``url``: what the job fetches (never two jobs for one URL at
        once, nor before its Retry-After). ``ahead``: before the urgent jobs of its host.

        A job may hand back a Future (its thread is then free at once): the job is finished
        when that Future is."""
        if self._pool is None:
            self._pool = PriorityPool(self.workers, self._name, self.slots)
        self._pool.submit(done, job, urgent=urgent, host=host, url=url, ahead=ahead)
        self._in_flight += 1

    @property
    def in_flight(self) -> int:
        """Jobs submitted whose ``done`` has not been called yet."""
        return self._in_flight

    def queued(self) -> dict[str, int]:
        """Jobs waiting for a worker, per host."""
        return self._pool.queued() if self._pool is not None else {}

    @property
    def slept(self) -> dict[str, float]:
        """Seconds workers slept waiting for a host's slot (``delay``) or a retry's wait
        (``retry``), summed over the workers."""
        return dict(self._pool.slept) if self._pool is not None else {"delay": 0.0, "retry": 0.0}

    def handle_next(self) -> None:
        """Wait for a finished job (urgent ones first) and call its ``done`` here."""
        if self._pool is None:
            raise RuntimeError("handle_next() with no job submitted")
        done, future = self._pool.next_done()
        self._in_flight -= 1
        done(future)

    # -- parsing -------------------------------------------------------------------------

    def pages_handled(self, count: int = 1) -> None:
        """The crawl handled ``count`` more pages: parser processes start at ``parse_after``."""
        before, self._pages = self._pages, self._pages + count
        if before < self.parse_after <= self._pages:
            self._parsers = self._parser_pool(self.workers)

    def parse(self, function: Callable[..., T], *args: Any) -> Future[T] | None:
        """``function(*args)`` in a parser process, or None when there is none (not started,
        or broken: a process killed, say); then the caller reads the page itself."""
        if self._parsers is None:
            return None
        try:
            parsing = self._parsers.submit(function, *args)
        except Exception:  # noqa: BLE001 - a broken parser pool
            log.debug("No parser process: read by the crawl", exc_info=True)
            return None
        parsing.add_done_callback(self._count_parsed)
        return parsing

    def _count_parsed(self, parsing: Future[Any]) -> None:
        if not parsing.cancelled() and parsing.exception() is None:
            with self._lock:
                self.parsed_in_processes += 1

    # -- the end -------------------------------------------------------------------------

    def stop_parsing(self) -> None:
        """Stop the parser processes (the crawl's pages are all read; they hold memory)."""
        if self._parsers is not None:
            self._parsers.shutdown(wait=False, cancel_futures=True)
            self._parsers = None

    def shutdown(self) -> None:
        """Cancel the jobs not started (threads stop after their current one, not awaited)
        and stop the parser processes."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        self.stop_parsing()

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.shutdown()
