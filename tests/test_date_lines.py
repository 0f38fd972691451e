"""Dates whose time sits beside the date element (STRUCTURE.md §2 row 11, the 2018 header)."""

from __future__ import annotations

import pytest

from migrator.parse import parse_page

URL = "http://camille-voyage.over-blog.com/2014/04/londres.html"
PAGE = """<!DOCTYPE html><html lang="fr"><head><title>Londres - Camille en voyage</title>
<!-- Basic theme id 97 [Stamp] - last modified : 2018-03-01T10:00:00+01:00 -->
<meta property="og:type" content="article" /></head><body class="Body">
<div class="Content Content--page"><div class="Content-main"><div class="Post Post--OB">
<div class="Post-header PostHeader"><div class="PostHeader-content"><h2>Londres</h2>
{meta}</div></div>
<div class="Post-body"><div class="ob-sections"><div class="ob-section ob-section-text">
<div class="ob-text"><p>Big Ben sous la pluie.</p></div></div></div></div>
</div></div></div></body></html>"""


@pytest.mark.parametrize("meta", [
    '<p class="PostHeader-meta">Publié par Camille sur 29 Avril 2014, 09:34am</p>',
    '<p class="PostHeader-meta">Publié par <span class="PostHeader-author">Camille</span> sur '
    '<span class="PostHeader-date">29 Avril 2014</span>, 09:34am</p>',
    '<p class="PostHeader-meta">Publié par Camille sur\n  <span class="PostHeader-date">29 Avril '
    '2014</span>,\n  09:34am</p>',
])
def test_published_by_on_date_with_am_pm_time_keeps_the_time(meta: str) -> None:
    article = parse_page(URL, PAGE.format(meta=meta))
    assert article is not None
    assert article.published == "2014-04-29T09:34:00+02:00"
    assert article.date_precision == "second"
    assert article.author == "Camille"


def test_a_date_element_alone_gives_the_day() -> None:
    meta = '<p class="PostHeader-date">29 Avril 2014</p>'
    article = parse_page(URL, PAGE.format(meta=meta))
    assert article.published == "2014-04-29T00:00:00+02:00"
    assert article.date_precision == "day"
