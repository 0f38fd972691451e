"""Every row of the README's exit status table, with the real command, and the table itself.

Found by a user: a site that is not Overblog and an unreachable host exited 1 where the README
said 2; an ``https://`` address on a plain-HTTP port waited 35 s and said "the host does not
answer"; ``export --archive OUT`` said "no archive" without pointing at ``OUT/.archive``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from fixtureserver import MIGRATOR, FaultResponse, FixtureServer, migrator_env, run_migrator

from migrator import HostUnreachable
from migrator.errors import FetchError
from migrator.fetch import Fetcher, HttpTransport
from migrator.settings import CrawlSettings

README = Path(__file__).parent.parent / "README.md"
BLOG = "http://vieux-grimoire.over-blog.fr"
FAST = ["--delay", "0", "--backoff", "0", "--no-images"]


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_table_lists_every_status_and_its_cases() -> None:
    text = README.read_text("utf-8")
    table = text[text.index("| exit status |"):]
    table = table[:table.index("\n\n")]
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.+) \|$", table,
                                                              re.M)}
    assert sorted(rows) == [0, 1, 2, 130]
    for case in ("bad option", "not Overblog", "unreachable", "TLS", "locked", "unwritable",
                 "no archive", "another blog"):
        assert case in rows[2], case
    for case in ("crawl not finished", "still running", "media missing"):
        assert case in rows[1], case


def test_0_everything_migrated(proxy_env: FixtureServer, tmp_path: Path) -> None:
    result = run_migrator(["migrate", BLOG, "--to", "json", "--out", str(tmp_path), *FAST],
                          proxy_env.proxy_url)
    assert result.returncode == 0, result.stderr


def test_1_something_failed(proxy_env: FixtureServer, tmp_path: Path) -> None:
    proxy_env.faults["/article-le-loup-de-noel-41258963.html"] = {"status": 404}
    result = run_migrator(["migrate", BLOG, "--to", "json", "--out", str(tmp_path), *FAST],
                          proxy_env.proxy_url)
    assert result.returncode == 1, result.stderr
    assert "HTTP 404" in result.stderr


@pytest.mark.parametrize("source,words", [
    ("http://www.pas-un-blog.fr", "does not look like an Overblog blog"),
    ("http://no-such-blog.over-blog.com", "could not fetch http://no-such-blog.over-blog.com/"),
    ("not a url", "neither an http(s) URL nor a folder"),
], ids=["not Overblog", "unknown host", "not a URL"])
def test_2_unusable_source(source: str, words: str, proxy_env: FixtureServer,
                           tmp_path: Path) -> None:
    result = run_migrator(["migrate", source, "--to", "json", "--out", str(tmp_path), *FAST,
                           "--retries", "0"], proxy_env.proxy_url)
    assert result.returncode == 2
    assert words in one_error(result)


def test_2_unreachable_host(tmp_path: Path) -> None:
    port = closed_port()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    result = subprocess.run([MIGRATOR, "migrate", f"http://127.0.0.1:{port}/", "--to", "json",
                             "--out", str(tmp_path), *FAST, "--retries", "0"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert one_error(result) == (f"Error: could not fetch http://127.0.0.1:{port}/: the host "
                                 "does not answer (connection refused)")


def test_2_tls_on_a_plain_http_port(fixture_server: FixtureServer, tmp_path: Path) -> None:
    address = f"127.0.0.1:{fixture_server.port}"
    result = run_migrator(["migrate", f"https://{address}/", "--to", "json", "--out",
                           str(tmp_path), "--retries", "4", "--backoff", "1"],
                          fixture_server.proxy_url)
    assert result.returncode == 2
    assert one_error(result) == (f"Error: could not fetch https://{address}/: the server at "
                                 f"{address} answered in plain HTTP, not TLS: try "
                                 f"http://{address}/")


def test_tls_on_a_plain_port_is_not_retried(fixture_server: FixtureServer) -> None:
    """The cause is known at the first answer: no retry, no wait (it used to take 35 s)."""
    waits: list[float] = []
    fetcher = Fetcher(CrawlSettings(delay=0, retries=4, backoff=1), HttpTransport(),
                      sleep=waits.append)
    with pytest.raises(FetchError, match="answered in plain HTTP, not TLS") as caught:
        fetcher.get(f"https://127.0.0.1:{fixture_server.port}/")
    assert not isinstance(caught.value, HostUnreachable)
    assert waits == []
    fetcher.close()


def test_2_bad_option(tmp_path: Path) -> None:
    result = subprocess.run([MIGRATOR, "migrate", BLOG, "--to", "json", "--out",
                             str(tmp_path), "--delay", "nan"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert "Invalid value for '--delay'" in result.stderr


def test_2_unwritable_folder(proxy_env: FixtureServer, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    result = run_migrator(["migrate", BLOG, "--to", "json", "--out", str(blocker / "out"),
                           *FAST], proxy_env.proxy_url)
    assert result.returncode == 2
    assert one_error(result) == f"Error: cannot write to {blocker / 'out'}: Not a directory"


def test_2_export_of_a_folder_without_an_archive(proxy_env: FixtureServer,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = run_migrator(["migrate", BLOG, "--to", "json", "--out", str(out), *FAST],
                        proxy_env.proxy_url)
    assert done.returncode == 0, done.stderr
    result = run_migrator(["export", "--archive", str(out), "--to", "json", "--out",
                           str(tmp_path / "again")], proxy_env.proxy_url)
    assert result.returncode == 2
    assert one_error(result) == (f"Error: no archive in {out} (its archive is {out}/.archive: "
                                 f"use --archive {out}/.archive)")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_migrator(["export", "--archive", str(empty), "--to", "json", "--out",
                           str(tmp_path / "again")], proxy_env.proxy_url)
    assert result.returncode == 2
    assert one_error(result) == f"Error: no archive in {empty}: run `migrator crawl` first"


def test_130_interrupted(proxy_env: FixtureServer, tmp_path: Path) -> None:
    asked = threading.Event()
    release = threading.Event()

    def hold(host: str, path: str) -> FaultResponse | None:
        if path.startswith("/article-"):
            asked.set()
            release.wait(30)
        return None

    proxy_env.faults[re.compile(r"")] = hold
    process = subprocess.Popen([MIGRATOR, "migrate", BLOG, "--to", "json", "--out",
                                str(tmp_path), *FAST], env=migrator_env(proxy_env.proxy_url),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert asked.wait(60)
        process.send_signal(signal.SIGINT)
        _out, stderr = process.communicate(timeout=60)
    finally:
        release.set()
    assert process.returncode == 130
    assert "Interrupted." in stderr and "Traceback" not in stderr


def test_1_a_damaged_archive(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "archive.sqlite").write_bytes(b"not a database, not at all" * 100)
    result = subprocess.run([MIGRATOR, "export", "--archive", str(archive), "--to", "json",
                             "--out", str(tmp_path / "out")], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 1
    assert one_error(result).startswith(f"Error: {archive / 'archive.sqlite'} is not an "
                                        "archive (not an SQLite database)")
