"""wordpress.xml: one test per rule of ANCHORS.md §1.13, plus attachments and dates."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree, html
from test_export_samples import BLOG_URL, WP, hostile_articles, make_article, make_blog

from migrator.errors import ExportError
from migrator.export.wxr import NAMESPACES, WxrExporter, cdata, flatten_comments, xml_safe
from migrator.links import SitePlan
from migrator.model import Article, Comment, Image
from migrator.settings import ExportSettings

DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
W = f"{{{WP}}}"


def export(tmp_path: Path, articles: list[Article], **settings: object) -> Path:
    exporter = WxrExporter(tmp_path, ExportSettings(**settings), SitePlan.build(articles))
    exporter.start(make_blog())
    for article in articles:
        exporter.write(article)
    exporter.finish()
    return tmp_path / "wordpress.xml"


def parse(path: Path) -> etree._Element:
    return etree.parse(str(path), etree.XMLParser(recover=False)).getroot()


def items(root: etree._Element, post_type: str | None = None) -> list[etree._Element]:
    found = root.findall("channel/item")
    if post_type is None:
        return found
    return [i for i in found if i.findtext(f"{W}post_type") == post_type]


def postmetas(item: etree._Element) -> dict[str, str]:
    return {
        m.findtext(f"{W}meta_key"): m.findtext(f"{W}meta_value")
        for m in item.findall(f"{W}postmeta")
    }


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    articles = [
        make_article(1),
        make_article(2, author=None, kind="page", published=None, comments=[]),
        make_article(3, author="Gérard Dupont", title="Titre \x01\x0b\ufffe avec ]]> dedans"),
        make_article(4, author="Marie D.", status="draft"),
        *hostile_articles()[:5],
    ]
    return export(tmp_path, articles)


def test_utf8_declaration_and_no_doctype(sample: Path) -> None:
    raw = sample.read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert b"<!DOCTYPE" not in raw
    raw.decode("utf-8")


def test_namespaces_exact_prefixes_and_uris(sample: Path) -> None:
    root = parse(sample)
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.nsmap == {
        "excerpt": "http://wordpress.org/export/1.2/excerpt/",
        "content": "http://purl.org/rss/1.0/modules/content/",
        "wfw": "http://wellformedweb.org/CommentAPI/",
        "dc": "http://purl.org/dc/elements/1.1/",
        "wp": "http://wordpress.org/export/1.2/",
    }
    assert NAMESPACES == root.nsmap


def test_wxr_version_and_base_urls(sample: Path) -> None:
    channel = parse(sample).find("channel")
    assert channel.findtext(f"{W}wxr_version") == "1.2"
    assert channel.findtext(f"{W}base_site_url") == BLOG_URL
    assert channel.findtext(f"{W}base_blog_url") == BLOG_URL


def test_every_text_is_cdata_with_split_end_marker(sample: Path) -> None:
    text = sample.read_text(encoding="utf-8")
    # Only numbers, the version and empty <description> are outside CDATA.
    outside_cdata = re.sub(r"<!\[CDATA\[.*?\]\]>", "", text, flags=re.DOTALL)
    plain = re.findall(r"<([\w:]+)(?: [^>]*)?>([^<]+)</\1>", outside_cdata)
    assert {tag for tag, value in plain if not value.isdigit() and value != "1.2"} == set()
    assert {tag for tag, _ in plain} == {
        "wp:wxr_version",
        "wp:author_id",
        "wp:term_id",
        "wp:post_id",
        "wp:post_parent",
        "wp:menu_order",
        "wp:is_sticky",
        "wp:comment_id",
        "wp:comment_parent",
        "wp:comment_user_id",
    }
    assert "<![CDATA[Titre  avec ]]]]><![CDATA[> dedans]]>" in text
    assert cdata("a]]>b]]>") == "<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>"
    titles = [i.findtext("title") for i in items(parse(sample), "post")]
    assert "Titre  avec ]]> dedans" in titles


def test_illegal_characters_removed_everywhere(sample: Path) -> None:
    raw = sample.read_text(encoding="utf-8")
    assert re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", raw) is None
    dirty = "a\x00b\x08c\x0bd\x0ce\x1ff\ud800g\udfffh\ufffei\uffffj\tk\nl"
    assert xml_safe(dirty) == "abcdefghij\tk\nl"


def test_illegal_characters_in_attributes_and_terms(tmp_path: Path) -> None:
    article = make_article(1, tags=['tag\x01 ]]> "q" <&>'], categories=["\x02"], author="\x03")
    root = parse(export(tmp_path, [article]))
    categories = items(root, "post")[0].findall("category")
    assert [(c.get("domain"), c.get("nicename"), c.text) for c in categories] == [
        ("post_tag", "tag-q", 'tag ]]> "q" <&>')
    ]


def test_post_ids_unique_across_posts_pages_attachments(sample: Path) -> None:
    root = parse(sample)
    ids = [i.findtext(f"{W}post_id") for i in items(root)]
    assert len(items(root, "attachment")) > 0 and len(items(root, "page")) == 1
    assert [n for n, c in Counter(ids).items() if c > 1] == []
    assert all(n.isdigit() and int(n) > 0 for n in ids)


def test_authors_one_line_and_dc_creator_is_a_login(sample: Path) -> None:
    text = sample.read_text(encoding="utf-8")
    author_lines = [line for line in text.splitlines() if "<wp:author>" in line]
    assert len(author_lines) == text.count("<wp:author>") == 3
    assert all(line.strip().endswith("</wp:author>") for line in author_lines)
    channel = parse(sample).find("channel")
    authors = {
        a.findtext(f"{W}author_login"): a.findtext(f"{W}author_display_name")
        for a in channel.findall(f"{W}author")
    }
    assert authors == {"gerard-dupont": "Gérard Dupont", "monblog": "Auteur", "marie-d": "Marie D."}
    creators = {i.findtext(f"{DC}creator") for i in items(parse(sample))}
    assert creators <= set(authors)
    assert all(re.fullmatch(r"[a-z0-9-]+", login) for login in authors)


def test_page_without_author_gets_default_login(sample: Path) -> None:
    page = items(parse(sample), "page")[0]
    assert page.findtext(f"{DC}creator") == "monblog"


def test_category_elements_have_domain_first_and_nicename(sample: Path) -> None:
    text = sample.read_text(encoding="utf-8")
    tags = re.findall(r"<category [^>]*>", text)
    shape = r'<category domain="(category|post_tag)" nicename="[a-z0-9-]+">'
    assert tags and all(re.fullmatch(shape, t) for t in tags)
    post = items(parse(sample), "post")[0]
    terms = [(c.get("domain"), c.get("nicename"), c.text) for c in post.findall("category")]
    assert terms == [
        ("category", "voyages", "Voyages"),
        ("post_tag", "bretagne", "Bretagne"),
        ("post_tag", "ete", "Été"),
    ]


def test_channel_term_declarations(sample: Path) -> None:
    channel = parse(sample).find("channel")
    categories = [
        (c.findtext(f"{W}category_nicename"), c.findtext(f"{W}cat_name"))
        for c in channel.findall(f"{W}category")
    ]
    tags = [
        (t.findtext(f"{W}tag_slug"), t.findtext(f"{W}tag_name")) for t in channel.findall(f"{W}tag")
    ]
    assert categories == [("voyages", "Voyages")]
    assert tags == [("bretagne", "Bretagne"), ("ete", "Été")]
    term_ids = [e.findtext(f"{W}term_id") for e in channel if e.tag in (f"{W}category", f"{W}tag")]
    assert len(set(term_ids)) == len(term_ids)


def test_required_item_fields_present(sample: Path) -> None:
    for item in items(parse(sample)):
        for field in ("post_type", "post_name", "status", "post_date", "post_date_gmt"):
            assert item.find(f"{W}{field}") is not None, field
        assert item.findtext(f"{W}post_type") in ("post", "page", "attachment")
        assert item.findtext(f"{W}post_name")
    statuses = {i.findtext(f"{W}post_type"): set() for i in items(parse(sample))}
    for item in items(parse(sample)):
        statuses[item.findtext(f"{W}post_type")].add(item.findtext(f"{W}status"))
    assert statuses == {
        "post": {"publish", "draft"},
        "page": {"publish"},
        "attachment": {"inherit"},
    }


def test_post_name_is_sanitised_slug(tmp_path: Path) -> None:
    root = parse(export(tmp_path, [make_article(1, slug="../../etc/passwd")]))
    assert items(root, "post")[0].findtext(f"{W}post_name") == "etc-passwd"


def test_dates_local_and_gmt(sample: Path) -> None:
    post = items(parse(sample), "post")[0]
    assert post.findtext(f"{W}post_date") == "2018-12-31 10:30:00"
    assert post.findtext(f"{W}post_date_gmt") == "2018-12-31 09:30:00"


def test_undated_article_has_empty_dates_and_marker(sample: Path) -> None:
    page = items(parse(sample), "page")[0]
    assert page.findtext(f"{W}post_date") == ""
    assert page.findtext(f"{W}post_date_gmt") == ""
    assert page.findtext(f"{W}status") == "publish"
    meta = postmetas(page)
    assert meta["_overblog_date_unknown"] == "1"


def test_source_url_postmeta(sample: Path) -> None:
    post = items(parse(sample), "post")[0]
    meta = postmetas(post)
    assert meta["_overblog_source_url"] == f"{BLOG_URL}/2018/12/article-1.html"


def test_comments_parents_have_smaller_ids(sample: Path) -> None:
    root = parse(sample)
    seen: set[str] = set()
    all_ids: list[str] = []
    for item in items(root):
        for comment in item.findall(f"{W}comment"):
            comment_id = comment.findtext(f"{W}comment_id")
            parent = comment.findtext(f"{W}comment_parent")
            assert parent == "0" or (parent in seen and int(parent) < int(comment_id))
            assert comment.findtext(f"{W}comment_approved") == "1"
            seen.add(comment_id)
            all_ids.append(comment_id)
    assert len(all_ids) == len(set(all_ids)) > 0
    first = items(root, "post")[0].findall(f"{W}comment")
    shape = [(c.findtext(f"{W}comment_author"), c.findtext(f"{W}comment_parent")) for c in first]
    ids = [c.findtext(f"{W}comment_id") for c in first]
    assert shape == [("Paul", "0"), ("Gérard Dupont", ids[0]), ("Paul", ids[1]), ("Anne", "0")]
    assert first[0].findtext(f"{W}comment_date") == "2019-01-02 08:00:00"
    assert first[0].findtext(f"{W}comment_date_gmt") == "2019-01-02 07:00:00"
    # An undated comment takes its article's date (MySQL refuses an empty date).
    assert first[3].findtext(f"{W}comment_date") == "2018-12-31 10:30:00"
    assert first[3].findtext(f"{W}comment_author_url") == "https://anne.fr"


def test_flatten_comments_depth_first() -> None:
    b_thread = Comment("b", "", replies=[Comment("c", "")])
    tree = [Comment("a", "", replies=[b_thread, Comment("d", "")]), Comment("e", "")]
    flat = [(i, p, c.author) for i, p, c in flatten_comments(tree, 10)]
    assert flat == [(10, 0, "a"), (11, 10, "b"), (12, 11, "c"), (13, 10, "d"), (14, 0, "e")]


def test_attachments_declared_and_img_src_matches(sample: Path) -> None:
    root = parse(sample)
    post = items(root, "post")[0]
    post_id = post.findtext(f"{W}post_id")
    attachments = [a for a in items(root, "attachment") if a.findtext(f"{W}post_parent") == post_id]
    urls = [a.findtext(f"{W}attachment_url") for a in attachments]
    base = "https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_0001_"
    assert urls == [base + "plage.jpg", base + "mer.png"]
    body = html.fragment_fromstring(post.findtext(f"{CONTENT}encoded"), create_parent="div")
    assert [img.get("src") for img in body.iter("img")] == urls
    assert all(img.get("srcset") is None for img in body.iter("img"))
    assert attachments[1].findtext("{http://wordpress.org/export/1.2/excerpt/}encoded") == "La mer"


def test_attachment_url_uses_base_url_for_downloaded_media(tmp_path: Path) -> None:
    article = make_article(1)
    article.images[0].local_path = "media/2018/12/plage.jpg"
    root = parse(export(tmp_path, [article], base_url="https://new.example/"))
    urls = [a.findtext(f"{W}attachment_url") for a in items(root, "attachment")]
    assert urls[0] == "https://new.example/media/2018/12/plage.jpg"
    post = items(root, "post")[0]
    body = html.fragment_fromstring(post.findtext(f"{CONTENT}encoded"), create_parent="div")
    assert [img.get("src") for img in body.iter("img")] == urls


def test_featured_image_points_at_cover_attachment(sample: Path) -> None:
    root = parse(sample)
    post = items(root, "post")[0]
    meta = postmetas(post)
    cover = [
        a for a in items(root, "attachment") if a.findtext(f"{W}post_id") == meta["_thumbnail_id"]
    ]
    assert cover[0].findtext(f"{W}attachment_url").endswith("ob_0001_plage.jpg")


def test_cover_not_among_images_is_declared(tmp_path: Path) -> None:
    article = make_article(1, images=[], cover_image="https://img.over-blog-kiwi.com/cover.jpg")
    root = parse(export(tmp_path, [article]))
    (attachment,) = items(root, "attachment")
    assert attachment.findtext(f"{W}attachment_url") == "https://img.over-blog-kiwi.com/cover.jpg"
    post = items(root, "post")[0]
    meta = postmetas(post)
    assert meta["_thumbnail_id"] == attachment.findtext(f"{W}post_id")


def test_no_images_setting_declares_no_attachment(tmp_path: Path) -> None:
    root = parse(export(tmp_path, [make_article(1)], include_images=False))
    assert items(root, "attachment") == []


def test_duplicate_image_declared_once(tmp_path: Path) -> None:
    image = Image(url="https://img.over-blog-kiwi.com/x.jpg")
    root = parse(export(tmp_path, [make_article(1, images=[image, image], cover_image=None)]))
    assert len(items(root, "attachment")) == 1


def test_a_failure_while_writing_leaves_nothing(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is well-formed by construction (lxml writes it; hostile values are checked by
    test_hostile_articles_parse_strictly); what can still fail half-way is the disk."""
    wxr_module = importlib.import_module("migrator.export.wxr")  # migrator.export is shadowed

    def full_disk(iso: str | None) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wxr_module, "rfc822", full_disk)
    with pytest.raises(ExportError, match="No space left on device"):
        export(tmp_path, [make_article(1)])
    assert not (tmp_path / "wordpress.xml").exists()
    assert list(tmp_path.iterdir()) == []


def test_hostile_articles_parse_strictly(tmp_path: Path) -> None:
    root = parse(export(tmp_path, hostile_articles()))
    assert len(items(root, "post")) == len(hostile_articles())


def test_thumbnail_variants_point_at_the_attachment(tmp_path: Path) -> None:
    original = "https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_x.jpg"
    thumb = "https://img.over-blog-kiwi.com/300x200-ct/1/23/45/67/20181231/ob_x.jpg"
    article = make_article(
        1,
        images=[Image(url=original)],
        cover_image=None,
        body_html=f'<p><img src="{thumb}"></p><p><img src="/other.png"></p>',
    )
    post = items(parse(export(tmp_path, [article])), "post")[0]
    body = html.fragment_fromstring(post.findtext(f"{CONTENT}encoded"), create_parent="div")
    assert [img.get("src") for img in body.iter("img")] == [original, "/other.png"]


# -- issue 4: attachments once per file, full resolution, links, plan slugs ----------------


def test_image_shared_by_two_articles_declared_once(tmp_path: Path) -> None:
    shared = "https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_shared.jpg"
    first = make_article(1, images=[Image(url=shared)], cover_image=None,
                         body_html=f'<img src="{shared}">')
    second = make_article(2, images=[Image(url=shared)], cover_image=None,
                          body_html=f'<img src="{shared}">')
    root = parse(export(tmp_path, [first, second]))
    (attachment,) = items(root, "attachment")
    assert attachment.findtext(f"{W}post_parent") == items(root, "post")[0].findtext(
        f"{W}post_id"
    )
    for post in items(root, "post"):  # both contents use the one declared URL
        assert f'src="{shared}"' in post.findtext(f"{CONTENT}encoded")


def test_attachment_url_is_full_resolution_without_base_url(tmp_path: Path) -> None:
    wrapped = ("https://resize.over-blog.com/400x260.jpg?"
               "https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_w.jpg")
    article = make_article(1, images=[Image(url=wrapped)], cover_image=None,
                           body_html=f'<a href="{wrapped}"><img src="{wrapped}"></a>')
    root = parse(export(tmp_path, [article]))
    (attachment,) = items(root, "attachment")
    url = "https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_w.jpg"
    assert attachment.findtext(f"{W}attachment_url") == url
    content = items(root, "post")[0].findtext(f"{CONTENT}encoded")
    assert content == f'<a href="{url}"><img src="{url}"/></a>'


def test_pdf_declared_as_attachment_and_link_rewritten(tmp_path: Path) -> None:
    pdf = "http://data.over-blog-kiwi.com/1/23/45/67/20181231/ob_9_menu.pdf"
    article = make_article(
        1, cover_image=None, body_html=f'<p><a href="{pdf}">Menu</a></p>',
        images=[Image(url=pdf, local_path="media/ob_9_menu.pdf", alt="Menu")],
    )
    root = parse(export(tmp_path, [article], base_url="https://new.example"))
    (attachment,) = items(root, "attachment")
    assert attachment.findtext(f"{W}attachment_url") == "https://new.example/media/ob_9_menu.pdf"
    content = items(root, "post")[0].findtext(f"{CONTENT}encoded")
    assert 'href="https://new.example/media/ob_9_menu.pdf"' in content


def test_post_name_comes_from_the_site_plan(tmp_path: Path) -> None:
    from migrator.links import SitePlan

    twins = [make_article(1), make_article(2, slug="article-1")]
    exporter = WxrExporter(tmp_path, ExportSettings(), SitePlan.build(twins))
    exporter.start(make_blog())
    for article in twins:
        exporter.write(article)
    exporter.finish()
    names = [i.findtext(f"{W}post_name") for i in items(parse(tmp_path / "wordpress.xml"), "post")]
    assert names == ["article-1", "article-1-2"]


def test_pages_drafts_and_threaded_comments(sample: Path) -> None:
    root = parse(sample)
    page = items(root, "page")[0]
    assert page.findtext(f"{W}status") == "publish"
    statuses = [i.findtext(f"{W}status") for i in items(root, "post")]
    assert statuses.count("draft") == 1
    comments = items(root, "post")[0].findall(f"{W}comment")
    ids = {c.findtext(f"{W}comment_id"): c.findtext(f"{W}comment_parent") for c in comments}
    replies = {child: parent for child, parent in ids.items() if parent != "0"}
    assert replies and all(int(parent) < int(child) for child, parent in replies.items())


def test_authors_with_the_same_login_are_not_merged(tmp_path: Path) -> None:
    articles = [make_article(1, author="Gérard"), make_article(2, author="Gerard"),
                make_article(3, author="Gérard")]
    root = parse(export(tmp_path, articles))
    logins = [a.findtext(f"{W}author_login") for a in root.iter(f"{W}author")]
    assert logins == ["gerard", "gerard-2"]
    assert [i.findtext(f"{DC}creator") for i in items(root, "post")] == [
        "gerard", "gerard-2", "gerard",
    ]


def test_two_files_with_one_name_get_two_titles(tmp_path: Path) -> None:
    images = [Image(url="https://img.over-blog-kiwi.com/a/photo.jpg"),
              Image(url="https://idata.over-blog.com/b/photo.jpg")]
    root = parse(export(tmp_path, [make_article(1, images=images, cover_image=None)]))
    titles = [a.findtext("title") for a in items(root, "attachment")]
    assert titles == ["photo.jpg", "photo.jpg-2"]


# -- issue 10 -------------------------------------------------------------------------------


NS = {"wp": WP, "excerpt": NAMESPACES["excerpt"]}


def export_planned(tmp_path: Path, articles: list[Article]) -> tuple[Path, WxrExporter]:
    from migrator.links import SitePlan

    exporter = WxrExporter(tmp_path, ExportSettings(), SitePlan.build(articles))
    exporter.start(make_blog())
    for article in articles:
        exporter.write(article)
    exporter.finish()
    return tmp_path / "wordpress.xml", exporter


def meta(item: etree._Element, key: str) -> list[str]:
    return item.xpath(f"wp:postmeta[wp:meta_key='{key}']/wp:meta_value/text()", namespaces=NS)


def test_duplicates_for_the_importer_are_made_distinct(tmp_path: Path) -> None:
    twins = [make_article(i, title="Double clic", published="2015-06-01T10:15:00+02:00",
                          comments=[]) for i in (1, 2)]
    undated = [make_article(i, title="Sans date", published=None, comments=[]) for i in (3, 4)]
    path, exporter = export_planned(tmp_path, [*twins, *undated])
    posts = items(parse(path), "post")
    dates = [p.findtext("wp:post_date", namespaces=NS) for p in posts]
    gmt = [p.findtext("wp:post_date_gmt", namespaces=NS) for p in posts]
    titles = [p.findtext("title") for p in posts]
    assert dates == ["2015-06-01 10:15:00", "2015-06-01 10:15:01", "", ""]
    assert gmt[:2] == ["2015-06-01 08:15:00", "2015-06-01 08:15:01"]
    assert titles == ["Double clic", "Double clic", "Sans date", "Sans date (2)"]
    assert meta(posts[1], "_overblog_date_shifted") == ["2015-06-01 10:15:00"]
    assert meta(posts[3], "_overblog_title_changed") == ["Sans date"]
    assert meta(posts[0], "_overblog_date_shifted") == meta(posts[2], "_overblog_title_changed")
    assert len(exporter.warnings) == 2
    # the attachments of the moved post move with it
    attachments = [a for a in items(parse(path), "attachment")
                   if a.findtext("wp:post_parent", namespaces=NS) ==
                   posts[1].findtext("wp:post_id", namespaces=NS)]
    assert {a.findtext("wp:post_date", namespaces=NS) for a in attachments} == {
        "2015-06-01 10:15:01"}


def test_year_one_and_pre_1970_dates_have_four_digit_years(tmp_path: Path) -> None:
    articles = [make_article(1, published="0001-01-01T00:00:00+01:00", comments=[]),
                make_article(2, published="1969-07-21T03:56:00+01:00", comments=[])]
    posts = items(parse(export(tmp_path, articles)), "post")
    assert [p.findtext("wp:post_date", namespaces=NS) for p in posts] == [
        "0001-01-01 00:00:00", "1969-07-21 03:56:00"]
    assert posts[1].findtext("wp:post_date_gmt", namespaces=NS) == "1969-07-21 02:56:00"


def test_text_shown_as_html_by_wordpress_cannot_open_a_tag(tmp_path: Path) -> None:
    article = make_article(1, title="Le <script> & moi", excerpt="<b>x</b>",
                           comments=[Comment(author="<i>A</i>", body_html="<p>c</p>")])
    item = items(parse(export(tmp_path, [article])), "post")[0]
    assert item.findtext("title") == "Le &lt;script> & moi"
    assert item.findtext("excerpt:encoded", namespaces=NS) == "&lt;b>x&lt;/b>"
    # as WordPress stores it, so that a re-import finds it (comment_exists)
    assert item.findtext("wp:comment/wp:comment_author", namespaces=NS) == "&lt;i&gt;A&lt;/i&gt;"
