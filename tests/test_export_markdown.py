"""Markdown: Hugo and Jekyll layouts, front matter that survives any title, safe file names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_export_samples import (
    BLOG_URL,
    HOSTILE_TITLES,
    hostile_articles,
    make_article,
    make_blog,
    markdown_files,
    read_front_matter,
)

from migrator.export.json_export import JsonExporter
from migrator.export.markdown import MarkdownExporter, html_to_markdown
from migrator.links import SitePlan
from migrator.model import Article, Image
from migrator.settings import ExportSettings


def export(tmp_path: Path, articles: list[Article], **settings: object) -> MarkdownExporter:
    exporter = MarkdownExporter(tmp_path, ExportSettings(**settings), SitePlan.build(articles))
    exporter.start(make_blog())
    for article in articles:
        exporter.write(article)
    exporter.finish()
    return exporter


def documents(exporter: MarkdownExporter) -> list[Path]:
    """The Markdown files written (not the site settings fragment written last)."""
    return [p for p in exporter.written if p.suffix == ".md"]


def relative(exporter: MarkdownExporter, root: Path) -> list[str]:
    return [p.relative_to(root / "markdown").as_posix() for p in documents(exporter)]


# -- layouts --------------------------------------------------------------------------------


def test_hugo_layout(tmp_path: Path) -> None:
    articles = [make_article(1), make_article(2, kind="page", slug="a-propos")]
    exporter = export(tmp_path, articles)
    assert relative(exporter, tmp_path) == [
        "content/posts/article-1/index.md",
        "content/pages/a-propos/index.md",
    ]


def test_jekyll_layout_and_undated_posts_in_drafts(tmp_path: Path) -> None:
    articles = [
        make_article(1, published="2018-12-31T23:30:00-05:00"),  # local day, not UTC's
        make_article(2, published=None),
        make_article(3, kind="page", slug="contact", url=f"{BLOG_URL}/pages/contact.html"),
    ]
    exporter = export(tmp_path, articles, flavor="jekyll")
    assert relative(exporter, tmp_path) == [
        "_posts/2018-12-31-article-1.md",
        "_drafts/article-2.md",
        "contact.md",
    ]
    page, _ = read_front_matter(exporter.written[2])
    assert page["permalink"] == "/pages/contact/"
    assert page["redirect_from"] == ["/pages/contact.html", "/article-1003.html"]
    post, _ = read_front_matter(exporter.written[0])
    assert post["permalink"] == "/posts/article-1/"


def test_collisions_never_overwrite(tmp_path: Path) -> None:
    articles = [make_article(i, slug="meme-slug", title=f"T{i}") for i in range(3)]
    exporter = export(tmp_path, articles)
    assert relative(exporter, tmp_path) == [
        "content/posts/meme-slug/index.md",
        "content/posts/meme-slug-2/index.md",
        "content/posts/meme-slug-3/index.md",
    ]
    assert [read_front_matter(p)[0]["slug"] for p in documents(exporter)] == [
        "meme-slug",
        "meme-slug-2",
        "meme-slug-3",
    ]


def test_jekyll_collisions_on_same_day(tmp_path: Path) -> None:
    articles = [make_article(i, slug="s") for i in range(2)]
    exporter = export(tmp_path, articles, flavor="jekyll")
    assert relative(exporter, tmp_path) == ["_posts/2018-12-31-s.md", "_posts/2018-12-31-s-2.md"]


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("", "article-1"),  # falls back to the URL's name
        ("a" * 300, "a" * 80),
        ("CON", "con-1"),
        ("Été à Noël", "ete-a-noel"),
        ("/abs/path", "abs-path"),
    ],
)
def test_hostile_slugs_sanitised(tmp_path: Path, slug: str, expected: str) -> None:
    exporter = export(tmp_path, [make_article(1, slug=slug)])
    assert relative(exporter, tmp_path) == [f"content/posts/{expected}/index.md"]


def test_title_used_when_no_slug_and_no_url_name(tmp_path: Path) -> None:
    articles = [
        make_article(1, slug="", url=f"{BLOG_URL}/?p=1", title="Un été : 1er jour !"),
        make_article(2, slug="", url=f"{BLOG_URL}/?p=2", title="🎉"),
    ]
    exporter = export(tmp_path, articles)
    assert relative(exporter, tmp_path) == [
        "content/posts/un-ete-1er-jour/index.md",
        "content/posts/untitled/index.md",
    ]


def test_all_files_inside_out_dir_for_hostile_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    articles = hostile_articles()
    exporter = export(out, articles, flavor="jekyll")
    assert len(markdown_files(out)) == len(articles) == len(documents(exporter))
    assert all((out / "markdown").resolve() in p.resolve().parents for p in exporter.written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# -- front matter ---------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", ["hugo", "jekyll"])
def test_hostile_titles_round_trip_like_json(tmp_path: Path, flavor: str) -> None:
    articles = hostile_articles()
    articles[1].published = None
    exporter = export(tmp_path, articles, flavor=flavor)
    json_exporter = JsonExporter(tmp_path, ExportSettings(), SitePlan.build(articles))
    json_exporter.start(make_blog())
    for article in articles:
        json_exporter.write(article)
    json_exporter.finish()
    from_json = json.loads((tmp_path / "blog.json").read_text(encoding="utf-8"))["articles"]
    front = [read_front_matter(p)[0] for p in documents(exporter)]
    assert [f["title"] for f in front] == [a["title"] for a in from_json]
    assert [f.get("date") for f in front] == [a["published"] for a in from_json]
    assert all(isinstance(f["title"], str) for f in front)
    assert {a.title for a in articles} >= set(HOSTILE_TITLES)


def test_hugo_front_matter(tmp_path: Path) -> None:
    article = make_article(1, status="draft")
    matter, body = read_front_matter(export(tmp_path, [article]).written[0])
    assert list(matter) == [
        "title",
        "date",
        "lastmod",
        "author",
        "tags",
        "categories",
        "slug",
        "aliases",
        "original_url",
        "draft",
        "summary",
        "comments",
    ]
    assert matter["date"] == "2018-12-31T10:30:00+01:00"
    assert matter["lastmod"] == "2019-01-05T08:00:00+01:00"
    assert matter["aliases"] == ["/2018/12/article-1.html", "/article-1001.html"]
    assert matter["original_url"] == f"{BLOG_URL}/2018/12/article-1.html"
    assert matter["draft"] is True
    assert matter["tags"] == ["Bretagne", "Été"] and matter["categories"] == ["Voyages"]


def test_jekyll_front_matter(tmp_path: Path) -> None:
    article = make_article(1, status="draft")
    matter, _ = read_front_matter(export(tmp_path, [article], flavor="jekyll").written[0])
    assert matter["last_modified_at"] == "2019-01-05T08:00:00+01:00"
    assert matter["redirect_from"] == ["/2018/12/article-1.html", "/article-1001.html"]
    assert matter["published"] is False
    assert matter["excerpt"] == "Un été…"
    assert not {"lastmod", "draft", "aliases", "slug", "summary"} & set(matter)


def test_published_article_has_no_draft_keys(tmp_path: Path) -> None:
    matter, _ = read_front_matter(export(tmp_path, [make_article(1)]).written[0])
    assert "draft" not in matter and "published" not in matter


def test_unknown_values_are_omitted(tmp_path: Path) -> None:
    article = make_article(
        1,
        published=None,
        updated=None,
        author=None,
        excerpt=None,
        tags=[],
        categories=[],
        comments=[],
    )
    matter, _ = read_front_matter(export(tmp_path, [article]).written[0])
    assert list(matter) == ["title", "slug", "aliases", "original_url"]


def test_comments_in_front_matter_not_in_body(tmp_path: Path) -> None:
    matter, body = read_front_matter(export(tmp_path, [make_article(1)]).written[0])
    assert matter["comments"] == [
        {
            "author": "Paul",
            "date": "2019-01-02T08:00:00+01:00",
            "body": "Superbe !",
            "replies": [
                {
                    "author": "Gérard Dupont",
                    "date": "2019-01-02T09:00:00+01:00",
                    "body": "Merci",
                    "replies": [{"author": "Paul", "body": "De rien", "replies": []}],
                }
            ],
        },
        {"author": "Anne", "url": "https://anne.fr", "body": "Et moi ]]> aussi", "replies": []},
    ]
    assert "Superbe" not in body and "De rien" not in body


# -- body -----------------------------------------------------------------------------------


def test_body_conversion(tmp_path: Path) -> None:
    _, body = read_front_matter(export(tmp_path, [make_article(1)]).written[0])
    base = "https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_0001_"
    assert "## Jour 1" in body
    assert "Texte **gras** :" in body
    assert f'![plage]({base}plage.jpg "La plage")' in body  # resizer unwrapped, title kept
    assert f"![mer]({base}mer.png)" in body
    assert '{{< youtube "abc" >}}' in body  # Hugo's built-in shortcode
    assert "| Jour | Km |" in body and "| 1 | 12 |" in body


@pytest.mark.parametrize(
    "tag",
    [
        '<object data="x.swf"><param name="movie" value="x.swf"/></object>',
        '<embed src="x.swf"/>',
        '<video controls=""><source src="v.mp4" type="video/mp4"/></video>',
        '<audio controls="" src="a.mp3"></audio>',
    ],
)
def test_embeds_kept_as_raw_html(tag: str) -> None:
    assert tag in html_to_markdown(f"<p>avant</p>{tag}<p>après</p>")


def test_image_in_heading_and_table_cell_kept() -> None:
    markdown = html_to_markdown(
        '<h3><img src="h.jpg" alt="h"> Titre</h3>'
        '<table><tr><td><img src="t.jpg" alt="t"></td></tr></table>'
    )
    assert "### ![h](h.jpg) Titre" in markdown and "![t](t.jpg)" in markdown


def _with_local_image(tmp_path: Path) -> Article:
    article = make_article(1)
    article.images[0].local_path = "media/ob_0001_plage.jpg"
    (tmp_path / "media").mkdir()
    (tmp_path / "media/ob_0001_plage.jpg").write_bytes(b"\xff\xd8jpeg")
    return article


def test_hugo_copies_images_into_the_page_bundle(tmp_path: Path) -> None:
    _, body = read_front_matter(export(tmp_path, [_with_local_image(tmp_path)]).written[0])
    assert '![plage](ob_0001_plage.jpg "La plage")' in body
    copy = tmp_path / "markdown/content/posts/article-1/ob_0001_plage.jpg"
    assert copy.read_bytes() == b"\xff\xd8jpeg"


def test_jekyll_copies_images_under_assets(tmp_path: Path) -> None:
    exporter = export(tmp_path, [_with_local_image(tmp_path)], flavor="jekyll")
    _, body = read_front_matter(exporter.written[0])
    assert '![plage](/assets/media/ob_0001_plage.jpg "La plage")' in body
    assert (tmp_path / "markdown/assets/media/ob_0001_plage.jpg").read_bytes() == b"\xff\xd8jpeg"


def test_missing_local_file_keeps_the_original_url(tmp_path: Path) -> None:
    article = make_article(1)
    article.images[0].local_path = "media/not-there.jpg"
    _, body = read_front_matter(export(tmp_path, [article]).written[0])
    assert f"]({article.images[0].url} " in body


def test_template_syntax_is_hidden_from_generators(tmp_path: Path) -> None:
    article = make_article(1, body_html="<p>{{< shortcode >}} et {% liquid %}</p>")
    _, body = read_front_matter(export(tmp_path, [article]).written[0])
    assert "{{" not in body and "{%" not in body
    assert "&#123;&#123;&lt; shortcode >&#125;&#125; et &#123;% liquid %&#125;" in body


def test_hostile_local_path_cannot_escape(tmp_path: Path) -> None:
    from migrator.errors import ExportError

    hostile = Image(url="https://x/a.jpg", local_path="../../../etc/passwd")
    article = make_article(1, images=[hostile], body_html='<img src="https://x/a.jpg">')
    with pytest.raises(ExportError, match="outside"):
        export(tmp_path / "out", [article])


# -- issue 10: what a reader sees, nothing more -----------------------------------------------


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "&lt;script>alert(1)&lt;/script>"),
    ("<p>[x](javascript:alert(1)) et ![i](javascript:1)</p>",
     "\\[x](javascript:alert(1)) et !\\[i](javascript:1)"),
    ("<p>{: onclick=\"alert(1)\"}</p>", "&#123;: onclick=\"alert(1)\"&#125;"),
    ("<p>&amp;lt; a\\b `code`</p>", "&amp;lt; a\\\\b \\`code\\`"),
    ("<p>H<sub>2</sub>O, E=mc<sup>2</sup>, <u>souligné</u></p>",
     "H<sub>2</sub>O, E=mc<sup>2</sup>, <u>souligné</u>"),
])
def test_text_never_becomes_markup(html: str, expected: str) -> None:
    assert html_to_markdown(html).strip() == expected


def test_pipes_in_table_cells_are_escaped() -> None:
    markdown = html_to_markdown("<table><tr><th>a|b</th><th>c</th></tr>"
                                "<tr><td>x || y</td><td>z</td></tr></table>")
    assert "| a\\|b | c |" in markdown and "| x \\|\\| y | z |" in markdown


def test_videos_per_flavor() -> None:
    frames = ('<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'
              '<iframe src="https://player.vimeo.com/video/76979871"></iframe>'
              '<iframe src="https://www.dailymotion.com/embed/video/x7ab"></iframe>'
              '<video controls src="https://x.example/v.mp4"></video>')
    hugo = html_to_markdown(frames, hugo=True, protect=True)
    assert '{{< youtube "dQw4w9WgXcQ" >}}' in hugo and '{{< vimeo "76979871" >}}' in hugo
    assert "<https://www.dailymotion.com/video/x7ab>" in hugo
    assert "<https://x.example/v.mp4>" in hugo and "<iframe" not in hugo
    jekyll = html_to_markdown(frames, protect=True)
    assert jekyll.count("<iframe") == 3 and "{{" not in jekyll


def test_excerpt_is_text_for_html_and_markdown_alike(tmp_path: Path) -> None:
    article = make_article(1, excerpt='<script>x</script> [a](javascript:1) {{ t }} *b* & c')
    for flavor, field in (("hugo", "summary"), ("jekyll", "excerpt")):
        matter, _ = read_front_matter(export(tmp_path / flavor, [article], flavor=flavor)
                                      .written[0])
        assert matter[field] == ("&#60;script&#62;x&#60;/script&#62; &#91;a&#93;(javascript:1) "
                                 "&#123;&#123; t &#125;&#125; &#42;b&#42; &#38; c")


def test_site_settings_fragments_name_the_blog_time_zone(tmp_path: Path) -> None:
    hugo = export(tmp_path / "h", [make_article(1)])
    settings = (tmp_path / "h" / "markdown" / "config" / "_default" / "hugo.toml").read_text()
    assert 'timeZone = "Europe/Paris"' in settings and "unsafe = true" in settings
    assert hugo.written[-1].name == "hugo.toml"
    export(tmp_path / "j", [make_article(1)], flavor="jekyll")
    fragment = (tmp_path / "j" / "markdown" / "_config.overblog.yml").read_text()
    assert "timezone: Europe/Paris" in fragment


def test_jekyll_file_names_for_old_dates(tmp_path: Path) -> None:
    articles = [make_article(1, published="0001-01-01T00:30:00+01:00"),
                make_article(2, published="1969-07-21T00:30:00+01:00")]
    exporter = export(tmp_path, articles, flavor="jekyll")
    assert relative(exporter, tmp_path) == ["_posts/0001-01-01-article-1.md",
                                            "_posts/1969-07-21-article-2.md"]


def test_aliases_builders_cannot_write_are_left_out_with_a_warning(tmp_path: Path) -> None:
    long_alias = "https://monblog.over-blog.com/2013/05/" + "%D8%A7" * 150 + ".html"
    article = make_article(1, aliases=[long_alias, "https://monblog.over-blog.com/a%0Ab.html",
                                       "https://monblog.over-blog.com/2013/05/%C3%A9t%C3%A9.html"])
    exporter = export(tmp_path, [article])
    matter, _ = read_front_matter(exporter.written[0])
    assert matter["aliases"] == ["/2018/12/article-1.html", "/2013/05/été.html"]
    assert len(exporter.warnings) == 2


@pytest.mark.parametrize(("html", "expected"), [
    # a caption with "]]": the image was closed early and Hugo and Jekyll showed it as text
    ('<p><img alt="Crumble (version ]]> sans gluten) : la photo" src="ob_crumble.jpg"></p>',
     "![Crumble (version \\]\\]> sans gluten) : la photo](ob_crumble.jpg)"),
    ('<p><img alt="[x](javascript:alert(1))" src="a.jpg"></p>',
     "![\\[x\\](javascript:alert(1))](a.jpg)"),
    ('<p><img alt="deux\nlignes & {{ x }}" src="photo de mamie (1).jpg"></p>',
     "![deux lignes &amp; &#123;&#123; x &#125;&#125;](photo%20de%20mamie%20%281%29.jpg)"),
    ('<p><img alt="a" src="a.jpg" title=\'le "vrai" \\ titre]\'></p>',
     '![a](a.jpg "le \\"vrai\\" \\\\ titre\\]")'),
])
def test_an_image_stays_an_image_whatever_its_alt_text(html: str, expected: str) -> None:
    assert html_to_markdown(html).strip() == expected
