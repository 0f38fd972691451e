"""Media download stage: highest resolution, once by URL and by content, safe unique names,
resumable, failures recorded; then local paths for the exporters and DIR/media/."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from migrator.archive import Archive
from migrator.fetch import Response
from migrator.media.download import MediaDownloader, media_file_name
from migrator.media.publish import attach_local_paths, media_failures, publish_media
from migrator.media.urls import article_media_urls
from migrator.model import Article, Blog, Image
from migrator.settings import CrawlSettings

BLOG = "http://monblog.over-blog.com"
KIWI = "http://img.over-blog-kiwi.com/1/23/45/67/20181231"
JPEG = b"\xff\xd8\xff\xe0 first picture"
PNG = b"\x89PNG second picture"
PDF = b"%PDF-1.4 a document"


class FakeTransport:
    """Answers from a dict URL → (status, content type, body); counts every request."""

    needs_politeness = False

    def __init__(self, files: dict[str, tuple[int, str, bytes]]) -> None:
        self.files = files
        self.asked: Counter[str] = Counter()

    def send(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        self.asked[url] += 1
        status, content_type, body = self.files.get(url, (404, "text/html", b"<html>404"))
        return Response(url, url, status, {"content-type": content_type}, body)

    def close(self) -> None:
        pass


def article(index: int, images: list[str], body_extra: str = "", cover: str | None = None):
    body = "".join(f'<p><img src="{u}"></p>' for u in images) + body_extra
    return Article(
        url=f"{BLOG}/2018/12/post-{index}.html", title=f"Post {index}", body_html=body,
        images=[Image(url=u) for u in images], cover_image=cover,
        published=f"2018-12-{index:02d}T10:00:00+01:00",
    )


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "archive") as opened:
        opened.set_blog(Blog(url=BLOG + "/"))
        opened.set_state("base_url", BLOG + "/")
        yield opened


def download(archive: Archive, transport: FakeTransport):
    settings = CrawlSettings(delay=0, retries=0, obey_robots=False)
    return MediaDownloader(archive, settings, transport).run()


def test_file_names_keep_the_original_name_made_safe() -> None:
    assert media_file_name(f"{KIWI}/ob_42ab1d_potager-hiver.jpg") == "ob_42ab1d_potager-hiver.jpg"
    thumbor = ("http://image.over-blog.com/Qq=/filters:no_upscale()/"
               "image%2F4512378%2F20200112%2Fob_42afca_galette.jpg")
    assert media_file_name(thumbor) == "ob_42afca_galette.jpg"
    assert media_file_name("http://h/a/Photo été (1).JPG") == "Photo-ete-1.jpg"
    assert media_file_name("http://h/a/noext", "image/png") == "noext.png"
    assert media_file_name("http://h/../..") == "file.bin"


def test_media_urls_are_highest_resolution_with_cover_and_pdf() -> None:
    pdf = "http://data.over-blog-kiwi.com/1/23/45/67/20181231/ob_a1_menu.pdf"
    item = article(
        1, ["http://img.over-blog-kiwi.com/400x260-ct/1/23/45/67/20181231/ob_x_a.jpg"],
        body_extra=f'<a href="{pdf}">Le menu</a><a href="http://ailleurs.fr/page">x</a>',
        cover=f"{KIWI}/ob_x_a.jpg",
    )
    assert article_media_urls(item) == [f"{KIWI}/ob_x_a.jpg", pdf]


def test_download_once_by_url_and_by_content(archive: Archive) -> None:
    a, b, same_as_a = f"{KIWI}/ob_1_a.jpg", f"{KIWI}/ob_2_b.png", f"{KIWI}/ob_3_copy.jpg"
    archive.put_article(article(1, [a, b]))
    archive.put_article(article(2, [a, same_as_a]))  # a again, and a copy of a's bytes
    transport = FakeTransport({
        a: (200, "image/jpeg", JPEG),
        b: (200, "image/png", PNG),
        same_as_a: (200, "image/jpeg", JPEG),
    })
    stats = download(archive, transport)
    assert (stats.downloaded, stats.reused, stats.failed) == (2, 1, [])
    assert transport.asked == Counter({a: 1, b: 1, same_as_a: 1})
    files = sorted(p.name for p in archive.media_dir.iterdir())
    assert files == ["ob_1_a.jpg", "ob_2_b.png"]
    assert archive.get_media(same_as_a).file == "ob_1_a.jpg"
    assert archive.get_media(a).sha256 == hashlib.sha256(JPEG).hexdigest()


def test_second_run_fetches_nothing(archive: Archive) -> None:
    url = f"{KIWI}/ob_1_a.jpg"
    archive.put_article(article(1, [url]))
    transport = FakeTransport({url: (200, "image/jpeg", JPEG)})
    download(archive, transport)
    stats = download(archive, transport)
    assert transport.asked[url] == 1
    assert (stats.downloaded, stats.already) == (0, 1)


@pytest.mark.parametrize("order", [1, -1])
def test_same_name_different_content_gets_a_prefix_whatever_the_order(
        archive: Archive, order: int) -> None:
    first = f"{KIWI}/photo.jpg"
    second = "http://idata.over-blog.com/2/08/74/12/2009/photo.jpg"
    archive.put_article(article(1, [first, second][::order]))
    download(archive, FakeTransport({
        first: (200, "image/jpeg", JPEG), second: (200, "image/jpeg", b"\xff\xd8 other"),
    }))
    names = {archive.get_media(first).file, archive.get_media(second).file}
    assert "photo.jpg" in names and len(names) == 2
    # the file of the smallest key ("idata/…" < "ob/…") keeps the plain name, in any order
    assert archive.get_media(second).file == "photo.jpg"
    other = archive.get_media(first).file
    assert other.endswith("-photo.jpg") and len(other) == len("12345678-photo.jpg")
    assert (archive.media_dir / other).read_bytes() == JPEG


def test_failures_are_recorded_and_retried_next_run(archive: Archive) -> None:
    missing, page = f"{KIWI}/ob_gone.jpg", f"{KIWI}/ob_html.jpg"
    archive.put_article(article(1, [missing, page]))
    transport = FakeTransport({page: (200, "text/html", b"<html>not an image</html>")})
    stats = download(archive, transport)
    assert dict(stats.failed) == {
        missing: "HTTP 404",
        page: "not a file (the server sent a web page, text/html)",
    }
    assert {f["url"] for f in media_failures(archive)} == {missing, page}
    assert all(f["reason"].startswith("media not downloaded: ") for f in media_failures(archive))
    transport.files[missing] = (200, "image/jpeg", JPEG)
    download(archive, transport)
    assert archive.get_media(missing).status == "done"
    assert transport.asked[missing] == 2


def test_external_hosts_are_not_fetched(archive: Archive) -> None:
    outside = "http://images.example.org/chat.jpg"
    own = f"{BLOG}/public/logo.png"
    archive.put_article(article(1, [outside, own]))
    transport = FakeTransport({own: (200, "image/png", PNG)})
    stats = download(archive, transport)
    assert transport.asked[outside] == 0 and stats.skipped == 1
    assert archive.get_media(outside).status == "skipped"
    assert archive.get_media(own).status == "done"


def test_local_paths_files_and_publication(archive: Archive, tmp_path: Path) -> None:
    image = f"{KIWI}/ob_1_a.jpg"
    pdf = "http://data.over-blog-kiwi.com/1/23/45/67/20181231/ob_9_menu.pdf"
    thumb = "http://img.over-blog-kiwi.com/400x260-ct/1/23/45/67/20181231/ob_1_a.jpg"
    archive.put_article(article(1, [thumb], body_extra=f'<a href="{pdf}">Menu</a>'))
    download(archive, FakeTransport({
        image: (200, "image/jpeg", JPEG), pdf: (200, "application/pdf", PDF),
    }))
    [done] = list(attach_local_paths(archive, archive.iter_articles()))
    # the image names the URL its copy came from: the full size, not the thumbnail
    assert [(i.url, i.local_path) for i in done.images] == [
        (image, "media/ob_1_a.jpg"), (pdf, "media/ob_9_menu.pdf"),
    ]
    assert done.images[1].alt == "Menu"
    out = tmp_path / "out"
    assert publish_media(archive, out) == 2
    assert (out / "media/ob_9_menu.pdf").read_bytes() == PDF
    assert publish_media(archive, out) == 2  # again: nothing breaks, nothing duplicated
    assert sorted(p.name for p in (out / "media").iterdir()) == ["ob_1_a.jpg", "ob_9_menu.pdf"]


def test_refused_full_size_url_falls_back_to_the_same_file_on_the_kiwi_host(
    archive: Archive,
) -> None:
    signed = ("http://image.over-blog.com/SIG=/filters:no_upscale()/"
              "image%2F0478859%2F20130301%2Fob_9860ab_voeux.jpg")
    same_file = "http://img.over-blog-kiwi.com/0/47/88/59/20130301/ob_9860ab_voeux.jpg"
    archive.put_article(article(1, [signed]))
    transport = FakeTransport({signed: (403, "text/html", b"<html>bad signature"),
                               same_file: (200, "image/jpeg", JPEG)})
    stats = download(archive, transport)
    record = archive.get_media(signed)
    assert stats.failed == [] and record.status == "done"
    assert (archive.media_dir / record.file).read_bytes() == JPEG
    assert transport.asked[signed] == 1 and transport.asked[same_file] == 1


def test_a_thumbnail_waits_for_the_pages_and_a_full_copy_found_meanwhile_is_asked_instead(
    archive: Archive,
) -> None:
    thumbnail = ("http://image.over-blog.com/SIG=/600x400/smart/filters:no_upscale()/"
                 "image%2F0478859%2F20130301%2Fob_9860ab_couverture.jpg")
    kiwi = "http://img.over-blog-kiwi.com/0/47/88/59/20130301/ob_9860ab_couverture.jpg"
    full = ("http://image.over-blog.com/FULL=/filters:no_upscale()/"
            "image%2F0478859%2F20130301%2Fob_9860ab_couverture.jpg")
    transport = FakeTransport({thumbnail: (200, "image/jpeg", b"small"),
                               full: (200, "image/jpeg", JPEG)})
    settings = CrawlSettings(delay=0, retries=0, obey_robots=False)
    media = MediaDownloader(archive, settings, transport)
    try:
        media.start()
        media.hold_thumbnails()
        cover_only = article(1, [], cover=thumbnail)
        archive.put_article(cover_only)
        media.add(cover_only, seen=[thumbnail])
        while media.feed() or media.scheduler.in_flight:
            media.scheduler.handle_next()
        # its kiwi copy refused: the thumbnail is all that is left, and it waits
        assert transport.asked == Counter({kiwi: 1})
        assert archive.get_media(thumbnail).status == "pending"

        in_full = article(2, [full])
        archive.put_article(in_full)
        media.add(in_full, seen=[full])
        media.release_thumbnails()
        while media.feed() or media.scheduler.in_flight:
            media.scheduler.handle_next()
        stats = media.finish()
    finally:
        media.scheduler.shutdown()
        media.fetcher.close()
    assert transport.asked == Counter({kiwi: 1, full: 1})
    assert stats.failed == [] and stats.files == 1 and stats.downloaded == 1
    assert (archive.media_dir / archive.get_media(thumbnail).file).read_bytes() == JPEG
