"""blog.json: exactly the DESIGN.md contract, streamed, and valid against the shipped schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_export_samples import hostile_articles, make_article, make_blog

from migrator.export.json_export import SCHEMA_PATH, JsonExporter, load_schema
from migrator.links import SitePlan
from migrator.model import Article
from migrator.settings import ExportSettings


def export(tmp_path: Path, articles: list[Article]) -> str:
    exporter = JsonExporter(tmp_path, ExportSettings(), SitePlan.build(articles))
    exporter.start(make_blog())
    for article in articles:
        exporter.write(article)
    exporter.finish()
    return (tmp_path / "blog.json").read_text(encoding="utf-8")


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema())


@pytest.mark.parametrize("count", [0, 1, 3])
def test_bytes_equal_one_shot_dump(tmp_path: Path, count: int) -> None:
    articles = [make_article(i) for i in range(count)]
    records = []
    for article in articles:  # the new slug (here the same), Overblog's kept right after it
        items = list(article.to_dict().items())
        position = [key for key, _ in items].index("slug")
        items[position + 1:position + 1] = [("overblog_slug", article.slug)]
        records.append(dict(items))
    whole = {"blog": make_blog().to_dict(), "articles": records}
    assert export(tmp_path, articles) == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"


def test_slug_is_the_new_one_and_overblog_slug_kept(tmp_path: Path) -> None:
    from migrator.links import SitePlan

    articles = [make_article(i, slug="!!!") for i in range(3)]
    exporter = JsonExporter(tmp_path, ExportSettings(), SitePlan.build(articles))
    exporter.start(make_blog())
    for article in articles:
        exporter.write(article)
    exporter.finish()
    written = json.loads((tmp_path / "blog.json").read_text(encoding="utf-8"))["articles"]
    assert [a["overblog_slug"] for a in written] == ["!!!"] * 3
    assert [a["slug"] for a in written] == [exporter.plan.placement(a.url).slug
                                            for a in articles]
    assert len({a["slug"] for a in written}) == 3


def test_utf8_not_escaped(tmp_path: Path) -> None:
    text = export(tmp_path, [make_article(1, title="Noël 🎉")])
    assert '"title": "Noël 🎉"' in text


def test_lone_surrogate_is_escaped_not_fatal(tmp_path: Path) -> None:
    text = export(tmp_path, [make_article(1, title="bad \udc80 byte")])
    assert json.loads(text)["articles"][0]["title"] == "bad \udc80 byte"


def test_schema_is_draft_2020_12_and_valid() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert SCHEMA_PATH.name == "blog.schema.json"


def test_exports_validate(tmp_path: Path) -> None:
    articles = [
        make_article(1),
        make_article(
            2,
            published=None,
            published_source=None,
            updated=None,
            author=None,
            excerpt=None,
            kind="page",
            comments=[],
            comments_status="unavailable",
        ),
        make_article(3, published="2020-06-23T00:00:00Z", published_source="listing"),
        *hostile_articles(),
    ]
    data = json.loads(export(tmp_path, articles))
    errors = list(validator().iter_errors(data))
    assert errors == []


def valid_document() -> dict[str, Any]:
    return {"blog": make_blog().to_dict(), "articles": [make_article(1).to_dict()]}


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda d: d.pop("articles"), "articles required"),
        (lambda d: d["blog"].pop("url"), "blog.url required"),
        (lambda d: d["articles"][0].update(kind="article"), "kind enum"),
        (lambda d: d["articles"][0].update(published="2018-12-31 10:30"), "published pattern"),
        (lambda d: d["articles"][0].update(published="2018-12-31T10:30:00"), "offset required"),
        (lambda d: d["articles"][0].update(published_source="guess"), "source enum"),
        (lambda d: d["articles"][0].update(comments_status="some"), "comments_status enum"),
        (lambda d: d["articles"][0].update(tags="a,b"), "tags is a list"),
        (lambda d: d["articles"][0]["images"][0].pop("url"), "image url required"),
        (
            lambda d: d["articles"][0]["comments"][0]["replies"][0]["replies"][0].pop("body_html"),
            "nested reply validated recursively",
        ),
        (lambda d: d["articles"][0].pop("body_html"), "body_html required"),
    ],
)
def test_schema_rejects(mutate: Any, why: str) -> None:
    document = valid_document()
    mutate(document)
    assert not validator().is_valid(document), why


def test_schema_accepts_extra_fields_and_nulls() -> None:
    document = copy.deepcopy(valid_document())
    document["generator"] = "x"
    document["articles"][0].update(reading_time=3, published=None, published_source=None)
    document["blog"]["theme"] = None
    assert validator().is_valid(document)
