"""Redirect maps: every old path of every post and page → its new path, in four formats."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from test_export_samples import make_blog

from migrator.export.redirects import OUTPUT_FILES, RedirectsExporter
from migrator.links import SitePlan
from migrator.model import Article
from migrator.settings import ExportSettings

BLOG = "http://www.jardin-des-mots.fr"


def articles() -> list[Article]:
    return [
        Article(url=f"{BLOG}/2019/03/semer-les-tomates.html", title="Semer", body_html="",
                slug="semer-les-tomates",
                aliases=[f"{BLOG}/article-semer-les-tomates-31415926.html"]),
        Article(url=f"{BLOG}/article-58213344.html", title="Récolte", body_html="", slug="recolte"),
        Article(url=f"{BLOG}/tag/un été/page.html", title="Espaces", body_html="", slug="espaces"),
        Article(url=f"{BLOG}/a-propos.html", title="À propos", body_html="", kind="page",
                slug="a-propos"),
    ]


def export(tmp_path: Path, formats=("markdown",), **settings: object) -> RedirectsExporter:
    exporter = RedirectsExporter(tmp_path, ExportSettings(**settings), formats)
    items = articles()
    exporter.plan = SitePlan.build(items)
    exporter.start(make_blog())
    for article in items:
        exporter.write(article)
    exporter.finish()
    return exporter


def read(tmp_path: Path, name: str) -> str:
    return (tmp_path / "redirects" / name).read_text(encoding="utf-8")


EXPECTED = {
    "/2019/03/semer-les-tomates.html": "/posts/semer-les-tomates/",
    "/article-semer-les-tomates-31415926.html": "/posts/semer-les-tomates/",
    "/article-31415926.html": "/posts/semer-les-tomates/",
    "/article-58213344.html": "/posts/recolte/",
    "/tag/un été/page.html": "/posts/espaces/",
    "/a-propos.html": "/pages/a-propos/",
}


def test_four_files_written(tmp_path: Path) -> None:
    exporter = export(tmp_path)
    assert sorted(p.name for p in exporter.written) == sorted(OUTPUT_FILES)
    assert exporter.rules == len(EXPECTED)
    assert not list((tmp_path / "redirects").glob(".*"))  # no temporary file left


def test_nginx_map_has_every_old_path(tmp_path: Path) -> None:
    export(tmp_path)
    text = read(tmp_path, "nginx.conf")
    pairs = dict(re.findall(r'^    "([^"]+)" "([^"]+)";$', text, re.M))
    assert pairs == EXPECTED
    assert text.count("{") == text.count("}")
    assert "#    if ($overblog_target)" in text  # relative targets: a snippet, no server block


def test_nginx_server_block_for_old_hosts_with_base_url(tmp_path: Path) -> None:
    export(tmp_path, base_url="https://new.example.org/")
    text = read(tmp_path, "nginx.conf")
    assert '"/article-58213344.html" "https://new.example.org/posts/recolte/";' in text
    assert "server_name jardin-des-mots.fr monblog.over-blog.com " in text
    assert "www.jardin-des-mots.fr" in text and 'return 301 "https://new.example.org/";' in text


def test_apache_lines(tmp_path: Path) -> None:
    export(tmp_path)
    lines = [line for line in read(tmp_path, "apache.htaccess").splitlines()
             if line.startswith("Redirect")]
    assert 'Redirect 301 "/tag/un été/page.html" "/posts/espaces/"' in lines
    parsed = dict(re.findall(r'^Redirect 301 "([^"]+)" "([^"]+)"$', "\n".join(lines), re.M))
    assert parsed == EXPECTED


def test_netlify_lines_are_encoded(tmp_path: Path) -> None:
    export(tmp_path)
    rules = [line.split() for line in read(tmp_path, "_redirects").splitlines()
             if line.startswith("/")]
    assert ["/tag/un%20%C3%A9t%C3%A9/page.html", "/posts/espaces/", "301"] in rules
    assert len(rules) == len(EXPECTED) and all(len(rule) == 3 for rule in rules)


def test_redirection_csv_targets_wordpress_paths(tmp_path: Path) -> None:
    export(tmp_path, formats=("wxr",), base_url="https://new.example.org")
    with (tmp_path / "redirects" / "redirection.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    by_source = {row["source"]: row for row in rows}
    assert by_source["/article-31415926.html"]["target"] == "https://new.example.org/semer-les-tomates/"
    assert by_source["/a-propos.html"]["target"] == "https://new.example.org/a-propos/"
    assert {row["code"] for row in rows} == {"301"} and {row["regex"] for row in rows} == {"0"}
    # Without Markdown, the web-server maps point at WordPress too.
    assert '"/a-propos.html" "https://new.example.org/a-propos/"' in read(tmp_path, "nginx.conf")


def test_one_old_path_leads_to_one_article(tmp_path: Path) -> None:
    exporter = RedirectsExporter(tmp_path, ExportSettings())
    first = Article(url=f"{BLOG}/article-1.html", title="A", body_html="", slug="a")
    second = Article(url=f"{BLOG}/2020/01/b.html", title="B", body_html="", slug="b",
                     aliases=[f"{BLOG}/article-1.html"])
    exporter.start(make_blog())
    exporter.write(first)
    exporter.write(second)
    exporter.finish()
    assert read(tmp_path, "_redirects").count("/article-1.html ") == 1
