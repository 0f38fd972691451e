"""Measure the parser on real markup: per-field accuracy and chrome leaks, per theme and family.

Two corpora, both with the expected Article beside each page (never produced by this parser):

- ``tests/fixtures/gold``: pages built on the real Overblog samples, one per template family
  and date/author variant (``<name>.html`` + ``<name>.expected.json``);
- ``tests/fixtures/themes``: Overblog's 2013 theme catalogue rendered by real Twig
  (``gold/<theme>/<name>.expected.json``, whose ``file`` names the page), every theme's
  article (two captures), static page and listings.

Run ``python -m migrator.evaluate [--corpus DIR ...] [--json] [--floor 0.98]
[--readers semantic]``. It prints one row per theme (and per family of the gold corpus), one
column per field plus the chrome leaks, and exits with status 1 when any field of any row is
below the floor or any chrome string leaks into a body. ``--readers semantic`` switches the
family-specific readers off: the semantic reader alone must reach ``--overall-floor`` (0.9);
``--unseen`` renames every theme class and id first (themes nobody has seen).
``bench/bench_parse.py`` reuses ``score_corpus`` for other extractors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from .dates import from_iso
from .discover import find_links
from .model import Article, Comment
from .parse import parse_page
from .urls import Scope

__all__ = ["DEFAULT_CORPORA", "DEFAULT_CORPUS", "FIELDS", "GoldPage", "Score", "body_text",
           "load_corpus", "main", "rename_theme_markup", "score_article", "score_corpus",
           "score_groups"]

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
DEFAULT_CORPUS = FIXTURES / "gold"
THEMES_CORPUS = FIXTURES / "themes"
DEFAULT_CORPORA = (DEFAULT_CORPUS, THEMES_CORPUS)
FIELDS = ("article", "kind", "title", "date", "author", "tags", "body_start", "body_end",
          "images", "comments", "links")
"""``article``: a page gives an Article exactly when one is expected (listings give None);
``date``: the datetime and, where the corpus says it, its precision; ``links``: a listing page
leads the crawl to every post it lists."""
ARTICLE_FIELDS = FIELDS[1:-1]
_HEADERS = {"article": "art", "kind": "kind", "title": "title", "date": "date",
            "author": "author", "tags": "tags", "body_start": "start", "body_end": "end",
            "images": "images", "comments": "comm", "links": "links"}

Parser = Callable[[str, str, "datetime | None"], "Article | None"]


@dataclass
class GoldPage:
    name: str
    html: str
    expected: dict[str, Any]

    @property
    def url(self) -> str:
        url: str = self.expected["url"]
        return url

    @property
    def is_article(self) -> bool:
        return self.expected.get("article", True) is not None

    @property
    def captured(self) -> datetime | None:
        value = self.expected.get("captured")
        return from_iso(value) if value else None

    @property
    def group(self) -> str:
        """The row the page counts in: its theme, else its template family."""
        theme = self.expected.get("theme")
        if theme:
            return f"theme {self.expected.get('theme_id', '?')} [{theme}]"
        return f"family {self.expected.get('family') or 'listing'}"


@dataclass
class Score:
    """Per-field counts over some pages, plus the failures for the report."""

    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    leaks: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    pages: int = 0

    def accuracy(self, name: str) -> float:
        return self.correct[name] / self.total[name] if self.total[name] else 1.0

    def add(self, page: str, name: str, ok: bool, detail: str = "") -> None:
        self.total[name] += 1
        self.correct[name] += int(ok)
        if not ok:
            self.misses.append(f"{page}: {name} {detail}".rstrip())

    def below(self, floor: float) -> list[str]:
        return [name for name in FIELDS if self.accuracy(name) < floor]

    def overall(self) -> float:
        """Mean accuracy of the fields measured on these pages."""
        measured = [self.accuracy(name) for name in FIELDS if self.total[name]]
        return sum(measured) / len(measured) if measured else 1.0

    def merge(self, other: Score) -> None:
        for name in FIELDS:
            self.correct[name] += other.correct[name]
            self.total[name] += other.total[name]
        self.leaks += other.leaks
        self.misses += other.misses
        self.pages += other.pages

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": {name: round(self.accuracy(name), 4) for name in FIELDS},
                "counts": {name: [self.correct[name], self.total[name]] for name in FIELDS},
                "overall": round(self.overall(), 4), "pages": self.pages,
                "chrome_leaks": len(self.leaks), "leaks": self.leaks, "misses": self.misses}


def load_corpus(folder: Path = DEFAULT_CORPUS) -> list[GoldPage]:
    """The pages of a corpus folder: ``<name>.expected.json`` with the page beside it
    (``<name>.html``) or named by its ``file`` key (relative to the corpus folder), in
    sub-folders too (one per theme)."""
    pages = []
    for expected_path in sorted(folder.rglob("*.expected.json")):
        expected = json.loads(expected_path.read_text("utf-8"))
        name = expected_path.name[: -len(".expected.json")]
        page_path = (folder / expected["file"] if "file" in expected
                     else expected_path.with_name(f"{name}.html"))
        if expected_path.parent != folder:
            name = f"{expected_path.parent.name}/{name}"
        html = page_path.read_bytes().decode("utf-8", "replace")
        pages.append(GoldPage(name, html, expected))
    return pages


_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _flat(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def body_text(body_html: str) -> str:
    """Visible text of a body, white space (NBSP included) collapsed."""
    return _flat(BeautifulSoup(body_html, "lxml").get_text(" "))


def _comment_shape(comments: list[Comment]) -> list[tuple[str, str | None, int]]:
    return [(c.author, c.published, len(c.replies)) for c in comments]


def _date_ok(article: Article, expected: dict[str, Any]) -> bool:
    if article.published != expected["published"]:
        return False
    precision = expected.get("date_precision")
    return precision is None or expected["published"] is None or (
        article.date_precision == precision)


def _listing_links(page: GoldPage) -> tuple[bool, str]:
    """Does the crawl learn every listed post from this listing page?"""
    parts = urlsplit(page.url)
    scope = Scope.for_base_url(f"{parts.scheme}://{parts.netloc}")
    found = set(find_links(page.url, page.html, scope).articles)
    missing = [url for url in page.expected["posts"] if scope.canonical(url) not in found]
    return not missing, f"missing {missing}"


def score_article(page: GoldPage, article: Article | None, score: Score) -> None:
    """Add one page's results to score (fields, then chrome strings found in the body)."""
    exp = page.expected
    score.pages += 1
    score.add(page.name, "article", (article is not None) == page.is_article,
              "expected none" if article is not None else "missing")
    if not page.is_article:
        if "posts" in exp:
            score.add(page.name, "links", *_listing_links(page))
        return
    if article is None:
        for name in ARTICLE_FIELDS:
            score.add(page.name, name, False, "no article")
        return
    text = body_text(article.body_html)
    checks = {
        "kind": (article.kind == exp["kind"], article.kind),
        "title": (article.title == exp["title"], repr(article.title)),
        "date": (_date_ok(article, exp), f"{article.published} ({article.date_precision})"),
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


_CLASS_ATTR = re.compile(r"""\b(class|id)\s*=\s*(["'])(.*?)\2""", re.S)


def rename_theme_markup(html: str) -> str:
    """The page as a theme nobody has seen would render it: every class and id renamed
    (deterministically), except the platform's own ``ob-*`` markup (body, comments, chrome),
    which no theme can change."""
    def rename(token: str) -> str:
        if token.startswith("ob-"):
            return token
        return "t" + hashlib.sha1(token.encode()).hexdigest()[:8]

    def attribute(match: re.Match[str]) -> str:
        name, quote, value = match.groups()
        return f"{name}={quote}{' '.join(rename(t) for t in value.split())}{quote}"

    return _CLASS_ATTR.sub(attribute, html)


def _our_parser(url: str, html: str, captured: datetime | None) -> Article | None:
    return parse_page(url, html, captured=captured)


def _semantic_parser(url: str, html: str, captured: datetime | None) -> Article | None:
    return parse_page(url, html, captured=captured, families=("semantic",))


READERS: dict[str, Parser] = {"all": _our_parser, "semantic": _semantic_parser}


def score_corpus(pages: list[GoldPage], parser: Parser = _our_parser) -> Score:
    score = Score()
    for page in pages:
        score_article(page, parser(page.url, page.html, page.captured), score)
    return score


def score_groups(pages: Iterable[GoldPage], parser: Parser = _our_parser) -> dict[str, Score]:
    """One Score per theme (or family), in name order."""
    groups: dict[str, Score] = {}
    for page in pages:
        score_article(page, parser(page.url, page.html, page.captured),
                      groups.setdefault(page.group, Score()))
    return dict(sorted(groups.items(), key=lambda item: _group_order(item[0])))


def _group_order(group: str) -> tuple[int, str]:
    return (0 if group.startswith("family") else 1, group.lower())


def _total(groups: dict[str, Score]) -> Score:
    total = Score()
    for score in groups.values():
        total.merge(score)
    return total


def format_table(groups: dict[str, Score], floor: float | None) -> str:
    width = max([len(name) for name in groups] + [8])
    head = f"{'':<{width}} {'pages':>5} " + " ".join(f"{_HEADERS[n]:>6}" for n in FIELDS)
    lines = [head + f" {'leaks':>5}"]
    for name, score in [*groups.items(), ("overall", _total(groups))]:
        cells = []
        for field_name in FIELDS:
            if not score.total[field_name]:
                cells.append(f"{'-':>6}")
                continue
            value = score.accuracy(field_name)
            mark = "*" if floor is not None and value < floor else " "
            cells.append(f"{value:>5.3f}{mark}")
        lines.append(f"{name:<{width}} {score.pages:>5} " + " ".join(cells)
                     + f" {len(score.leaks):>5}")
    if floor is not None:
        lines.append(f"(* below the floor of {floor})")
    return "\n".join(lines)


def format_report(groups: dict[str, Score], floor: float | None, readers: str) -> str:
    """The table, the overall accuracy, then every leak and miss."""
    total = _total(groups)
    lines = [f"readers: {readers}; {total.pages} pages in {len(groups)} groups "
             "(one row per theme and per family)",
             format_table(groups, floor),
             f"overall accuracy (mean of the fields): {total.overall():.3f}",
             f"chrome leaks: {len(total.leaks)}"]
    lines += [f"  leak {leak}" for leak in total.leaks]
    lines += [f"  miss {miss}" for miss in total.misses]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m migrator.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append",
                        help="corpus folder (repeatable; default: the gold and theme corpora)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--floor", type=float, default=None,
                        help="lowest accuracy allowed for any field of any row "
                             "(default 0.98; none with --readers semantic)")
    parser.add_argument("--readers", choices=sorted(READERS), default="all",
                        help="'semantic': the family-specific readers switched off")
    parser.add_argument("--overall-floor", type=float, default=None,
                        help="lowest overall accuracy (default 0.9 with --readers semantic)")
    parser.add_argument("--unseen", action="store_true",
                        help="rename every theme class and id first (only the platform's ob-* "
                             "markup stays): themes nobody has seen")
    args = parser.parse_args(argv)
    semantic = args.readers == "semantic"
    floor = args.floor if args.floor is not None else (None if semantic else 0.98)
    overall_floor = args.overall_floor if args.overall_floor is not None else (
        0.9 if semantic else None)
    pages = [page for folder in (args.corpus or DEFAULT_CORPORA) for page in load_corpus(folder)]
    if not pages:
        print(f"no pages in {args.corpus or DEFAULT_CORPORA}", file=sys.stderr)
        return 2
    if args.unseen:
        for page in pages:
            page.html = rename_theme_markup(page.html)
    groups = score_groups(pages, READERS[args.readers])
    total = _total(groups)
    if args.json:
        print(json.dumps({"readers": args.readers, "pages": total.pages, "floor": floor,
                          "overall_floor": overall_floor, **total.as_dict(),
                          "groups": {name: score.as_dict() for name, score in groups.items()}},
                         ensure_ascii=False, indent=2))
    else:
        print(format_report(groups, floor, args.readers + (", unseen markup" if args.unseen
                                                            else "")))
    failed = total.leaks and not semantic
    if floor is not None:
        failed = failed or any(score.below(floor) for score in groups.values())
    if overall_floor is not None:
        failed = failed or total.overall() < overall_floor
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
