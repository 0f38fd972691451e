"""Small hand-written pages per template family (tests/fixtures/pages), plus detection rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.parse import detect_family, is_overblog, parse_blog, parse_page, theme_of
from migrator.parse.common import clean_author, slug_of
from migrator.urls import article_kind

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_v1_article_with_comments_and_reply() -> None:
    url = "http://gerard.over-blog.com/article-la-fontaine-du-village-41234567.html#c"
    article = parse_page(url, page("v1_article_comments.html"))
    assert article.family == "v1"
    assert article.title == "La fontaine du village"
    assert article.url == "http://gerard.over-blog.com/article-la-fontaine-du-village-41234567.html"
    assert article.slug == "la-fontaine-du-village"
    assert article.kind == "post"
    assert article.published == "2012-10-03T12:08:00+02:00"
    assert article.published_source == "text"
    assert article.author == "Gérard"
    assert article.categories == ["Promenades", "Vie du village"]
    assert article.tags == []
    assert article.comments_status == "complete"
    assert [c.author for c in article.comments] == ["Marie", "Paul"]
    marie = article.comments[0]
    assert marie.url == "http://marie.over-blog.com"
    assert marie.published == "2012-10-04T09:15:00+02:00"
    assert marie.body_html == "<p>Très jolie fontaine !</p>"
    assert [(r.author, r.published) for r in marie.replies] == [
        ("Gérard", "2012-10-04T18:40:00+02:00")]
    assert article.comments[1].published == "2013-03-28T21:05:00+01:00"
    assert article.comment_count() == 3


def test_v1_body_is_clean() -> None:
    article = parse_page("http://gerard.over-blog.com/article-la-fontaine-du-village-41234567.html",
                         page("v1_article_comments.html"))
    body = article.body_html
    assert "Ce matin, promenade" in body
    assert "font-family" not in body and "font-size" not in body and "color:#333" in body
    assert "<h3" not in body  # the heading only held an image: image lifted out, heading dropped
    assert 'src="http://idata.over-blog.com/1/23/45/67/fontaine/fontaine-01.jpg"' in body
    assert 'src="http://gerard.over-blog.com/images/local.jpg"' in body
    assert "<object" in body and "<embed" in body
    assert "socialShare" not in body and "Facebook" not in body
    assert "<p></p>" not in body and "&nbsp;" not in body and "\xa0" not in body
    assert [i.url for i in article.images] == [
        "http://idata.over-blog.com/1/23/45/67/fontaine/fontaine-01.jpg",
        "http://gerard.over-blog.com/images/local.jpg"]


def test_kiwi_2018_server_rendered_comments() -> None:
    url = "http://ltd-rando68.over-blog.com/2018/03/sortie-au-grand-ballon.html"
    article = parse_page(url, page("kiwi2018_comments.html"))
    assert article.family == "post"
    assert article.theme == "Dreamer"
    assert article.title == "Sortie au Grand\xa0Ballon\u202f!"  # typography kept in titles
    assert article.published == "2018-03-11T00:00:00+01:00"
    assert article.date_precision == "day"
    assert article.author is None  # "Rédigé par <blog host>" is no author
    assert article.comments_status == "complete"
    assert [(c.author, c.published) for c in article.comments] == [
        ("Sylvie", "2018-03-12T08:30:00+01:00"), ("Bruno", "2018-03-14T21:10:00+01:00")]
    assert article.comments[0].body_html == "Superbe sortie, merci !"
    assert [r.author for r in article.comments[0].replies] == ["Les randos du 68"]
    assert article.comments[1].replies == []
    assert article.images[0].url == (
        "https://img.over-blog-kiwi.com/0/55/12/34/20180311/ob_aaa111_sommet.jpg")
    assert article.images[0].caption == "Au sommet"
    assert article.cover_image == (
        "https://img.over-blog-kiwi.com/0/55/12/34/20180311/ob_1a2b3c_ballon.jpg")
    assert "<iframe" in article.body_html
    for chrome in ("Partager cet article", "Repost", "Vous aimerez aussi", "Sylvie", "Newsletter"):
        assert chrome not in article.body_html


def test_twenty_eleven_article() -> None:
    url = "http://uneclefdeschamps.overblog.com/2020/06/les-mots-du-mal.html"
    article = parse_page(url, page("twentyeleven_article.html"))
    assert article.family == "semantic"
    assert article.title == "Les mots du mal"
    assert article.published == "2020-06-23T00:00:00+02:00"
    assert article.published_source == "text"
    assert article.author == "Pierre Lours"
    assert article.tags == ["politique", "société"]
    assert article.body_html == "<p>Les mots, parfois, font plus de mal que les coups.</p>"
    assert article.cover_image == ("https://image.over-blog.com/N0q0=/filters:no_upscale()/"
                                   "image%2F0478859%2F20200623%2Fob_abc_mots.jpg")
    # Only a count that JavaScript fills ("…"): no evidence of comments outside the HTML.
    assert article.comments_status == "none"
    assert article.excerpt == "Un billet d'humeur & de colère."


def test_generic_unknown_theme() -> None:
    url = "https://carnets-de-lise.over-blog.com/2019/11/confiture-de-coings.html?utm=x"
    article = parse_page(url, page("generic_unknown_theme.html"))
    assert article.family == "semantic"
    assert article.url == "https://carnets-de-lise.over-blog.com/2019/11/confiture-de-coings.html"
    assert article.aliases == [url]
    assert article.title == "Confiture de coings"
    assert article.published == "2019-11-17T16:45:00+01:00"
    assert article.published_source == "time"
    assert article.author == "Lise"
    assert article.tags == ["confitures"]
    # The body is a theme class name in a lone <article>, not platform markup: a guess.
    assert article.guessed == ["body_html"]
    assert article.body_html.startswith("<p>Peler les coings")
    assert "Sponsorisé" not in article.body_html and "<time" not in article.body_html
    assert article.images[0].url == ("https://image.over-blog.com/abcDEF=/filters:no_upscale()/"
                                     "image%2F1234567%2F20191117%2Fob_c0c0c0_coings.jpg")
    assert parse_blog(url, page("generic_unknown_theme.html")).title == "Les carnets de Lise"


def test_date_from_url_when_page_has_none() -> None:
    html = page("twentyeleven_article.html").replace("Publié le 23 Juin 2020", "Publié le par X")
    article = parse_page("http://uneclefdeschamps.overblog.com/2020/06/les-mots-du-mal.html", html)
    assert article.published == "2020-06-01T00:00:00+02:00"
    assert article.published_source == "url"
    assert article.date_precision == "month"
    assert "date from URL (month precision)" in article.warnings


def test_is_overblog_markers() -> None:
    assert is_overblog("<!-- Basic theme id 90 [Noodle] - last modified -->")
    assert is_overblog("<script>var x = {'source'   : 'OVERBLOG'}</script>")
    assert is_overblog('<div class="contenuArticle">x</div>')
    assert is_overblog('<meta name="twitter:site" content="@overblog" />')
    wordpress = ('<html><head><meta name="generator" content="WordPress 6.4" />'
                 '<link rel="stylesheet" href="https://blog.example.com/wp-content/themes/x.css">'
                 '</head><body><article class="post"><h2 class="entry-title">Hi</h2>'
                 '<div class="entry-content"><p>over blog</p></div></article></body></html>')
    assert not is_overblog(wordpress)
    assert detect_family(wordpress) == "semantic"  # readable markup ≠ the Overblog platform


def test_theme_of() -> None:
    assert theme_of("<!-- Basic theme id 63 [Twenty Eleven] - last modified : x -->") == (
        "63", "Twenty Eleven")
    assert theme_of("<html></html>") == (None, None)


@pytest.mark.parametrize(
    ("url", "title", "kind", "slug"),
    [
        ("https://b.fr/2021/08/burli-de-saint-gall-st.galler-burli.html", "", "post",
         "burli-de-saint-gall-st.galler-burli"),
        ("http://x.over-blog.com/article-r-trospective-1998-82962014.html", "", "post",
         "r-trospective-1998"),
        ("http://x.over-blog.com/article-14814891.html", "Rétrospective 1998", "post",
         "retrospective-1998"),
        ("http://x.over-blog.fr/pages/Les_commentaires-781781.html", "", "page",
         "Les_commentaires-781781"),
        ("http://x.over-blog.com/a-propos.html", "", "page", "a-propos"),
    ],
)
def test_kind_and_slug(url: str, title: str, kind: str, slug: str) -> None:
    assert article_kind(url) == kind
    assert slug_of(url, title) == slug


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Rédigé par Michel et publié depuis Overblog", "Michel"),
        ("par Gérard", "Gérard"),
        ("Posté par: Jeanne", "Jeanne"),
        ("Ecrit avec amour par Zoé", "Zoé"),
        ("Publié le 9 Mars 2013 par Thaddée's dans Journal d'un écrivain", "Thaddée's"),
        ("Publié par Sakura sur 27 Avril 2014, 16:20pm", "Sakura"),
        ("Publié le par kara-cuisine.over-blog.com", None),
        ("Gérard", "Gérard"),
        ("", None),
    ],
)
def test_clean_author(raw: str, expected: str | None) -> None:
    assert clean_author(raw, "http://kara-cuisine.over-blog.com/article-1.html") == expected


@pytest.mark.parametrize("path", ["/", "/page/2", "/tag/boulangerie/", "/archive/2020-06/",
                                  "/3-index.html", "/categorie-1234567.html", "/top/94"])
def test_listing_urls_are_not_articles(path: str) -> None:
    html = page("twentyeleven_article.html")
    assert parse_page("http://uneclefdeschamps.overblog.com" + path, html) is None


def test_error_page_is_none() -> None:
    html = ("<html><head><title>404 - Page introuvable</title></head>"
            "<body><h1>404</h1></body></html>")
    assert parse_page("http://x.over-blog.com/2020/01/gone.html", html) is None


KIWI_2013 = """<html lang="fr"><head><title>{title} - Sakura</title>
<!-- Basic theme id 18 [Petals] - last modified : 2014-01-01T00:00:00+01:00 -->
</head><body><article class="post"><h2 class="post-title">{title}</h2>
<div class="meta"><p>{line}</p></div>
<div class="body"><p>Texte&nbsp;de l'article.</p><p>&nbsp;</p></div>
<footer><p>{tags}</p></footer></article></body></html>"""


@pytest.mark.parametrize(
    ("line", "tags_line", "published", "author", "tags"),
    [
        ("Publié par Sakura sur 27 Avril 2014, 16:20pm", "Catégories : #Europe, #United Kingdom",
         "2014-04-27T16:20:00+02:00", "Sakura", ["Europe", "United Kingdom"]),
        ("Publié le 9 Mars 2013 par Thaddée's dans Journal d'un écrivain", "",
         "2013-03-09T00:00:00+01:00", "Thaddée's", ["Journal d'un écrivain"]),
        ("30 Novembre 2009, 20:59pm Publié par Laure", "Tag(s) : #Films, #Cannes 2015",
         "2009-11-30T20:59:00+01:00", "Laure", ["Films", "Cannes 2015"]),
    ],
)
def test_kiwi_2013_date_author_tag_lines(line, tags_line, published, author, tags) -> None:
    html = KIWI_2013.format(title="Londres 2012", line=line, tags=tags_line)
    article = parse_page("http://sakura.over-blog.com/2014/04/londres-2012.html", html)
    assert article.family == "semantic" and article.theme == "Petals"
    assert (article.published, article.published_source) == (published, "text")
    assert article.author == author
    assert article.tags == tags
    assert article.body_html == "<p>Texte\xa0de l'article.</p>"  # NBSP kept in bodies
    assert article.comments_status == "none"


def test_post_theme_listing_is_none() -> None:
    html = ("<!-- Basic theme id 90 [Noodle] -->"
            "<div class='Content Content--list'><div class='Content-main'>"
            "<div class='PostPreview PostPreview--OB'><div class='PostPreview-content'>"
            "<h2><a href='/2021/08/a.html'>A</a></h2></div></div></div></div>")
    assert detect_family(html) == "post"
    assert parse_page("https://briceletbaklava.ch/2021/08/a.html", html) is None


def test_v1_listing_is_none_and_comment_count_without_block() -> None:
    html = page("v1_article_comments.html")
    two = html.replace('<div class="article" id="article1">',
                       '<div class="article"><div class="contenuArticle">x</div></div>'
                       '<div class="article" id="article1">')
    assert parse_page("http://gerard.over-blog.com/article-41234567.html", two) is None
    start, end = html.index('<div id="anchorComment">'), html.index('<div id="anchorEndComment">')
    no_block = html[:start] + html[end:]
    article = parse_page("http://gerard.over-blog.com/article-41234567.html", no_block)
    assert article.comments == [] and article.comments_status == "unavailable"
    assert article.slug == "la-fontaine-du-village"  # /article-<id>.html: slug from the title
    assert article.url == "http://gerard.over-blog.com/article-41234567.html"  # no canonical link
    assert article.aliases == []


def test_srcset_and_lazy_images_use_the_largest_original() -> None:
    html = page("generic_unknown_theme.html").replace(
        '<img data-src="https://image.over-blog.com/abcDEF=/300x200/smart/',
        '<img srcset="https://img.over-blog-kiwi.com/300x200-ct/0/1/a.jpg 300w, '
        'https://img.over-blog-kiwi.com/800x600/0/1/b.jpg 800w" '
        'data-x="https://image.over-blog.com/abcDEF=/300x200/smart/')
    article = parse_page("https://carnets-de-lise.over-blog.com/2019/11/confiture-de-coings.html",
                         html)
    assert [i.url for i in article.images] == ["https://img.over-blog-kiwi.com/0/1/b.jpg"]


def test_a_renamed_theme_class_changes_nothing() -> None:
    """The semantic reader relies on the platform's body, not on the theme's class names."""
    html = page("twentyeleven_article.html").replace('<div class="body">', '<div class="texte">')
    article = parse_page("http://uneclefdeschamps.overblog.com/2020/06/les-mots-du-mal.html", html)
    assert article.family == "semantic"
    assert article.body_html == "<p>Les mots, parfois, font plus de mal que les coups.</p>"
    assert (article.title, article.author) == ("Les mots du mal", "Pierre Lours")
    assert article.guessed == []
