"""Measure the parser against the gold corpus: per-field accuracy and chrome leaks.

The corpus (``tests/fixtures/gold``) holds real-markup pages ``<name>.html`` with the expected
Article beside each (``<name>.expected.json``; ``"article": null`` for pages that are not one
article). Run ``python -m migrator.evaluate [--corpus DIR] [--json] [--floor 0.98]``: it prints
the accuracy of each field and exits with status 1 when a field is below the floor or any chrome
string leaks into a body. ``bench/bench_parse.py`` reuses ``score_corpus`` for other extractors.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bs4 import BeautifulSoup

from .model import Article
from .parse import parse_page

__all__ = ["FIELDS", "GoldPage", "Score", "body_text", "load_corpus", "main", "score_article",
           "score_corpus"]

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "gold"
FIELDS = ("article", "kind", "title", "date", "author", "tags", "body_start", "body_end",
          "images", "comments")
"""``article``: a page gives an Article exactly when one is expected (listings give None)."""

Parser = Callable[[str, str, "datetime | None"], "Article | None"]


@dataclass
class GoldPage:
    name: str
    html: str
    expected: dict

    @property
    def url(self) -> str:
        return self.expected["url"]

    @property
    def is_article(self) -> bool:
        return self.expected.get("article", True) is not None

    @property
    def captured(self) -> datetime | None:
        value = self.expected.get("captured")
        return datetime.fromisoformat(value) if value else None


@dataclass
class Score:
    """Per-field counts over a corpus, plus the failures for the report."""

    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    leaks: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def accuracy(self, name: str) -> float:
        return self.correct[name] / self.total[name] if self.total[name] else 1.0

    def add(self, page: str, name: str, ok: bool, detail: str = "") -> None:
        self.total[name] += 1
        self.correct[name] += int(ok)
        if not ok:
            self.misses.append(f"{page}: {name} {detail}".rstrip())

    def below(self, floor: float) -> list[str]:
        return [name for name in FIELDS if self.accuracy(name) < floor]

    def as_dict(self) -> dict:
        return {"accuracy": {name: round(self.accuracy(name), 4) for name in FIELDS},
                "counts": {name: [self.correct[name], self.total[name]] for name in FIELDS},
                "chrome_leaks": len(self.leaks), "leaks": self.leaks, "misses": self.misses}


def load_corpus(folder: Path = DEFAULT_CORPUS) -> list[GoldPage]:
    pages = []
    for expected_path in sorted(folder.glob("*.expected.json")):
        name = expected_path.name[: -len(".expected.json")]
        html = (folder / f"{name}.html").read_bytes().decode("utf-8", "replace")
        pages.append(GoldPage(name, html, json.loads(expected_path.read_text("utf-8"))))
    return pages


_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _flat(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def body_text(body_html: str) -> str:
    """Visible text of a body, white space (NBSP included) collapsed."""
    return _flat(BeautifulSoup(body_html, "lxml").get_text(" "))


def _comment_shape(comments: list) -> list[tuple]:
    return [(c.author, c.published, len(c.replies)) for c in comments]


def score_article(page: GoldPage, article: Article | None, score: Score) -> None:
    """Add one page's results to score (fields, then chrome strings found in the body)."""
    exp = page.expected
    score.add(page.name, "article", (article is not None) == page.is_article,
              "expected none" if article is not None else "missing")
    if not page.is_article:
        return
    if article is None:
        for name in FIELDS[1:]:
            score.add(page.name, name, False, "no article")
        return
    text = body_text(article.body_html)
    checks = {
        "kind": (article.kind == exp["kind"], article.kind),
        "title": (article.title == exp["title"], repr(article.title)),
        "date": (article.published == exp["published"], article.published),
        "author": (article.author == exp["author"], repr(article.author)),
        "tags": ((article.tags, article.categories) == (exp["tags"], exp["categories"]),
                 f"{article.tags} {article.categories}"),
        "body_start": (text.startswith(_flat(exp["body_start"])), repr(text[:70])),
        "body_end": (text.endswith(_flat(exp["body_end"])), repr(text[-70:])),
        "images": ([i.url for i in article.images] == exp["images"],
                   str([i.url for i in article.images])),
        "comments": (_comment_shape(article.comments) == [
            (c["author"], c["published"], c["replies"]) for c in exp["comments"]],
            str(_comment_shape(article.comments))),
    }
    for name, (ok, got) in checks.items():
        score.add(page.name, name, ok, f"got {got}")
    for chrome in exp.get("without", []):
        if chrome in article.body_html or _flat(chrome) in text:
            score.leaks.append(f"{page.name}: {chrome!r}")


def _our_parser(url: str, html: str, captured: datetime | None) -> Article | None:
    return parse_page(url, html, captured=captured)


def score_corpus(pages: list[GoldPage], parser: Parser = _our_parser) -> Score:
    score = Score()
    for page in pages:
        score_article(page, parser(page.url, page.html, page.captured), score)
    return score


def format_report(score: Score, pages: int, floor: float) -> str:
    lines = [f"gold corpus: {pages} pages", f"{'field':<12} {'correct':>9}  accuracy"]
    for name in FIELDS:
        mark = "" if score.accuracy(name) >= floor else "  < floor"
        lines.append(f"{name:<12} {score.correct[name]:>4}/{score.total[name]:<4} "
                     f"{score.accuracy(name):>8.3f}{mark}")
    lines.append(f"chrome leaks: {len(score.leaks)}")
    lines += [f"  leak {leak}" for leak in score.leaks]
    lines += [f"  miss {miss}" for miss in score.misses]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m migrator.evaluate", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--floor", type=float, default=0.98)
    args = parser.parse_args(argv)
    pages = load_corpus(args.corpus)
    if not pages:
        print(f"no gold pages in {args.corpus}", file=sys.stderr)
        return 2
    score = score_corpus(pages)
    if args.json:
        print(json.dumps({"pages": len(pages), "floor": args.floor, **score.as_dict()},
                         ensure_ascii=False, indent=2))
    else:
        print(format_report(score, len(pages), args.floor))
    return 1 if score.below(args.floor) or score.leaks else 0


if __name__ == "__main__":
    sys.exit(main())
