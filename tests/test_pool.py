"""PriorityPool: urgent jobs first, urgent finished jobs first, jobs handing back a Future."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from typing import Any

import pytest

from migrator.crawler.pool import PriorityPool

WAIT = 5.0  # seconds: a bug fails the test after this long instead of hanging it
QUIET = 0.3  # seconds during which "nothing happens" is checked


class Finished:
    """Reads ``pool.next_done()`` in a background thread so every wait has a timeout."""

    def __init__(self, pool: PriorityPool[str, Any]) -> None:
        self._results: queue.Queue[tuple[str, Future[Any]]] = queue.Queue()
        self._thread = threading.Thread(target=self._drain, args=(pool,), daemon=True)
        self._thread.start()

    def _drain(self, pool: PriorityPool[str, Any]) -> None:
        while True:
            self._results.put(pool.next_done())

    def next(self) -> tuple[str, Future[Any]]:
        try:
            return self._results.get(timeout=WAIT)
        except queue.Empty:
            pytest.fail(f"next_done() returned nothing within {WAIT} s")

    def keys(self, count: int) -> list[str]:
        return [self.next()[0] for _ in range(count)]

    def nothing_within(self, seconds: float = QUIET) -> bool:
        try:
            key, _future = self._results.get(timeout=seconds)
        except queue.Empty:
            return True
        pytest.fail(f"next_done() returned {key!r} too early")


@pytest.fixture
def pool() -> Iterator[PriorityPool[str, Any]]:
    one_worker: PriorityPool[str, Any] = PriorityPool(1, name="pooltest")
    yield one_worker
    one_worker.shutdown()


def recorder(order: list[str], key: str, value: Any = None) -> Callable[[], Any]:
    def run() -> Any:
        order.append(key)
        return value if value is not None else key

    return run


def blocker(started: threading.Event, gate: threading.Event) -> Callable[[], str]:
    def run() -> str:
        started.set()
        if not gate.wait(WAIT):
            raise TimeoutError("the test never opened the gate")
        return "blocker"

    return run


def test_urgent_job_runs_before_normal_jobs_queued_earlier(pool: PriorityPool[str, Any]) -> None:
    started, gate = threading.Event(), threading.Event()
    order: list[str] = []
    pool.submit("blocker", blocker(started, gate))
    assert started.wait(WAIT)
    for key in ("normal-1", "normal-2"):
        pool.submit(key, recorder(order, key))
    urgent = pool.submit("urgent", recorder(order, "urgent"), urgent=True)
    gate.set()
    finished = Finished(pool)
    assert sorted(finished.keys(4)) == ["blocker", "normal-1", "normal-2", "urgent"]
    assert order == ["urgent", "normal-1", "normal-2"]
    assert urgent.result(timeout=WAIT) == "urgent"


def test_next_done_returns_finished_urgent_job_before_earlier_normal_one(
    pool: PriorityPool[str, Any],
) -> None:
    normal = pool.submit("normal", lambda: "n")
    assert normal.result(timeout=WAIT) == "n"
    pool.submit("urgent", lambda: "u", urgent=True)
    # One worker: once "probe" starts, the two jobs before it are reported finished.
    probe_started = threading.Event()
    pool.submit("probe", probe_started.set)
    assert probe_started.wait(WAIT)
    finished = Finished(pool)
    first_key, first = finished.next()
    assert (first_key, first.result(timeout=WAIT)) == ("urgent", "u")
    assert finished.keys(2) == ["normal", "probe"]


def test_returned_futures_finished_in_any_order_still_come_out_urgent_first(
    pool: PriorityPool[str, Any],
) -> None:
    normal_page: Future[str] = Future()
    urgent_page: Future[str] = Future()
    normal = pool.submit("normal", lambda: normal_page)
    urgent = pool.submit("urgent", lambda: urgent_page, urgent=True)
    probe_started = threading.Event()
    pool.submit("probe", probe_started.set)
    assert probe_started.wait(WAIT)  # both jobs have run and handed back their Future
    finished = Finished(pool)
    assert finished.next()[0] == "probe"
    normal_page.set_result("normal body")  # finishes first...
    urgent_page.set_result("urgent body")
    # ...but the finish callbacks are synchronous, so both are waiting by now: urgent first.
    assert finished.keys(2) == ["urgent", "normal"]
    assert (normal.result(timeout=WAIT), urgent.result(timeout=WAIT)) == (
        "normal body",
        "urgent body",
    )


def test_job_returning_a_future_finishes_with_it_and_frees_its_worker(
    pool: PriorityPool[str, Any],
) -> None:
    page: Future[str] = Future()
    slow = pool.submit("slow", lambda: page)
    quick = pool.submit("quick", lambda: "quick body")  # needs the only worker
    finished = Finished(pool)
    key, future = finished.next()
    assert (key, future.result(timeout=WAIT)) == ("quick", "quick body")
    assert future is quick
    assert finished.nothing_within()
    assert not slow.done()
    page.set_result("slow body")
    key, future = finished.next()
    assert (key, future) == ("slow", slow)
    assert slow.result(timeout=WAIT) == "slow body"


def test_exception_raised_by_the_function_comes_out_of_result(
    pool: PriorityPool[str, Any],
) -> None:
    def broken() -> None:
        raise ValueError("bad page")

    failing = pool.submit("broken", broken)
    finished = Finished(pool)
    key, future = finished.next()
    assert (key, future) == ("broken", failing)
    with pytest.raises(ValueError, match="bad page"):
        future.result(timeout=WAIT)


def test_exception_set_on_the_returned_future_comes_out_of_result(
    pool: PriorityPool[str, Any],
) -> None:
    page: Future[str] = Future()
    failing = pool.submit("page", lambda: page)
    finished = Finished(pool)
    assert finished.nothing_within()
    page.set_exception(KeyError("no such page"))
    assert finished.next() == ("page", failing)
    with pytest.raises(KeyError, match="no such page"):
        failing.result(timeout=WAIT)


def test_cancelled_returned_future_gives_cancelled_error(pool: PriorityPool[str, Any]) -> None:
    page: Future[str] = Future()
    job = pool.submit("page", lambda: page)
    finished = Finished(pool)
    assert finished.nothing_within()
    assert page.cancel()
    assert finished.next() == ("page", job)
    with pytest.raises(CancelledError):
        job.result(timeout=WAIT)


def test_shutdown_cancels_jobs_not_started() -> None:
    pool: PriorityPool[str, Any] = PriorityPool(1, name="shutdowntest")
    worker = next(t for t in threading.enumerate() if t.name == "shutdowntest_0")
    started, gate = threading.Event(), threading.Event()
    order: list[str] = []
    running = pool.submit("blocker", blocker(started, gate))
    assert started.wait(WAIT)
    waiting = [pool.submit(key, recorder(order, key)) for key in ("a", "b")]
    waiting.append(pool.submit("c", recorder(order, "c"), urgent=True))
    pool.shutdown()
    assert [future.cancelled() for future in waiting] == [True, True, True]
    gate.set()
    assert running.result(timeout=WAIT) == "blocker"  # the running job is not cut short
    worker.join(WAIT)
    assert not worker.is_alive()
    assert order == []
    finished = Finished(pool)
    assert finished.next() == ("blocker", running)
    assert finished.nothing_within()
