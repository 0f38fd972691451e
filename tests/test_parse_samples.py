"""The two real Overblog pages in /work/shared/overblog/samples (read-only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.parse import detect_family, is_overblog, parse_blog, parse_page, theme_of

SAMPLES = Path("/work/shared/overblog/samples")
NOODLE = SAMPLES / "briceletbaklava.ch_article_2021_post-theme.html"
TWENTY = SAMPLES / "uneclefdeschamps.overblog.com_home_twentyeleven_2023.html"
NOODLE_URL = "https://briceletbaklava.ch/2021/08/burli-de-saint-gall-st.galler-burli.html"
CHROME = ("Partager cet article", "Vous aimerez aussi", "Commenter cet article", "ob-Shares",
          "Ajouter un commentaire", "initCommentApp", "ob-Newsletter", "ob-Related",
          "ob-PostNavigation", "<script", "Sidebar", "inscrivez vous", "font-family", "Repost")


@pytest.fixture(scope="module")
def noodle_html() -> str:
    return NOODLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def twenty_html() -> str:
    return TWENTY.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def burli(noodle_html: str):
    return parse_page(NOODLE_URL + "#ob-comments", noodle_html)


def test_noodle_detection(noodle_html: str) -> None:
    assert is_overblog(noodle_html)
    assert detect_family(noodle_html) == "post"
    assert theme_of(noodle_html) == ("90", "Noodle")


def test_noodle_fields(burli) -> None:
    assert burli.title == "Bürli de Saint-Gall (St. Galler Bürli)"
    assert burli.published == "2021-10-27T07:18:18+02:00"
    assert burli.published_source == "json-ld"
    assert burli.updated == "2021-10-27T07:19:26+02:00"
    assert burli.author == "Michel"
    # a.Post-tag text as displayed on the page (href is /tag/boulangerie/).
    assert burli.tags == ["Boulangerie", "Recettes de pains"]
    assert burli.url == NOODLE_URL
    assert burli.aliases == []
    assert burli.slug == "burli-de-saint-gall-st.galler-burli"
    assert burli.kind == "post"
    assert burli.family == "post"
    assert burli.theme == "Noodle"
    # The page renders #ob-comments with an empty div.ob-list: no comments (STRUCTURE §1.7).
    assert burli.comments_status == "complete"
    assert burli.comments == []
    assert burli.excerpt.startswith("Bürli de Saint-Gall\nLe Bürli de Saint-Gall est un petit pain")
    assert burli.cover_image.endswith("ob_e19375_pain-buerli-6374.jpg")


def test_noodle_body_has_content_but_no_chrome(burli) -> None:
    assert "Le Bürli de Saint-Gall est un petit pain" in burli.body_html
    assert "Ingrédients pour le levain" in burli.body_html
    for chrome in CHROME:
        assert chrome not in burli.body_html, chrome
    assert "<p> </p>" not in burli.body_html and "<p>\xa0</p>" not in burli.body_html


def test_noodle_images(burli) -> None:
    urls = [image.url for image in burli.images]
    assert len(urls) == len(set(urls)) > 10
    assert urls[0].endswith("ob_e19375_pain-buerli-6374.jpg")
    assert burli.images[0].alt == "Bürli de Saint-Gall"
    assert burli.images[0].caption == "Bürli de Saint-Gall"
    assert all(url.startswith("https://image.over-blog.com/") for url in urls)


def test_noodle_blog(noodle_html: str) -> None:
    blog = parse_blog(NOODLE_URL, noodle_html)
    assert blog.title == "Bricelet & Baklava"
    assert blog.language == "fr"
    assert blog.theme == "Noodle"
    assert blog.url == "https://briceletbaklava.ch/"


def test_twenty_eleven_home_is_a_listing(twenty_html: str) -> None:
    assert is_overblog(twenty_html)
    assert detect_family(twenty_html) == "semantic"
    assert theme_of(twenty_html) == ("63", "Twenty Eleven")
    assert parse_page("http://uneclefdeschamps.overblog.com/", twenty_html) is None
    # Even under an article-like URL, a page with many article.post is not one article.
    assert parse_page("http://uneclefdeschamps.overblog.com/2020/06/x.html", twenty_html) is None


def test_twenty_eleven_blog(twenty_html: str) -> None:
    blog = parse_blog("http://uneclefdeschamps.overblog.com/", twenty_html)
    assert blog.title == "uneclefdeschamps.overblog.com"
    assert blog.description.startswith("Pierre Lours vous livre ses billets d'humeur")
    assert '"La révolte des silencieux"' in blog.description
    assert blog.theme == "Twenty Eleven"
    assert blog.language == "fr"
