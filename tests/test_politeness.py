"""Per-host turns: delays counted from one start to the next, Retry-After held per host and per
URL whatever the moment it arrives, and the figures the scheduler and the ETA read.

Fake clock and sleep (nothing waits): the transport advances the clock by each answer's latency.
"""

from __future__ import annotations

import pytest

from migrator.errors import FetchError
from migrator.fetch import Fetcher, HostQueues, Response
from migrator.settings import CrawlSettings

BLOG = "http://myblog.over-blog.com"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class SlowTransport:
    """Every answer takes ``latency`` seconds of the fake clock; ``answers`` per URL first."""

    def __init__(self, clock: Clock, latency: float,
                 answers: dict[str, list[Response]] | None = None) -> None:
        self.clock = clock
        self.latency = latency
        self.answers = answers or {}
        self.sent: list[tuple[float, str]] = []

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        self.sent.append((self.clock.now, url))
        self.clock.now += self.latency
        queued = self.answers.get(url)
        if queued:
            return queued.pop(0)
        return Response(url, url, 200, {"content-type": "image/jpeg"}, b"x")


def fetcher(clock: Clock, transport: SlowTransport, **settings: object) -> Fetcher:
    options: dict[str, object] = {"delay": 2.0, "obey_robots": False, "retries": 2}
    options.update(settings)
    return Fetcher(CrawlSettings(**options), transport, sleep=clock.sleep, clock=clock)


def too_many(url: str, retry_after: str) -> Response:
    return Response(url, url, 429, {"retry-after": retry_after}, b"slow down")


def test_the_delay_counts_from_one_start_to_the_next() -> None:
    clock = Clock()
    transport = SlowTransport(clock, latency=0.5)
    get = fetcher(clock, transport).get
    for index in range(3):
        get(f"{BLOG}/{index}.jpg")
    starts = [at for at, _url in transport.sent]
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [2.0, 2.0]
    assert clock.sleeps == [1.5, 1.5]  # the answer's half second counts toward the delay


def test_a_slow_host_is_never_asked_twice_at_once() -> None:
    clock = Clock()
    transport = SlowTransport(clock, latency=3.0)
    get = fetcher(clock, transport).get
    get(f"{BLOG}/a.jpg")
    get(f"{BLOG}/b.jpg")
    starts = [at for at, _url in transport.sent]
    assert starts[1] - starts[0] == 3.0 and clock.sleeps == []  # the answer came after 2 s


def test_retry_after_holds_the_host_and_the_url_even_on_the_last_attempt() -> None:
    clock = Clock()
    url = f"{BLOG}/busy.jpg"
    transport = SlowTransport(clock, latency=0.0, answers={url: [too_many(url, "7")]})
    fetch = fetcher(clock, transport, delay=0.0, retries=0)
    with pytest.raises(FetchError, match="HTTP 429 after 1 attempt$"):
        fetch.get(url)
    told_at = clock.now
    assert fetch.hosts.url_ready_at(url) == told_at + 7
    assert fetch.hosts.next_slot("myblog.over-blog.com") == told_at + 7
    fetch.get(f"{BLOG}/other.jpg")  # another URL of the host waits too
    assert transport.sent[-1][0] == told_at + 7
    fetch.get(url)
    assert transport.sent[-1][0] >= told_at + 7


def test_every_retry_waits_for_its_retry_after() -> None:
    clock = Clock()
    url = f"{BLOG}/busy.jpg"
    transport = SlowTransport(clock, latency=0.1,
                              answers={url: [too_many(url, "1"), too_many(url, "3")]})
    fetch = fetcher(clock, transport, delay=0.2)
    fetch.get(url)
    starts = [at for at, _url in transport.sent]
    answered = [start + 0.1 for start in starts]
    assert starts[1] - answered[0] >= 1 and starts[2] - answered[1] >= 3
    assert fetch.hosts.waited["retry"] == pytest.approx(4.0)


def test_a_retry_after_that_arrives_while_a_worker_sleeps_is_waited_for() -> None:
    clock = Clock()
    host = "myblog.over-blog.com"
    sleep = clock.sleep

    def sleep_and_hear_a_429(seconds: float) -> None:
        if not clock.sleeps:  # while this worker sleeps, another one is told to wait 5 s
            hosts.defer(host, 5.0 + seconds)
        sleep(seconds)

    hosts = HostQueues(CrawlSettings(delay=0.0), True, lambda _url: None, sleep_and_hear_a_429,
                       clock)
    hosts.defer(host, 1.0)
    start = clock.now
    with hosts.turn(host):
        sent_at = clock.now
    assert sent_at - start == pytest.approx(6.0)
    assert clock.sleeps == [1.0, 5.0]


def test_slots_pace_and_waits_for_the_scheduler_and_the_eta() -> None:
    clock = Clock()
    transport = SlowTransport(clock, latency=0.5)
    fetch = fetcher(clock, transport, delay=2.0)
    host = "myblog.over-blog.com"
    assert fetch.hosts.next_slot(host) == 0.0 and fetch.hosts.spaced(host)
    fetch.get(f"{BLOG}/a.jpg")
    assert fetch.hosts.next_slot(host) == 1002.0
    fetch.get(f"{BLOG}/b.jpg")
    assert fetch.hosts.waited == {"delay": 1.5, "retry": 0.0}
    assert fetch.hosts.pace(host) == 2.0
    slow = fetcher(clock, SlowTransport(clock, latency=3.0), delay=0.0)
    slow.get(f"{BLOG}/c.jpg")
    assert slow.hosts.pace(host) == 3.0 and not slow.hosts.spaced(host)
