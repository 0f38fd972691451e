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
    items = articles()
    exporter = RedirectsExporter(tmp_path, ExportSettings(**settings), SitePlan.build(items),
                                 formats)
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
    first = Article(url=f"{BLOG}/article-1.html", title="A", body_html="", slug="a")
    second = Article(url=f"{BLOG}/2020/01/b.html", title="B", body_html="", slug="b",
                     aliases=[f"{BLOG}/article-1.html"])
    exporter = RedirectsExporter(tmp_path, ExportSettings(), SitePlan.build([first, second]))
    exporter.start(make_blog())
    exporter.write(first)
    exporter.write(second)
    exporter.finish()
    assert read(tmp_path, "_redirects").count("/article-1.html ") == 1


# -- issue 10: hostile values are escaped or refused, and the servers accept the files ------

HOSTILE_PATHS = [
    '/2019/03/il-a-dit-%22oui%22.html',          # a quote
    "/2019/03/prix-%24100-et-%7Bplus%7D.html",    # $ (an nginx variable), braces
    "/2019/03/point;virgule%20et%20espace.html",  # ; and a space
    "/2019/03/anti%5Cslash.html",                 # a backslash
    "/2019/03/ligne%0Aen%0D%0Adeux.html",         # control characters
    "/2019/03/" + "tres-long-" * 60 + ".html",    # longer than nginx's default map bucket
    "/2019/03/" + "%C3%A9" * 1500 + ".html",      # longer than any map may hold
]


def hostile_export(tmp_path: Path, **settings: object) -> RedirectsExporter:
    items = [Article(url=f"{BLOG}{path}", title=f"T{i}", body_html="", slug=f"t{i}")
             for i, path in enumerate(HOSTILE_PATHS)]
    exporter = RedirectsExporter(tmp_path, ExportSettings(**settings), SitePlan.build(items),
                                 ("markdown",))
    exporter.start(make_blog())
    for article in items:
        exporter.write(article)
    exporter.finish()
    return exporter


def test_hostile_paths_are_escaped_or_left_out(tmp_path: Path) -> None:
    exporter = hostile_export(tmp_path, base_url="https://new.example.org")
    nginx = read(tmp_path, "nginx.conf")
    apache = read(tmp_path, "apache.htaccess")
    assert '"/2019/03/il-a-dit-\\"oui\\".html"' in nginx
    assert '"/2019/03/il-a-dit-\\"oui\\".html"' in apache
    assert '"/2019/03/prix-$100-et-{plus}.html"' in nginx  # a key is never a variable
    assert '"/2019/03/anti\\\\slash.html"' in nginx and "anti" not in apache
    assert "deux" not in nginx and "deux" not in apache
    netlify = read(tmp_path, "_redirects")
    assert "/2019/03/ligne%0Aen%0D%0Adeux.html /posts/t4/ 301" in netlify.replace(
        "https://new.example.org", "")
    assert all(len(line.split()) == 3 for line in netlify.splitlines()[1:])
    rows = list(csv.reader((tmp_path / "redirects" / "redirection.csv").open(encoding="utf-8")))
    assert len(rows) == 1 + exporter.rules
    assert "%C3%A9" * 10 not in netlify  # the path too long for any map is left out
    messages = [m for _url, m in exporter.warnings]
    assert any("control character" in m for m in messages)
    assert any("backslash" in m for m in messages)
    # named as a reader reads it, cut where a reader sees it cut
    assert any(m.startswith("old address longer than") and m.endswith(
        f"redirect maps: /2019/03/{'é' * 91}… (1514 characters)") for m in messages)
    assert re.search(r"^map_hash_bucket_size (\d+);$", nginx, re.M)


def test_nginx_and_apache_accept_hostile_maps(tmp_path: Path) -> None:
    from servercheck import apache_check, nginx_check

    for base_url in (None, "https://new.example.org/blog"):
        out = tmp_path / str(bool(base_url))
        hostile_export(out, base_url=base_url)
        result = nginx_check(out / "redirects" / "nginx.conf", out / "nginx")
        assert result.returncode == 0, result.stderr
        result = apache_check(out / "redirects" / "apache.htaccess", out / "apache")
        assert result.returncode == 0, result.stdout + result.stderr


def test_base_url_must_be_an_http_url(tmp_path: Path) -> None:
    import pytest

    from migrator.errors import ExportError

    for bad in ("not a url", 'https://x.org/"; return 200 "owned', "https://x.org/a\nb",
                "ftp://x.org", "https://x.org/$uri", "javascript:alert(1)"):
        with pytest.raises(ExportError, match="not an http"):
            RedirectsExporter(tmp_path, ExportSettings(base_url=bad), SitePlan())


def test_cli_refuses_a_bad_base_url_with_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from migrator.cli import main

    result = CliRunner().invoke(main, ["export", "--archive", str(tmp_path), "--to", "json",
                                       "--out", str(tmp_path / "out"), "--base-url", "not a url"])
    assert result.exit_code == 2
    assert "Invalid value for '--base-url'" in result.output
    assert "http" in result.output and "Traceback" not in result.output
