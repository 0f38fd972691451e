"""Benchmark: one huge page in a saved folder, the time and peak memory of the migration.

    python bench/bench_big_page.py [--sizes 5 19 50] [--migrator PATH]

Run by hand, never in tests. For each size (MB) it copies the ``vieux-grimoire`` fixture blog
into a temporary folder, makes one of its article pages that big (its own body, repeated:
valid HTML an Overblog reader reads) and runs ``migrator migrate FOLDER --to json --no-images``,
printing the wall time, the exit status and the peak resident memory of that child alone
(``os.wait4``). A page over the 20 MB cap (``settings.MAX_BODY_BYTES``) is refused before it is
read; a page under it shows what reading the biggest page allowed costs (the memory bound the
README states). ``--migrator`` runs another build (an older checkout's ``.venv/bin/migrator``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "tests" / "fixtures" / "sites" / "vieux-grimoire.over-blog.fr"
PAGE = "article-le-loup-de-noel-41258963.html"


def swell(page: Path, size: int) -> None:
    head, _, tail = page.read_bytes().partition(b"</body>")
    paragraph = "<p>Il était une fois un loup qui aimait Noël.</p>\n".encode() * 40
    with open(page, "wb") as stream:
        stream.write(head)
        while stream.tell() < size:
            stream.write(paragraph)
        stream.write(b"</body>" + tail)


def run(migrator: str, megabytes: float, work: Path) -> tuple[int, float, float]:
    site = work / f"saved-{megabytes:g}" / SITE.name
    shutil.copytree(SITE, site)
    swell(site / PAGE, int(megabytes * 1024 * 1024))
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    start = time.monotonic()
    child = subprocess.Popen([migrator, "migrate", str(site), "--to", "json", "--out",
                              str(work / f"out-{megabytes:g}"), "--no-images", "-q"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    return os.waitstatus_to_exitcode(status), time.monotonic() - start, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 19, 50])
    parser.add_argument("--migrator", default=str(Path(sys.executable).with_name("migrator")))
    args = parser.parse_args()
    print(f"{'page MB':>8} {'exit':>5} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            status, seconds, peak = run(args.migrator, size, Path(folder))
            print(f"{size:8g} {status:5d} {seconds:8.1f} {peak:8.0f}", flush=True)


if __name__ == "__main__":
    main()
