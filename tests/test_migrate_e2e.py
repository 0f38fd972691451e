"""End to end: the real `migrator` command crawls each fixture blog through the proxy.

One run per blog (all three formats), then every output is checked against the expected
articles written by tests/fixtures/generate.py (never by the parser).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from lxml import etree

from migrator.export.json_export import load_schema

BLOGS = ["cuisine-de-mamie.over-blog.com", "www.jardin-des-mots.fr", "vieux-grimoire.over-blog.fr"]
MIGRATOR = str(Path(sys.executable).with_name("migrator"))


def run_migrator(args: list[str], proxy_url: str, **kwargs: Any) -> subprocess.CompletedProcess:
    env = {**os.environ, "HTTP_PROXY": proxy_url, "http_proxy": proxy_url}
    for name in ("NO_PROXY", "no_proxy"):
        env.pop(name, None)
    return subprocess.run(
        [MIGRATOR, *args], env=env, capture_output=True, text=True, timeout=300, **kwargs
    )


def expected_for(fixtures_dir: Path, host: str) -> dict[str, Any]:
    return json.loads((fixtures_dir / "expected" / f"{host}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=BLOGS)
def migrated(request, fixture_server, fixtures_dir, tmp_path_factory):
    host = request.param
    out = tmp_path_factory.mktemp(host.replace(".", "-"))
    fixture_server.reset_counts()
    result = run_migrator(
        ["migrate", f"http://{host}", "--to", "json", "--to", "wxr", "--to", "markdown",
         "--out", str(out), "--delay", "0", "--no-images"],
        fixture_server.proxy_url,
    )
    assert result.returncode == 0, result.stderr
    blog = json.loads((out / "blog.json").read_text(encoding="utf-8"))
    return {"host": host, "out": out, "blog": blog, "stderr": result.stderr,
            "expected": expected_for(fixtures_dir, host)}


def by_url(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["url"]: a for a in articles}


def test_every_article_is_found(migrated):
    expected = migrated["expected"]["articles"]
    got = by_url(migrated["blog"]["articles"])
    assert len(migrated["blog"]["articles"]) == len(expected)
    assert sorted(got) == sorted(a["url"] for a in expected)


def test_title_date_author_tags_match(migrated):
    got = by_url(migrated["blog"]["articles"])
    for want in migrated["expected"]["articles"]:
        article = got[want["url"]]
        assert article["title"] == want["title"], want["url"]
        assert article["published"] == want["published"], want["url"]
        assert article["author"] == want["author"], want["url"]
        assert article["tags"] + article["categories"] == want["tags"], want["url"]
        assert article["kind"] == want["kind"], want["url"]


def test_no_chrome_in_any_body(migrated):
    chrome = migrated["expected"]["chrome_strings"]
    assert chrome, "the fixture must list chrome strings"
    for article in migrated["blog"]["articles"]:
        for text in chrome:
            assert text not in article["body_html"], (article["url"], text)


def test_aliases_point_to_one_article(migrated):
    got = by_url(migrated["blog"]["articles"])
    for want in migrated["expected"]["articles"]:
        assert set(want["aliases"]) <= set(got[want["url"]]["aliases"]), want["url"]


def test_blog_json_validates_against_the_shipped_schema(migrated):
    jsonschema.validate(migrated["blog"], load_schema())
    assert migrated["blog"]["blog"]["platform"] == "overblog"


def test_wxr_parses_strictly_with_every_item(migrated):
    tree = etree.parse(str(migrated["out"] / "wordpress.xml"))  # strict: no recover
    ns = {"wp": "http://wordpress.org/export/1.2/"}
    types = tree.xpath("//item/wp:post_type/text()", namespaces=ns)
    expected = migrated["expected"]["articles"]
    assert types.count("post") == sum(a["kind"] == "post" for a in expected)
    assert types.count("page") == sum(a["kind"] == "page" for a in expected)


def test_markdown_front_matter_reads_back_like_the_json(migrated):
    root = migrated["out"] / "markdown"
    files = sorted(root.rglob("*.md"))
    articles = by_url(migrated["blog"]["articles"])
    assert len(files) == len(articles)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n"), path
        front = yaml.safe_load(text.split("---\n", 2)[1])
        article = articles[front["original_url"]]
        assert front["title"] == article["title"], path
        assert front.get("date") == article["published"], path


def test_report_says_everything_migrated(migrated):
    report = json.loads((migrated["out"] / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is True
    assert report["failures"] == []
    assert report["articles"] == len(migrated["expected"]["articles"])


# -- bad input: one clear line, non-zero exit, no traceback ----------------------------------


def assert_one_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], errors[0]


def test_source_that_is_not_a_url(fixture_server, tmp_path):
    result = run_migrator(["migrate", "not a url", "--to", "json", "--out", str(tmp_path)],
                          fixture_server.proxy_url)
    assert result.returncode == 2
    assert_one_clear_error(result, "neither an http(s) URL nor a folder")


def test_dead_host(fixture_server, tmp_path):
    result = run_migrator(
        ["migrate", "http://no-such-blog.over-blog.com", "--to", "json", "--out", str(tmp_path),
         "--delay", "0", "--retries", "0"],
        fixture_server.proxy_url,
    )
    assert_one_clear_error(result, "no-such-blog.over-blog.com")


def test_site_that_is_not_overblog(fixture_server, tmp_path):
    result = run_migrator(
        ["migrate", "http://www.pas-un-blog.fr", "--to", "json", "--out", str(tmp_path),
         "--delay", "0"],
        fixture_server.proxy_url,
    )
    assert_one_clear_error(result, "does not look like an Overblog blog")
    assert not (tmp_path / "blog.json").exists()


def test_unwritable_output_folder(fixture_server, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    result = run_migrator(
        ["migrate", "http://cuisine-de-mamie.over-blog.com", "--to", "json",
         "--out", str(blocker / "out"), "--delay", "0"],
        fixture_server.proxy_url,
    )
    assert_one_clear_error(result, "cannot write to")


def test_saved_mirror_folder_as_source(fixtures_dir, tmp_path):
    """The README's newcomer command: a saved copy on disk, no network at all."""
    site = fixtures_dir / "sites" / "cuisine-de-mamie.over-blog.com"
    result = subprocess.run(
        [MIGRATOR, "migrate", str(site), "--to", "json", "--to", "markdown",
         "--out", str(tmp_path), "--no-images"],
        capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
    )
    assert result.returncode == 0, result.stderr
    blog = json.loads((tmp_path / "blog.json").read_text(encoding="utf-8"))
    expected = expected_for(fixtures_dir, "cuisine-de-mamie.over-blog.com")
    assert len(blog["articles"]) == len(expected["articles"])
