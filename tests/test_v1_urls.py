"""One definition of a v1 article address (``discover.V1_ARTICLE``), read alike by the crawl
(classify), the link rewriter (link_key, v1_short_path) and the parser (slug_of)."""

from __future__ import annotations

import pytest

from migrator.links import link_key, v1_short_path
from migrator.parse.common import slug_of
from migrator.urls import classify

BLOG = "http://vieux-grimoire.over-blog.fr"


@pytest.mark.parametrize(
    ("path", "article_id", "slug"),
    [
        ("/article-12345678.html", "12345678", "le-grimoire"),
        ("/article-la-soupe-aux-choux-12345678.html", "12345678", "la-soupe-aux-choux"),
        ("/article-2019-en-recettes-87654321.html", "87654321", "2019-en-recettes"),
        ("/article-la-soupe-12345678.htm", "12345678", "la-soupe"),
    ],
)
def test_every_reader_agrees_on_a_v1_article(path: str, article_id: str, slug: str) -> None:
    assert classify(BLOG + path) == "post"
    assert link_key(BLOG + path + "?utm=x#c") == f"v1:{article_id}"
    assert v1_short_path(path) == f"/article-{article_id}.html"
    assert slug_of(BLOG + path, "Le Grimoire") == slug


@pytest.mark.parametrize(
    "path", ["/article-.html", "/article-la-soupe.html", "/articles-123.html", "/x/article-1.html"]
)
def test_what_is_not_a_v1_article(path: str) -> None:
    assert v1_short_path(path) is None
    assert not link_key(BLOG + path).startswith("v1:")
