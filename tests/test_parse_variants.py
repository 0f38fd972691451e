"""Variants one at a time: author lines, relative comment dates, ob-section rewriting, layout
tables, double escapes, family logging, listing-page dates (pages in tests/fixtures/gold)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from migrator.parse import apply_listing_date, capture_date, listing_dates, parse_page
from migrator.parse.comments import relative_date
from migrator.parse.common import clean_author
from migrator.parse.sections import is_layout_table

GOLD = Path(__file__).parent / "fixtures" / "gold"


def gold(name: str) -> str:
    return (GOLD / f"{name}.html").read_text("utf-8")


def gold_url(name: str) -> str:
    return re.search(r'"url": "([^"]+)"', (GOLD / f"{name}.expected.json").read_text()).group(1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Written by Kate and published from Overblog", "Kate"),
        ("Posted by Emi on Apr 27 2014, 16:20pm", "Emi"),
        ("Escrito por Luis y publicado desde Overblog", "Luis"),
        ("Publicado por Luis el 5 de marzo de 2015", "Luis"),
        ("Geschrieben von Klaus und veröffentlicht von Overblog", "Klaus"),
        ("Veröffentlicht am 12. Mai 2016 von Klaus", "Klaus"),
        ("Scritto da Giulia e pubblicato da Overblog", "Giulia"),
        ("Pubblicato il 3 settembre 2017 da Giulia", "Giulia"),
        ("26 Septembre 2021 , Rédigé par GUEDON Jean - Jacques Publié dans #SPE 1ere",
         "GUEDON Jean - Jacques"),
        ("Publié le 31 Décembre 2018 par TerritoiresEnPaysage", "TerritoiresEnPaysage"),
        ("Leonardo da Vinci", "Leonardo da Vinci"),
        ("Rédigé par ltd-rando68.over-blog.com et publié depuis Overblog", None),
    ],
)
def test_author_forms_in_every_language(raw: str, expected: str | None) -> None:
    assert clean_author(raw, "http://ltd-rando68.over-blog.com/2018/03/x.html") == expected


def test_relative_comment_dates_need_the_capture_date() -> None:
    captured = datetime(2012, 10, 15, 14, 5, 12, tzinfo=timezone.utc)
    assert relative_date("hier à 18h05", captured).isoformat() == "2012-10-14T18:05:00+02:00"
    assert relative_date("aujourd'hui à 10h20", captured).isoformat() == (
        "2012-10-15T10:20:00+02:00")
    assert relative_date("il y a 3 jours à 09h15", captured).isoformat() == (
        "2012-10-12T09:15:00+02:00")
    assert relative_date("hier à 18h05", None) is None  # never "now"


def test_wayback_capture_date_resolves_v1_relative_comments() -> None:
    html = gold("v1_relative_comment_dates")
    assert capture_date(html) == datetime(2012, 10, 15, 14, 5, 12, tzinfo=timezone.utc)
    article = parse_page(gold_url("v1_relative_comment_dates"), html)
    lucie, marc = article.comments
    assert (lucie.author, lucie.published) == ("Lucie", "2012-10-12T18:05:00+02:00")
    assert [(r.author, r.published) for r in marc.replies] == [
        ("Hugues", "2012-10-15T10:20:00+02:00")]

    no_capture = re.sub(r"<!--\s*FILE ARCHIVED ON.*?-->", "", html, flags=re.S)
    assert capture_date(no_capture) is None
    undated = parse_page(gold_url("v1_relative_comment_dates"), no_capture)
    assert [c.published for c in undated.comments] == [None, None]
    given = parse_page(gold_url("v1_relative_comment_dates"), no_capture,
                       captured=datetime(2013, 1, 2, 9, 0, tzinfo=timezone.utc))
    assert given.comments[1].published == "2013-01-01T09:30:00+01:00"


def test_every_ob_section_type_becomes_plain_html() -> None:
    body = parse_page(gold_url("post_all_sections"), gold("post_all_sections")).body_html
    soup = BeautifulSoup(body, "lxml")
    row = soup.find_all("figure")[0]  # two-column row: one figure, one caption
    assert len(row.find_all("img")) == 2
    assert row.figcaption.get_text() == "La Petite Venise et le Koïfhus"
    assert soup.find("iframe", src="https://www.youtube.com/embed/Xc0lMa1r") is not None
    assert soup.find("object").find("embed") is not None  # legacy Flash video kept
    link = soup.find("a", href="https://www.tourisme-colmar.com/fr/visiter")
    assert link.get_text() == "Visiter Colmar"
    assert "<p>Office de tourisme de Colmar et de sa région.</p>" in body
    quote = soup.find("blockquote", class_=None)
    assert quote.p.get_text() == "Colmar est la plus alsacienne des villes d'Alsace."
    assert quote.footer.get_text() == "— Jean Egen, Les Tilleuls de Lautenbach"
    assert quote.footer.cite.a["href"] == "https://fr.wikipedia.org/wiki/Colmar"
    pdf = soup.find("a", href=re.compile(r"\.pdf$"))
    assert pdf.get_text() == "Programme de la visite (PDF)"
    assert soup.find("iframe", class_="ob-map") is not None
    assert "<p>Colmar, Haut-Rhin</p>" in body
    audio = soup.find("audio")
    assert audio["src"].endswith("ob_77aa10_chant-du-merle.mp3") and audio.has_attr("controls")
    assert soup.find("blockquote", class_="twitter-tweet") is not None
    for gone in ("<svg", "ob-section", "obsoundplayer", "ob-link-img", "font-family", "<script"):
        assert gone not in body
    assert '<p style="color:#c00000">' in body  # only font styles are dropped


def test_v1_layout_tables_unwrapped_data_table_kept() -> None:
    body = parse_page(gold_url("v1_layout_tables"), gold("v1_layout_tables")).body_html
    assert body.count("<table") == 1 and "<th>Heure</th>" in body
    assert "<font" not in body and "<h2" not in body and "&nbsp;" not in body
    assert body.index("<iframe") < body.index("plateau.jpg") < body.index("<table")
    layout = BeautifulSoup("<table><tr><td><p>a</p></td><td><img src='x.jpg'></td></tr></table>",
                           "lxml").table
    data = BeautifulSoup("<table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr>"
                         "</table>", "lxml").table
    assert is_layout_table(layout) and not is_layout_table(data)


def test_double_escaped_entities_and_typography() -> None:
    article = parse_page(gold_url("post_double_escaped"), gold("post_double_escaped"))
    assert article.title == "Bricelets & baklava\xa0: la rencontre"
    assert article.body_html.startswith("<p>Bricelets &amp; baklava\xa0: deux douceurs")
    assert "\u202f!" in article.body_html and "<p>\xa0</p>" not in article.body_html
    assert article.tags == ["Desserts du monde"]


def test_family_and_theme_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="migrator.parse"):
        parse_page(gold_url("generic_unknown_theme_jeans"), gold("generic_unknown_theme_jeans"))
    assert "theme id 45 [Jeans] -> family semantic" in caplog.text


def test_unknown_theme_read_from_sure_markup_guesses_nothing() -> None:
    article = parse_page(gold_url("generic_unknown_theme_jeans"),
                         gold("generic_unknown_theme_jeans"))
    assert (article.family, article.theme) == ("semantic", "Jeans")
    assert article.published_source == "time" and "published" not in article.guessed
    # Title heading repeating the page title, platform body: nothing guessed.
    assert article.guessed == []


def test_pages_versus_posts() -> None:
    names = ("post_static_page", "v1_static_page", "post_english", "v1_spans_newlines")
    kinds = {name: parse_page(gold_url(name), gold(name)).kind for name in names}
    assert kinds == {"post_static_page": "page", "v1_static_page": "page",
                     "post_english": "post", "v1_spans_newlines": "post"}


def test_listing_dates_fill_a_page_without_date() -> None:
    home = (GOLD / "listing_twentyeleven_home.html").read_bytes()  # copy of the real sample
    dates = listing_dates("http://uneclefdeschamps.overblog.com/", home.decode("utf-8", "replace"))
    key = "uneclefdeschamps.overblog.com/2020/06/les-mots-du-mal.html"
    assert dates[key] == ("2020-06-23T00:00:00+02:00", False)

    html = gold("kiwi_author_is_host_no_date")
    article = parse_page("http://uneclefdeschamps.overblog.com/2020/06/les-mots-du-mal.html",
                         html.replace("kara-cuisine.over-blog.com/article-tarte-aux-pommes-56051234"
                                      ".html", "uneclefdeschamps.overblog.com/2020/06/"
                                      "les-mots-du-mal.html"))
    assert article.published_source == "url"
    assert apply_listing_date(article, dates)
    assert (article.published, article.published_source, article.date_precision) == (
        "2020-06-23T00:00:00+02:00", "listing", "day")
    assert "date from URL (month precision)" not in article.warnings
    assert not apply_listing_date(article, dates)  # already dated from better than the URL


def test_comments_with_replies_in_both_kiwi_markups() -> None:
    old = parse_page(gold_url("kiwi_2013_comments_list"), gold("kiwi_2013_comments_list"))
    paul = old.comments[0]
    assert (paul.author, paul.url, paul.body_html) == (
        "Paul", "http://paul.over-blog.com", "Joli billet, le merle chante aussi chez moi.")
    assert [(r.author, r.published, r.body_html) for r in paul.replies] == [
        ("Hélène Martin", "2014-03-12T18:30:00+01:00", "Merci Paul !")]
    assert old.comments_status == "complete"
    new = parse_page(gold_url("post_2018_header_comments"), gold("post_2018_header_comments"))
    assert [r.author for r in new.comments[0].replies] == ["Les randos du 68", "Bruno"]
    assert new.comments[1].replies == [] and new.comment_count() == 4


def test_comment_block_after_the_article_is_still_read() -> None:
    html = gold("kiwi_2013_comments_list")
    start = html.index('<div class="ob-commentsList">')
    end = html.index("</div>\n</div>\n", start) + len("</div>\n</div>\n")
    moved = html[:start] + html[end:]
    moved = moved.replace("</article>", "</article>" + html[start:end], 1)
    article = parse_page(gold_url("kiwi_2013_comments_list"), moved)
    assert [(c.author, len(c.replies)) for c in article.comments] == [("Paul", 1), ("Anne", 0)]
