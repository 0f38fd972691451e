"""Nothing dropped in silence (issue 9, item 4): each case was once a silent loss with exit 0.

Every test migrates a copy of the cuisine-de-mamie fixture blog (real Noodle chrome) changed in
one way, through the fixture server and the real ``migrator`` command, and checks what arrived
and what the run said about what did not.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fixtureserver import FixtureServer, run_migrator

HOST = "cuisine-de-mamie.over-blog.com"
BASE = f"http://{HOST}"
FIGUES = "/2020/09/confiture-de-figues.html"
POSTS, PAGES = 18, 2


@pytest.fixture
def blog(tmp_path: Path, fixtures_dir: Path) -> Iterator[tuple[Path, FixtureServer]]:
    """A private copy of the blog, served by a server of its own."""
    sites = tmp_path / "sites"
    shutil.copytree(fixtures_dir / "sites" / HOST, sites / HOST)
    server = FixtureServer(port=0, sites_dir=sites).start()
    try:
        yield sites / HOST, server
    finally:
        server.stop()


def edit_pages(folder: Path, change: Callable[[Path, str], str]) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in ("rss", "sitemap.xml", "robots.txt"):
            text = path.read_text("utf-8")
            path.write_text(change(path, text), "utf-8")


def migrate(server: FixtureServer, out: Path, *formats: str) -> tuple[int, dict, str]:
    args = ["migrate", BASE, "--out", str(out), "--delay", "0", "--no-images"]
    for fmt in formats or ("json",):
        args += ["--to", fmt]
    result = run_migrator(args, server.proxy_url)
    report = json.loads((out / "report.json").read_text("utf-8"))
    return result.returncode, report, result.stdout + result.stderr


def articles(out: Path) -> dict[str, dict]:
    data = json.loads((out / "blog.json").read_text("utf-8"))
    return {a["url"].removeprefix(BASE): a for a in data["articles"]}


def test_a_post_titled_404_is_migrated(blog, tmp_path: Path) -> None:
    folder, server = blog
    page = folder / FIGUES.lstrip("/")
    page.write_text(page.read_text("utf-8").replace("Confiture de figues", "La recette n° 404"),
                    "utf-8")
    code, report, output = migrate(server, tmp_path / "out")
    assert code == 0, output
    assert articles(tmp_path / "out")[FIGUES]["title"] == "La recette n° 404"
    assert (report["posts"], report["pages"]) == (POSTS, PAGES)


def test_a_blog_whose_name_holds_404_loses_nothing(blog, tmp_path: Path) -> None:
    folder, server = blog
    edit_pages(folder, lambda _p, text: text.replace("Les Recettes de Mamie", "Club Peugeot 404")
               .replace("Page introuvable", "Page introuvable"))
    code, report, output = migrate(server, tmp_path / "out")
    assert code == 0, output
    assert (report["posts"], report["pages"]) == (POSTS, PAGES)
    data = json.loads((tmp_path / "out" / "blog.json").read_text("utf-8"))
    assert data["blog"]["title"] == "Club Peugeot 404 & Cie"


@pytest.mark.parametrize("unclosed", [300, 5000])
def test_a_body_with_unclosed_tags_is_never_cut(blog, tmp_path: Path, unclosed: int) -> None:
    folder, server = blog
    page = folder / FIGUES.lstrip("/")
    html = page.read_text("utf-8")
    pasted = ('<p>Collé depuis Word&nbsp;:</p>'
              + '<span style="font-family:Calibri">mot ' * unclosed
              + "<p>Dernière phrase du collage.</p>")
    anchor = "cuisson : 35 minutes.</p>"
    assert html.count(anchor) == 1
    html = html.replace(anchor, anchor + pasted)
    page.write_text(html, "utf-8")
    out = tmp_path / "out"
    code, report, output = migrate(server, out, "json", "markdown")
    assert code == 0, output
    figues = articles(out)[FIGUES]
    assert "Dernière phrase du collage." in figues["body_html"]
    # What followed the pasted text is all there: the end of the body and its images.
    expected = json.loads((Path(__file__).parent / "fixtures" / "expected" / f"{HOST}.json")
                          .read_text("utf-8"))
    spec = next(a for a in expected["articles"] if a["url"] == BASE + FIGUES)
    assert [image["url"] for image in figues["images"]] == spec["images"]
    for snippet in spec["body_snippets"]:
        assert snippet in re.sub(r"<[^>]+>", "", figues["body_html"]).replace("\u00a0", " ")
    markdown = (out / "markdown" / "content" / "posts" / "confiture-de-figues" /
                "index.md").read_text("utf-8")
    assert "Dernière phrase du collage." in markdown
    assert markdown.count("mot") >= unclosed


def test_an_article_address_answering_an_image_is_a_failure(blog, tmp_path: Path) -> None:
    folder, server = blog
    server.faults[FIGUES] = {"status": 200, "content_type": "image/jpeg",
                             "body": b"\xff\xd8\xff\xe0" + b"\0" * 200}
    code, report, _ = migrate(server, tmp_path / "out")
    assert code == 1
    assert {"url": BASE + FIGUES,
            "reason": "not an HTML page (image/jpeg): no article"} in report["failures"]
    assert report["posts"] == POSTS - 1


def test_pages_nobody_can_read_fail_loudly_and_name_the_theme(blog, tmp_path: Path) -> None:
    """Every class renamed, JSON-LD gone: what looks like an article and gives none is a
    failure naming the page's theme, and the run exits 1."""
    folder, server = blog

    def unknown_theme(_path: Path, text: str) -> str:
        text = re.sub(r'<script type="application/ld\+json">.*?</script>', "", text, flags=re.S)
        text = re.sub(r'class="([^"]*)"', lambda m: 'class="' + " ".join(
            f"zz{abs(hash(c)) % 10**6}" for c in m.group(1).split()) + '"', text)
        return text.replace("Basic theme id 90 [Noodle]", "Basic theme id 977 [Mystery]")

    edit_pages(folder, unknown_theme)
    code, report, output = migrate(server, tmp_path / "out")
    assert code == 1
    unreadable = [f for f in report["failures"]
                  if f["reason"] == "unreadable: theme 977 [Mystery]"]
    assert len(unreadable) == POSTS + PAGES
    assert {f["url"] for f in unreadable} >= {BASE + FIGUES}
    assert f"{POSTS + PAGES} pages that look like articles gave no article " \
           "(theme 977 [Mystery])" in output


def test_a_canonical_pointing_home_on_every_page_merges_nothing(blog, tmp_path: Path) -> None:
    folder, server = blog
    edit_pages(folder, lambda _p, text: re.sub(
        r'<link rel="canonical" href="[^"]*"', f'<link rel="canonical" href="{BASE}/"', text))
    code, report, output = migrate(server, tmp_path / "out")
    assert code == 0, output
    assert (report["posts"], report["pages"]) == (POSTS, PAGES)
    assert FIGUES in articles(tmp_path / "out")


def test_a_canonical_naming_another_post_merges_only_the_same_content(blog,
                                                                      tmp_path: Path) -> None:
    """Two distinct posts whose pages name one canonical stay two articles."""
    folder, server = blog
    other = "/2020/10/soupe-au-potiron.html"
    page = folder / FIGUES.lstrip("/")
    page.write_text(re.sub(r'<link rel="canonical" href="[^"]*"',
                           f'<link rel="canonical" href="{BASE}{other}"',
                           page.read_text("utf-8")), "utf-8")
    code, report, output = migrate(server, tmp_path / "out")
    assert code == 0, output
    found = articles(tmp_path / "out")
    assert found[FIGUES]["title"] == "Confiture de figues"
    assert found[other]["title"].startswith("Soupe au potiron")
    assert report["posts"] == POSTS


def test_a_post_named_only_by_a_child_sitemap_is_migrated(blog, tmp_path: Path) -> None:
    """A sitemap index's children are read: a post no page, feed or home links still arrives."""
    folder, server = blog
    hidden = "/2023/04/gaufres-de-liege.html"
    template = (folder / "2023/03/madeleines-a-la-bosse.html").read_text("utf-8")
    page = template.replace("/2023/03/madeleines-a-la-bosse.html", hidden) \
        .replace("Madeleines « à la bosse »", "Gaufres de Liège") \
        .replace("madeleine", "gaufre")
    (folder / hidden.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    (folder / hidden.lstrip("/")).write_text(page, "utf-8")
    (folder / "sitemap-posts.xml").write_bytes((folder / "sitemap.xml").read_bytes())
    (folder / "sitemap-hidden.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{BASE}{hidden}</loc></url></urlset>", "utf-8")
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{BASE}/sitemap-posts.xml</loc></sitemap>"
        f"<sitemap><loc>{BASE}/sitemap-hidden.xml</loc></sitemap></sitemapindex>", "utf-8")
    code, report, output = migrate(server, tmp_path / "out")
    assert code == 0, output
    assert report["posts"] == POSTS + 1
    assert articles(tmp_path / "out")[hidden]["title"] == "Gaufres de Liège"
    assert server.count(HOST, "/sitemap-hidden.xml") == 1
