"""Visible Overblog date strings -> aware datetimes (Europe/Paris when no zone is given)."""

from __future__ import annotations

import pytest

from migrator.dates import date_from_url
from migrator.parse.dates import parse_date_text, parse_french_date, parse_iso_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Publié le 23 Juin 2020", "2020-06-23T00:00:00+02:00"),
        ("31 Décembre 2018", "2018-12-31T00:00:00+01:00"),
        ("27 Octobre 2021", "2021-10-27T00:00:00+02:00"),
        ("1er août 2019", "2019-08-01T00:00:00+02:00"),
        ("3 octobre 2012 3 03 /10 /octobre /2012 12:08", "2012-10-03T12:08:00+02:00"),
        ("3 février 2012\n5\n03\n/02\n/février\n/2012\n00:01", "2012-02-03T00:01:00+01:00"),
        ("18 août 2018 6 18 /08 /août /2018 21:27", "2018-08-18T21:27:00+02:00"),
        ("27 Avril 2014, 16:20pm", "2014-04-27T16:20:00+02:00"),
        ("Publié par Sakura sur 27 Avril 2014, 16:20pm", "2014-04-27T16:20:00+02:00"),
        ("30 Novembre 2009, 20:59pm", "2009-11-30T20:59:00+01:00"),
        ("Apr 27 2014, 16:20pm", "2014-04-27T16:20:00+02:00"),
        ("06/12/2017", "2017-12-06T00:00:00+01:00"),
        ("Publié le 9 Mars 2013 par Thaddée's dans Journal d'un écrivain",
         "2013-03-09T00:00:00+01:00"),
        ("Samedi 29 mars 2008", "2008-03-29T00:00:00+01:00"),
        ("2 févr. 2019", "2019-02-02T00:00:00+01:00"),
        ("15 déc. 2015", "2015-12-15T00:00:00+01:00"),
        ("22 avril 2018 ( #Poètes d'hier )", "2018-04-22T00:00:00+02:00"),
        ("Published on 5 March 2015", "2015-03-05T00:00:00+01:00"),
        ("12 de mayo de 2016", "2016-05-12T00:00:00+02:00"),
        ("7. Juli 2017", "2017-07-07T00:00:00+02:00"),
        ("7 März 2017", "2017-03-07T00:00:00+01:00"),
        ("4 settembre 2016", "2016-09-04T00:00:00+02:00"),
        ("20 DÉCEMBRE 2007", "2007-12-20T00:00:00+01:00"),
        ("samedi, 9 mars 2013", "2013-03-09T00:00:00+01:00"),
        ("December 31, 2018", "2018-12-31T00:00:00+01:00"),
        ("Published on 31 December 2018", "2018-12-31T00:00:00+01:00"),
        ("Posted on Sep 3rd, 2017 at 10:15", "2017-09-03T10:15:00+02:00"),
        ("Publicado el 5 de marzo de 2015", "2015-03-05T00:00:00+01:00"),
        ("5 de Enero de 2014", "2014-01-05T00:00:00+01:00"),
        ("Veröffentlicht am 12. Mai 2016", "2016-05-12T00:00:00+02:00"),
        ("3. Dezember 2013, 18:30", "2013-12-03T18:30:00+01:00"),
        ("Pubblicato il 3 Settembre 2017", "2017-09-03T00:00:00+02:00"),
        ("21 dicembre 2012", "2012-12-21T00:00:00+01:00"),
        ("1er Août 2019 à 14h05", "2019-08-01T14:05:00+02:00"),
    ],
)
def test_visible_dates(text: str, expected: str) -> None:
    assert parse_french_date(text).isoformat() == expected


@pytest.mark.parametrize("text", ["Publié le par Ding", "Publié le par kara-cuisine.over-blog.com",
                                  "", "Lire la suite", "31 Févrrier"])
def test_no_date_is_none_never_now(text: str) -> None:
    assert parse_french_date(text) is None


def test_has_time_flag() -> None:
    assert parse_date_text("27 Octobre 2021")[1] is False
    assert parse_date_text("27 Avril 2014, 16:20pm")[1] is True


def test_iso_keeps_offset_and_assumes_paris() -> None:
    assert parse_iso_date("2021-10-27T07:18:18+02:00").isoformat() == "2021-10-27T07:18:18+02:00"
    assert parse_iso_date("2021-10-27T05:18:18Z").isoformat() == "2021-10-27T05:18:18+00:00"
    assert parse_iso_date("2019-01-05T10:00:00").isoformat() == "2019-01-05T10:00:00+01:00"
    assert parse_iso_date("") is None


def test_date_from_url() -> None:
    found = date_from_url("https://briceletbaklava.ch/2021/08/burli-de-saint-gall-st.galler-burli.html")
    assert found.isoformat() == "2021-08-01T00:00:00+02:00"
    assert date_from_url("http://x.over-blog.com/article-123.html") is None
