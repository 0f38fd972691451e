"""Articles built by hand for the exporter tests (no parsing), and readers of each output."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from migrator.model import Article, Blog, Comment, Image

BLOG_URL = "https://monblog.over-blog.com"
WP = "http://wordpress.org/export/1.2/"

HOSTILE_TITLES = [
    'Il a dit : "oui" # pas [1]',
    "fin ]]> de CDATA ]]]]> double",
    "Espace\u00a0insécable\u202f! et fine",
    "Émoji 🎉🇫🇷 👩‍👩‍👧",
    "@mention en tête",
    "- tiret en tête",
    "yes",
    "no",
    "null",
    "~",
    "2018-12-31",
    "clé: valeur",
    "'apostrophes' et \"guillemets\"",
    "<b>gras</b> &amp; &nbsp; entités",
    "{{ shortcode }} {% liquid %}",
    "%YAML 1.1",
    "* étoile",
    "!tag",
    "&ancre",
    "x" * 300,
    "../../etc/passwd",
    "CON",
    "",
    "rtl \u202eevil",
]

HOSTILE_SLUGS = ["../../etc/passwd", "", "a" * 300, "CON", "été à Noël", "/abs/path", "..", "nul"]


def make_blog() -> Blog:
    return Blog(url=BLOG_URL, title="Mon blog ]]> à moi", description="Un blog « test »")


def make_article(index: int = 1, **overrides: Any) -> Article:
    """A complete article: dated, with author, terms, two images, nested comments."""
    image_a = f"https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_{index:04d}_plage.jpg"
    image_b = f"https://img.over-blog-kiwi.com/1/23/45/67/20181231/ob_{index:04d}_mer.png"
    values: dict[str, Any] = {
        "url": f"{BLOG_URL}/2018/12/article-{index}.html",
        "aliases": [f"{BLOG_URL}/article-{1000 + index}.html"],
        "title": f"Un été en Bretagne n°{index}",
        "slug": f"article-{index}",
        "body_html": (
            "<h2>Jour 1</h2><p>Texte <strong>gras</strong> :</p>"
            f'<p><img src="https://resize.over-blog.com/400x260.jpg?{image_a}" alt="plage"'
            ' title="La plage"></p>'
            f'<p><img src="{image_b}" alt="mer" srcset="{image_b} 2x"></p>'
            '<iframe src="https://www.youtube.com/embed/abc" width="560"></iframe>'
            "<table><tr><th>Jour</th><th>Km</th></tr><tr><td>1</td><td>12</td></tr></table>"
        ),
        "published": "2018-12-31T10:30:00+01:00",
        "published_source": "json-ld",
        "updated": "2019-01-05T08:00:00+01:00",
        "author": "Gérard Dupont",
        "tags": ["Bretagne", "Été"],
        "categories": ["Voyages"],
        "excerpt": "Un été…",
        "images": [
            Image(url=image_a, alt="plage"),
            Image(url=image_b, alt="mer", caption="La mer"),
        ],
        "cover_image": image_a,
        "comments": [
            Comment(
                author="Paul",
                body_html="<p>Superbe !</p>",
                published="2019-01-02T08:00:00+01:00",
                replies=[
                    Comment(
                        author="Gérard Dupont",
                        body_html="<p>Merci</p>",
                        published="2019-01-02T09:00:00+01:00",
                        replies=[Comment(author="Paul", body_html="De rien")],
                    )
                ],
            ),
            Comment(author="Anne", body_html="<p>Et moi ]]> aussi</p>", url="https://anne.fr"),
        ],
        "comments_status": "complete",
    }
    values.update(overrides)
    return Article(**values)


def hostile_articles() -> list[Article]:
    articles = [
        make_article(i, title=title, slug="", url=f"{BLOG_URL}/?p={i}", aliases=[])
        for i, title in enumerate(HOSTILE_TITLES)
    ]
    start = len(articles)
    articles += [
        make_article(start + i, slug=slug, title=f"Slug hostile {i}")
        for i, slug in enumerate(HOSTILE_SLUGS)
    ]
    return articles


# -- readers: what each format says the titles are ----------------------------------------


def json_titles(out_dir: Path) -> list[str]:
    data = json.loads((out_dir / "blog.json").read_text(encoding="utf-8"))
    return [a["title"] for a in data["articles"]]


def wxr_items(out_dir: Path) -> list[etree._Element]:
    tree = etree.parse(str(out_dir / "wordpress.xml"), etree.XMLParser(recover=False))
    return tree.getroot().findall("channel/item")


def wxr_titles(out_dir: Path) -> list[str]:
    return [
        item.findtext("title")
        for item in wxr_items(out_dir)
        if item.findtext(f"{{{WP}}}post_type") in ("post", "page")
    ]


def read_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    matter, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(matter), body


def markdown_files(out_dir: Path) -> list[Path]:
    return sorted((out_dir / "markdown").rglob("*.md"))


def markdown_titles(out_dir: Path) -> list[str]:
    return [read_front_matter(p)[0]["title"] for p in markdown_files(out_dir)]


def wacz_titles(out_dir: Path) -> list[str]:
    """The titles ``pages/pages.jsonl`` lists (its first line is the header)."""
    with zipfile.ZipFile(out_dir / "archive.wacz") as wacz:
        lines = wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()
    return [json.loads(line)["title"] for line in lines[1:]]


TITLE_READERS = {"json": json_titles, "wxr": wxr_titles, "markdown": markdown_titles,
                 "wacz": wacz_titles}
