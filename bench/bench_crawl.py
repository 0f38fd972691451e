"""Benchmark: crawl a generated blog of 200 and 2,000 articles, migrator against wget --mirror.

    python bench/bench_crawl.py [--sizes 200 2000] [--latency 0.05] [--concurrency 4 8]
                                [--repeat 3]

Run by hand, never in tests (a few minutes). For each size it generates a blog in a temporary
folder (the ``cuisine-de-mamie`` fixture blog, plus N posts made from one of its real pages and
reachable only through ``/page/N`` pagination, ten per page like Overblog), serves it through
the fixture proxy with a fixed latency per request, and runs, one after the other:

- ``migrator migrate`` (json + wxr + markdown, ``--delay 0 --concurrency C --no-images``);
- the same command again (an incremental run over the unchanged blog);
- ``wget --mirror`` through the same proxy (``--wait 0``, one connection: wget has no pool).

It prints, per run: wall time, the ideal ``requests × latency / concurrency``, their ratio,
requests per article, CPU seconds and the peak RSS of the child process (``os.wait4``; the
largest of the process and the parser processes it started). For migrator the crawl alone is
timed too (until its "Crawl finished" line; the rest is the export), with the main process's
peak RSS at that moment (``crawlMB``, from ``/proc``).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixtureserver import SITES_DIR, FixtureServer, migrator_env  # noqa: E402

HOST = "cuisine-de-mamie.over-blog.com"
TEMPLATE_POST = "/2023/03/madeleines-a-la-bosse.html"
TEMPLATE_TITLE = "Madeleines « à la bosse »"
PER_PAGE = 10
MIGRATOR = str(Path(sys.executable).with_name("migrator"))
WGET = shutil.which("wget") or "/usr/bin/wget"


@dataclass
class Run:
    name: str
    wall: float
    requests: int
    concurrency: int
    latency: float
    articles: int
    peak_rss_mb: float
    cpu: float
    crawl_wall: float | None = None
    crawl_peak_mb: float | None = None

    @property
    def ideal(self) -> float:
        return self.requests * self.latency / self.concurrency

    def line(self) -> str:
        crawl = f"{self.crawl_wall:7.1f}" if self.crawl_wall is not None else "      -"
        crawl_peak = f"{self.crawl_peak_mb:.1f}" if self.crawl_peak_mb is not None else "-"
        ratio = self.wall / self.ideal if self.ideal else float("nan")
        crawl_ratio = (self.crawl_wall / self.ideal
                       if self.crawl_wall is not None and self.ideal else float("nan"))
        return (f"{self.name:<22} {self.articles:>6} {self.requests:>8} "
                f"{self.requests / self.articles:>8.2f} {self.ideal:>7.1f} {crawl} "
                f"{crawl_ratio:>6.2f} {self.wall:>7.1f} {ratio:>6.2f} {self.cpu:>6.1f} "
                f"{self.peak_rss_mb:>7.1f} {crawl_peak:>8}")


HEADER = (f"{'run':<22} {'posts':>6} {'requests':>8} {'req/post':>8} {'ideal':>7} "
          f"{'crawl':>7} {'×ideal':>6} {'total':>7} {'×ideal':>6} {'cpu':>6} {'peakMB':>7} "
          f"{'crawlMB':>8}")


def generate_blog(sites: Path, posts: int) -> int:
    """The fixture blog plus ``posts`` generated posts; returns the number of articles."""
    site = sites / HOST
    shutil.copytree(SITES_DIR / HOST, site)
    template = (site / TEMPLATE_POST.lstrip("/")).read_text("utf-8")
    paths = [f"/2024/{1 + i % 12:02d}/bench-post-{i:05d}.html" for i in range(posts)]
    for number, path in enumerate(paths):
        page = template.replace(TEMPLATE_POST, path)
        page = page.replace(TEMPLATE_TITLE, f"Recette de banc d'essai n° {number}")
        target = site / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, "utf-8")
    listing = (site / "page" / "2").read_text("utf-8")
    pages = math.ceil(posts / PER_PAGE)
    for page_number in range(1, pages + 1):
        chunk = paths[(page_number - 1) * PER_PAGE: page_number * PER_PAGE]
        links = "".join(f'<a href="http://{HOST}{p}">billet</a>\n' for p in chunk)
        if page_number < pages:
            links += f'<a href="/page/{page_number + 1}" rel="next">Page suivante</a>\n'
        if page_number == 1:
            home = site / "index.html"
            home.write_text(home.read_text("utf-8").replace("</body>", links + "</body>"), "utf-8")
        else:
            (site / "page" / str(page_number)).write_text(
                listing.replace("</body>", links + "</body>"), "utf-8")
    real = len(list((SITES_DIR / HOST).rglob("20*/*/*.html"))) + 2  # posts + 2 static pages
    return posts + real


def wait_with_rusage(process: subprocess.Popen[bytes]) -> tuple[int, float, float]:
    """Exit status, peak RSS (MB) and CPU seconds (user + system) of this one child."""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def peak_rss_so_far(pid: int) -> float | None:
    """VmHWM of a running process, MB (Linux): the crawl's peak, read before the export."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run_migrator(server: FixtureServer, out: Path, concurrency: int, name: str,
                 articles: int) -> Run:
    server.reset_counts()
    command = [MIGRATOR, "migrate", f"http://{HOST}", "--to", "json", "--to", "wxr",
               "--to", "markdown", "--out", str(out), "--delay", "0", "--no-images",
               "--concurrency", str(concurrency)]
    started = time.monotonic()
    process = subprocess.Popen(command, env=migrator_env(server.proxy_url),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    crawl_wall = crawl_peak = None
    assert process.stderr is not None
    for raw in process.stderr:
        if raw.startswith(b"Crawl finished") and crawl_wall is None:
            crawl_wall = time.monotonic() - started
            crawl_peak = peak_rss_so_far(process.pid)
    code, peak, cpu = wait_with_rusage(process)
    wall = time.monotonic() - started
    if code != 0:
        raise SystemExit(f"migrator exited with {code}")
    return Run(name, wall, sum(server.requests.values()), concurrency, server.latency,
               articles, peak, cpu, crawl_wall, crawl_peak)


def run_wget(server: FixtureServer, out: Path, articles: int) -> Run:
    server.reset_counts()
    command = [WGET, "--mirror", "--wait", "0", "-q", "-P", str(out),
               "-e", "use_proxy=yes", "-e", f"http_proxy={server.proxy_url}",
               f"http://{HOST}/"]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _code, peak, cpu = wait_with_rusage(process)  # wget exits 8 on any 404: not a failure here
    wall = time.monotonic() - started
    return Run("wget --mirror", wall, sum(server.requests.values()), 1, server.latency,
               articles, peak, cpu)


def bench_size(posts: int, latency: float, concurrencies: list[int], repeat: int,
               workdir: Path) -> list[Run]:
    folder = workdir / f"blog-{posts}"
    articles = generate_blog(folder / "sites", posts)
    server = FixtureServer(port=0, sites_dir=folder / "sites").start()
    server.latency = latency
    runs: list[Run] = []
    try:
        for concurrency in concurrencies:
            for attempt in range(1, repeat + 1):
                out = folder / f"out-c{concurrency}-{attempt}"
                name = f"migrator -c{concurrency}" + (f" #{attempt}" if repeat > 1 else "")
                runs.append(run_migrator(server, out, concurrency, name, articles))
                print(runs[-1].line(), flush=True)
        again = run_migrator(server, out, concurrency, "migrator, 2nd run", articles)
        print(again.line(), flush=True)
        wget = run_wget(server, folder / "wget", articles)
        print(wget.line(), flush=True)
    finally:
        server.stop()
    return [*runs, again, wget]


def median_crawl_ratios(runs: list[Run]) -> dict[str, float]:
    """Median crawl time / ideal of the first runs, per concurrency."""
    ratios: dict[str, list[float]] = {}
    for run in runs:
        if run.crawl_wall is None or "2nd" in run.name:
            continue
        ratios.setdefault(run.name.split(" #")[0], []).append(run.crawl_wall / run.ideal)
    return {name: statistics.median(values) for name, values in ratios.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8],
                        help="one or more pool sizes, each timed on the same blog")
    parser.add_argument("--repeat", type=int, default=1,
                        help="first runs per concurrency (a shared machine varies by ±10%%)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    sizes = ", ".join(f"-c{c}" for c in args.concurrency)
    print(f"latency {args.latency * 1000:.0f} ms per request, migrator {sizes}, wget one "
          f"connection; ideal = requests × latency / concurrency; times in seconds\n")
    print(HEADER)
    try:
        for size in args.sizes:
            runs = bench_size(size, args.latency, args.concurrency, args.repeat, workdir)
            for name, ratio in median_crawl_ratios(runs).items():
                print(f"  {size} posts, {name}: crawl / ideal, median of {args.repeat}: "
                      f"{ratio:.2f}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
