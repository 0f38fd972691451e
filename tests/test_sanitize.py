"""migrator.sanitize: the one allowlist sanitiser (nh3) with its article and comment policies."""

from __future__ import annotations

import pytest

from migrator.model import Article, Comment, Image
from migrator.sanitize import clean_article_html, clean_comment_html, sanitize_article, video_of

DANGEROUS = [
    '<script>alert(1)</script>',
    '<img src="x.jpg" onerror="alert(1)">',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt&#x3A;alert(1)">a</a>',
    '<a href=" java\tscript:alert(1)">a</a>',
    '<a href="vbscript:msgbox(1)">a</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<a href="file:///etc/passwd">a</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="http://evil.example/"><input name="q"><button>go</button></form>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div onmouseover="alert(1)" id="clobber" name="x">x</div>',
    '<object data="javascript:alert(1)"></object>',
    '<base href="http://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:1">',
]


@pytest.mark.parametrize("markup", DANGEROUS)
@pytest.mark.parametrize("clean", [clean_article_html, clean_comment_html])
def test_nothing_dangerous_survives(markup: str, clean) -> None:
    out = clean(markup).lower()
    for needle in ("<script", "onerror", "onload", "onmouseover", "javascript", "vbscript",
                   "data:", "file:", "<form", "<svg", "<base", "<meta", "id=", "name="):
        assert needle not in out, (markup, out)


def test_escaped_text_stays_text() -> None:
    text = "<p>on écrit &lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;</p>"
    assert clean_article_html(text) == text
    assert clean_comment_html(text) == text


def test_article_policy_keeps_formatting_tables_images_and_known_players() -> None:
    html = ('<h2>T</h2><p style="text-align:center;position:fixed"><b>b</b> H<sub>2</sub>O '
            'x<sup>2</sup> <u>u</u> <a href="/rel">r</a> <a href="mailto:a@b.fr">m</a></p>'
            '<table><tbody><tr><td colspan="2">a|b</td></tr></tbody></table>'
            '<figure><img src="https://img.over-blog-kiwi.com/a.jpg" alt="a" width="10">'
            "<figcaption>c</figcaption></figure>"
            '<iframe src="http://www.youtube.com/embed/abc_-1" width="560" onload="x"></iframe>')
    out = clean_article_html(html)
    assert '<p style="text-align:center">' in out
    assert "H<sub>2</sub>O x<sup>2</sup> <u>u</u>" in out
    assert '<a href="/rel">r</a> <a href="mailto:a@b.fr">m</a>' in out
    assert '<td colspan="2">a|b</td>' in out
    assert 'src="https://img.over-blog-kiwi.com/a.jpg"' in out and 'alt="a"' in out
    assert '<iframe src="https://www.youtube.com/embed/abc_-1" width="560"></iframe>' in out


@pytest.mark.parametrize(("src", "kept"), [
    ("https://www.youtube-nocookie.com/embed/abc", "https://www.youtube.com/embed/abc"),
    ("//player.vimeo.com/video/123", "https://player.vimeo.com/video/123"),
    ("http://www.dailymotion.com/embed/video/x7ab", "https://www.dailymotion.com/embed/video/x7ab"),
    ("https://geo.dailymotion.com/player.html?video=x7ab",
     "https://www.dailymotion.com/embed/video/x7ab"),
])
def test_known_players_kept_as_https_embeds(src: str, kept: str) -> None:
    assert clean_article_html(f'<iframe src="{src}"></iframe>') == f'<iframe src="{kept}"></iframe>'


def test_other_iframes_become_links_or_nothing() -> None:
    assert clean_article_html('<iframe src="https://maps.example/x?a=1&amp;b=2"></iframe>') == (
        '<p><a href="https://maps.example/x?a=1&amp;b=2">https://maps.example/x?a=1&amp;b=2</a></p>')
    assert clean_article_html('<iframe src="https://evil.youtube.com.example/embed/x">'
                              "</iframe>").startswith("<p><a ")
    assert clean_article_html('<iframe src="javascript:alert(1)"></iframe>x') == "x"
    assert clean_comment_html('<iframe src="https://www.youtube.com/embed/x"></iframe>x') == "x"


@pytest.mark.parametrize(("player", "link"), [
    ('<object width="425"><param name="movie" value="http://www.dailymotion.com/swf/x7abcd">'
     '</param><embed src="http://www.dailymotion.com/swf/x7abcd" '
     'type="application/x-shockwave-flash"></embed></object>',
     "https://www.dailymotion.com/video/x7abcd"),
    ('<embed src="http://www.youtube.com/v/dQw4w9WgXcQ&hl=fr" '
     'type="application/x-shockwave-flash">',
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ('<object data="http://vimeo.com/moogaloop.swf?clip_id=123&amp;server=vimeo.com"></object>',
     "https://vimeo.com/123"),
    ('<embed src="http://example.com/player.swf">', "http://example.com/player.swf"),
])
def test_flash_players_become_links(player: str, link: str) -> None:
    assert clean_article_html(player) == f'<p><a href="{link}">{link}</a></p>'


def test_comment_policy_is_text_formatting_and_links_only() -> None:
    out = clean_comment_html('<p><b>gras</b> <img src="https://x/y.gif" alt="y"> '
                             '<a href="https://ok.example/" onclick="x()">ok</a></p>'
                             "<table><tr><td>t</td></tr></table><h1>titre</h1>")
    assert out == '<p><b>gras</b>  <a href="https://ok.example/">ok</a></p>ttitre'


def test_sanitize_article_covers_every_field_and_keeps_the_original() -> None:
    reply = Comment(author="R\x07", body_html="<b onclick=x>merci</b>", url="javascript:x")
    article = Article(
        url="http://b.over-blog.com/a.html", title="T\x00<script>",
        body_html="<script>x</script>ok",
        excerpt="E\x1b", author="A\x7f",
        images=[Image(url="javascript:alert(1)"), Image(url="https://i/a.jpg", alt="a\x01")],
        cover_image="data:image/png;base64,xx",
        comments=[Comment(author="C", body_html="<img src=x onerror=y>hi",
                          url="https://c.example/", replies=[reply])],
    )
    safe = sanitize_article(article)
    assert (safe.title, safe.body_html, safe.excerpt, safe.author) == ("T<script>", "ok", "E", "A")
    assert [i.url for i in safe.images] == ["https://i/a.jpg"] and safe.images[0].alt == "a"
    assert safe.cover_image is None
    assert safe.comments[0].body_html == "hi" and safe.comments[0].url == "https://c.example/"
    assert safe.comments[0].replies[0].body_html == "<b>merci</b>"
    assert safe.comments[0].replies[0].url is None and safe.comments[0].replies[0].author == "R"
    assert article.body_html == "<script>x</script>ok"  # the archive's copy is untouched
    assert article.comments[0].replies[0].url == "javascript:x"


def test_video_of() -> None:
    assert video_of("https://www.youtube.com/embed/abc").page_url == (
        "https://www.youtube.com/watch?v=abc")
    assert video_of("https://player.vimeo.com/video/1").page_url == "https://vimeo.com/1"
    assert video_of("javascript://www.youtube.com/embed/abc") is None
    assert video_of("https://www.youtube.com/watch?v=abc") is None
