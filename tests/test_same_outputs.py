"""tools/same_outputs.py, the proof that a refactor changes no output: its comparison rules,
and one real run on one small blog (the run over every fixture blog takes minutes: it is run by
hand, before and after a change; see the script's docstring)."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parent.parent


def load_tool() -> ModuleType:
    path = ROOT / "tools" / "same_outputs.py"
    spec = importlib.util.spec_from_file_location("same_outputs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["same_outputs"] = module
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def write(folder: Path, relative: str, data: bytes | str) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def report(out: Path, started: str) -> str:
    return json.dumps({"started": started, "finished": started, "ok": True,
                       "outputs": [f"{out}/blog.json"]})


def test_identical_folders_and_what_may_differ(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, clock in ((one, "2026-01-01T00:00:00+00:00"), (two, "2026-01-02T09:00:00+00:00")):
        write(folder, "blog/blog.json", '{"a": 1}\n')
        write(folder, "blog/report.json", report(folder, clock))  # times and folders differ
    result = tool.compare_folders(one, two)
    assert (result.files, result.identical, result.differences) == (2, 2, [])


def test_a_changed_byte_a_missing_file_and_a_changed_report_are_differences(
        tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    write(one, "b/blog.json", '{"a": 1}\n')
    write(two, "b/blog.json", '{"a": 2}\n')
    write(one, "b/only-here.md", "x")
    write(one, "b/report.json", json.dumps({"ok": True, "started": "t"}))
    write(two, "b/report.json", json.dumps({"ok": False, "started": "t"}))
    result = tool.compare_folders(one, two)
    assert len(result.differences) == 3
    assert result.differences[0] == "b/only-here.md: only before"
    assert "b/blog.json" in result.differences[1] and '-{"a": 1}' in result.differences[1]
    assert result.differences[2].startswith("b/report.json: ok")


def test_xml_that_differs_only_in_serialisation_is_listed_not_a_difference(
        tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    write(one, "wordpress.xml",
          '<?xml version="1.0"?>\n<rss version="2.0"\n  a="1"><t>x</t></rss>')
    write(two, "wordpress.xml",
          "<?xml version='1.0'?>\n<rss a=\"1\" version=\"2.0\"><t><![CDATA[x]]></t></rss>")
    result = tool.compare_folders(one, two)
    assert result.differences == []
    assert len(result.canonical_only) == 1 and "canonically identical" in result.canonical_only[0]
    write(two, "wordpress.xml", '<rss version="2.0" a="1"><t>y</t></rss>')
    assert len(tool.compare_folders(one, two).differences) == 1


def make_archive(path: Path, fetched_at: str, date: str, queue: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE responses (url, final_url, status, headers, content, fetched_at);"
        "CREATE TABLE urls (id INTEGER PRIMARY KEY, url, kind, source, state, reason);"
        "CREATE TABLE articles (url, published, data);"
        "CREATE TABLE media (url, sha256, file, status, reason, fetched_at);"
        "CREATE TABLE state (key, value);")
    db.execute("INSERT INTO responses VALUES ('u', 'u', 200, ?, x'00', ?)",
               (json.dumps({"date": date, "etag": "e"}), fetched_at))
    for url in queue:
        db.execute("INSERT INTO urls (url, kind, source, state) VALUES (?, 'post', '', 'done')",
                   (url,))
    db.commit()
    db.close()


def test_archives_compare_by_content_without_fetch_times(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    make_archive(one / ".archive/archive.sqlite", "2026-01-01T00:00:00", "Mon", ["a", "b"])
    make_archive(two / ".archive/archive.sqlite", "2026-01-02T00:00:00", "Tue", ["b", "a"])
    assert tool.compare_folders(one, two).differences == []
    make_archive(tmp_path / "three/.archive/archive.sqlite", "t", "d", ["a", "c"])
    assert len(tool.compare_folders(one, tmp_path / "three").differences) == 1


def test_one_blog_twice_with_this_code(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    status = tool.main(["--before", "worktree", "--after", "worktree", "--blogs",
                        "cuisine-de-mamie.over-blog.com", "--work", str(tmp_path)])
    said = capsys.readouterr().out
    assert status == 0, said
    assert "IDENTICAL" in said
    assert (tmp_path / "after/cuisine-de-mamie.over-blog.com/jekyll/wordpress.xml").is_file()


def test_warc_files_compare_by_their_records(tmp_path: Path) -> None:
    """File names, record ids and WARC dates carry clock times: the records are compared."""
    from migrator.warc import WarcWriter

    request = b"GET / HTTP/1.1\r\nHost: b\r\n\r\n"

    def crawl_into(folder: Path, body: bytes, date: str) -> None:
        writer = WarcWriter(folder / ".archive" / "warc", {"software": "t"})
        head = f"HTTP/1.1 200 OK\r\nDate: {date}\r\n\r\n".encode()
        writer.record("http://b/", 200, request, head, body)
        writer.close()

    crawl_into(tmp_path / "one", b"x", "Mon")
    crawl_into(tmp_path / "two", b"x", "Tue")
    result = tool.compare_folders(tmp_path / "one", tmp_path / "two")
    assert (result.files, result.differences) == (1, [])
    crawl_into(tmp_path / "three", b"y", "Mon")
    differences = tool.compare_folders(tmp_path / "one", tmp_path / "three").differences
    assert len(differences) == 1 and differences[0].startswith(".archive/warc: records")
