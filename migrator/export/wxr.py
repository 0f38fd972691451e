"""WordPress WXR 1.2 export (``DIR/wordpress.xml``) following ANCHORS.md §1.13.

Streaming: ``<wp:author>`` and term declarations belong in the channel *before* the items, but
articles arrive one by one. So items are written to a temporary file while streaming; only the
author and term maps are kept in memory. ``finish`` writes the header, authors and terms to the
final temporary file, copies the items file in chunks, closes the document, checks the whole
file with lxml in strict mode (``iterparse``, no recover; elements are cleared as they are read
so memory stays flat) and renames it into place.

Rules applied (each one has a test in tests/test_export_wxr.py): UTF-8, no DOCTYPE, the exact
``excerpt``/``content``/``wfw``/``dc``/``wp`` prefixes and URIs, ``wp:wxr_version`` 1.2; every
text value in CDATA with ``]]>`` split as ``]]]]><![CDATA[>``; XML-1.0-illegal characters
removed from every value and attribute; ``wp:post_id`` unique across posts, pages and
attachments; one ``<wp:author>`` per distinct author on one line, ``dc:creator`` = its login;
``<category domain=… nicename=…>`` (domain first); comments flattened depth-first so a parent
always has a smaller ``wp:comment_id`` than its replies; each article image declared as an
``attachment`` item whose ``wp:attachment_url`` is exactly the ``src`` (or ``href``) used in the
content: ``--base-url`` + ``/media/<file>`` for downloaded files, else the original URL at full
resolution; ``_thumbnail_id`` points at the cover image's attachment.

Issue 4 additions: a file shown by several articles is declared once, under the first one (a
set of 64-bit URL digests is all that is kept; the importer's URL remap rewrites every post's
content); two files with one name in one post get distinct titles (the importer's
``post_exists`` would skip the second); two author names that give the same login get
``-2``… instead of being merged; ``wp:post_name`` comes from the pipeline's ``SitePlan`` so it
matches the redirect maps, and links between posts in the content point at their WordPress
addresses (``/<slug>/``, ``/tag/<slug>/``; ``--base-url`` prefixed; "Post name" permalinks).

Issue 10 additions: the content arrives sanitised (``migrator.sanitize``, applied by the
pipeline to every article). Text fields that WordPress shows as HTML without escaping them
(post title, excerpt, attachment caption) get ``<`` written as ``&lt;``; comment authors are
written as WordPress stores them (``&``, ``<``, ``>`` as entities: a re-import then finds
them with ``comment_exists`` and adds no duplicate); so text that was escaped on the blog
stays text. Items the importer's duplicate check would merge (same type, title and local
date: ``post_exists``) are made distinct by the pipeline's ``SitePlan`` (see the ``links``
module): a later one is moved by ``Placement.date_shift`` seconds (postmeta
``_overblog_date_shifted`` = the original local date; its attachments and undated comments
follow), an undated one gets `` (n)`` after its title (postmeta ``_overblog_title_changed``
= the original title); each is a report warning.

Articles without a date (decision): ``wp:post_date`` and ``wp:post_date_gmt`` are written empty
and the status is kept (``publish``). The importer then calls ``post_exists(title, '', '',
type)``, and WordPress core's ``post_exists`` drops the date condition when the date is empty,
so a re-import still detects the duplicate by title and type (ANCHORS §1.7) — whereas a fake
"0000-00-00 00:00:00" would never match the date WordPress assigns and would duplicate the post
on every re-import, and a made-up date (1970, or a neighbour's) would publish a false date.
WordPress gives such posts the import time; each one also gets the postmeta
``_overblog_date_unknown`` = ``1`` so they can be found and fixed. Undated comments take their
article's date (or, when that is unknown too, ``1970-01-01 00:00:00`` because MySQL refuses an
empty comment date).
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import quoteattr

from lxml import etree

from migrator.dates import rfc822, wordpress_dates
from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error, rewrite_image_sources
from migrator.links import Placement
from migrator.media import original_image_url
from migrator.model import Article, Blog, Comment, Image
from migrator.settings import ExportSettings
from migrator.slugs import article_slug, ascii_login, safe_slug, term_slug, unique_name

__all__ = ["WxrExporter", "NAMESPACES", "cdata", "xml_safe"]

OUTPUT_NAME = "wordpress.xml"
WXR_VERSION = "1.2"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
DEFAULT_AUTHOR_NAME = "Auteur"
UNKNOWN_COMMENT_DATE = "1970-01-01 00:00:00"
WP_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
COPY_CHUNK = 64 * 1024

_ILLEGAL_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    """``text`` without the characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/F)."""
    return _ILLEGAL_XML_CHARS.sub("", text or "")


def cdata(text: str | None) -> str:
    """``text`` as CDATA, with ``]]>`` split across two sections as WordPress core does."""
    return "<![CDATA[" + xml_safe(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def element(tag: str, text: str | None) -> str:
    return f"<{tag}>{cdata(text)}</{tag}>"


def number(tag: str, value: int) -> str:
    return f"<{tag}>{value}</{tag}>"


def postmeta(key: str, value: str) -> str:
    pair = element("wp:meta_key", key) + element("wp:meta_value", value)
    return f"<wp:postmeta>{pair}</wp:postmeta>"


def comment_author_text(name: str | None) -> str:
    """A comment author the way WordPress stores it (``pre_comment_author_name``:
    ``sanitize_text_field`` then ``_wp_specialchars``): white space runs as one space, ``&``,
    ``<`` and ``>`` as entities. The importer skips a comment on re-import only when
    ``comment_exists(author, date)`` finds the stored value, so the file must hold it."""
    return html.escape(" ".join((name or "").split()), quote=False)


def html_text(text: str | None) -> str:
    """Text for a WordPress field shown as HTML without escaping (title, excerpt, caption,
    comment author): ``<`` as ``&lt;``, so no tag can open and escaped text on the blog
    stays text (``&`` and ``>`` are left as they are: WordPress shows them as typed)."""
    return (text or "").replace("<", "&lt;")


def default_author_login(blog_url: str) -> str:
    """Login for articles without author: the blog host's first label (``monblog.over-blog.com``
    → ``monblog``)."""
    host = (urlsplit(blog_url).hostname or "").removeprefix("www.")
    return ascii_login(host.split(".")[0], fallback="auteur")


def _url_digest(url: str) -> int:
    digest = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def file_name(url: str) -> str:
    # Not PurePosixPath: it interns every part, a table that grows with each new name.
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1] or "image"


def flatten_comments(
    comments: list[Comment], next_id: int, parent: int = 0
) -> Iterator[tuple[int, int, Comment]]:
    """(id, parent id, comment) depth-first; a parent always gets a smaller id than its replies."""
    stack = [(parent, c) for c in reversed(comments)]
    current = next_id
    while stack:
        parent_id, comment = stack.pop()
        yield current, parent_id, comment
        stack.extend((current, reply) for reply in reversed(comment.replies))
        current += 1


class WxrExporter(Exporter):
    name = "wxr"

    def __init__(self, out_dir: Path, settings: ExportSettings) -> None:
        super().__init__(out_dir, settings)
        self._final = self._target(OUTPUT_NAME)
        self._blog: Blog | None = None
        self._items: IO[str] | None = None
        self._items_path: Path | None = None
        self._authors: dict[str, str] = {}
        """Login → display name, in order of first appearance."""
        self._login_by_name: dict[str, str] = {}
        self._logins_used: set[str] = set()
        self._categories: dict[str, str] = {}
        self._tags: dict[str, str] = {}
        self._next_post_id = 1
        self._next_comment_id = 1
        self._declared: set[int] = set()
        """64-bit digests of the attachment URLs declared so far (each declared once)."""
        self._default_login = "auteur"

    # -- streaming -----------------------------------------------------------------------

    def start(self, blog: Blog) -> None:
        self._blog = blog
        self._default_login = default_author_login(blog.url)
        self._items, self._items_path = self._open_temp(self._final.with_name(".wxr-items"))

    def write(self, article: Article) -> None:
        if self._items is None:
            raise ExportError(f"cannot write {self._final}: write() called before start()")
        self._emit(self._items, self._render_article(article))

    def finish(self) -> None:
        if self._items is None or self._items_path is None or self._blog is None:
            raise ExportError(f"cannot write {self._final}: finish() called before start()")
        items_path = self._items_path
        try:
            self._close_handles()
            document, temp = self._open_temp(self._final)
            with document:
                document.write(self._render_header(self._blog))
                with items_path.open(encoding="utf-8") as items:
                    shutil.copyfileobj(items, document, COPY_CHUNK)
                document.write("</channel>\n</rss>\n")
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self._final, error)) from error
        except ExportError:
            self.abort()
            raise
        items_path.unlink(missing_ok=True)
        self._temps.remove(items_path)
        self._check_well_formed(temp)
        self._commit(temp, self._final)

    def _close_handles(self) -> None:
        if self._items is not None:
            items, self._items = self._items, None
            items.close()

    def _emit(self, handle: IO[str], text: str) -> None:
        try:
            handle.write(text)
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self._final, error)) from error

    def _check_well_formed(self, path: Path) -> None:
        try:
            for _event, elem in etree.iterparse(str(path), events=("end",), huge_tree=True):
                elem.clear()
                # A cleared element stays in the tree: drop the ones before it too, or the
                # check holds an empty element for every one read (10 MB at 2,000 posts).
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
        except etree.XMLSyntaxError as error:
            self.abort()
            raise ExportError(f"invalid WXR produced ({path.name}): {error}") from error

    # -- channel -------------------------------------------------------------------------

    def _render_header(self, blog: Blog) -> str:
        namespaces = "\n".join(f'  xmlns:{p}="{uri}"' for p, uri in NAMESPACES.items())
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<rss version="2.0"\n{namespaces}>',
            "<channel>",
            "  " + element("title", blog.title),
            "  " + element("link", blog.url),
            "  " + element("description", blog.description),
            "  " + element("language", blog.language),
            "  " + element("generator", "overblog-migrator"),
            f"  <wp:wxr_version>{WXR_VERSION}</wp:wxr_version>",
            "  " + element("wp:base_site_url", blog.url),
            "  " + element("wp:base_blog_url", blog.url),
        ]
        lines += [
            "  " + self._render_author(i, login, name)
            for i, (login, name) in enumerate(self._authors.items(), start=1)
        ]
        term_id = 1
        for slug, name in self._categories.items():
            lines.append(
                f"  <wp:category>{number('wp:term_id', term_id)}"
                f"{element('wp:category_nicename', slug)}{element('wp:category_parent', '')}"
                f"{element('wp:cat_name', name)}</wp:category>"
            )
            term_id += 1
        for slug, name in self._tags.items():
            lines.append(
                f"  <wp:tag>{number('wp:term_id', term_id)}{element('wp:tag_slug', slug)}"
                f"{element('wp:tag_name', name)}</wp:tag>"
            )
            term_id += 1
        return "\n".join(lines) + "\n"

    @staticmethod
    def _render_author(author_id: int, login: str, display_name: str) -> str:
        # One line on purpose: the legacy regex reader only sees single-line <wp:author>.
        return (
            f"<wp:author>{number('wp:author_id', author_id)}{element('wp:author_login', login)}"
            f"{element('wp:author_email', '')}{element('wp:author_display_name', display_name)}"
            f"{element('wp:author_first_name', '')}{element('wp:author_last_name', '')}</wp:author>"
        )

    # -- items ---------------------------------------------------------------------------

    def _author_login(self, author: str | None) -> str:
        """One login per distinct author name (``-2``… when two names give the same login,
        so two authors are never merged); articles without author share a default login."""
        name = xml_safe(author).strip()
        known = self._login_by_name.get(name)
        if known is not None:
            return known
        base = ascii_login(name, fallback=self._default_login) if name else self._default_login
        login = unique_name(base, self._logins_used)
        self._authors[login] = name or DEFAULT_AUTHOR_NAME
        self._login_by_name[name] = login
        return login

    def _term_tags(self, article: Article) -> list[str]:
        tags = []
        for domain, names, declared in (
            ("category", article.categories, self._categories),
            ("post_tag", article.tags, self._tags),
        ):
            for name in dict.fromkeys(xml_safe(n).strip() for n in names):
                if not name:
                    continue
                slug = term_slug(name)
                declared.setdefault(slug, name)
                tags.append(
                    f"<category domain={quoteattr(domain)} nicename={quoteattr(slug)}>"
                    f"{cdata(name)}</category>"
                )
        return tags

    def _attachment_url(self, image: Image) -> str:
        """The URL the importer fetches: the uploaded copy under ``--base-url`` when the file
        was downloaded, else the original at full resolution."""
        if self.settings.base_url and image.local_path and self.settings.include_images:
            return self.settings.base_url.rstrip("/") + "/" + image.local_path.lstrip("/")
        return original_image_url(image.url)

    def _placement(self, article: Article) -> Placement:
        placement = self.plan.placement(article.url) if self.plan is not None else None
        if placement is None:
            slug = article_slug(article.slug, article.title, article.url)
            placement = Placement("page" if article.kind == "page" else "post", slug)
        return placement

    def _render_article(self, article: Article) -> str:
        post_id = self._allocate_post_id()
        login = self._author_login(article.author)
        attachments = self._plan_attachments(article)
        cover_id = self._cover_attachment(article, attachments)
        body = article.body_html
        if self.plan is not None:  # links between posts → their WordPress addresses
            body = self.plan.rewrite_links(
                body, article.url, wordpress=True, base_url=self.settings.base_url or ""
            )
        body = rewrite_image_sources(body, article.images, self._attachment_url)
        placement = self._placement(article)
        local, gmt = wordpress_dates(article.published, placement.date_shift)
        title = html_text(article.title)
        meta = [postmeta("_overblog_source_url", article.url)]
        if not article.published:
            meta.append(postmeta("_overblog_date_unknown", "1"))
        if placement.date_shift:
            meta.append(postmeta("_overblog_date_shifted", wordpress_dates(article.published)[0]))
            self.warn(article.url, f"WordPress: date moved by {placement.date_shift} s to "
                                   f"{local} (same title and date as an earlier item: the "
                                   "importer would merge them)")
        if placement.title_number:
            meta.append(postmeta("_overblog_title_changed", title))
            title = f"{title} ({placement.title_number})"
            self.warn(article.url, f"WordPress: undated item titled {title!r} (an earlier item "
                                   "has its title: the importer would merge them)")
        if cover_id is not None:
            meta.append(postmeta("_thumbnail_id", str(cover_id)))
        fields = [
            element("title", title),
            element("link", article.url),
            element("pubDate", rfc822(article.published)),
            element("dc:creator", login),
            f'<guid isPermaLink="false">{cdata(article.url)}</guid>',
            "<description></description>",
            element("content:encoded", body),
            element("excerpt:encoded", html_text(article.excerpt)),
            number("wp:post_id", post_id),
            element("wp:post_date", local),
            element("wp:post_date_gmt", gmt),
            element("wp:comment_status", "open"),
            element("wp:ping_status", "closed"),
            element("wp:post_name", placement.slug),
            element("wp:status", "draft" if article.status == "draft" else "publish"),
            number("wp:post_parent", 0),
            number("wp:menu_order", 0),
            element("wp:post_type", "page" if article.kind == "page" else "post"),
            element("wp:post_password", ""),
            number("wp:is_sticky", 0),
            *self._term_tags(article),
            *meta,
            *self._render_comments(article, local, gmt),
        ]
        item = "  <item>\n" + "".join(f"    {f}\n" for f in fields) + "  </item>\n"
        titles: set[str] = set()
        for attachment_id, url, image in attachments.values():
            self._declared.add(_url_digest(url))
            # The importer skips an attachment whose title and date match one already
            # imported (post_exists): two files with one name in one post need two titles.
            title = unique_name(file_name(url), titles)
            item += self._render_attachment(
                attachment_id, url, title, image, post_id, login, local, gmt
            )
        return item

    def _allocate_post_id(self) -> int:
        post_id = self._next_post_id
        self._next_post_id += 1
        return post_id

    def _plan_attachments(self, article: Article) -> dict[str, tuple[int, str, Image]]:
        """Attachment URL → (post id, URL, image), one per distinct URL of the article and
        never one already declared by an earlier article (the importer's URL remap rewrites
        every post's content, so one declaration serves them all)."""
        if not self.settings.include_images:
            return {}
        planned: dict[str, tuple[int, str, Image]] = {}
        for image in article.images:
            url = xml_safe(self._attachment_url(image))
            if url and url not in planned and _url_digest(url) not in self._declared:
                planned[url] = (self._allocate_post_id(), url, image)
        return planned

    def _cover_attachment(
        self, article: Article, planned: dict[str, tuple[int, str, Image]]
    ) -> int | None:
        if not article.cover_image or not self.settings.include_images:
            return None
        cover_url = original_image_url(article.cover_image)
        cover = next(
            (i for i in article.images if original_image_url(i.url) == cover_url),
            Image(url=article.cover_image),
        )
        url = xml_safe(self._attachment_url(cover))
        if url in planned:
            return planned[url][0]
        # A cover already declared by an earlier article is declared again for this one:
        # keeping every attachment id would cost memory for a rare case.
        planned[url] = (self._allocate_post_id(), url, cover)
        return planned[url][0]

    def _render_attachment(
        self,
        attachment_id: int,
        url: str,
        name: str,
        image: Image,
        parent_id: int,
        login: str,
        local: str,
        gmt: str,
    ) -> str:
        fields = [
            element("title", name),
            element("link", url),
            element("dc:creator", login),
            f'<guid isPermaLink="false">{cdata(url)}</guid>',
            "<description></description>",
            element("content:encoded", ""),
            element("excerpt:encoded", html_text(image.caption)),
            number("wp:post_id", attachment_id),
            element("wp:post_date", local),
            element("wp:post_date_gmt", gmt),
            element("wp:comment_status", "closed"),
            element("wp:ping_status", "closed"),
            element("wp:post_name", safe_slug(name, fallback=f"image-{attachment_id}")),
            element("wp:status", "inherit"),
            number("wp:post_parent", parent_id),
            number("wp:menu_order", 0),
            element("wp:post_type", "attachment"),
            element("wp:post_password", ""),
            number("wp:is_sticky", 0),
            element("wp:attachment_url", url),
        ]
        if image.alt:
            fields.append(postmeta("_wp_attachment_image_alt", image.alt))
        return "  <item>\n" + "".join(f"    {f}\n" for f in fields) + "  </item>\n"

    def _render_comments(self, article: Article, post_local: str, post_gmt: str) -> list[str]:
        rendered = []
        flat = list(flatten_comments(article.comments, self._next_comment_id))
        for comment_id, parent_id, comment in flat:
            local, gmt = wordpress_dates(comment.published)
            if not local:
                local, gmt = (post_local, post_gmt) if post_local else (UNKNOWN_COMMENT_DATE,) * 2
            rendered.append(
                "<wp:comment>"
                + number("wp:comment_id", comment_id)
                + element("wp:comment_author", comment_author_text(comment.author))
                + element("wp:comment_author_email", "")
                + element("wp:comment_author_url", comment.url or "")
                + element("wp:comment_author_IP", "")
                + element("wp:comment_date", local)
                + element("wp:comment_date_gmt", gmt)
                + element("wp:comment_content", comment.body_html)
                + element("wp:comment_approved", "1")
                + element("wp:comment_type", "comment")
                + number("wp:comment_parent", parent_id)
                + number("wp:comment_user_id", 0)
                + "</wp:comment>"
            )
        self._next_comment_id += len(flat)
        return rendered
