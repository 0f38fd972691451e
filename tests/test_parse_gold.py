"""Every gold page (real Overblog chrome around each template family and date/author variant of
STRUCTURE.md §2) parses to exactly its expected Article; see tests/fixtures/gold/make_gold.py."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from migrator.evaluate import GoldPage, body_text, load_corpus
from migrator.parse import parse_page

GOLD = Path(__file__).parent / "fixtures" / "gold"
PAGES = load_corpus(GOLD)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_gold_page(page: GoldPage) -> None:
    article = parse_page(page.url, page.html, page.captured)
    exp = page.expected
    if not page.is_article:
        assert article is None
        return
    assert article is not None
    assert article.family == exp["family"]
    assert article.url == exp["url"]
    assert article.kind == exp["kind"]
    assert article.title == exp["title"]
    assert article.published == exp["published"]
    assert article.author == exp["author"]
    assert article.tags == exp["tags"]
    assert article.categories == exp["categories"]
    text = body_text(article.body_html)
    assert text.startswith(body_text(exp["body_start"])), text[:120]
    assert text.endswith(body_text(exp["body_end"])), text[-120:]
    assert [i.url for i in article.images] == exp["images"]
    assert [(c.author, c.published, len(c.replies)) for c in article.comments] == [
        (c["author"], c["published"], c["replies"]) for c in exp["comments"]]
    for chrome in exp["without"]:
        assert chrome not in article.body_html


def test_corpus_covers_every_family_and_variant() -> None:
    assert len(PAGES) >= 25
    families = Counter(p.expected.get("family") for p in PAGES if p.is_article)
    assert {"post", "semantic", "v1"} <= set(families)
    assert any(not p.is_article for p in PAGES)  # listings
    assert {p.expected["kind"] for p in PAGES if p.is_article} == {"post", "page"}
    assert any(c["replies"] for p in PAGES if p.is_article for c in p.expected["comments"])
    assert any(p.expected.get("published") is None for p in PAGES if p.is_article)
    for page in PAGES:  # real chrome around each article, not a tidy invented page
        assert "ob-ShareBar" in page.html or "Basic theme id" in page.html, page.name
