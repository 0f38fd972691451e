"""Benchmark: a migration under politeness, against its bound (the busiest host's requests × delay).

    python bench/bench_politeness.py [--posts 200] [--images 3] [--delay 0.2]
                                     [--concurrency 4] [--latency 0.05] [--before REV]

Run by hand, never in tests (a few minutes). It generates a blog with ``tests/mediablog.py``
(the ``cuisine-de-mamie`` fixture blog plus N posts reachable through ``/page/N`` listings, each
with ``--images`` images on image.over-blog.com as a real post gives them, full file around a
signed thumbnail, and its cover shown as a ``600x400`` thumbnail in the listings and
``og:image``, plus the thumbnail-only cover cases), serves it through the fixture proxy with a
fixed latency per answer, and runs ``migrator migrate`` (json + wxr + markdown, ``--delay D
--concurrency C``) with this checkout's code and, with ``--before REV``, with the code of
another revision (extracted with ``git archive`` into a temporary folder, run with
``PYTHONPATH``), one after the other on the same blog and server.

Printed per run: requests per host, the bound (the busiest host's requests × delay: no polite
crawl can end sooner), the crawl's wall time (until its "Crawl finished" line) and the whole
migration's, their ratio to the bound, URLs asked more than once (wasted requests: a 404'd
guess asked again, a file fetched twice) and the failures of report.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import mediablog  # noqa: E402
from fixtureserver import SITES_DIR, FixtureServer, migrator_env  # noqa: E402


@dataclass
class Run:
    name: str
    delay: float
    wall: float
    crawl: float | None
    exit_status: int
    per_host: Counter[str] = field(default_factory=Counter)
    asked_again: int = 0
    failures: int = 0

    @property
    def bound(self) -> float:
        return max(self.per_host.values()) * self.delay

    def lines(self) -> list[str]:
        crawl = f"{self.crawl:.1f} s ({self.crawl / self.bound:.2f}×)" if self.crawl else "-"
        busiest = max(self.per_host, key=lambda host: self.per_host[host])
        hosts = ", ".join(f"{host} {count}" for host, count in self.per_host.most_common())
        return [
            f"{self.name}: exit {self.exit_status}",
            f"  requests per host: {hosts}",
            f"  bound: {busiest} {self.per_host[busiest]} × {self.delay:g} s = "
            f"{self.bound:.1f} s",
            f"  crawl {crawl}; migrate {self.wall:.1f} s ({self.wall / self.bound:.2f}×)",
            f"  URLs asked more than once: {self.asked_again}; failures in report.json: "
            f"{self.failures}",
        ]


def extract(revision: str, folder: Path) -> Path:
    """The files of ``revision`` in ``folder`` (``git archive``: no worktree to clean up)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run(server: FixtureServer, out: Path, args: argparse.Namespace, name: str,
        code: Path | None = None) -> Run:
    server.reset_counts()
    env = migrator_env(server.proxy_url)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    command = [sys.executable, "-m", "migrator.cli", "migrate", f"http://{mediablog.HOST}",
               "--to", "json", "--to", "wxr", "--to", "markdown", "--out", str(out),
               "--delay", str(args.delay), "--concurrency", str(args.concurrency)]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=code or ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    crawl = None
    assert process.stderr is not None
    for raw in process.stderr:
        if raw.startswith(b"Crawl finished") and crawl is None:
            crawl = time.monotonic() - started
    status = process.wait()
    wall = time.monotonic() - started
    per_host: Counter[str] = Counter()
    for (host, _path), count in server.requests.items():
        per_host[host] += count
    asked_again = sum(count - 1 for count in server.requests.values() if count > 1)
    report = out / "report.json"
    failures = len(json.loads(report.read_text("utf-8"))["failures"]) if report.exists() else -1
    return Run(name, args.delay, wall, crawl, status, per_host, asked_again, failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--images", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--before", metavar="REV",
                        help="also run this revision's code on the same blog (e.g. main)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-politeness-"))
    try:
        blog = mediablog.build(workdir / "sites", args.posts, args.images)
        server = FixtureServer(port=0, sites_dirs=[workdir / "sites", SITES_DIR]).start()
        server.latency = args.latency
        print(f"{len(blog.posts)} generated posts ({blog.articles} articles), {args.images} "
              f"images each; --delay {args.delay:g} --concurrency {args.concurrency}, "
              f"{args.latency * 1000:.0f} ms latency per answer\n")
        try:
            sides = [("this checkout", None)]
            if args.before:
                sides.append((f"before ({args.before})", extract(args.before, workdir / "before")))
            for number, (name, code) in enumerate(sides):
                result = run(server, workdir / f"out-{number}", args, name, code)
                print("\n".join(result.lines()) + "\n", flush=True)
        finally:
            server.stop()
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
