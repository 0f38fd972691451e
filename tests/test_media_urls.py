"""Image URL rules: resize wrappers unwrapped, thumbnail sizes stripped, v1 proxy -> idata."""

from __future__ import annotations

import pytest

from migrator.media import image_url_candidates, is_overblog_media_host, original_image_url

FULL = ("https://image.over-blog.com/N0q0EQ2QYbsT0HCInf46RxqAQJc=/filters:no_upscale()/"
        "image%2F0478859%2F201303%2Fob_fc48_voeux-pierre-lours.jpg")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://image.over-blog.com/N0q0EQ2QYbsT0HCInf46RxqAQJc=/100x100/smart/filters:no_upscale()/"
         "image%2F0478859%2F201303%2Fob_fc48_voeux-pierre-lours.jpg", FULL),
        ("https://image.over-blog.com/N0q0EQ2QYbsT0HCInf46RxqAQJc=/582x288/filters:no_upscale()/"
         "image%2F0478859%2F201303%2Fob_fc48_voeux-pierre-lours.jpg", FULL),
        (FULL, FULL),
        ("https://img.over-blog-kiwi.com/400x260-ct/0/47/88/59/201303/ob_fc48_voeux.jpg",
         "https://img.over-blog-kiwi.com/0/47/88/59/201303/ob_fc48_voeux.jpg"),
        ("https://img.over-blog-kiwi.com/300x300/0/47/88/59/201303/ob_fc48_voeux.jpg",
         "https://img.over-blog-kiwi.com/0/47/88/59/201303/ob_fc48_voeux.jpg"),
        ("http://img.over-blog.com/300x225/1/23/45/67/fontaine/fontaine-01.jpg",
         "http://idata.over-blog.com/1/23/45/67/fontaine/fontaine-01.jpg"),
        ("http://resize.over-blog.com/300x300.jpg?http://idata.over-blog.com/1/23/45/67/a.jpg",
         "http://idata.over-blog.com/1/23/45/67/a.jpg"),
        ("https://resize.over-blog.com/180x180.jpg?img.over-blog-kiwi.com/400x260-ct/0/47/88/59/"
         "201303/ob_fc48_voeux.jpg",
         "https://img.over-blog-kiwi.com/0/47/88/59/201303/ob_fc48_voeux.jpg"),
        ("https://resize.over-blog.com/180x180.jpg?https%3A%2F%2Fidata.over-blog.com%2F1%2Fa.jpg",
         "https://idata.over-blog.com/1/a.jpg"),
        ("http://idata.over-blog.com/1/23/45/67/a.jpg", "http://idata.over-blog.com/1/23/45/67/a.jpg"),
        ("https://example.com/300x200/photo.jpg", "https://example.com/300x200/photo.jpg"),
        ("//img.over-blog-kiwi.com/300x300/0/1/a.jpg", "https://img.over-blog-kiwi.com/0/1/a.jpg"),
    ],
)
def test_original_image_url(url: str, expected: str) -> None:
    assert original_image_url(url) == expected


def test_media_hosts() -> None:
    for host in ("idata.over-blog.com", "a401.idata.over-blog.com", "image.over-blog.com",
                 "img.over-blog-kiwi.com", "resize.over-blog.com", "data.over-blog-kiwi.com"):
        assert is_overblog_media_host(host)
    for host in ("assets.over-blog-kiwi.com", "example.com", "over-blog.com"):
        assert not is_overblog_media_host(host)


def test_download_candidates_best_first() -> None:
    sized = FULL.replace("/filters:", "/582x288/smart/filters:")
    assert image_url_candidates(sized) == [
        FULL, "https://img.over-blog-kiwi.com/0/47/88/59/201303/ob_fc48_voeux-pierre-lours.jpg",
        sized]
    v1 = "http://img.over-blog.com/300x225/1/23/45/67/fontaine/fontaine-01.jpg"
    assert image_url_candidates(v1) == [
        "http://idata.over-blog.com/1/23/45/67/fontaine/fontaine-01.jpg", v1]
    plain = "https://example.com/a.jpg"
    assert image_url_candidates(plain) == [plain]
