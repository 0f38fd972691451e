"""Date fallbacks of the crawl: a post whose page shows no date takes its listing page's date,
then the feed's, and is never dated "now" (issue 3, STRUCTURE.md §2 rule 3)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fixtureserver import THEME_SITES_DIR, FixtureServer

from migrator import CrawlSettings
from migrator.archive import Archive
from migrator.pipeline import crawl

SITES = Path(__file__).parent / "fixtures" / "sites"
HOST = "www.jardin-des-mots.fr"
DATE_BLOCK = re.compile(r'<div class="date">\s*<p>Publié le [^<]*</p>\s*</div>', re.S)


@pytest.fixture
def mirror_without_a_date(tmp_path: Path) -> tuple[Path, str]:
    """A saved copy of the blog where one post's own page lost its date line."""
    site = tmp_path / "mirror" / HOST
    shutil.copytree(SITES / HOST, site)
    page = next((site / "2019" / "08").glob("*.html"))
    html = page.read_text(encoding="utf-8")
    assert DATE_BLOCK.search(html), "the fixture page must show its date"
    page.write_text(DATE_BLOCK.sub("", html, count=1), encoding="utf-8")
    return site, f"http://{HOST}/2019/08/{page.name}"


def test_undated_post_takes_its_listing_page_date(mirror_without_a_date, tmp_path):
    site, url = mirror_without_a_date
    crawl(str(site), tmp_path / "archive", CrawlSettings(download_images=False))
    with Archive(tmp_path / "archive") as archive:
        article = archive.get_article(url)
    assert article is not None
    assert article.published == "2019-08-01T00:00:00+02:00"
    assert article.published_source == "listing"
    assert article.date_precision == "day"


def test_a_page_showing_only_the_day_takes_the_time_the_feed_gives(tmp_path: Path) -> None:
    """Twenty Eleven prints "Publié le 26 Janvier 2014": without JSON-LD (an older capture) the
    page holds the day only, and the feed (pubDate 21:40) gives the time of that same day."""
    host = "twentyeleven.over-blog.com"
    sites = tmp_path / "sites"
    shutil.copytree(THEME_SITES_DIR / host, sites / host)
    for page in (sites / host).rglob("*.html"):
        html = page.read_text("utf-8")
        page.write_text(re.sub(r'<script type="application/ld\+json">.*?</script>', "", html,
                               flags=re.S), "utf-8")
    server = FixtureServer(port=0, sites_dirs=[sites]).start()
    try:
        env = {"HTTP_PROXY": server.proxy_url, "http_proxy": server.proxy_url}
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            crawl(f"http://{host}", tmp_path / "archive",
                  CrawlSettings(delay=0, concurrency=1, download_images=False))
    finally:
        server.stop()
    with Archive(tmp_path / "archive") as archive:
        article = archive.get_article(f"http://{host}/2014/01/premier-marche-de-l-annee.html")
        page = archive.get_article(f"http://{host}/a-propos.html")
    assert (article.published, article.date_precision) == ("2014-01-26T21:40:00+01:00", "second")
    assert article.published_source == "feed"
    assert page.published is None  # a static page is in no feed: nothing invented
