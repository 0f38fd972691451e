"""The generated fixture blogs are complete, consistent with their expected JSON, and reproducible.

These checks read the pages with BeautifulSoup directly (never the migrator's parser), so a
fixture that drifts from its expected values fails here first.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from fixtureserver import SITES_DIR, load_redirects, resolve_file

FIXTURES = Path(__file__).parent / "fixtures"
NOODLE = "cuisine-de-mamie.over-blog.com"
JARDIN = "www.jardin-des-mots.fr"
GRIMOIRE = "vieux-grimoire.over-blog.fr"
NOT_OVERBLOG = "www.pas-un-blog.fr"
HOSTS = [NOODLE, JARDIN, GRIMOIRE, NOT_OVERBLOG]
EXPECTED = {
    host: json.loads((FIXTURES / "expected" / f"{host}.json").read_text("utf-8")) for host in HOSTS
}
MONTHS = ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre",
          "Octobre", "Novembre", "Décembre"]


def page_file(url: str) -> Path | None:
    host, _, rest = url.removeprefix("http://").partition("/")
    path, _, query = ("/" + rest).partition("?")
    return resolve_file(SITES_DIR / host, path, query)


def soup_of(url: str) -> BeautifulSoup:
    found = page_file(url)
    assert found is not None, url
    return BeautifulSoup(found.read_bytes(), "lxml")


def articles(host: str) -> list[dict]:
    return EXPECTED[host]["articles"]


def test_every_html_file_parses() -> None:
    checked = 0
    for path in SITES_DIR.rglob("*"):
        if not path.is_file() or path.name in (".redirects", "robots.txt", "rss"):
            continue
        data = path.read_bytes()
        if path.suffix in (".jpg", ".png", ".xml"):
            continue
        soup = BeautifulSoup(data, "lxml")
        assert soup.body is not None and soup.title is not None, path
        checked += 1
    assert checked > 60


def test_counts_per_blog() -> None:
    counts = {host: data["counts"] for host, data in EXPECTED.items()}
    assert counts[NOODLE] == {"posts": 18, "pages": 2}
    assert counts[JARDIN] == {"posts": 14, "pages": 0}
    assert counts[GRIMOIRE] == {"posts": 12, "pages": 0}
    assert sum(c["posts"] + c["pages"] for c in counts.values()) >= 44
    assert EXPECTED[NOT_OVERBLOG]["is_overblog"] is False


@pytest.mark.parametrize("host", [NOODLE, JARDIN, GRIMOIRE])
def test_every_article_image_and_alias_is_served(host: str) -> None:
    redirects = load_redirects(SITES_DIR / host)
    for article in articles(host):
        assert page_file(article["url"]) is not None, article["url"]
        for image in article["images"]:
            found = page_file(image)
            assert found is not None, image
            assert found.read_bytes()[:2] in (b"\xff\xd8", b"\x89P"), image
        for alias in article["aliases"]:
            status, location = redirects["/" + alias.split("/", 3)[3]]
            assert (status, location) == (301, article["url"])


@pytest.mark.parametrize("host", [NOODLE, JARDIN, GRIMOIRE])
def test_home_pages_link_every_post(host: str) -> None:
    linked: set[str] = set()
    for url in EXPECTED[host]["home_pages"]:
        soup = soup_of(url)
        linked.update(a["href"] for a in soup.find_all("a", href=True))
    posts = {a["url"] for a in articles(host) if a["kind"] == "post"}
    assert posts <= linked


def test_noodle_pages_match_expected() -> None:
    for article in articles(NOODLE):
        soup = soup_of(article["url"])
        assert soup.select_one("h1.Post-title").get_text(strip=True) == article["title"]
        tags = [a.get_text() for a in soup.select("a.Post-tag")]
        assert tags == article["tags"]
        links = [a["href"] for a in soup.select("div.Post-body a.ob-link-img")]
        assert set(links) <= set(article["images"])
        ld = soup.find("script", type="application/ld+json")
        if article["kind"] == "page":
            assert ld is None and soup.select_one("p.Post-date") is None
            continue
        data = json.loads(ld.string)
        assert data["datePublished"] == article["published"]
        assert data["author"]["name"] == article["author"]
        day, month, year = soup.select_one("p.Post-date").get_text(strip=True).split()
        month_number = MONTHS.index(month) + 1
        assert article["published"].startswith(f"{year}-{month_number:02d}-{int(day):02d}")


def test_noodle_has_hostile_titles_and_a_month_mismatch() -> None:
    titles = [a["title"] for a in articles(NOODLE)]
    joined = "".join(titles)
    for needle in ['"', "'", "#", "]]>", "&", "\u00a0:", "\u202f!", "\u202f?", "🎃"]:
        assert needle in joined, needle
    mismatched = [a for a in articles(NOODLE) if a["published"]
                  and a["url"].split("/")[4] != a["published"][5:7]]
    assert len(mismatched) == 1


def test_noodle_og_title_double_escapes_blog_name() -> None:
    raw = page_file(articles(NOODLE)[0]["url"]).read_text("utf-8")
    assert "- Les Recettes de Mamie &amp;amp; Cie\" />" in raw


def test_jardin_dates_and_v1_urls() -> None:
    for article in articles(JARDIN):
        soup = soup_of(article["url"])
        post = soup.select_one("article.post")
        assert post.select_one("h2.post-title a").get_text(strip=True) == article["title"]
        text = post.select_one("div.date p").get_text(strip=True)
        day, month, year = re.fullmatch(r"Publié le (\d+) (\S+) (\d{4})", text).groups()
        assert article["published"] == (f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"
                                        f"T00:00:00{article['published'][-6:]}")
        assert [a.get_text() for a in post.select("p.tag a")] == article["tags"]
        assert soup.find("script", type="application/ld+json") is None
    urls = [a["url"] for a in articles(JARDIN)]
    assert sum(bool(re.search(r"/article-[a-z-]+-\d{8}\.html$", u)) for u in urls) == 2
    assert sum(bool(re.search(r"/article-\d{8}\.html$", u)) for u in urls) == 2
    assert sum(len(a["aliases"]) for a in articles(JARDIN)) == 2


def test_grimoire_v1_markup_matches_expected() -> None:
    with_comments = 0
    for article in articles(GRIMOIRE):
        soup = soup_of(article["url"])
        assert soup.select_one("a.titreArticle").get_text() == article["title"]
        hour = soup.select_one("div.date span.hour").get_text()
        assert article["published"][11:16] == hour
        assert soup.select_one("span.publishedBy").get_text() == f"par {article['author']}"
        assert [a.get_text() for a in soup.select("a.linkTopic")] == article["tags"]
        comments = soup.select("div.commentContainer")
        assert len(comments) == article["comment_count"]
        with_comments += bool(comments)
    assert with_comments == 3


def test_generator_is_deterministic(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(FIXTURES / "generate.py"), str(tmp_path)], check=True)
    committed = {p.relative_to(FIXTURES / "sites"): p.read_bytes()
                 for p in (FIXTURES / "sites").rglob("*") if p.is_file()}
    fresh = {p.relative_to(tmp_path / "sites"): p.read_bytes()
             for p in (tmp_path / "sites").rglob("*") if p.is_file()}
    assert committed.keys() == fresh.keys()
    assert [k for k in committed if committed[k] != fresh[k]] == []
    for host in HOSTS:
        name = f"expected/{host}.json"
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("host", [NOODLE, JARDIN, GRIMOIRE])
def test_body_snippets_and_embeds_are_in_the_pages(host: str) -> None:
    for article in articles(host):
        soup = soup_of(article["url"])
        text = " ".join(soup.get_text(" ").split())
        for snippet in article["body_snippets"]:
            assert " ".join(snippet.split()) in text, (article["url"], snippet)
        sources = {tag.get("src") for tag in soup.find_all(["iframe", "embed"])}
        assert set(article["embeds"]) <= sources


@pytest.mark.parametrize("host", [NOODLE, JARDIN, GRIMOIRE])
def test_feeds_are_well_formed_xml(host: str) -> None:
    feed = ElementTree.fromstring(page_file(f"http://{host}/rss").read_bytes())
    items = feed.findall("./channel/item")
    assert len(items) == 10
    titles = {a["title"] for a in articles(host)}
    assert {item.findtext("title") for item in items} <= titles
    if host == NOODLE:
        urls = ElementTree.fromstring(page_file(f"http://{host}/sitemap.xml").read_bytes())
        assert len(urls) == len(articles(host))


@pytest.mark.parametrize(("host", "body_selector"), [
    (NOODLE, "div.Post-body"), (JARDIN, "article.post div.body"), (GRIMOIRE, "div.contenuArticle"),
])
def test_chrome_strings_are_outside_bodies(host: str, body_selector: str) -> None:
    chrome = EXPECTED[host]["chrome_strings"]
    for article in articles(host):
        soup = soup_of(article["url"])
        body = soup.select_one(body_selector).get_text(" ")
        page = soup.get_text(" ")
        assert not [c for c in chrome if c in body], article["url"]
        assert "Partager cet article" in page or host == JARDIN
