"""URL classification, scope, link finding (real sample pages), feeds and sitemaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.discover import (
    canonical_link,
    find_links,
    links_from_feed,
    links_from_sitemap,
)
from migrator.urls import Scope, classify, normalize

SAMPLES = Path("/work/shared/overblog/samples")
TWENTY = SAMPLES / "uneclefdeschamps.overblog.com_home_twentyeleven_2023.html"
NOODLE = SAMPLES / "briceletbaklava.ch_article_2021_post-theme.html"
UNE = "http://uneclefdeschamps.overblog.com"
BRICE = "https://www.briceletbaklava.ch"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://b.over-blog.com/2020/06/les-mots-du-mal.html", "post"),
        ("http://b.over-blog.com/2020/02/immigration-perdant/perdant.html", "post"),
        ("http://b.over-blog.com/2021/08/burli-de-saint-gall-st.galler-burli.html", "post"),
        ("http://b.over-blog.com/article-14814891.html", "post"),
        ("http://b.over-blog.com/article-r-trospective-1998-82962014.html", "post"),
        ("http://b.over-blog.fr/pages/Les_commentaires-781781.html", "page"),
        ("http://b.over-blog.fr/pages/Contact.html", "page"),
        ("http://b.over-blog.com/quelques-mots-sur-moi.html", "page"),
        ("http://b.over-blog.com/", "listing"),
        ("http://b.over-blog.com", "listing"),
        ("http://b.over-blog.com/page/22", "listing"),
        ("http://b.over-blog.com/96-index.html", "listing"),
        ("http://b.over-blog.com/index.html", "listing"),
        ("http://b.over-blog.com/tag/politique/", "tag"),
        ("http://b.over-blog.com/tag/mes%20tites%20croix/8", "tag"),
        ("http://b.over-blog.com/categorie-123.html", "category"),
        ("http://b.over-blog.com/2-categorie-123.html", "category"),
        ("http://b.over-blog.com/archive/2013-03/", "archive"),
        ("http://b.over-blog.com/archive/2013-03/6", "archive"),
        ("http://b.over-blog.com/archive-10-2005.html", "archive"),
        ("http://b.over-blog.com/archive-10-15-2005.html", "archive"),
        ("http://b.over-blog.com/rss", "feed"),
        ("http://b.over-blog.com/rss-articles.xml", "feed"),
        ("http://b.over-blog.com/feed", "feed"),
        ("http://b.over-blog.com/sitemap.xml", "sitemap"),
        ("http://b.over-blog.com/sitemap-news.xml", "sitemap"),
        ("http://b.over-blog.com/contact", "skip"),
        ("http://b.over-blog.com/top", "skip"),
        ("http://b.over-blog.com/top/94", "skip"),
        ("http://b.over-blog.com/search?q=x", "skip"),
        ("http://b.over-blog.com/api/comment-count/142644041", "skip"),
        ("http://b.over-blog.com/mail/subscribe", "skip"),
        ("https://admin.over-blog.com/_repost/142644041", "skip"),
        ("https://connect.over-blog.com/fr/login", "skip"),
        ("https://www.over-blog.com/creation", "skip"),
        ("http://img.over-blog-kiwi.com/1/47/88/59/20130310/ob_9d_voeux.jpg", "skip"),
        ("http://b.over-blog.com/theme/style.css", "skip"),
        ("http://b.over-blog.com/files/doc.pdf", "skip"),
        ("mailto:someone@example.com", "skip"),
        ("javascript:void(0)", "skip"),
        ("ftp://b.over-blog.com/x.html", "skip"),
        ("http://b.over-blog.com/some/odd/path", "other"),
    ],
)
def test_classify(url: str, kind: str) -> None:
    assert classify(url) == kind


def test_www_blog_host_is_not_a_service_host() -> None:
    assert classify("http://www.autant-en-emporte-le-temps.over-blog.com/article-1.html") == "post"


def test_normalize() -> None:
    assert (
        normalize("HTTP://B.Over-Blog.com:80/tag/a b/?utm_source=x&p=2#top")
        == "http://b.over-blog.com/tag/a%20b/?p=2"
    )
    assert (
        normalize("https://b.over-blog.com:443/search?q=a+b")
        == "https://b.over-blog.com/search?q=a+b"
    )
    assert normalize("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"


def test_scope_contains_and_canonical() -> None:
    scope = Scope("http://myblog.over-blog.com/")
    assert scope.base_url == "http://myblog.over-blog.com"
    assert scope.aliases == {"myblog.over-blog.com", "www.myblog.over-blog.com"}
    assert scope.contains("https://www.myblog.over-blog.com/x.html")
    assert not scope.contains("http://other.over-blog.com/x.html")
    assert not scope.contains("mailto:me@myblog.over-blog.com")
    assert (
        scope.canonical("https://WWW.myblog.over-blog.com/2020/06/a.html?utm_medium=rss#comments")
        == "http://myblog.over-blog.com/2020/06/a.html"
    )
    scope.add_alias("https://www.custom-domain.fr/")
    assert scope.contains("http://custom-domain.fr/article-1.html")
    scope.add_alias("other-name.over-blog.com")
    assert scope.hosts_with_www() == {
        "myblog.over-blog.com",
        "www.myblog.over-blog.com",
        "custom-domain.fr",
        "www.custom-domain.fr",
        "other-name.over-blog.com",
        "www.other-name.over-blog.com",
    }
    assert Scope.for_base_url("https://x.over-blog.com/").base_url == "https://x.over-blog.com"


def test_find_links_twenty_eleven_home() -> None:
    links = find_links(f"{UNE}/", TWENTY.read_text(encoding="utf-8"), Scope(UNE))
    slugs = [
        "2020/06/les-mots-du-mal",
        "2020/05/l-eau-qui-dort",
        "2020/04/la-revolte-des-silencieux-extrait",
        "2020/04/les-animaux-malades-de-la-peur",
        "2020/03/meme-le-diable-porte-pierre",
        "2020/02/immigration-perdant/perdant",
        "2020/02/climanipulation",
        "2020/02/perdant/perdant",
        "2020/02/le-proletaire-et-l-immigre",
        "2020/02/le-baillon-plutot-que-l-explosion",
    ]
    assert links.articles == [f"{UNE}/{slug}.html" for slug in slugs]
    months = (
        "2020-06 2020-05 2020-04 2020-03 2020-02 2019-04 2018-12 2018-07 2018-04 2018-03 2018-01 "
        "2017-07 2017-06 2017-05 2017-04 2016-05 2016-03 2016-02 2016-01 2015-12 2015-11 2015-09 "
        "2015-07 2015-05 2015-04 2015-03 2015-02 2015-01 2014-12 2014-11 2014-10 2014-09 2014-08 "
        "2014-07 2014-06 2014-04 2014-03 2014-02 2014-01 2013-11 2013-10 2013-09 2013-08 2013-07 "
        "2013-06 2013-05 2013-04 2013-03 2013-02 2012-02 2012-01 2011-12"
    ).split()
    assert links.listings == (
        [f"{UNE}/tag/politique/"]
        + [f"{UNE}/archive/{month}/" for month in months]
        + [f"{UNE}/page/{n}" for n in range(2, 11)]
    )


def test_find_links_noodle_article_keeps_own_posts_drops_others() -> None:
    page = f"{BRICE}/2021/08/burli-de-saint-gall-st.galler-burli.html"
    links = find_links(page, NOODLE.read_text(encoding="utf-8"), Scope(BRICE))
    assert page not in links.articles  # the page itself
    # related posts, post navigation and sidebar PostPreview widgets are the blog's own posts
    assert f"{BRICE}/2021/10/la-moussaka-aux-aubergines-comme-a-aintab.html" in links.articles
    assert f"{BRICE}/2019/02/quelques-mots-sur-moi.html" in links.articles
    assert len(links.articles) == 17
    assert all(url.startswith(f"{BRICE}/") for url in links.articles + links.listings)
    assert links.listings[:3] == [
        f"{BRICE}/",
        f"{BRICE}/tag/boulangerie/",
        f"{BRICE}/tag/recettes%20de%20pains/",
    ]
    assert len(links.listings) == 18


def test_find_links_snippet_rules() -> None:
    html = """<html><head>
    <link rel="next" href="/page/3"><link rel="stylesheet" href="/s.css"></head>
    <body>
      <a href="/2020/01/one.html">one</a> <a href="/2020/01/one.html#comments">3 comments</a>
      <a href="https://www.myblog.over-blog.com/article-12.html?utm_source=fb">v1</a>
      <a href="http://other.over-blog.com/2020/01/theirs.html">another blog</a>
      <a href="https://admin.over-blog.com/_repost/1">repost</a>
      <a href="#top">top</a> <a href="mailto:x@y.z">mail</a> <a href="/contact">contact</a>
      <div class="pagination"><a class="textNext" href="/2-index.html">suivante</a></div>
      <a href="/categorie-55.html">cat</a> <a href="/5-categorie-55.html">cat p5</a>
      <a href="/rss">rss</a> <a href="/pages/Qui_suis-je-77.html">page</a>
    </body></html>"""
    scope = Scope("http://myblog.over-blog.com")
    links = find_links("http://myblog.over-blog.com/page/2", html, scope)
    assert links.articles == [
        "http://myblog.over-blog.com/2020/01/one.html",
        "http://myblog.over-blog.com/article-12.html",
        "http://myblog.over-blog.com/pages/Qui_suis-je-77.html",
    ]
    assert links.listings == [
        "http://myblog.over-blog.com/page/3",
        "http://myblog.over-blog.com/2-index.html",
        "http://myblog.over-blog.com/categorie-55.html",
        "http://myblog.over-blog.com/5-categorie-55.html",
    ]


def test_canonical_link() -> None:
    assert (
        canonical_link(NOODLE.read_text(encoding="utf-8"))
        == "https://briceletbaklava.ch/2021/08/burli-de-saint-gall-st.galler-burli.html"
    )
    assert canonical_link("<html><head><title>x</title></head></html>") is None


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Blog</title>
<link>http://myblog.over-blog.com</link>
<item><title>Été</title><link>http://myblog.over-blog.com/2021/10/ete.html</link>
  <pubDate>Wed, 27 Oct 2021 07:18:18 +0200</pubDate></item>
<item><title>No date</title><guid isPermaLink="true">http://myblog.over-blog.com/article-5.html</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<entry><title>A</title><link rel="alternate" href="http://b.over-blog.com/2020/01/a.html"/>
  <link rel="replies" href="http://b.over-blog.com/2020/01/a.html#comments"/>
  <published>2020-01-05T10:00:00+01:00</published></entry>
</feed>"""


def test_links_from_feed_rss_and_atom() -> None:
    assert links_from_feed(RSS) == [
        ("http://myblog.over-blog.com/2021/10/ete.html", "2021-10-27T07:18:18+02:00"),
        ("http://myblog.over-blog.com/article-5.html", None),
    ]
    assert links_from_feed(RSS.encode("utf-8")) == links_from_feed(RSS)
    assert links_from_feed(ATOM) == [
        ("http://b.over-blog.com/2020/01/a.html", "2020-01-05T10:00:00+01:00")
    ]
    assert links_from_feed("not xml at all <<<") == []


def test_links_from_sitemap_index_and_urlset() -> None:
    index = b"""<?xml version="1.0" encoding="UTF-8"?>
    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>http://b.over-blog.com/sitemap-news.xml</loc></sitemap>
      <sitemap><loc> http://b.over-blog.com/sitemap1.xml </loc></sitemap>
    </sitemapindex>"""
    urlset = """<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>http://b.over-blog.com/2020/01/a.html</loc><lastmod>2020-01-05</lastmod></url>
      <url><loc>http://b.over-blog.com/pages/About-1.html</loc></url>
    </urlset>"""
    assert links_from_sitemap(index) == (
        [],
        ["http://b.over-blog.com/sitemap-news.xml", "http://b.over-blog.com/sitemap1.xml"],
    )
    assert links_from_sitemap(urlset) == (
        ["http://b.over-blog.com/2020/01/a.html", "http://b.over-blog.com/pages/About-1.html"],
        [],
    )
    assert links_from_sitemap(b"") == ([], [])
