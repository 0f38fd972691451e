"""A generated blog whose images show how a crawl downloads them: for the politeness tests and
``bench/bench_politeness.py``.

``build(sites, posts, images)`` writes, under ``sites`` (a folder the fixture server serves
first), the ``cuisine-de-mamie`` fixture blog plus ``posts`` generated posts reachable through
``/page/N`` pagination (ten per page, each listed with its cover as a ``600x400/smart``
thumbnail, as Overblog listings show them). Each generated post has ``images`` images on
image.over-blog.com as a real Post-* page gives them (``a.ob-link-img[href]`` = the full file,
signed for ``filters:no_upscale()`` alone, around an ``img[src]`` = a ``1200x900/smart``
thumbnail with its own signature) and its cover, in ``og:image``, as the ``600x400/smart``
thumbnail of its first image. The image host serves the full files and the thumbnails, never a
size-stripped URL with a thumbnail's signature (the real service refuses those: here a 404).

With ``special=True`` three more posts hold the cases of a file known only by a thumbnail:
``cover-kiwi`` (a cover shown nowhere in full, whose file img.over-blog-kiwi.com serves),
``cover-thumb`` (the same, but the kiwi host does not have it: only the thumbnail can be
stored) and ``cover-elsewhere`` (a cover shown in full in another post's body only).
"""

from __future__ import annotations

import hashlib
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fixtureserver import SITES_DIR

HOST = "cuisine-de-mamie.over-blog.com"
TEMPLATE_POST = "/2023/03/madeleines-a-la-bosse.html"
TEMPLATE_TITLE = "Madeleines « à la bosse »"
BLOG_ID = "4512378"
DAY = "20240301"
IMAGE_HOST = "image.over-blog.com"
KIWI_HOST = "img.over-blog-kiwi.com"
PER_PAGE = 10
_SECTIONS = re.compile(r'<div class="ob-sections">.*?\n  </div>\n', re.S)
_OG_IMAGE = re.compile(r'(<meta property="og:image" content=")[^"]*(")')


@dataclass
class Blog:
    """What was generated: the posts, and each file's URLs."""

    posts: list[str] = field(default_factory=list)
    full: dict[str, str] = field(default_factory=dict)
    """File name → its full-size URL (as ``a.ob-link-img`` gives it)."""
    thumbnails: dict[str, list[str]] = field(default_factory=dict)
    """File name → its thumbnail URLs."""
    kiwi: dict[str, str] = field(default_factory=dict)
    """File name → its img.over-blog-kiwi.com URL (served for some files only)."""
    covers: dict[str, str] = field(default_factory=dict)
    """Post path → its cover's URL (``og:image``, and the listing's thumbnail)."""

    @property
    def articles(self) -> int:
        return len(self.posts) + len(list((SITES_DIR / HOST).rglob("20*/*/*.html"))) + 2


def _signature(path: str) -> str:
    return hashlib.sha1(path.encode()).hexdigest()[:27] + "="


def image_url(name: str, size: str = "") -> str:
    """A signed image.over-blog.com URL of file ``name`` (``size``: ``"600x400/smart/"``)."""
    path = f"{size}filters:no_upscale()/image%2F{BLOG_ID}%2F{DAY}%2F{name}"
    return f"http://{IMAGE_HOST}/{_signature(path)}/{path}"


def kiwi_url(name: str) -> str:
    folders = "/".join((BLOG_ID[0], BLOG_ID[1:3], BLOG_ID[3:5], BLOG_ID[5:7]))
    return f"http://{KIWI_HOST}/{folders}/{DAY}/{name}"


def _serve(sites: Path, url: str, name: str) -> None:
    """Write the bytes of file ``name`` where the fixture server looks for ``url``."""
    relative = url.split("://", 1)[1].replace("%2F", "/")
    target = sites / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\xff\xd8\xff\xe0JFIF " + name.encode() + b" " + url[-12:].encode())


def _figure(blog: Blog, sites: Path, name: str) -> str:
    full, thumbnail = image_url(name), image_url(name, "1200x900/smart/")
    blog.full[name] = full
    blog.thumbnails.setdefault(name, []).append(thumbnail)
    _serve(sites, full, name)
    _serve(sites, thumbnail, name + "-1200")
    return (f'<div class="ob-section ob-section-images ob-default"><div class="ob-row-1-col">'
            f'<a href="{full}" class="ob-link-img"><img src="{thumbnail}" alt="{name}" '
            f'class="ob-cell ob-img ob-media" /></a></div></div>\n')


def _cover(blog: Blog, sites: Path, name: str) -> str:
    cover = image_url(name, "600x400/smart/")
    blog.thumbnails.setdefault(name, []).append(cover)
    _serve(sites, cover, name + "-600")
    return cover


def _post(template: str, path: str, title: str, body: str, cover: str) -> str:
    page = template.replace(TEMPLATE_POST, path).replace(TEMPLATE_TITLE, title)
    page = _SECTIONS.sub(lambda _m: f'<div class="ob-sections">\n{body}  </div>\n', page, 1)
    return _OG_IMAGE.sub(lambda m: f"{m[1]}{cover}{m[2]}", page)


def build(sites: Path, posts: int, images: int = 3, special: bool = True) -> Blog:
    """Write the blog under ``sites`` (see the module's docstring)."""
    site = sites / HOST
    shutil.copytree(SITES_DIR / HOST, site)
    template = (site / TEMPLATE_POST.lstrip("/")).read_text("utf-8")
    blog = Blog()
    for number in range(posts):
        names = [f"ob_{number:04x}{index:02x}_banc-{number}-{index}.jpg" for index in range(images)]
        body = "".join(_figure(blog, sites, name) for name in names)
        path = f"/2024/{1 + number % 12:02d}/banc-d-essai-{number:05d}.html"
        blog.posts.append(path)
        blog.covers[path] = _cover(blog, sites, names[0])
        content = (f"Banc d'essai n° {number}", body + "<p>Texte.</p>\n")
        _write_post(site, template, path, content, blog.covers[path])
    if special:
        _special_posts(blog, sites, site, template)
    _listings(site, blog)
    return blog


def _write_post(site: Path, template: str, path: str, content: tuple[str, str],
                cover: str) -> None:
    target = site / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_post(template, path, content[0], content[1], cover), "utf-8")


def _special_posts(blog: Blog, sites: Path, site: Path, template: str) -> None:
    text = "<p>Un billet dont la couverture n'est pas dans le texte.</p>\n"
    kiwi_only, thumb_only = "ob_c0c0a1_couverture-kiwi.jpg", "ob_c0c0a2_couverture-vignette.jpg"
    blog.kiwi[kiwi_only] = kiwi_url(kiwi_only)
    _serve(sites, blog.kiwi[kiwi_only], kiwi_only)
    elsewhere = "ob_c0c0a3_couverture-ailleurs.jpg"
    for slug, name, body in (
        ("cover-kiwi", kiwi_only, text),
        ("cover-thumb", thumb_only, text),
        ("cover-elsewhere", elsewhere, text),
        ("full-elsewhere", None, _figure(blog, sites, elsewhere) + text),
    ):
        path = f"/2024/06/{slug}.html"
        blog.posts.append(path)
        blog.covers[path] = _cover(blog, sites, name) if name else image_url(elsewhere)
        _write_post(site, template, path, (slug, body), blog.covers[path])


def _listings(site: Path, blog: Blog) -> None:
    listing = (site / "page" / "2").read_text("utf-8")
    count = math.ceil(len(blog.posts) / PER_PAGE)
    for number in range(1, count + 1):
        chunk = blog.posts[(number - 1) * PER_PAGE: number * PER_PAGE]
        links = "".join(
            f'<div class="PostPreview"><a href="http://{HOST}{path}">billet</a>'
            f'<img class="PostPreview-coverImage" src="{blog.covers[path]}">'
            "</div>\n" for path in chunk)
        if number < count:
            links += f'<a href="/page/{number + 1}" rel="next">Page suivante</a>\n'
        target = site / "index.html" if number == 1 else site / "page" / str(number)
        source = target.read_text("utf-8") if number == 1 else listing
        target.write_text(source.replace("</body>", links + "</body>"), "utf-8")
