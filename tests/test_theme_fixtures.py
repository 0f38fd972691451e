"""The theme corpus (tests/fixtures/themes/): Overblog's 2013 theme catalogue rendered by a
real Twig engine into one small blog per theme. It re-renders byte for byte, and it is sane:
every theme has its pages, every expected value points at bytes that hold it, every served URL
answers through one fixture server that serves both sites folders.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
from fixtureserver import SITES_DIR, THEME_SITES_DIR, FixtureServer

THEMES = Path(__file__).parent / "fixtures" / "themes"
RENDER = THEMES / "render.py"
CATALOGUE = json.loads((THEMES / "catalogue.json").read_text("utf-8"))
ROWS = CATALOGUE["themes"]
GOLD = sorted((THEMES / "gold").glob("*/*.expected.json"))
EXPECTED = sorted((THEMES / "expected").glob("*.json"))
MYSTERY = "mystery.over-blog.com"


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def page_of(gold: dict) -> str:
    return (THEMES / gold["file"]).read_bytes().decode("utf-8", "replace")


def text_of(page: str) -> str:
    """Visible-ish text of a page: tags dropped, entities decoded, white space collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"[\s\u00a0\u202f]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def flat(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def ob_sections(page: str) -> str:
    """The first div.ob-sections of a page (the post body), by counting nested divs."""
    start = page.index('<div class="ob-sections">')
    depth, pos = 0, start
    for tag in re.finditer(r"<(/?)div\b", page[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            pos = start + tag.end()
            break
    return page[start:pos]


# --------------------------------------------------------------------------- re-render


def test_rerender_is_byte_identical(tmp_path: Path) -> None:
    """render.py (the content spec, PHP's Twig, the chrome) gives exactly the committed files."""
    if shutil.which("php") is None or not Path("/usr/share/php/Twig/autoload.php").is_file():
        pytest.fail("php with Twig is missing: run ./install.sh "
                    "(or: sudo apt-get install php-cli php-twig php-intl)")
    result = subprocess.run([sys.executable, str(RENDER), str(tmp_path)], capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("sites", "gold", "expected"):
        committed = {p.relative_to(THEMES): p for p in (THEMES / name).rglob("*") if p.is_file()}
        fresh = {p.relative_to(tmp_path): p for p in (tmp_path / name).rglob("*") if p.is_file()}
        assert sorted(map(str, fresh)) == sorted(map(str, committed)), f"{name}: other files"
        changed = [str(rel) for rel, path in fresh.items()
                   if path.read_bytes() != committed[rel].read_bytes()]
        assert not changed, f"{len(changed)} files differ, e.g. {changed[:5]}"
    assert (tmp_path / "catalogue.json").read_bytes() == (THEMES / "catalogue.json").read_bytes()


# --------------------------------------------------------------------------- the catalogue


def test_every_template_has_its_blog() -> None:
    templates = sorted(p.parent.name for p in (THEMES / "templates").glob("*/theme.twig"))
    structs = sorted(p.stem for p in (THEMES / "templates/_migration/build").glob("*.twig"))
    assert len(templates) == 43 and structs == [f"struct_{n}" for n in range(6)]
    folders = [row["folder"] for row in ROWS]
    assert folders == templates + [f"_migration/{s}" for s in structs]
    ids = [row["id"] for row in ROWS] + [CATALOGUE["mystery"]["id"]]
    assert len(set(ids)) == len(ids)
    assert {row["lang"] for row in ROWS} == {"fr", "en"}
    assert next(r for r in ROWS if r["folder"] == "twentyeleven")["id"] == 63
    hosts = [row["host"] for row in ROWS] + [MYSTERY]
    assert sorted(p.stem for p in EXPECTED) == sorted(hosts)


@pytest.mark.parametrize("row", ROWS, ids=[r["key"] for r in ROWS])
def test_every_theme_has_its_pages(row: dict) -> None:
    folder = THEMES / "gold" / row["key"]
    names = {p.name[: -len(".expected.json")] for p in folder.glob("*.json")}
    assert {"home", "page2"} <= names
    assert sum(n.startswith("page-") for n in names) == 1
    assert sum(n.endswith(".a") for n in names) == 5
    assert sum(n.endswith(".b") for n in names) == 5
    assert any(n.startswith("tag-") for n in names) and any(n.startswith("archive-") for n in names)
    expected = load(THEMES / "expected" / f"{row['host']}.json")
    assert (expected["theme_id"], expected["theme_name"], expected["lang"]) == (
        row["id"], row["name"], row["lang"])
    assert expected["counts"] == {"posts": 5, "pages": 1}


# --------------------------------------------------------------------------- gold pages


@pytest.mark.parametrize("path", GOLD, ids=[f"{p.parent.name}/{p.name[:-14]}" for p in GOLD])
def test_gold_page_holds_what_it_expects(path: Path) -> None:
    gold = load(path)
    file = THEMES / gold["file"]
    assert file.is_file(), gold["file"]
    served = gold["file"].startswith("sites/")
    assert served != path.name.endswith(".b.expected.json")
    page = page_of(gold)
    assert "{{" not in page and "{%" not in page, "template syntax left unrendered"
    assert f"Basic theme id {gold['theme_id']} [" in page
    if gold.get("article", True) is None:
        links = {html.unescape(h) for h in re.findall(r"href=[\"']([^\"']*)[\"']", page)}
        missing = [u for u in gold["posts"] if u not in links]
        assert not missing, f"listing does not link {missing}"
        return
    text = text_of(page)
    assert flat(gold["title"]) in flat(html.unescape(page)), "title"
    assert flat(gold["body_start"]) in text and flat(gold["body_end"]) in text, "body"
    for image in gold["images"]:
        assert f'href="{image}"' in page or f'src="{image}"' in page, image
    names = re.findall(r'<span class="ob-name">([^<]*)</span>', page)
    for comment in gold["comments"]:
        assert html.escape(comment["author"], quote=True).replace("&#x27;", "&#039;") in names
    if gold["author"]:
        assert html.escape(gold["author"]) in page or gold["author"] in html.unescape(page)
    for tag in gold["tags"]:
        assert tag in html.unescape(page) or tag in unquote(html.unescape(page)).lower(), tag
    has_jsonld = "application/ld+json" in page
    assert has_jsonld == (path.name.endswith(".a.expected.json")), "JSON-LD only in capture (a)"
    if has_jsonld:
        assert f'"datePublished": "{gold["published"]}"' in page
    body = ob_sections(page)
    leaks = [w for w in gold["without"] if w in body or flat(w) in flat(text_of(body))]
    assert not leaks, f"chrome strings found in the body itself: {leaks}"


def test_dates_of_capture_b_follow_what_themes_print() -> None:
    """Capture (b) holds what the theme prints: e.g. darkfrisq's h:m bug is saved by its
    <time datetime>, nyan's is not (day only), photofolio shows no year (URL month)."""
    rows = {r["key"]: r for r in ROWS}
    assert rows["nyan"]["date_precision_b"] == "day"
    assert rows["darkfrisq"]["time_element"] == "datetime"
    assert rows["darkfrisq"]["date_precision_b"] == "second"
    assert rows["photofolio"]["date_precision_b"] == "month (URL)"
    assert rows["twentyeleven"]["date_precision_b"] == "day"
    assert rows["18"]["date_summary"] == "date('M d Y, H:ia')"
    for key, level in (("nyan", "day"), ("photofolio", "month"), ("basical", "second")):
        for path in (THEMES / "gold" / key).glob("article-*.b.expected.json"):
            assert load(path)["date_precision"] == level, path.name
    for key in ("Sekapursirih", "lightroom", "personal_blog"):
        assert rows[key]["canonical"] == "home"


# --------------------------------------------------------------------------- served blogs


@pytest.fixture(scope="module")
def two_folder_server() -> Iterator[FixtureServer]:
    server = FixtureServer(port=0, sites_dirs=[SITES_DIR, THEME_SITES_DIR]).start()
    yield server
    server.stop()


def test_every_served_url_answers_through_one_server(two_folder_server: FixtureServer) -> None:
    urls = ["http://cuisine-de-mamie.over-blog.com/"]  # the older fixtures, same server
    for path in EXPECTED:
        blog = load(path)
        urls += blog["listing_pages"] + blog["home_pages"]
        for article in blog["articles"]:
            urls += [article["url"]] + article["images"]
        if blog["rss_items"]:
            urls.append(blog["base_url"] + "/rss")
    proxies = {"http": two_folder_server.proxy_url}
    with requests.Session() as session, ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(
            lambda u: (u, session.get(u, proxies=proxies, timeout=10).status_code),
            sorted(set(urls))))
    failed = [(u, s) for u, s in statuses if s != 200]
    assert not failed, failed[:10]
    assert len(statuses) > 900


def test_mystery_blog_reads_as_nothing_known() -> None:
    blog = load(THEMES / "expected" / f"{MYSTERY}.json")
    assert blog["unreadable"] == [a["url"] for a in blog["articles"]]
    assert blog["theme_id"] == 977 and len(blog["unreadable"]) == 6
    for url in blog["unreadable"]:
        page = (THEME_SITES_DIR / MYSTERY / url.split("/", 3)[3]).read_text("utf-8")
        assert "<!-- Basic theme id 977 [Mystery]" in page and "'theme'    : '977'" in page
        assert "application/ld+json" not in page and "<time" not in page
        assert "itemprop" not in page and "itemscope" not in page and "ob-section" not in page
        assert '"=""' not in page
        assert not re.search(r'class="[^"]*\bob-', page)
        assert 'property="og:type" content="article"' in page
