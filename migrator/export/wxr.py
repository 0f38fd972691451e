"""WordPress WXR 1.2 export (``DIR/wordpress.xml``) following ANCHORS.md §1.13.

Streaming: ``<wp:author>`` and term declarations belong in the channel *before* the items; the
site plan the exporter is built with (``links.SitePlan``, a first pass over the archive) lists
every author, category and tag in order of first appearance, so ``start`` writes the whole
channel header and each ``write`` writes its items at once, through an XML writer
(``wxr_xml.WxrStream``, lxml's ``xmlfile``): well-formed by construction, nothing kept but the
author and term maps and the digests of the attachments declared. ``finish`` closes the document
and renames it into place.

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

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from migrator.dates import rfc822, wordpress_dates
from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error, rewrite_image_sources
from migrator.links import SitePlan
from migrator.media.identity import file_key
from migrator.media.urls import original_image_url
from migrator.model import Article, Blog, Image
from migrator.settings import ExportSettings
from migrator.slugs import safe_slug, term_slug, unique_name

from .wordpress import (
    Logins,
    comment_author_text,
    default_author_login,
    file_name,
    flatten_comments,
    html_text,
    url_digest,
)
from .wxr_xml import NAMESPACES, Field, Plain, WxrStream, cdata, xml_safe

__all__ = ["NAMESPACES", "WxrExporter", "cdata", "flatten_comments", "xml_safe"]

OUTPUT_NAME = "wordpress.xml"
WXR_VERSION = "1.2"
UNKNOWN_COMMENT_DATE = "1970-01-01 00:00:00"

Attachments = dict[str, tuple[int, str, Image]]
"""Attachment URL → (post id, URL, image) of one article's attachment items."""


def _postmeta(key: str, value: str) -> Field:
    return Field("wp:postmeta", [Field("wp:meta_key", key), Field("wp:meta_value", value)])


def _guid(url: str) -> Field:
    return Field("guid", url, (("isPermaLink", "false"),))


class WxrExporter(Exporter):
    name = "wxr"

    def __init__(self, out_dir: Path, settings: ExportSettings, plan: SitePlan) -> None:
        super().__init__(out_dir, settings, plan)
        self.target = self._target(OUTPUT_NAME)
        self._handle: IO[bytes] | None = None
        self._temp: Path | None = None
        self._stream: WxrStream | None = None
        self._logins = Logins("auteur")
        self._categories: dict[str, str] = {}
        self._tags: dict[str, str] = {}
        """Term slug → name, in order of first appearance."""
        self._next_post_id = 1
        self._next_comment_id = 1
        self._declared: set[int] = set()
        """64-bit digests of the attachment URLs declared so far (each declared once)."""

    # -- the document --------------------------------------------------------------------

    def _start(self, blog: Blog) -> None:
        self._logins = Logins(default_author_login(blog.url))
        for author in self.plan.authors:
            self._logins.declare(author)
        self._declare_terms(self.plan.categories, self._categories)
        self._declare_terms(self.plan.tags, self._tags)
        self._handle, self._temp = self._open_temp(self.target, binary=True)
        self._guard(self._write_header, blog)

    def _write(self, article: Article) -> None:
        self._guard(self._write_article, article)

    def _finish(self) -> None:
        assert self._stream is not None and self._temp is not None
        self._guard(self._stream.close)
        self._stream = None
        try:
            self._close_handles()
        except ExportError:
            self.abort()
            raise
        self._commit(self._temp, self.target)

    def _guard(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work``; any failure removes the unfinished file (a file-system one is a
        one-line ``ExportError``)."""
        try:
            work(*args)
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self.target, error)) from error
        except BaseException:
            self.abort()
            raise

    def _close_handles(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            stream.abandon()
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                handle.close()
            except OSError as error:
                raise ExportError(describe_os_error(self.target, error)) from error

    # -- channel -------------------------------------------------------------------------

    @staticmethod
    def _declare_terms(names: list[str], declared: dict[str, str]) -> None:
        for name in dict.fromkeys(xml_safe(n).strip() for n in names):
            if name:
                declared.setdefault(term_slug(name), name)

    def _write_header(self, blog: Blog) -> None:
        assert self._handle is not None
        self._stream = stream = WxrStream(self._handle)
        for field in (
            Field("title", blog.title),
            Field("link", blog.url),
            Field("description", blog.description),
            Field("language", blog.language),
            Field("generator", "overblog-migrator"),
            Field("wp:wxr_version", Plain(WXR_VERSION)),
            Field("wp:base_site_url", blog.url),
            Field("wp:base_blog_url", blog.url),
        ):
            stream.line(field)
        for author_id, (login, name) in enumerate(self._logins.declared.items(), start=1):
            stream.line(Field("wp:author", [
                Field("wp:author_id", author_id), Field("wp:author_login", login),
                Field("wp:author_email", ""), Field("wp:author_display_name", name),
                Field("wp:author_first_name", ""), Field("wp:author_last_name", ""),
            ]))
        term_id = 1
        for slug, name in self._categories.items():
            stream.line(Field("wp:category", [
                Field("wp:term_id", term_id), Field("wp:category_nicename", slug),
                Field("wp:category_parent", ""), Field("wp:cat_name", name),
            ]))
            term_id += 1
        for slug, name in self._tags.items():
            stream.line(Field("wp:tag", [
                Field("wp:term_id", term_id), Field("wp:tag_slug", slug),
                Field("wp:tag_name", name),
            ]))
            term_id += 1

    # -- items ---------------------------------------------------------------------------

    def _write_article(self, article: Article) -> None:
        assert self._stream is not None
        post_id = self._allocate_post_id()
        login = self._logins.login_of(article.author)
        if login is None:
            raise ExportError(f"cannot write {self.target}: the author of {article.url} is not "
                              "in the site plan the exporter was built with")
        attachments = self._plan_attachments(article)
        cover_id = self._cover_attachment(article, attachments)
        body = self.plan.rewrite_links(  # links between posts → their WordPress addresses
            article.body_html, article.url, wordpress=True, base_url=self.settings.base_url or ""
        )
        body = rewrite_image_sources(body, article.images, self._attachment_url)
        placement = self.placement(article)
        local, gmt = wordpress_dates(article.published, placement.date_shift)
        title = html_text(article.title)
        meta = [_postmeta("_overblog_source_url", article.url)]
        if not article.published:
            meta.append(_postmeta("_overblog_date_unknown", "1"))
        if placement.date_shift:
            meta.append(_postmeta("_overblog_date_shifted", wordpress_dates(article.published)[0]))
            self.warn(article.url, f"WordPress: date moved by {placement.date_shift} s to "
                                   f"{local} (same title and date as an earlier item: the "
                                   "importer would merge them)")
        if placement.title_number:
            meta.append(_postmeta("_overblog_title_changed", title))
            title = f"{title} ({placement.title_number})"
            self.warn(article.url, f"WordPress: undated item titled {title!r} (an earlier item "
                                   "has its title: the importer would merge them)")
        if cover_id is not None:
            meta.append(_postmeta("_thumbnail_id", str(cover_id)))
        self._stream.item([
            Field("title", title),
            Field("link", article.url),
            Field("pubDate", rfc822(article.published)),
            Field("dc:creator", login),
            _guid(article.url),
            Field("description", None),
            Field("content:encoded", body),
            Field("excerpt:encoded", html_text(article.excerpt)),
            Field("wp:post_id", post_id),
            Field("wp:post_date", local),
            Field("wp:post_date_gmt", gmt),
            Field("wp:comment_status", "open"),
            Field("wp:ping_status", "closed"),
            Field("wp:post_name", placement.slug),
            Field("wp:status", "draft" if article.status == "draft" else "publish"),
            Field("wp:post_parent", 0),
            Field("wp:menu_order", 0),
            Field("wp:post_type", "page" if article.kind == "page" else "post"),
            Field("wp:post_password", ""),
            Field("wp:is_sticky", 0),
            *_term_fields(article),
            *meta,
            *self._comments(article, local, gmt),
        ])
        titles: set[str] = set()
        for attachment_id, url, image in attachments.values():
            self._declared.add(url_digest(url))
            # The importer skips an attachment whose title and date match one already
            # imported (post_exists): two files with one name in one post need two titles.
            name = unique_name(file_name(url), titles)
            self._stream.item(_attachment_fields(
                attachment_id, url, name, image, post_id, login, local, gmt))

    def _comments(self, article: Article, local: str, gmt: str) -> list[Field]:
        fields = _comment_fields(article, self._next_comment_id, local, gmt)
        self._next_comment_id += len(fields)
        return fields

    def _attachment_url(self, image: Image) -> str:
        """The URL the importer fetches: the uploaded copy under ``--base-url`` when the file
        was downloaded, else the URL the copy came from (as it is: a thumbnail's signature
        holds for its size only), else the original at full resolution."""
        if image.local_path and self.settings.include_images:
            if self.settings.base_url:
                return self.settings.base_url.rstrip("/") + "/" + image.local_path.lstrip("/")
            return image.url
        return original_image_url(image.url)

    def _allocate_post_id(self) -> int:
        post_id = self._next_post_id
        self._next_post_id += 1
        return post_id

    def _plan_attachments(self, article: Article) -> Attachments:
        """Attachment URL → (post id, URL, image), one per distinct URL of the article and
        never one already declared by an earlier article (the importer's URL remap rewrites
        every post's content, so one declaration serves them all)."""
        if not self.settings.include_images:
            return {}
        planned: Attachments = {}
        for image in article.images:
            url = xml_safe(self._attachment_url(image))
            if url and url not in planned and url_digest(url) not in self._declared:
                planned[url] = (self._allocate_post_id(), url, image)
        return planned

    def _cover_attachment(self, article: Article, planned: Attachments) -> int | None:
        if not article.cover_image or not self.settings.include_images:
            return None
        cover_file = file_key(article.cover_image)  # the body may show it in another size
        cover = next(
            (i for i in article.images if file_key(i.url) == cover_file),
            Image(url=article.cover_image),
        )
        url = xml_safe(self._attachment_url(cover))
        if url in planned:
            return planned[url][0]
        # A cover already declared by an earlier article is declared again for this one:
        # keeping every attachment id would cost memory for a rare case.
        planned[url] = (self._allocate_post_id(), url, cover)
        return planned[url][0]


def _term_fields(article: Article) -> list[Field]:
    """The article's categories and tags, each once."""
    fields = []
    for domain, names in (("category", article.categories), ("post_tag", article.tags)):
        for name in dict.fromkeys(xml_safe(n).strip() for n in names):
            if name:
                attributes = (("domain", domain), ("nicename", term_slug(name)))
                fields.append(Field("category", name, attributes))
    return fields


def _attachment_fields(attachment_id: int, url: str, name: str, image: Image, parent_id: int,
                       login: str, local: str, gmt: str) -> list[Field]:
    """The fields of one attachment item (a file shown by an article)."""
    fields = [
        Field("title", name),
        Field("link", url),
        Field("dc:creator", login),
        _guid(url),
        Field("description", None),
        Field("content:encoded", ""),
        Field("excerpt:encoded", html_text(image.caption)),
        Field("wp:post_id", attachment_id),
        Field("wp:post_date", local),
        Field("wp:post_date_gmt", gmt),
        Field("wp:comment_status", "closed"),
        Field("wp:ping_status", "closed"),
        Field("wp:post_name", safe_slug(name, fallback=f"image-{attachment_id}")),
        Field("wp:status", "inherit"),
        Field("wp:post_parent", parent_id),
        Field("wp:menu_order", 0),
        Field("wp:post_type", "attachment"),
        Field("wp:post_password", ""),
        Field("wp:is_sticky", 0),
        Field("wp:attachment_url", url),
    ]
    if image.alt:
        fields.append(_postmeta("_wp_attachment_image_alt", image.alt))
    return fields


def _comment_fields(article: Article, first_id: int, post_local: str,
                    post_gmt: str) -> list[Field]:
    """One ``wp:comment`` per comment, parents first, numbered from ``first_id``."""
    fields = []
    flat = list(flatten_comments(article.comments, first_id))
    for comment_id, parent_id, comment in flat:
        local, gmt = wordpress_dates(comment.published)
        if not local:
            local, gmt = (post_local, post_gmt) if post_local else (UNKNOWN_COMMENT_DATE,) * 2
        fields.append(Field("wp:comment", [
            Field("wp:comment_id", comment_id),
            Field("wp:comment_author", comment_author_text(comment.author)),
            Field("wp:comment_author_email", ""),
            Field("wp:comment_author_url", comment.url or ""),
            Field("wp:comment_author_IP", ""),
            Field("wp:comment_date", local),
            Field("wp:comment_date_gmt", gmt),
            Field("wp:comment_content", comment.body_html),
            Field("wp:comment_approved", "1"),
            Field("wp:comment_type", "comment"),
            Field("wp:comment_parent", parent_id),
            Field("wp:comment_user_id", 0),
        ]))
    return fields
