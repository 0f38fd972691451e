"""A crawl killed halfway (kill -9 or Ctrl-C) resumes where it stopped: nothing lost, nothing twice.

The kill is sent by the fixture server itself, from a fault callable, while it answers the
N-th request for an article: so it always lands in the middle of the crawl, at a known URL.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtureserver import (
    MIGRATOR,
    FaultResponse,
    FixtureServer,
    migrator_env,
    output_snapshot,
    run_migrator,
)

HOST = "www.jardin-des-mots.fr"
KILL_AT = 6  # the 6th article request (of 14 articles, 16 article URLs)
ARTICLE_PATH = re.compile(r"^/(\d{4}/\d{2}/|article-)")
COMMAND = ["migrate", f"http://{HOST}", "--to", "json", "--to", "wxr", "--to", "markdown",
           "--delay", "0", "--no-images"]
# fetched again by design on every run: robots.txt (politeness) and the home page (conditional)
ASKED_EVERY_RUN = {"/robots.txt", "/"}


def killer(process: list[subprocess.Popen[str]], sig: int, stopped_at: list[str],
           ) -> Callable[[str, str], FaultResponse | None]:
    """A fault callable that signals the child while the server answers article KILL_AT."""
    seen = [0]

    def fault(host: str, path: str) -> FaultResponse | None:
        if not ARTICLE_PATH.match(path):
            return None
        seen[0] += 1
        if seen[0] == KILL_AT:
            stopped_at.append(path)
            process[0].send_signal(sig)
            return FaultResponse(0, delay=0.5)  # answer late: the child is gone by then
        return None

    return fault


def interrupted_run(server: FixtureServer, out: Path, sig: int) -> tuple[subprocess.Popen[str],
                                                                       str, str]:
    """Start the migration, signal it at request KILL_AT; (process, stderr, URL path in flight)."""
    process: list[subprocess.Popen[str]] = []
    stopped_at: list[str] = []
    server.faults[re.compile(r"")] = killer(process, sig, stopped_at)
    process.append(subprocess.Popen(
        [MIGRATOR, *COMMAND, "--out", str(out)], env=migrator_env(server.proxy_url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ))
    _stdout, stderr = process[0].communicate(timeout=120)
    server.faults.clear()
    assert stopped_at, "the crawl ended before the kill"
    return process[0], stderr, stopped_at[0]


def stored_articles(out: Path) -> int:
    with sqlite3.connect(out / ".archive" / "archive.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])


@pytest.fixture(scope="module")
def reference(fixture_server: FixtureServer, tmp_path_factory: pytest.TempPathFactory,
              ) -> dict[str, bytes]:
    """The outputs of one uninterrupted run."""
    out = tmp_path_factory.mktemp("reference")
    fixture_server.faults.clear()
    result = run_migrator([*COMMAND, "--out", str(out)], fixture_server.proxy_url)
    assert result.returncode == 0, result.stderr
    return output_snapshot(out)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_crawl_resumes_without_fetching_twice(
    sig: int, reference: dict[str, bytes], proxy_env: FixtureServer, tmp_path: Path
) -> None:
    process, stderr, in_flight = interrupted_run(proxy_env, tmp_path, sig)
    if sig == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 130
        assert "Interrupted." in stderr and "run the same command again" in stderr
        assert "Traceback" not in stderr
    assert not (tmp_path / "blog.json").exists()
    assert 0 < stored_articles(tmp_path) < 14  # stopped halfway, what it had is kept

    resumed = run_migrator([*COMMAND, "--out", str(tmp_path)], proxy_env.proxy_url)
    assert resumed.returncode == 0, resumed.stderr
    assert output_snapshot(tmp_path) == reference

    twice = {path for (host, path), n in proxy_env.requests.items() if host == HOST and n > 1}
    # only the request cut by the kill is asked again
    assert twice - ASKED_EVERY_RUN <= {in_flight}
    assert proxy_env.statuses[(HOST, "/", 304)] == 1  # the home page, revalidated


def test_archive_survives_kill_between_every_write(tmp_path: Path) -> None:
    """Each archive write is one committed transaction: a second process sees all of them."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from migrator.archive import Archive\n"
        "a = Archive(Path(sys.argv[1]))\n"
        "for i in range(50):\n"
        "    a.enqueue(f'http://b/{i}', 'post')\n"
        "a.mark('http://b/7', 'done')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    python = Path(MIGRATOR).with_name("python")
    result = subprocess.run([str(python), "-c", script, str(tmp_path)], check=False,
                            env={**os.environ}, timeout=60)
    assert result.returncode == -signal.SIGKILL
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM urls").fetchone()[0] == 50
        assert db.execute("SELECT state FROM urls WHERE url = 'http://b/7'").fetchone()[0] == "done"


def test_ctrl_c_during_a_long_retry_after_exits_at_once(proxy_env: FixtureServer,
                                                        tmp_path: Path) -> None:
    """Workers sleeping out a Retry-After (here 60 s) do not hold the exit."""
    refused = threading.Event()

    def slow_down(host: str, path: str) -> FaultResponse | None:
        if not ARTICLE_PATH.match(path):
            return None
        refused.set()
        return FaultResponse(429, {"Retry-After": "60"})

    proxy_env.faults[re.compile(r"")] = slow_down
    process = subprocess.Popen(
        [MIGRATOR, *COMMAND, "--out", str(tmp_path)], env=migrator_env(proxy_env.proxy_url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert refused.wait(timeout=60)
    time.sleep(0.5)  # the worker is now waiting for its slot, 60 s away
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert time.monotonic() - interrupted < 20  # far below the 60 s Retry-After
    assert "Interrupted." in stderr and "Traceback" not in stderr
