"""Parser over the generated fixture blogs (tests/fixtures/sites) against expected/<host>.json.

Two deliberate differences with the expected files (see the parse report):
- titles: NBSP and U+202F become plain spaces (the parser's title rule);
- v1 topic links (a.linkTopic, /categorie-ID.html) are categories, not tags.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from migrator.parse import is_overblog, parse_blog, parse_page

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = sorted((FIXTURES / "expected").glob("*.json"))


def site_file(url: str) -> Path:
    parts = urlsplit(url)
    path = FIXTURES / "sites" / parts.netloc / unquote(parts.path).lstrip("/")
    return path / "index.html" if path.is_dir() else path


def expected_articles() -> list[tuple[str, dict]]:
    cases = []
    for file in EXPECTED:
        data = json.loads(file.read_text(encoding="utf-8"))
        cases += [(data["host"], article) for article in data["articles"]]
    return cases


@pytest.mark.parametrize(("host", "expected"), expected_articles(),
                         ids=lambda value: value["url"].split("/", 3)[3]
                         if isinstance(value, dict) else value)
def test_article_matches_expected(host: str, expected: dict) -> None:
    html = site_file(expected["url"]).read_text(encoding="utf-8")
    asked = expected["aliases"][0] if expected["aliases"] else expected["url"]
    article = parse_page(asked, html)
    assert article is not None
    assert article.url == expected["url"]
    assert article.aliases == expected["aliases"]
    assert article.kind == expected["kind"]
    assert article.title == expected["title"]  # French typography (NBSP, U+202F) is kept
    assert article.published == expected["published"]
    assert article.author == expected["author"]
    names = article.categories if article.family == "v1" else article.tags
    assert names == expected["tags"]
    assert [image.url for image in article.images] == expected["images"]
    assert article.comment_count() == expected["comment_count"]
    flat = [(c.author, c.published) for top in article.comments for c in [top, *top.replies]]
    assert flat == [(c["author"], c["published"]) for c in expected["comments"]]


@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda p: p.stem)
def test_listings_are_not_articles_and_no_chrome(expected_file: Path) -> None:
    data = json.loads(expected_file.read_text(encoding="utf-8"))
    for url in data.get("listing_pages") or []:
        assert parse_page(url, site_file(url).read_text(encoding="utf-8")) is None, url
    for expected in data["articles"]:
        article = parse_page(expected["url"], site_file(expected["url"]).read_text("utf-8"))
        for chrome in data.get("chrome_strings", []):
            assert chrome not in article.body_html, (expected["url"], chrome)


@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda p: p.stem)
def test_home_page_blog_and_platform(expected_file: Path) -> None:
    data = json.loads(expected_file.read_text(encoding="utf-8"))
    html = site_file(data["base_url"] + "/").read_text(encoding="utf-8")
    assert is_overblog(html) is data.get("is_overblog", True)
    if data.get("is_overblog", True):
        assert parse_blog(data["base_url"] + "/", html).title == data["blog_name"]
