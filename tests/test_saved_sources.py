"""SOURCE may be any saved copy (issue 14): WARC and WACZ files, HTTrack mirrors, pages saved
by a browser, a copy without its home page.

The WARC test uses the real ``wget --mirror --warc-file`` through the fixture server: the
exports of that WARC equal those of a live crawl of the same blog, byte for byte; what differs
is listed (``report.json``: the source as given, clock times and the output folder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fixtureserver import SITES_DIR, FixtureServer, migrator_env, output_snapshot, run_migrator

from migrator.errors import SourceError
from migrator.source import resolve_source

HOST = "cuisine-de-mamie.over-blog.com"
BLOG = f"http://{HOST}"
MEDIA_HOSTS = ["image.over-blog.com", "img.over-blog-kiwi.com", "idata.over-blog.com",
               "img.over-blog.com", "resize.over-blog.com"]
FORMATS = ["--to", "json", "--to", "markdown", "--to", "wxr"]
WGET = shutil.which("wget") or "/usr/bin/wget"


def everything(out: Path) -> dict[str, bytes]:
    """Every export, the media and the redirect maps (report.json and the archive aside)."""
    files = output_snapshot(out)
    for folder in ("media", "redirects"):
        files.update({str(p.relative_to(out)): p.read_bytes()
                      for p in sorted((out / folder).rglob("*")) if p.is_file()})
    return files


def report_view(out: Path) -> dict[str, object]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for clock in ("started", "finished", "crawl_seconds", "politeness_wait_seconds",
                  "retry_wait_seconds"):
        report.pop(clock)
    report["outputs"] = [str(Path(p).relative_to(out)) for p in report["outputs"]]
    return report


@pytest.fixture(scope="module")
def live(fixture_server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("live")
    result = run_migrator(["migrate", BLOG, *FORMATS, "--delay", "0", "--out", str(out)],
                          fixture_server.proxy_url)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def wget_copy(fixture_server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``wget --mirror --warc-file=blog`` of the blog and its images, through the proxy."""
    folder = tmp_path_factory.mktemp("wget")
    env = migrator_env(fixture_server.proxy_url)
    done = subprocess.run(
        [WGET, "--mirror", "--warc-file=blog", "-e", "robots=off", "--no-verbose",
         "--page-requisites", "--span-hosts", f"--domains={','.join([HOST, *MEDIA_HOSTS])}",
         f"{BLOG}/"], cwd=folder, env=env, capture_output=True, text=True, timeout=300,
        check=False)
    # wget exits 8 when some URL answered an error (the blog links a few missing pages), 4
    # when a host is unreachable (the proxy answers 502 for hosts it does not serve)
    assert done.returncode in (0, 4, 8), done.stderr[-2000:]
    assert (folder / "blog.warc.gz").stat().st_size > 0
    return folder


def test_a_warc_written_by_wget_exports_as_a_live_crawl(live: Path, wget_copy: Path,
                                                        tmp_path: Path) -> None:
    result = run_migrator(["migrate", str(wget_copy / "blog.warc.gz"), *FORMATS,
                           "--out", str(tmp_path)], "http://127.0.0.1:9")  # no network needed
    assert result.returncode == 0, result.stderr
    assert everything(tmp_path) == everything(live)
    assert not (tmp_path / ".archive" / "warc").exists()  # nothing fetched: no WARC written
    from_warc, from_live = report_view(tmp_path), report_view(live)
    # the differences: the source as given (and the clock times, left out above)
    assert from_warc.pop("source") == str(wget_copy / "blog.warc.gz")
    assert from_live.pop("source") == BLOG
    assert from_warc == from_live


def test_a_folder_holding_a_warc_and_the_mirror_reads_the_warc(wget_copy: Path) -> None:
    source = resolve_source(str(wget_copy))  # wget left blog.warc.gz beside its mirror
    assert source.base_url == f"{BLOG}/" and not source.over_http
    assert type(source.saved).__name__ == "WarcTransport"
    assert f"{BLOG}/2020/01/galette-des-rois-a-la-frangipane.html" in source.pages


def test_a_wacz_exports_as_a_live_crawl(live: Path, fixture_server: FixtureServer,
                                        tmp_path: Path) -> None:
    made = run_migrator(["export", "--archive", str(live / ".archive"), "--to", "wacz",
                         "--out", str(tmp_path / "wacz")], fixture_server.proxy_url)
    assert made.returncode == 0, made.stderr
    out = tmp_path / "out"
    result = run_migrator(["migrate", str(tmp_path / "wacz" / "archive.wacz"), *FORMATS,
                           "--out", str(out)], "http://127.0.0.1:9")
    assert result.returncode == 0, result.stderr
    assert everything(out) == everything(live)


# -- folders of saved pages ------------------------------------------------------------------


def copy_site(target: Path) -> Path:
    shutil.copytree(SITES_DIR / HOST, target / HOST)
    return target / HOST


def test_a_copy_without_its_home_page_reads_every_page(live: Path, tmp_path: Path) -> None:
    site = copy_site(tmp_path / "copy")
    for media_host in MEDIA_HOSTS:
        if (SITES_DIR / media_host).is_dir():
            shutil.copytree(SITES_DIR / media_host, tmp_path / "copy" / media_host)
    (site / "index.html").unlink()
    out = tmp_path / "out"
    result = run_migrator(["migrate", str(tmp_path / "copy"), "--to", "json", "--out", str(out)],
                          "http://127.0.0.1:9")
    assert result.returncode == 0, result.stderr
    assert "No home page in the saved copy" in result.stderr
    ours = json.loads((out / "blog.json").read_text(encoding="utf-8"))
    theirs = json.loads((live / "blog.json").read_text(encoding="utf-8"))
    assert ours["articles"] == theirs["articles"]
    # the blog's title is on every page; its description only on the home page
    assert ours["blog"]["title"] == theirs["blog"]["title"]


def httrack_mirror(project: Path) -> None:
    """A folder laid out as HTTrack writes one: its own index.html and hts-cache/ beside the
    host folder, a comment naming each page's URL, extension-less pages given ``.html`` and
    links to them rewritten to relative local files."""
    site = copy_site(project)
    (project / "hts-cache").mkdir()
    (project / "hts-cache" / "new.txt").write_text("HTTrack cache\n")
    (project / "index.html").write_text("<html><body><a href='cuisine-de-mamie.over-blog.com/"
                                        "index.html'>HTTrack project</a></body></html>")
    for number in (2, 3):
        (site / "page" / str(number)).rename(site / "page" / f"{number}.html")
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        original = relative.removesuffix("index.html")
        if re.fullmatch(r"page/\d\.html", original):
            original = original.removesuffix(".html")
        up = "../" * (len(path.relative_to(site).parts) - 1)
        html = path.read_text(encoding="utf-8")
        html = re.sub(r'href="/page/(\d)"', rf'href="{up}page/\1.html"', html)
        comment = (f"<!-- Mirrored from {HOST}/{original} by HTTrack Website Copier/3.x "
                   "[XR&CO'2014], Mon, 07 Dec 2026 10:00:00 GMT -->")
        html = re.sub(r"(<html[^>]*>)", "\\1\n" + comment.replace("\\", "\\\\"), html,
                      count=1)
        path.write_text(html, encoding="utf-8")


def test_an_httrack_mirror(live: Path, tmp_path: Path) -> None:
    httrack_mirror(tmp_path / "project")
    source = resolve_source(str(tmp_path / "project"))
    assert source.base_url == f"{BLOG}/"
    assert f"{BLOG}/page/2" in source.pages  # its URL from the HTTrack comment
    out = tmp_path / "out"
    result = run_migrator(["migrate", str(tmp_path / "project"), "--to", "json", "--no-images",
                           "--out", str(out)], "http://127.0.0.1:9")
    assert result.returncode == 0, result.stderr
    ours = json.loads((out / "blog.json").read_text(encoding="utf-8"))
    theirs = json.loads((live / "blog.json").read_text(encoding="utf-8"))
    for article in theirs["articles"]:
        for image in article["images"]:
            image["local_path"] = None
    assert ours == theirs


def test_pages_saved_by_a_browser(live: Path, tmp_path: Path) -> None:
    """"Save page as" of three articles (no home page, no host folder): each page names the URL
    it was saved from; its images sit in ``<Title>_files/`` and are found by their names."""
    theirs = json.loads((live / "blog.json").read_text(encoding="utf-8"))
    chosen = [a for a in theirs["articles"] if a["images"]][:3]
    folder = tmp_path / "Downloads"
    folder.mkdir()
    for number, article in enumerate(chosen):
        path = SITES_DIR / HOST / article["url"].removeprefix(f"{BLOG}/")
        html = path.read_text(encoding="utf-8")
        marker = f"<!-- saved from url=({len(article['url']):04d}){article['url']} -->\n"
        (folder / f"Recette {number}.html").write_text(marker + html, encoding="utf-8")
        files = folder / f"Recette {number}_files"
        files.mkdir()
        for image in article["images"]:
            shutil.copy(live / image["local_path"], files / Path(image["local_path"]).name)
    out = tmp_path / "out"
    result = run_migrator(["migrate", str(folder), "--to", "json", "--out", str(out)],
                          "http://127.0.0.1:9")
    ours = json.loads((out / "blog.json").read_text(encoding="utf-8"))
    assert [a["url"] for a in ours["articles"]] == [a["url"] for a in chosen]
    for mine, original in zip(ours["articles"], chosen, strict=True):
        assert mine["title"] == original["title"]
        assert mine["body_html"] == original["body_html"]
        assert [i["local_path"] for i in mine["images"]] == \
            [i["local_path"] for i in original["images"]]
    # the pages they link (listings, other articles) were not saved: listed, exit status 1
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_a_canonical_link_names_a_page_saved_under_any_name(tmp_path: Path) -> None:
    page = SITES_DIR / HOST / "2020" / "01" / "galette-des-rois-a-la-frangipane.html"
    html = page.read_text(encoding="utf-8")
    if 'rel="canonical"' not in html:
        html = html.replace("</head>", f'<link rel="canonical" href="{BLOG}/2020/01/'
                                       'galette-des-rois-a-la-frangipane.html"></head>', 1)
    (tmp_path / "galette.htm").write_text(html, encoding="utf-8")
    source = resolve_source(str(tmp_path))
    assert source.pages == (f"{BLOG}/2020/01/galette-des-rois-a-la-frangipane.html",)


def test_folders_and_files_that_are_no_saved_blog(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.html").write_text("<html><body>nothing</body></html>")
    with pytest.raises(SourceError, match="holds no saved Overblog page"):
        resolve_source(str(tmp_path / "empty"))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SourceError, match="not a WARC or WACZ file"):
        resolve_source(str(tmp_path / "notes.txt"))
    (tmp_path / "broken.warc.gz").write_bytes(b"not a warc")
    with pytest.raises(SourceError, match="not a WARC file warcio can read"):
        resolve_source(str(tmp_path / "broken.warc.gz"))
    two = tmp_path / "two"
    for host in ("a.over-blog.com", "b.over-blog.com"):
        (two / host).mkdir(parents=True)
        (two / host / "index.html").write_text("<html></html>")
    with pytest.raises(SourceError, match="saved copies of 2 sites"):
        resolve_source(str(two))


def test_the_sample_mirror_is_still_a_wget_mirror() -> None:
    source = resolve_source(str(SITES_DIR / HOST))
    assert source.mirror_root == SITES_DIR and source.pages == ()
    assert os.fspath(source.mirror_root)
