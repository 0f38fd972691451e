"""The gold-corpus evaluation: it passes on our parser, and it catches a wrong Article."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from migrator.evaluate import FIELDS, Score, load_corpus, main, score_article, score_corpus
from migrator.parse import parse_page

GOLD = Path(__file__).parent / "fixtures" / "gold"


def test_evaluation_command_meets_the_floor_with_no_chrome_leak() -> None:
    run = subprocess.run([sys.executable, "-m", "migrator.evaluate", "--json"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(run.stdout)
    assert figures["pages"] >= 25
    assert set(figures["accuracy"]) == set(FIELDS)
    for name, accuracy in figures["accuracy"].items():
        assert accuracy >= 0.98, (name, figures["misses"])
    assert figures["chrome_leaks"] == 0, figures["leaks"]


def test_text_report_names_every_field() -> None:
    run = subprocess.run([sys.executable, "-m", "migrator.evaluate"], capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0
    for name in FIELDS:
        assert f"\n{name} " in run.stdout
    assert "chrome leaks: 0" in run.stdout


def _page(name: str):
    return next(p for p in load_corpus(GOLD) if p.name == name)


def test_scorer_catches_a_wrong_article() -> None:
    page = _page("post_2018_header_comments")
    article = parse_page(page.url, page.html)
    good = Score()
    score_article(page, article, good)
    assert good.misses == [] and good.leaks == []

    article.title = "Sortie au Grand Ballon"  # typography lost
    article.published = "2018-03-11T00:00:00+00:00"  # wrong offset
    article.author = "ltd-rando68.over-blog.com"  # host name is no author
    article.comments[0].replies.pop()
    article.body_html += "<p>Partager cet article</p><p>Repost 0</p>"
    bad = Score()
    score_article(page, article, bad)
    wrong = {miss.split(": ", 1)[1].split()[0] for miss in bad.misses}
    assert wrong == {"title", "date", "author", "comments", "body_end"}
    assert bad.leaks == ["post_2018_header_comments: 'Partager cet article'",
                         "post_2018_header_comments: 'Repost'"]
    for name in ("title", "date", "author", "comments", "body_end"):
        assert bad.accuracy(name) == 0.0


def test_scorer_counts_an_article_found_on_a_listing_as_wrong() -> None:
    listing = _page("listing_twentyeleven_home")
    article_page = _page("kiwi_twentyeleven_redige")
    score = score_corpus([listing, article_page],
                         parser=lambda url, html, captured: parse_page(
                             article_page.url, article_page.html))
    assert score.correct["article"] == 1 and score.total["article"] == 2
    assert score.below(0.98) == ["article"]


def test_command_fails_when_a_field_drops(tmp_path: Path) -> None:
    for name in ("kiwi_numeric_date", "v1_static_page"):
        shutil.copy(GOLD / f"{name}.html", tmp_path)
        shutil.copy(GOLD / f"{name}.expected.json", tmp_path)
    expected = tmp_path / "kiwi_numeric_date.expected.json"
    data = json.loads(expected.read_text("utf-8"))
    data["published"] = "2017-06-12T00:00:00+02:00"  # month/day swapped: must be caught
    expected.write_text(json.dumps(data), "utf-8")
    assert main(["--corpus", str(tmp_path)]) == 1
    assert main(["--corpus", str(tmp_path), "--floor", "0.5"]) == 0


def test_empty_corpus_is_an_error(tmp_path: Path) -> None:
    assert main(["--corpus", str(tmp_path)]) == 2
