"""Markdown export (``DIR/markdown/``) for Hugo (default) or Jekyll.

Each article becomes one Markdown file: YAML front matter (``yaml.safe_dump``, so any title
survives: quotes, colons, ``#``, ``]]>``, NBSP, emoji, a leading ``@``/``-``, "yes"/"no"), then
the body converted with markdownify. Embeds (``iframe``, ``object``, ``embed``, ``video``,
``audio``) stay raw HTML, which both generators pass through.

Layout (new paths are the same in both flavors, see ``migrator.links``: posts
``/posts/<slug>/``, pages ``/pages/<slug>/``):
- Hugo: ``content/posts/<slug>/index.md`` (leaf bundle) and ``content/pages/<slug>/index.md``;
  front matter ``slug``, ``aliases`` (every old path — canonical, aliases, short v1 form — so
  Hugo writes redirect pages), ``lastmod``, ``draft: true``, ``summary``.
- Jekyll: ``_posts/YYYY-MM-DD-<slug>.md`` (date in the article's own offset). **Undated posts go
  to ``_drafts/<slug>.md``**: Jekyll needs a date in a post's file name and inventing one
  (1970-01-01) would publish a false date; drafts are listed by ``jekyll serve --drafts`` so the
  author can date them. Pages go to the root as ``<slug>.md``. Every file sets ``permalink``
  (so Jekyll's URL does not depend on its ``permalink`` setting or on categories) and
  ``redirect_from`` (jekyll-redirect-from) with the old paths; ``last_modified_at``,
  ``published: false``, ``excerpt``.

Links between articles of the blog (any host alias, v1 or kiwi form, ``/tag/…``) are rewritten
to their new paths with the pipeline's ``SitePlan`` (which also fixes the slugs, so that links,
files and redirect maps agree). ``{{`` and ``{%`` in bodies become HTML entities, so neither
Hugo shortcodes nor Jekyll Liquid read them.

Comments (decision): they go in the front matter as a ``comments`` list of ``{author, date,
url, body, replies}`` (``body`` in Markdown, ``replies`` the same shape, recursively) and never
in the body, so a theme can render them (Hugo ``range .Params.comments`` + ``markdownify``,
Jekyll ``page.comments`` + ``markdownify``) and the article text stays the article.

Names: slugs are sanitised with python-slugify (80 characters, Windows device names avoided),
collisions get ``-2``, ``-3``… (the names used are kept as a set of strings) and every path is
checked to resolve inside the output folder. Each file is written to a temporary file beside
it and renamed into place as soon as it is complete (``write``), so memory stays flat; ``finish``
has nothing left to rename.

Images: when ``image.local_path`` is set (downloaded media in ``DIR/media/``) the file is
hard-linked (or copied) beside ``index.md`` for Hugo and referenced by its name, or into
``assets/media/`` for Jekyll and referenced as ``/assets/media/<file>``; otherwise the original
(full-resolution) URL stays. Links (``<a href>``) to the same files are rewritten the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from markdownify import ATX, MarkdownConverter

from migrator.assets import link_or_copy
from migrator.errors import ExportError
from migrator.export.base import Exporter, rewrite_image_sources
from migrator.links import Placement, SitePlan, old_paths
from migrator.media import original_image_url
from migrator.model import Article, Blog, Comment, Image
from migrator.settings import ExportSettings

__all__ = ["BlogMarkdownConverter", "MarkdownExporter", "html_to_markdown", "render_document"]

OUTPUT_DIR = "markdown"
JEKYLL_MEDIA = "assets/media"
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


class BlogMarkdownConverter(MarkdownConverter):
    """markdownify with embeds kept as raw HTML and images kept in headings and table cells."""

    class Options(MarkdownConverter.DefaultOptions):
        heading_style = ATX
        bullets = "-"
        keep_inline_images_in = ["td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "a"]

    def _raw_html(self, el: Any, text: str, *args: Any, **kwargs: Any) -> str:
        return "\n\n" + str(el) + "\n\n"

    convert_iframe = _raw_html
    convert_object = _raw_html
    convert_embed = _raw_html
    convert_video = _raw_html
    convert_audio = _raw_html


def html_to_markdown(html: str) -> str:
    return BlogMarkdownConverter().convert(html or "").strip() + "\n"


def render_document(front_matter: dict[str, Any], body_markdown: str) -> str:
    """``---`` YAML front matter ``---`` then the body."""
    yaml_text = yaml.safe_dump(
        front_matter, allow_unicode=True, sort_keys=False, width=float("inf")
    )
    return f"---\n{yaml_text}---\n\n{body_markdown}"


def protect_templates(markdown: str) -> str:
    """Hide ``{{`` and ``{%`` from Hugo shortcodes and Jekyll Liquid (HTML entities render
    the same characters), so a post that talks about templates still builds."""
    return markdown.replace("{{", "&#123;&#123;").replace("{%", "&#123;%")


def _clean(text: str) -> str:
    # A lone surrogate (undecodable input) cannot be encoded as UTF-8.
    return _LONE_SURROGATES.sub("\ufffd", text)


class MarkdownExporter(Exporter):
    name = "markdown"

    def __init__(self, out_dir: Path, settings: ExportSettings) -> None:
        super().__init__(out_dir, settings)
        self.root = self._target(OUTPUT_DIR)
        self._own_plan = SitePlan()
        self._started = False

    def start(self, blog: Blog) -> None:
        self._make_dir(self.root)
        self._started = True

    def write(self, article: Article) -> None:
        if not self._started:
            raise ExportError(f"cannot write {self.root}: write() called before start()")
        placement = self._placement(article)
        final = self._target(self._path(article, placement))
        body_html = self._site_plan.rewrite_links(article.body_html, article.url)
        body = protect_templates(html_to_markdown(self._localise_images(article, body_html, final)))
        text = render_document(self._front_matter(article, placement), body)
        self._write_atomically(final, _clean(text))

    def finish(self) -> None:
        if not self._started:
            raise ExportError(f"cannot write {self.root}: finish() called before start()")

    # -- placement -----------------------------------------------------------------------

    @property
    def _hugo(self) -> bool:
        return self.settings.flavor != "jekyll"

    @property
    def _site_plan(self) -> SitePlan:
        return self.plan if self.plan is not None else self._own_plan

    def _placement(self, article: Article) -> Placement:
        placement = self.plan.placement(article.url) if self.plan is not None else None
        return placement or self._own_plan.add(article)

    def _path(self, article: Article, placement: Placement) -> str:
        """Path of the Markdown file, relative to out_dir (unique: slugs are unique)."""
        slug = placement.slug
        if self._hugo:
            section = "pages" if placement.kind == "page" else "posts"
            return f"{OUTPUT_DIR}/content/{section}/{slug}/index.md"
        if placement.kind == "page":
            return f"{OUTPUT_DIR}/{slug}.md"
        published = article.published_datetime
        if published is None:
            return f"{OUTPUT_DIR}/_drafts/{slug}.md"
        return f"{OUTPUT_DIR}/_posts/{published:%Y-%m-%d}-{slug}.md"

    # -- content -------------------------------------------------------------------------

    def _localise_images(self, article: Article, body_html: str, final: Path) -> str:
        """Body HTML whose images point at their copy for the generator, else the original.

        Hugo: the file is copied into the page bundle (beside ``index.md``) and referenced
        by its bare name. Jekyll: copied to ``assets/media/`` and referenced as
        ``/assets/media/<file>``. Media names are unique, so copies never collide.
        """

        def reference(image: Image) -> str:
            if not (image.local_path and self.settings.include_images):
                return original_image_url(image.url)
            source = self._target(image.local_path)
            if not source.is_file():
                return original_image_url(image.url)
            name = source.name
            if self._hugo:
                link_or_copy(source, final.parent / name)
                return name
            assets = self._target(f"{OUTPUT_DIR}/{JEKYLL_MEDIA}")
            self._make_dir(assets)
            link_or_copy(source, assets / name)
            return f"/{JEKYLL_MEDIA}/{name}"

        self._make_dir(final.parent)
        return rewrite_image_sources(body_html, article.images, reference)

    def _comment_entry(self, comment: Comment, page_url: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"author": comment.author}
        if comment.published:
            entry["date"] = comment.published
        if comment.url:
            entry["url"] = comment.url
        body_html = self._site_plan.rewrite_links(comment.body_html, page_url)
        entry["body"] = html_to_markdown(body_html).strip()
        entry["replies"] = [self._comment_entry(reply, page_url) for reply in comment.replies]
        return entry

    def _front_matter(self, article: Article, placement: Placement) -> dict[str, Any]:
        hugo = self._hugo
        matter: dict[str, Any] = {"title": article.title}
        if article.published:
            matter["date"] = article.published
        if article.updated:
            matter["lastmod" if hugo else "last_modified_at"] = article.updated
        if article.author:
            matter["author"] = article.author
        if article.tags:
            matter["tags"] = list(article.tags)
        if article.categories:
            matter["categories"] = list(article.categories)
        previous = [p for p in old_paths(article) if p != placement.path]
        if hugo:
            matter["slug"] = placement.slug
            if previous:
                matter["aliases"] = previous
        else:
            matter["permalink"] = placement.path
            if previous:
                matter["redirect_from"] = previous
        matter["original_url"] = article.url
        if article.status == "draft":
            matter["draft" if hugo else "published"] = hugo
        if article.excerpt:
            matter["summary" if hugo else "excerpt"] = article.excerpt
        if article.comments:
            matter["comments"] = [self._comment_entry(c, article.url) for c in article.comments]
        return matter
