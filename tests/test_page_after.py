"""discover.page_after: the page after next, only when next is the page right after this one."""

from __future__ import annotations

import pytest

from migrator.urls import page_after

BLOG = "http://b.over-blog.com"


@pytest.mark.parametrize(
    ("page", "following", "expected"),
    [
        ("/", "/page/2", "/page/3"),
        ("", "/page/2", "/page/3"),
        ("/index.html", "/page/2", "/page/3"),
        ("/tag/x", "/tag/x/2", "/tag/x/3"),
        ("/page/2", "/page/3", "/page/4"),
        ("/page/9", "/page/10", "/page/11"),
        ("/", "/2-index.html", "/3-index.html"),
        ("/2-index.html", "/3-index.html", "/4-index.html"),
        ("/tag/x/", "/tag/x/2", "/tag/x/3"),
        ("/tag/x/2", "/tag/x/3", "/tag/x/4"),
        ("/archive/2024-01/", "/archive/2024-01/2", "/archive/2024-01/3"),
        ("/archive/2024-01/2", "/archive/2024-01/3", "/archive/2024-01/4"),
    ],
)
def test_page_after_the_next_page(page: str, following: str, expected: str) -> None:
    assert page_after(f"{BLOG}{page}", f"{BLOG}{following}") == f"{BLOG}{expected}"


def test_keeps_scheme_and_host_of_the_next_page() -> None:
    blog = "https://www.jardin-des-mots.fr"
    assert page_after(f"{blog}/page/4", f"{blog}/page/5") == f"{blog}/page/6"


@pytest.mark.parametrize(
    ("page", "following"),
    [
        pytest.param(f"{BLOG}/page/3", f"{BLOG}/page/5", id="gap"),
        pytest.param(f"{BLOG}/", f"{BLOG}/page/3", id="gap-from-home"),
        pytest.param(f"{BLOG}/page/4", f"{BLOG}/page/3", id="backwards"),
        pytest.param(f"{BLOG}/page/3", f"{BLOG}/page/3", id="same-page"),
        pytest.param(f"{BLOG}/", f"{BLOG}/", id="same-home"),
        pytest.param(f"{BLOG}/tag/x/", f"{BLOG}/tag/y/2", id="other-tag-first-page"),
        pytest.param(f"{BLOG}/tag/x/2", f"{BLOG}/tag/y/3", id="other-tag"),
        pytest.param(f"{BLOG}/", f"{BLOG}/tag/x/2", id="home-then-tag"),
        pytest.param(f"{BLOG}/archive/2024-01/", f"{BLOG}/archive/2024-02/2", id="other-month"),
        pytest.param(f"{BLOG}/page/2", "http://other.over-blog.com/page/3", id="other-host"),
        pytest.param(f"{BLOG}/", f"{BLOG}/page/2?sort=date", id="query-on-next"),
        pytest.param(f"{BLOG}/?q=x", f"{BLOG}/page/2", id="query-on-current"),
        pytest.param(f"{BLOG}/", f"{BLOG}/2024/01/some-article.html", id="article-next"),
        pytest.param(f"{BLOG}/", f"{BLOG}/article-123456.html", id="v1-article-next"),
        pytest.param(f"{BLOG}/some-article.html", f"{BLOG}/page/2", id="article-page"),
        pytest.param(f"{BLOG}/page/2", f"{BLOG}/3-index.html", id="page-then-index"),
        pytest.param(f"{BLOG}/2-index.html", f"{BLOG}/page/3", id="index-then-page"),
        pytest.param(f"{BLOG}/", f"{BLOG}/2", id="bare-number"),
        pytest.param(f"{BLOG}/tag/x/", f"{BLOG}/tag/x/2-index.html", id="tag-index-html"),
    ],
)
def test_no_page_after(page: str, following: str) -> None:
    assert page_after(page, following) is None
