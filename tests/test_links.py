"""Internal links: every old address form of an article resolves to its new path, and the
Markdown exporter rewrites links between posts (Hugo and Jekyll)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_export_samples import make_blog, read_front_matter

from migrator.export.markdown import MarkdownExporter
from migrator.links import SitePlan, link_key, old_paths, tag_target
from migrator.model import Article
from migrator.settings import ExportSettings

BLOG = "http://www.jardin-des-mots.fr"


def kiwi_post() -> Article:
    return Article(
        url=f"{BLOG}/2019/03/semer-les-tomates.html", title="Semer", body_html="<p>x</p>",
        slug="semer-les-tomates",
        aliases=[f"{BLOG}/article-semer-les-tomates-31415926.html"],
    )


def v1_post() -> Article:
    return Article(url=f"{BLOG}/article-58213344.html", title="Récolte", body_html="<p>y</p>",
                   slug="recolte")


def page() -> Article:
    return Article(url=f"{BLOG}/a-propos.html", title="À propos", body_html="", kind="page")


@pytest.fixture
def plan() -> SitePlan:
    return SitePlan.build([kiwi_post(), v1_post(), page()], ["http://jardin.over-blog.com/"])


@pytest.mark.parametrize(
    "href",
    [
        f"{BLOG}/2019/03/semer-les-tomates.html",
        "https://www.jardin-des-mots.fr/2019/03/semer-les-tomates.html",
        "http://jardin-des-mots.fr/2019/03/semer-les-tomates.html",
        "HTTPS://WWW.Jardin-des-mots.fr/2019/03/semer-les-tomates.html?utm=x",
        "/2019/03/semer-les-tomates.html",
        "semer-les-tomates.html",
        f"{BLOG}/article-semer-les-tomates-31415926.html",
        f"{BLOG}/article-31415926.html",
        "http://jardin.over-blog.com/article-31415926.html",
    ],
)
def test_every_old_form_resolves(plan: SitePlan, href: str) -> None:
    assert plan.resolve(href, f"{BLOG}/2019/03/autre.html") == "/posts/semer-les-tomates/"


def test_v1_long_form_of_a_short_v1_url(plan: SitePlan) -> None:
    assert plan.resolve(f"{BLOG}/article-recolte-des-pommes-58213344.html") == "/posts/recolte/"


def test_fragment_kept_pages_home_and_tags(plan: SitePlan) -> None:
    assert plan.resolve(f"{BLOG}/article-58213344.html#comments") == "/posts/recolte/#comments"
    assert plan.resolve(f"{BLOG}/a-propos.html") == "/pages/a-propos/"
    assert plan.resolve("https://jardin-des-mots.fr/") == "/"
    assert plan.resolve(f"{BLOG}/tag/mes%20tites%20croix/8") == "/tags/mes-tites-croix/"
    assert plan.resolve(f"{BLOG}/tag/Potager/") == "/tags/potager/"


@pytest.mark.parametrize(
    "href",
    [
        "https://www.over-blog.com/",
        "http://autre-blog.over-blog.com/2019/03/semer-les-tomates.html",
        f"{BLOG}/2019/03/inconnu.html",
        "mailto:a@b.fr",
        "#top",
    ],
)
def test_other_links_are_left_alone(plan: SitePlan, href: str) -> None:
    assert plan.resolve(href, f"{BLOG}/2019/03/autre.html") is None


def test_helpers() -> None:
    assert link_key("https://x.fr/article-a-b-12.html") == link_key("http://y/article-12.html")
    assert tag_target("/tag/recettes de pains/") == "/tags/recettes-de-pains/"
    assert tag_target("/2019/03/x.html") is None
    assert old_paths(kiwi_post()) == [
        "/2019/03/semer-les-tomates.html",
        "/article-semer-les-tomates-31415926.html",
        "/article-31415926.html",
    ]


def test_slug_collisions_resolved_once_for_everyone() -> None:
    twin = Article(url=f"{BLOG}/2020/01/semer-les-tomates.html", title="Bis", body_html="",
                   slug="semer-les-tomates")
    plan = SitePlan.build([kiwi_post(), twin])
    assert plan.placement(twin.url).slug == "semer-les-tomates-2"
    assert plan.resolve(twin.url) == "/posts/semer-les-tomates-2/"


def body_links() -> str:
    return (
        f'<p>Voir <a href="https://jardin-des-mots.fr/article-31415926.html">semis</a>, '
        f'<a href="{BLOG}/tag/potager/">potager</a>, '
        '<a href="/a-propos.html#contact">moi</a> et '
        '<a href="https://fr.wikipedia.org/wiki/Tomate">Wikipédia</a>.</p>'
    )


@pytest.mark.parametrize("flavor", ["hugo", "jekyll"])
def test_markdown_rewrites_links_between_posts(tmp_path: Path, flavor: str) -> None:
    source = v1_post()
    source.body_html = body_links()
    plan = SitePlan.build([kiwi_post(), source, page()])
    exporter = MarkdownExporter(tmp_path, ExportSettings(flavor=flavor), plan)  # type: ignore[arg-type]
    exporter.start(make_blog())
    for article in (kiwi_post(), source, page()):
        exporter.write(article)
    exporter.finish()
    matter, body = read_front_matter(exporter.written[1])
    assert "[semis](/posts/semer-les-tomates/)" in body
    assert "[potager](/tags/potager/)" in body
    assert "[moi](/pages/a-propos/#contact)" in body
    assert "[Wikipédia](https://fr.wikipedia.org/wiki/Tomate)" in body
    if flavor == "jekyll":
        assert matter["permalink"] == "/posts/recolte/"
    else:
        assert matter["slug"] == "recolte"


def test_links_in_comments_are_rewritten(tmp_path: Path) -> None:
    from migrator.model import Comment

    source = v1_post()
    source.comments = [Comment(author="Paul", body_html=body_links())]
    exporter = MarkdownExporter(tmp_path, ExportSettings(),
                                SitePlan.build([kiwi_post(), source, page()]))
    exporter.start(make_blog())
    exporter.write(source)
    exporter.finish()
    matter, _ = read_front_matter(exporter.written[0])
    assert "[semis](/posts/semer-les-tomates/)" in matter["comments"][0]["body"]


def test_wordpress_targets(plan: SitePlan) -> None:
    assert plan.resolve(f"{BLOG}/article-31415926.html", wordpress=True) == "/semer-les-tomates/"
    assert plan.resolve(f"{BLOG}/tag/Un%20%C3%A9t%C3%A9/", wordpress=True) == "/tag/un-ete/"
    rewritten = plan.rewrite_links(
        f'<a href="{BLOG}/a-propos.html#x">moi</a>', f"{BLOG}/", wordpress=True,
        base_url="https://new.example/",
    )
    assert rewritten == '<a href="https://new.example/a-propos/#x">moi</a>'


def test_wxr_content_links_point_at_wordpress_addresses(tmp_path: Path) -> None:
    from lxml import etree

    from migrator.export.wxr import WxrExporter

    source = v1_post()
    source.body_html = body_links()
    exporter = WxrExporter(tmp_path, ExportSettings(base_url="https://new.example"),
                           SitePlan.build([kiwi_post(), source, page()]))
    exporter.start(make_blog())
    exporter.write(source)
    exporter.finish()
    content = etree.parse(str(tmp_path / "wordpress.xml")).findtext(
        "channel/item/{http://purl.org/rss/1.0/modules/content/}encoded"
    )
    assert 'href="https://new.example/semer-les-tomates/"' in content
    assert 'href="https://new.example/tag/potager/"' in content
    assert 'href="https://fr.wikipedia.org/wiki/Tomate"' in content


# -- issue 10: items the WordPress Importer would merge are made distinct -------------------


def _dated(index: int, title: str, published: str | None, kind: str = "post") -> Article:
    return Article(url=f"{BLOG}/article-{index}.html", title=title, body_html="",
                   published=published, kind=kind)  # type: ignore[arg-type]


def test_same_title_same_second_moved_by_one_second_never_onto_another_date() -> None:
    items = [
        _dated(1, "Double", "2015-06-01T10:15:00+02:00"),
        _dated(2, "double ", "2015-06-01T10:15:00+02:00"),  # MySQL's *_ci collation: equal
        _dated(3, "Double", "2015-06-01T10:15:01+02:00"),  # a later post's own date
        _dated(4, "Doublé", "2015-06-01T10:15:00+02:00"),
        _dated(5, "Double", "2015-06-01T10:15:00+02:00", kind="page"),  # another type
        _dated(6, "Autre", "2015-06-01T10:15:00+02:00"),
    ]
    plan = SitePlan.build(items)
    shifts = [plan.placement(a.url).date_shift for a in items]
    assert shifts == [0, 2, 0, 3, 0, 0]


def test_undated_items_with_a_title_already_seen_get_a_number() -> None:
    items = [
        _dated(1, "Sans date", None),
        _dated(2, "Sans date", "2015-06-01T10:15:00+02:00"),
        _dated(3, "Sans date", None),
        _dated(4, "Sans date (2)", "2016-01-01T00:00:00+01:00"),  # the obvious name is taken
        _dated(5, "Seul", None),
    ]
    plan = SitePlan.build(items)
    numbers = [plan.placement(a.url).title_number for a in items]
    assert numbers == [0, 0, 3, 0, 0]
    assert [plan.placement(a.url).date_shift for a in items] == [0] * 5


def test_builder_aliases_decode_and_refuse_what_a_builder_cannot_write() -> None:
    from migrator.links import builder_aliases

    long_name = "%D8%A7" * 120
    article = Article(url=f"{BLOG}/2020/05/%C3%A9t%C3%A9.html", title="t", body_html="",
                      aliases=[f"{BLOG}/2020/05/{long_name}.html", f"{BLOG}/a%0Ab.html",
                               f"{BLOG}/article-x-123.html", f"{BLOG}/p?x=1"])
    kept, refused = builder_aliases(article, "/posts/ete/")
    assert kept == ["/2020/05/été.html", "/article-x-123.html", "/article-123.html"]
    assert refused == [f"/2020/05/{long_name}.html", "/a%0Ab.html", "/p?x=1"]
