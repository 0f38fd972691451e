"""A second `migrate` only revalidates listings, and fetches only the posts that are new.

The blog is a copy of a fixture site in a temporary folder, served by its own FixtureServer, so
the test can publish two new posts (new files + links on the home page, the feed and the
sitemap) between two runs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtureserver import FixtureServer, output_snapshot, run_migrator

HOST = "cuisine-de-mamie.over-blog.com"
TEMPLATE_POST = "/2023/03/madeleines-a-la-bosse.html"
TEMPLATE_TITLE = "Madeleines « à la bosse »"
NEW_POSTS = {
    "/2024/01/kouign-amann-maison.html": "Kouign-amann maison",
    "/2024/02/far-breton-aux-pruneaux.html": "Far breton aux pruneaux",
}
LISTING_PREFIXES = ("/page/", "/tag/", "/rss", "/sitemap", "/robots.txt")


@pytest.fixture
def blog(tmp_path: Path, fixtures_dir: Path) -> Iterator[tuple[FixtureServer, Path]]:
    sites = tmp_path / "sites"
    shutil.copytree(fixtures_dir / "sites" / HOST, sites / HOST)
    server = FixtureServer(port=0, sites_dir=sites).start()
    yield server, sites / HOST
    server.stop()


def migrate(server: FixtureServer, out: Path) -> None:
    result = run_migrator(["migrate", f"http://{HOST}", "--to", "json", "--to", "wxr",
                           "--to", "markdown", "--out", str(out), "--delay", "0",
                           "--no-images", "--concurrency", "2"], server.proxy_url)
    assert result.returncode == 0, result.stderr
    assert "Crawl finished:" in result.stderr


def publish(site: Path, path: str, title: str) -> None:
    """A new post made from an existing one, linked from the home page, feed and sitemap."""
    page = (site / TEMPLATE_POST.lstrip("/")).read_text("utf-8")
    page = page.replace(TEMPLATE_POST, path).replace(TEMPLATE_TITLE, title)
    target = site / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, "utf-8")
    url = f"http://{HOST}{path}"
    additions = {
        "index.html": ("</body>", f'<a href="{url}">{title}</a>'),
        "sitemap.xml": ("</urlset>", f"<url><loc>{url}</loc></url>"),
        "rss": ("</channel>", f"<item><title>{title}</title><link>{url}</link></item>"),
    }
    for name, (closing, addition) in additions.items():
        text = (site / name).read_text("utf-8")
        assert closing in text, name
        (site / name).write_text(text.replace(closing, addition + closing, 1), "utf-8")


def article_paths(blog_json: Path) -> set[str]:
    data = json.loads(blog_json.read_text("utf-8"))
    return {a["url"].split(HOST, 1)[1] for a in data["articles"]}


def test_second_run_fetches_no_article_and_changes_nothing(
    blog: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    server, _site = blog
    out = tmp_path / "out"
    migrate(server, out)
    first = output_snapshot(out)
    articles = article_paths(out / "blog.json")
    server.reset_counts()

    migrate(server, out)

    asked = {path for host, path in server.requests if host == HOST}
    assert not asked & articles  # no article downloaded again
    assert all(p == "/" or p.startswith(LISTING_PREFIXES) or "/archive" in p for p in asked)
    bodies = [(path, status) for (host, path, status) in server.statuses if status == 200]
    assert [b for b in bodies if b[0] != "/robots.txt"] == []  # the rest answered 304 or 404
    assert server.statuses[(HOST, "/", 304)] == 1
    assert output_snapshot(out) == first


def test_two_new_posts_are_fetched_and_added(
    blog: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    server, site = blog
    out = tmp_path / "out"
    migrate(server, out)
    before = article_paths(out / "blog.json")
    for path, title in NEW_POSTS.items():
        publish(site, path, title)
    server.reset_counts()

    migrate(server, out)

    asked = {path for host, path in server.requests if host == HOST}
    assert asked & (before | set(NEW_POSTS)) == set(NEW_POSTS)
    assert all(server.count(HOST, path) == 1 for path in NEW_POSTS)
    after = json.loads((out / "blog.json").read_text("utf-8"))
    assert article_paths(out / "blog.json") == before | set(NEW_POSTS)
    titles = {a["title"] for a in after["articles"]}
    assert set(NEW_POSTS.values()) <= titles
    markdown = {p.parent.name for p in (out / "markdown").rglob("index.md")}
    assert {"kouign-amann-maison", "far-breton-aux-pruneaux"} <= markdown


def test_post_changed_since_the_last_run_is_fetched_again(
    blog: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    """The sitemap's <lastmod> says which stored posts changed; only those are asked again."""
    server, site = blog
    out = tmp_path / "out"
    migrate(server, out)
    before = article_paths(out / "blog.json")
    post = site / TEMPLATE_POST.lstrip("/")
    post.write_text(post.read_text("utf-8").replace(TEMPLATE_TITLE, "Madeleines revisitées"),
                    "utf-8")
    sitemap = site / "sitemap.xml"
    text = sitemap.read_text("utf-8")
    entry = text.index(f"http://{HOST}{TEMPLATE_POST}")
    lastmod = text.index("<lastmod>", entry)
    end = text.index("</lastmod>", lastmod)
    sitemap.write_text(text[:lastmod] + "<lastmod>2099-01-01" + text[end:], "utf-8")
    server.reset_counts()

    migrate(server, out)

    asked = {path for host, path in server.requests if host == HOST}
    assert asked & before == {TEMPLATE_POST}
    assert server.statuses[(HOST, TEMPLATE_POST, 200)] == 1
    titles = {a["title"] for a in json.loads((out / "blog.json").read_text("utf-8"))["articles"]}
    assert "Madeleines revisitées" in titles and TEMPLATE_TITLE not in titles
    assert article_paths(out / "blog.json") == before
