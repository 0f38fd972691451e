"""Benchmark: our parser versus trafilatura on the gold and theme corpora (run by hand, not a test).

    pip install -e '.[bench]'          # trafilatura (bench-only extra)
    python bench/bench_parse.py [--corpus DIR] [--repeats 5]

Both tools read the same pages in one run. Accuracy uses the scorer of ``migrator.evaluate``
(same fields, same expected values); speed is pages per second, best of N repeats.
trafilatura is given every advantage we can: ``bare_extraction(with_metadata=True,
include_comments=True, include_images=True)``, its image URLs normalised by our
``original_image_url``, its day-only dates read as midnight Paris time, and a bench-only
``date_day`` field that compares calendar days only.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

from migrator.evaluate import DEFAULT_CORPORA, FIELDS, GoldPage, Score, load_corpus, score_corpus
from migrator.media import original_image_url
from migrator.model import Article, Image
from migrator.parse import parse_page

PARIS = ZoneInfo("Europe/Paris")
Parser = Callable[[str, str, "datetime | None"], "Article | None"]


def ours(url: str, html: str, captured: datetime | None) -> Article | None:
    return parse_page(url, html, captured=captured)


def trafilatura_parser(url: str, html: str, captured: datetime | None) -> Article | None:
    """trafilatura's extraction mapped onto our Article (what a user of it would get)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=True,
                                      include_images=True)
    if doc is None:
        return None
    body = doc.body if doc.body is not None else None
    body_html = etree.tostring(body, encoding="unicode", method="html") if body is not None else ""
    images = []
    if body is not None:
        for graphic in body.iter("graphic"):
            src = graphic.get("src")
            if src and src not in [i.url for i in images]:
                images.append(Image(url=original_image_url(src)))
    published = None
    if doc.date:
        day = datetime.fromisoformat(doc.date[:10])
        published = day.replace(tzinfo=PARIS).isoformat()
    return Article(url=doc.url or url, title=doc.title or "", body_html=body_html,
                   published=published, author=doc.author or None, tags=list(doc.tags or []),
                   categories=list(doc.categories or []), images=images)


def day_accuracy(pages: list[GoldPage], parser: Parser) -> float:
    """Share of article pages whose published calendar day (or absence) is right."""
    good = total = 0
    for page in pages:
        if not page.is_article:
            continue
        total += 1
        article = parser(page.url, page.html, page.captured)
        got = article.published[:10] if article and article.published else None
        want = page.expected["published"][:10] if page.expected["published"] else None
        good += int(got == want)
    return good / total if total else 1.0


def pages_per_second(pages: list[GoldPage], tools: dict[str, Parser],
                     repeats: int) -> dict[str, float]:
    """Best of ``repeats`` timed passes per tool; passes alternate between the tools so that
    a busy machine slows both alike."""
    best = dict.fromkeys(tools, float("inf"))
    for _ in range(repeats):
        for name, parser in tools.items():
            start = time.perf_counter()
            for page in pages:
                parser(page.url, page.html, page.captured)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: len(pages) / seconds for name, seconds in best.items()}


def report(pages: list[GoldPage], repeats: int) -> str:
    tools: dict[str, Parser] = {"ours": ours, "trafilatura": trafilatura_parser}
    scores: dict[str, Score] = {name: score_corpus(pages, parser) for name, parser in tools.items()}
    days = {name: day_accuracy(pages, parser) for name, parser in tools.items()}
    speed = pages_per_second(pages, tools, repeats)
    lines = [f"corpus: {len(pages)} pages, speed = best of {repeats} repeats",
             f"{'field':<12} {'ours':>8} {'trafilatura':>12}"]
    for name in FIELDS:
        lines.append(f"{name:<12} {scores['ours'].accuracy(name):>8.3f} "
                     f"{scores['trafilatura'].accuracy(name):>12.3f}")
    lines.append(f"{'date_day':<12} {days['ours']:>8.3f} {days['trafilatura']:>12.3f}")
    lines.append(f"{'chrome leaks':<12} {len(scores['ours'].leaks):>8} "
                 f"{len(scores['trafilatura'].leaks):>12}")
    lines.append(f"{'pages/s':<12} {speed['ours']:>8.1f} {speed['trafilatura']:>12.1f}")
    lines.append(f"speed ratio (ours / trafilatura): {speed['ours'] / speed['trafilatura']:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append",
                        help="corpus folder (repeatable; default: the gold and theme corpora)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    try:
        import trafilatura  # noqa: F401
    except ImportError as exc:
        print(f"trafilatura is not installed (pip install -e '.[bench]'): {exc}", file=sys.stderr)
        return 2
    pages = [page for folder in (args.corpus or DEFAULT_CORPORA) for page in load_corpus(folder)]
    print(report(pages, args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
