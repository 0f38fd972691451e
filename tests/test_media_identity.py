"""One uploaded file, whatever URL shows it: its key, and what asking each URL can give."""

from __future__ import annotations

import pytest

from migrator.media.identity import (
    FULL,
    STRIPPED,
    THUMBNAIL,
    file_key,
    is_overblog_key,
    page_image_urls,
    versions,
)
from migrator.parse import html_tree

SIG = "http://image.over-blog.com/{sig}=/{ops}image%2F0478859%2F20130301%2Fob_9860ab_voeux.jpg"
FULL_URL = SIG.format(sig="FULLSIG", ops="filters:no_upscale()/")
THUMB = SIG.format(sig="THUMBSIG", ops="600x400/smart/filters:no_upscale()/")
STRIPPED_THUMB = SIG.format(sig="THUMBSIG", ops="filters:no_upscale()/")
KIWI = "http://img.over-blog-kiwi.com/0/47/88/59/20130301/ob_9860ab_voeux.jpg"
KEY = "ob/0478859/20130301/ob_9860ab_voeux.jpg"


@pytest.mark.parametrize("url", [
    FULL_URL, THUMB, STRIPPED_THUMB, KIWI,
    "https://img.over-blog-kiwi.com/400x260-ct/0/47/88/59/20130301/ob_9860ab_voeux.jpg",
    SIG.format(sig="X", ops="76x0/smart/filters:no_upscale()/").replace("http:", "https:"),
    "http://resize.over-blog.com/180x180.jpg?" + THUMB,
    "https://resize.over-blog.com/180x180.jpg?img.over-blog-kiwi.com/300x300/0/47/88/59/20130301/"
    "ob_9860ab_voeux.jpg",
    "//img.over-blog-kiwi.com/0/47/88/59/20130301/ob_9860ab_voeux.jpg",
])
def test_every_form_of_one_kiwi_file_has_one_key(url: str) -> None:
    assert file_key(url) == KEY
    assert is_overblog_key(KEY)


def test_v1_files_and_other_urls() -> None:
    idata = "http://idata.over-blog.com/1/23/45/67/fontaine/fontaine-01.jpg"
    for url in (idata, "http://img.over-blog.com/300x225/1/23/45/67/fontaine/fontaine-01.jpg",
                "http://a401.idata.over-blog.com/300x225/1/23/45/67/fontaine/fontaine-01.jpg",
                "http://resize.over-blog.com/300x300.jpg?" + idata):
        assert file_key(url) == "idata/1234567/fontaine/fontaine-01.jpg"
    # a kiwi file and a v1 file of the same name are not the same file
    assert file_key("http://idata.over-blog.com/0/47/88/59/20130301/ob_9860ab_voeux.jpg") != KEY
    other = "https://example.org/photos/300x200/chat.jpg"
    assert file_key(other) == other and not is_overblog_key(other)
    pdf = "http://data.over-blog-kiwi.com/0/47/88/59/20130301/ob_1_menu.pdf"
    assert file_key(pdf) == pdf


def test_versions_best_first() -> None:
    assert versions(FULL_URL) == [(FULL_URL, FULL), (KIWI, STRIPPED)]
    assert versions(THUMB) == [(THUMB, THUMBNAIL), (KIWI, STRIPPED)]
    # a size taken out of a signed URL by a parser: refused by the service, never asked
    assert versions(STRIPPED_THUMB, seen=False) == [(KIWI, STRIPPED)]
    kiwi_thumb = "http://img.over-blog-kiwi.com/400x260-ct/0/47/88/59/20130301/ob_9860ab_voeux.jpg"
    assert versions(kiwi_thumb) == [(KIWI, STRIPPED), (kiwi_thumb, THUMBNAIL)]
    assert versions(KIWI) == [(KIWI, FULL)]
    assert versions(KIWI, seen=False) == [(KIWI, STRIPPED)]
    wrapper = "http://resize.over-blog.com/180x180.jpg?" + FULL_URL
    assert versions(wrapper) == [(FULL_URL, FULL), (KIWI, STRIPPED), (wrapper, THUMBNAIL)]
    v1 = "http://img.over-blog.com/300x225/1/23/45/67/fontaine/fontaine-01.jpg"
    assert versions(v1) == [
        ("http://idata.over-blog.com/1/23/45/67/fontaine/fontaine-01.jpg", STRIPPED),
        (v1, THUMBNAIL)]
    assert versions("https://example.org/a.jpg", seen=False) == [("https://example.org/a.jpg",
                                                                  FULL)]
    assert versions("data:image/png;base64,xx") == []


def test_page_image_urls_as_the_page_gives_them() -> None:
    html = f"""<html><head><meta property="og:image" content="{THUMB}">
    <link rel="stylesheet" href="http://assets.over-blog-kiwi.com/t.css"></head><body>
    <a class="ob-link-img" href="{FULL_URL}"><img src="{THUMB}"></a>
    <img src="//img.over-blog-kiwi.com/0/47/88/59/20130301/b.jpg" srcset="{KIWI} 2x, x.jpg 1x">
    <img data-src="/local.jpg"><a href="http://cuisine.over-blog.com/2020/01/a.html">post</a>
    <img src="data:image/png;base64,xx"></body></html>"""
    page = "http://cuisine.over-blog.com/2020/01/a.html"
    assert page_image_urls(html_tree(html), page) == (
        THUMB, FULL_URL, "http://img.over-blog-kiwi.com/0/47/88/59/20130301/b.jpg", KIWI)
