"""Prove that two versions of the code migrate every fixture blog to the same files.

    python tools/same_outputs.py --before 3111ce4            # that commit against the tree
    python tools/same_outputs.py --before HEAD --after HEAD  # the baseline: is it stable?
    python tools/same_outputs.py --before 3111ce4 --blogs cuisine-de-mamie.over-blog.com

Each side is a git revision, checked out in a temporary ``git worktree`` (removed afterwards),
or ``worktree``: the files as they are in this checkout, uncommitted changes included. Both
sides run with this checkout's Python (``.venv``, dependencies included) and the code of their
own side first on the path (``PYTHONPATH``), through one fixture server acting as the proxy
for every host (``tests/fixtureserver.py``: ``tests/fixtures/sites`` then
``tests/fixtures/themes/sites``).

Blogs: every blog host the project ships (the folders of those two ``sites`` folders with a
home page, media hosts left out): the three sample blogs, the custom-domain one, the hostile
``mauvais-genie.over-blog.com``, the site that is not a blog (an error is an output too), and
every theme blog. For each blog, three commands:

1. ``migrate http://HOST/ --to markdown --to wxr --to json --out HOST/hugo`` (Hugo, images
   downloaded, ``--concurrency 2`` so that the worker threads run, ``--delay 0``);
2. ``export --archive HOST/hugo/.archive --to markdown --to wxr --to json --flavor jekyll
   --base-url https://new.example.org --out HOST/jekyll`` (Jekyll, absolute addresses);
3. ``migrate`` again into ``HOST/hugo`` (a refresh of a finished archive: conditional
   requests, nothing new) with ``--to json``.

Every file the two sides wrote is compared byte for byte, both ways (a file on one side only
is a difference), except, and the tool says so each time it runs:

- ``report.json``: compared as JSON without ``started``, ``finished`` and the crawl's
  durations (``crawl_seconds``, ``politeness_wait_seconds``, ``retry_wait_seconds``: clock
  times) and with the output folder written ``<out>`` in ``outputs`` (the two sides write to
  two folders);
- ``.archive/archive.sqlite`` (and its ``-wal``/``-shm``): compared as its logical content,
  not as bytes (SQLite's pages depend on the order of writes, which threads vary): every
  response (URL, final URL, status, headers, SHA-256 of the body) without ``fetched_at`` and
  without the ``Date`` header (clock times); the URL queue (URL, kind, source, state, reason)
  by URL, without its row ids (queue order varies with threads); every article's JSON; every
  media record without ``fetched_at`` (per URL, and per file when the archive has
  ``media_files``); the crawl state (key, value), whatever table holds it;
- ``cli.txt``: what each command printed (exit status, then its error output sorted: log lines
  of worker threads come in any order), the output folder written ``<out>``, without the
  progress lines (``discovered N · fetched N …`` or ``discovered N · done N …``: their counts
  depend on thread timing) and without the crawl's durations (``…; 15s in all, workers
  waited …`` and the ``Crawl: …`` summary line);
- ``.archive/warc/`` (the WARC files and their ``records.tsv``): compared as one set of
  records, whatever file holds them (file names carry the clock time): every record but the
  ``warcinfo`` as its type, URL, HTTP status line, HTTP headers without ``Date`` and payload
  digest, without record ids, WARC dates and the index; a revisit of an identical payload
  counts as the response it stands for (which of two URLs with the same bytes came first
  depends on thread timing);
- ``.migrator.lock`` (the folder's lock file: the pid, host and start time of the run that
  wrote it last) is not compared;
- ``wordpress.xml``: compared as bytes; when the bytes differ and the two files are the same
  canonical XML (C14N 2.0, CDATA sections read as text), the tool lists the lines that differ
  and counts the file as *canonically identical* rather than as a difference.

Exit status 0 when nothing differs (canonically identical WXR files included, listed), 1
otherwise. The folders are kept with ``--keep`` (or under ``--work``).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
WORKTREE = "worktree"
BASE_URL = "https://new.example.org"
MEDIA_HOSTS = ("idata.over-blog.com", "image.over-blog.com", "img.over-blog-kiwi.com",
               "img.over-blog.com", "resize.over-blog.com")
TIMES_IN_REPORT = ("started", "finished", "crawl_seconds", "politeness_wait_seconds",
                   "retry_wait_seconds")
ARCHIVE_FILES = ("archive.sqlite", "archive.sqlite-wal", "archive.sqlite-shm")
LOCK_FILE = ".migrator.lock"
"""Who wrote a folder last (pid, host, start time): not an output, never compared."""
PROGRESS_LINE = re.compile(r"^discovered \d+ · (?:fetched|done) \d+ ")
CLOCK_IN_SUMMARY = re.compile(r"; \S+ in all(?:, workers waited .*)?$")
CLOCK_LINE = re.compile(r"^Crawl: \S+ in all; workers waited ")


def without_clock(lines: list[str]) -> list[str]:
    """The CLI's lines without the progress lines and the crawl's clock times."""
    return [CLOCK_IN_SUMMARY.sub("", line) for line in lines
            if not PROGRESS_LINE.match(line) and not CLOCK_LINE.match(line)]


# -- the blogs ---------------------------------------------------------------------------------


def fixture_blogs() -> list[str]:
    """Every blog host of the fixture sites (media hosts left out), sites first, then themes."""
    sys.path.insert(0, str(TESTS))
    from fixtureserver import SITES_DIR, THEME_SITES_DIR

    hosts: list[str] = []
    for folder in (SITES_DIR, THEME_SITES_DIR):
        for host in sorted(p.name for p in folder.iterdir() if (p / "index.html").is_file()):
            if host not in MEDIA_HOSTS and host not in hosts:
                hosts.append(host)
    return hosts


def commands(host: str) -> list[tuple[str, list[str]]]:
    """(name, arguments) of the commands run for one blog, in order."""
    formats = ["--to", "markdown", "--to", "wxr", "--to", "json"]
    return [
        ("migrate", ["migrate", f"http://{host}/", *formats, "--out", "hugo", "--delay", "0",
                     "--concurrency", "2"]),
        ("export", ["export", "--archive", "hugo/.archive", *formats, "--flavor", "jekyll",
                    "--base-url", BASE_URL, "--out", "jekyll"]),
        ("refresh", ["migrate", f"http://{host}/", "--to", "json", "--out", "hugo", "--delay",
                     "0", "--concurrency", "2"]),
    ]


# -- one side ----------------------------------------------------------------------------------


@contextlib.contextmanager
def code_of(side: str) -> Iterator[Path]:
    """A folder holding the code of ``side`` (a git revision, or this checkout as it is)."""
    if side == WORKTREE:
        yield ROOT
        return
    folder = Path(tempfile.mkdtemp(prefix="same-outputs-code-"))
    checkout = folder / "code"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(checkout), side],
                   cwd=ROOT, check=True)
    try:
        yield checkout
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT,
                       check=False)
        with contextlib.suppress(OSError):
            folder.rmdir()


def run_side(side: str, blogs: list[str], out: Path, proxy_url: str) -> None:
    """Migrate every blog with the code of ``side`` into ``out/<host>/``."""
    with code_of(side) as code:
        env = {**os.environ, "HTTP_PROXY": proxy_url, "http_proxy": proxy_url,
               "PYTHONPATH": str(code), "PYTHONHASHSEED": "0"}
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY",
                     "https_proxy"):
            env.pop(name, None)
        where = subprocess.run([sys.executable, "-c", "import migrator; print(migrator.__file__)"],
                               cwd=code, env=env, capture_output=True, text=True, check=True)
        print(f"  {side}: code from {Path(where.stdout.strip()).parent}", flush=True)
        for host in blogs:
            folder = out / host
            folder.mkdir(parents=True)
            lines = []
            for name, arguments in commands(host):
                done = subprocess.run([sys.executable, "-m", "migrator.cli", *arguments],
                                      cwd=folder, env=env, capture_output=True, text=True,
                                      timeout=900, check=False)
                said = sorted(without_clock(done.stderr.replace(str(folder), "<out>")
                                            .splitlines()))
                lines += [f"$ {name}: exit {done.returncode}", *said]
            (folder / "cli.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- comparing ---------------------------------------------------------------------------------


@dataclass
class Comparison:
    files: int = 0
    identical: int = 0
    differences: list[str] = field(default_factory=list)
    canonical_only: list[str] = field(default_factory=list)
    """WXR files whose bytes differ but whose canonical XML is the same (with the lines)."""


def report_view(path: Path, out: Path) -> Any:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in TIMES_IN_REPORT:
        data.pop(key, None)
    data["outputs"] = [item.replace(str(out), "<out>") for item in data.get("outputs", [])]
    return data


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _headers_without_date(text: str) -> str:
    headers = json.loads(text)
    headers.pop("date", None)
    return json.dumps(headers, sort_keys=True)


def state_view(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """The crawl state as (key, value) pairs in the first version's spelling, whatever table
    holds it (the key/value ``state`` table, or typed tables with the same facts)."""
    tables = _tables(db)
    pairs: list[tuple[str, str]] = []
    if "state" in tables:
        pairs += [(str(k), str(v)) for k, v in db.execute("SELECT key, value FROM state")]
    if "crawl" in tables:
        for name, value in db.execute("SELECT name, value FROM crawl"):
            pairs.append((str(name), str(value)))
    if "listing_dates" in tables:
        for key, iso, has_time in db.execute("SELECT key, iso, has_time FROM listing_dates"):
            pairs.append((f"listing_date:{key}", f"{iso}|{int(has_time)}"))
    if "feed_dates" in tables:
        for url, iso in db.execute("SELECT url, iso FROM feed_dates"):
            pairs.append((f"feed_date:{url}", str(iso)))
    return sorted(pairs)


def archive_view(path: Path) -> dict[str, list[Any]]:
    """The logical content of an archive (see the module's docstring for what is left out)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        view: dict[str, list[Any]] = {
            "responses": [
                (url, final_url, status, _headers_without_date(headers),
                 hashlib.sha256(content).hexdigest())
                for url, final_url, status, headers, content in db.execute(
                    "SELECT url, final_url, status, headers, content FROM responses ORDER BY url")
            ],
            "urls": list(db.execute(
                "SELECT url, kind, source, state, reason FROM urls ORDER BY url")),
            "articles": list(db.execute("SELECT url, published, data FROM articles ORDER BY url")),
            "media": list(db.execute(
                "SELECT url, sha256, file, status, reason FROM media ORDER BY url")),
            "media_files": list(db.execute(
                "SELECT key, url, rank, name, status, sha256, file, reason FROM media_files "
                "ORDER BY key")) if "media_files" in _tables(db) else [],
            "state": state_view(db),
        }
    finally:
        db.close()
    return view


WARC_FOLDER = ".archive/warc"


def warc_view(folder: Path) -> list[tuple[str, ...]]:
    """The records of every WARC file of ``folder`` (see the module's docstring)."""
    from warcio.archiveiterator import ArchiveIterator

    view = []
    for path in sorted(folder.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "warcinfo":
                    continue
                headers = record.rec_headers
                kind = record.rec_type
                profile = headers.get_header("WARC-Profile") or ""
                if kind == "revisit" and profile.endswith("identical-payload-digest"):
                    kind = "response"
                http = record.http_headers
                lines = sorted(f"{k}: {v}" for k, v in http.headers if k.lower() != "date") \
                    if http else []
                view.append((kind, headers.get_header("WARC-Target-URI") or "",
                             http.statusline if http else "", "\n".join(lines),
                             headers.get_header("WARC-Payload-Digest") or "" if kind != "request"
                             else ""))
    return sorted(view)


def _first_difference(before: Any, after: Any) -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                one, two = before.get(key), after.get(key)
                if isinstance(one, list) and isinstance(two, list):
                    extra = [row for row in one if row not in two][:1]
                    missing = [row for row in two if row not in one][:1]
                    return f"{key}: before has {extra}, after has {missing}"
                return f"{key}: {str(one)[:200]} != {str(two)[:200]}"
    return "differs"


def canonical_xml(path: Path) -> bytes:
    parser = etree.XMLParser(strip_cdata=True, resolve_entities=False, huge_tree=True)
    return etree.tostring(etree.parse(str(path), parser), method="c14n2")


def byte_lines(one: bytes, two: bytes) -> list[str]:
    """The lines that differ, unified-diff style, each cut at 160 characters."""
    diff = difflib.unified_diff(one.decode("utf-8", "replace").splitlines(),
                                two.decode("utf-8", "replace").splitlines(), lineterm="", n=0)
    return [line[:160] for line in diff if not line.startswith(("---", "+++"))]


def compare_file(relative: str, one: Path, two: Path, outs: tuple[Path, Path],
                 result: Comparison) -> None:
    name = one.name
    if name == "report.json":
        same = report_view(one, outs[0]) == report_view(two, outs[1])
        detail = "" if same else _first_difference(report_view(one, outs[0]),
                                                    report_view(two, outs[1]))
    elif relative.endswith(WARC_FOLDER):
        before_records, after_records = warc_view(one), warc_view(two)
        same = before_records == after_records
        detail = "" if same else _first_difference({"records": before_records},
                                                   {"records": after_records})
    elif name == "archive.sqlite":
        before, after = archive_view(one), archive_view(two)
        same = before == after
        detail = "" if same else _first_difference(before, after)
    else:
        bytes_one, bytes_two = one.read_bytes(), two.read_bytes()
        same = bytes_one == bytes_two
        detail = "bytes differ"
        if not same and name.endswith(".xml") and canonical_xml(one) == canonical_xml(two):
            result.canonical_only.append(
                f"{relative}: canonically identical XML; bytes differ:\n      "
                + "\n      ".join(byte_lines(bytes_one, bytes_two)[:12]))
            result.identical += 1
            return
        if not same and name.endswith((".xml", ".json", ".md", ".txt", ".conf", ".csv")):
            detail = "\n      ".join(byte_lines(bytes_one, bytes_two)[:12])
    if same:
        result.identical += 1
    else:
        result.differences.append(f"{relative}: {detail}")


def _files(folder: Path) -> set[str]:
    """Every file, and each WARC folder as one entry (compared as its records)."""
    files = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if f"/{WARC_FOLDER}/" in f"/{relative}":
            files.add(relative[:relative.index(WARC_FOLDER) + len(WARC_FOLDER)])
        elif path.is_file() and path.name not in (*ARCHIVE_FILES[1:], LOCK_FILE):
            files.add(relative)
    return files


def compare_folders(one: Path, two: Path) -> Comparison:
    """Every file of ``one`` against the same file of ``two`` (see the module's docstring)."""
    result = Comparison()
    first, second = _files(one), _files(two)
    for relative in sorted(first ^ second):
        side = "before" if relative in first else "after"
        result.differences.append(f"{relative}: only {side}")
    for relative in sorted(first & second):
        result.files += 1
        compare_file(relative, one / relative, two / relative, (one, two), result)
    return result


def print_exclusions() -> None:
    print("Compared byte for byte, except (see tools/same_outputs.py):")
    print("  report.json: without 'started', 'finished' and the crawl's durations (clock times),")
    print("    output folder as <out>")
    print("  .archive/archive.sqlite: logical content, without responses' fetched_at and Date")
    print("    header, media's fetched_at (clock times) and the queue's row ids (thread order)")
    print("  .archive/warc/: the set of WARC records (type, URL, status, headers without Date,")
    print("    payload digest), without file names, record ids, WARC dates and records.tsv")
    print("  cli.txt: exit status and error output, lines sorted (threads), folder as <out>,")
    print("    without the progress lines (their counts depend on thread timing) and the")
    print("    crawl's durations")
    print("  *.xml whose bytes differ: counted identical only when the canonical XML is the same,")
    print("    and listed below with the lines that differ")
    print("  .migrator.lock (who wrote the folder last): not compared")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD",
                        help=f"a git revision, or {WORKTREE!r} (default: HEAD)")
    parser.add_argument("--after", default=WORKTREE,
                        help=f"a git revision, or {WORKTREE!r} (default: {WORKTREE})")
    parser.add_argument("--blogs", nargs="*", help="only these hosts (default: every blog)")
    parser.add_argument("--work", type=Path, help="keep both sides' outputs in this folder")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(TESTS))
    from fixtureserver import SITES_DIR, THEME_SITES_DIR, FixtureServer

    blogs = args.blogs or fixture_blogs()
    work = args.work or Path(tempfile.mkdtemp(prefix="same-outputs-"))
    sides = {"before": work / "before", "after": work / "after"}
    for folder in sides.values():
        if folder.exists():
            parser.error(f"{folder} exists: give an empty --work folder")
    server = FixtureServer(port=0, sites_dirs=[SITES_DIR, THEME_SITES_DIR]).start()
    started = time.monotonic()
    try:
        print(f"{len(blogs)} blogs, {len(commands('x'))} commands each; outputs in {work}")
        for label, revision in (("before", args.before), ("after", args.after)):
            print(f"{label}: {revision}", flush=True)
            run_side(revision, blogs, sides[label], server.proxy_url)
    finally:
        server.stop()
    result = compare_folders(sides["before"], sides["after"])
    print_exclusions()
    for line in result.canonical_only:
        print(f"  = {line}")
    for line in result.differences:
        print(f"  ! {line}")
    verdict = "IDENTICAL" if not result.differences else "DIFFERENT"
    print(f"{verdict}: {result.files} files compared, {result.identical} identical "
          f"({len(result.canonical_only)} of them canonically identical XML only), "
          f"{len(result.differences)} differences; {time.monotonic() - started:.0f} s")
    if not args.work and not result.differences:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0 if not result.differences else 1


if __name__ == "__main__":
    sys.exit(main())
