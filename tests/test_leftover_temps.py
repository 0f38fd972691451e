"""Temporary files carry one recognisable name, and the next run removes those a killed run left.

Found by a user: a kill -9 during export left megabytes of hidden ``*.tmp`` files, never
cleaned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fixtureserver import FixtureServer, run_migrator

from migrator.files import is_temp_name, remove_leftover_temps, temp_file_beside

BLOG = "http://vieux-grimoire.over-blog.fr"
FAST = ["--delay", "0", "--backoff", "0"]
HOUR_AGO = time.time() - 3600


def leftover(folder: Path, name: str, mtime: float = HOUR_AGO) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"half a file")
    os.utime(path, (mtime, mtime))
    return path


def temps_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if is_temp_name(p.name))


def test_temp_names_are_recognisable(tmp_path: Path) -> None:
    fd, temp = temp_file_beside(tmp_path / ("x" * 250 + ".md"))
    os.close(fd)
    assert temp.parent == tmp_path and is_temp_name(temp.name)
    assert len(temp.name.encode()) < 255  # a long final name still gives a valid name
    assert not is_temp_name(".blog.json.a1b2c3d4.tmp")  # not ours (or no longer)


def test_a_run_removes_old_leftovers_of_its_own_folders_only(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    archive = out / ".archive"
    removed = [
        leftover(out, ".migrator-tmp.blog.json.k2j4h5g6.tmp"),
        leftover(out / "markdown" / "content" / "posts" / "x", ".migrator-tmp.index.md.a.tmp"),
        leftover(out / "redirects", ".migrator-tmp.nginx.conf.b.tmp"),
        leftover(out / "media", ".migrator-tmp.ob_1_a.jpg.c.tmp"),
        leftover(archive, ".migrator-tmp.report.json.d.tmp"),
        leftover(archive / "media", ".migrator-tmp.ob_2_b.jpg.e.tmp"),
    ]
    kept = [
        leftover(out, ".blog.json.a1b2c3d4.tmp"),  # not our name
        leftover(out, ".migrator-tmp.notes"),  # not our name either
        leftover(out, "draft.tmp"),
        leftover(out / "mine", ".migrator-tmp.x.y.tmp"),  # a folder we do not write
        leftover(out, ".migrator-tmp.new.z.tmp", mtime=time.time() + 3600),  # newer than us
    ]
    (out / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    kept.append(leftover(tmp_path / "elsewhere", ".migrator-tmp.w.tmp"))
    result = run_migrator(["migrate", BLOG, "--to", "json", "--to", "markdown", "--out",
                           str(out), *FAST], proxy_env.proxy_url)
    assert result.returncode == 0, result.stderr
    assert [p for p in removed if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


def test_leftovers_of_a_kill_9_during_export_go_with_the_next_export(
    proxy_env: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    done = run_migrator(["migrate", BLOG, "--to", "json", "--out", str(site), *FAST],
                        proxy_env.proxy_url)
    assert done.returncode == 0, done.stderr
    # an export killed (-9) in the middle of its second article
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from migrator.export.markdown import MarkdownExporter\n"
        "from migrator.pipeline import export\n"
        "write, written = MarkdownExporter.write, []\n"
        "def dying_write(self, article):\n"
        "    written.append(write(self, article))\n"
        "    if len(written) == 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "MarkdownExporter.write = dying_write\n"
        "export(Path(sys.argv[1]), ['json', 'wxr', 'markdown'], Path(sys.argv[2]))\n"
    )
    out = tmp_path / "out"
    killed = subprocess.run([sys.executable, "-c", script, str(site / ".archive"), str(out)],
                            timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL
    left = temps_under(out)
    assert {p.name.split(".")[2] for p in left} >= {"blog", "wordpress"}  # blog.json, …
    # nothing else was left: every file is a finished output or one of our temp files
    others = [p for p in out.rglob("*") if p.is_file() and p not in left]
    assert all(not p.name.startswith(".") or p.name == ".migrator.lock" for p in others)

    for path in left:  # a later run, in an hour
        os.utime(path, (HOUR_AGO, HOUR_AGO))
    again = run_migrator(["export", "--archive", str(site / ".archive"), "--to", "json",
                          "--to", "wxr", "--to", "markdown", "--out", str(out)],
                         proxy_env.proxy_url)
    assert again.returncode == 0, again.stderr
    assert temps_under(out) == []


def test_the_cleaner_follows_no_link_and_spares_other_names(tmp_path: Path) -> None:
    ours = leftover(tmp_path, ".migrator-tmp.a.b.tmp")
    theirs = leftover(tmp_path, "a.tmp")
    outside = leftover(tmp_path.parent / f"{tmp_path.name}-outside", ".migrator-tmp.c.tmp")
    (tmp_path / "link.tmp").symlink_to(outside)
    (tmp_path / ".migrator-tmp.link.x.tmp").symlink_to(outside)
    assert remove_leftover_temps([tmp_path], time.time()) == 1
    assert not ours.exists() and theirs.exists() and outside.exists()
