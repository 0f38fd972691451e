"""Markdown export (``DIR/markdown/``) for Hugo (default) or Jekyll.

Each article becomes one Markdown file: YAML front matter (``yaml.safe_dump``, so any title
survives: quotes, colons, ``#``, ``]]>``, NBSP, emoji, a leading ``@``/``-``, "yes"/"no"), then
the body converted with markdownify. Embeds (``iframe``, ``object``, ``embed``, ``video``,
``audio``) stay raw HTML, which both generators pass through.

Layout:
- Hugo: ``content/posts/<slug>/index.md`` (leaf bundle) and ``content/pages/<slug>/index.md``;
  front matter ``slug``, ``aliases`` (the old paths — canonical URL path and alias paths — so
  Hugo writes redirect pages), ``lastmod``, ``draft: true``, ``summary``.
- Jekyll: ``_posts/YYYY-MM-DD-<slug>.md`` (date in the article's own offset). **Undated posts go
  to ``_drafts/<slug>.md``**: Jekyll needs a date in a post's file name and inventing one
  (1970-01-01) would publish a false date; drafts are listed by ``jekyll serve --drafts`` so the
  author can date them. Pages go to the root as ``<slug>.md`` with ``permalink`` = their old
  path; ``redirect_from`` (jekyll-redirect-from), ``last_modified_at``, ``published: false``,
  ``excerpt``.

Comments (decision): they go in the front matter as a ``comments`` list of ``{author, date,
url, body, replies}`` (``body`` in Markdown, ``replies`` the same shape, recursively) and never
in the body, so a theme can render them (Hugo ``range .Params.comments`` + ``markdownify``,
Jekyll ``page.comments`` + ``markdownify``) and the article text stays the article.

Names: slugs are sanitised with python-slugify (80 characters, Windows device names avoided),
collisions get ``-2``, ``-3``… (the names used are kept as a set of strings) and every path is
checked to resolve inside the output folder. Each file is written to a temporary file beside
it and renamed into place as soon as it is complete (``write``), so memory stays flat; ``finish``
has nothing left to rename.

Images: when ``image.local_path`` is set (downloaded media, relative to the output folder) the
body references it relative to the Markdown file; otherwise the original URL stays.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from markdownify import ATX, MarkdownConverter

from migrator.errors import ExportError
from migrator.export.base import Exporter, rewrite_image_sources
from migrator.model import Article, Blog, Comment, Image
from migrator.settings import ExportSettings
from migrator.slugs import article_slug, unique_name, url_path

__all__ = ["BlogMarkdownConverter", "MarkdownExporter", "html_to_markdown", "render_document"]

OUTPUT_DIR = "markdown"
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


def _clean(text: str) -> str:
    # A lone surrogate (undecodable input) cannot be encoded as UTF-8.
    return _LONE_SURROGATES.sub("\ufffd", text)


def _comment_entry(comment: Comment) -> dict[str, Any]:
    entry: dict[str, Any] = {"author": comment.author}
    if comment.published:
        entry["date"] = comment.published
    if comment.url:
        entry["url"] = comment.url
    entry["body"] = html_to_markdown(comment.body_html).strip()
    entry["replies"] = [_comment_entry(reply) for reply in comment.replies]
    return entry


def _old_paths(article: Article) -> list[str]:
    paths = [url_path(u) for u in [article.url, *article.aliases] if u]
    return list(dict.fromkeys(paths))


class MarkdownExporter(Exporter):
    name = "markdown"

    def __init__(self, out_dir: Path, settings: ExportSettings) -> None:
        super().__init__(out_dir, settings)
        self.root = self._target(OUTPUT_DIR)
        self._used: dict[str, set[str]] = {}
        self._started = False

    def start(self, blog: Blog) -> None:
        self._make_dir(self.root)
        self._started = True

    def write(self, article: Article) -> None:
        if not self._started:
            raise ExportError(f"cannot write {self.root}: write() called before start()")
        slug, path = self._place(article)
        final = self._target(path)
        body = html_to_markdown(self._localise_images(article, final.parent))
        text = render_document(self._front_matter(article, slug), body)
        self._write_atomically(final, _clean(text))

    def finish(self) -> None:
        if not self._started:
            raise ExportError(f"cannot write {self.root}: finish() called before start()")

    # -- placement -----------------------------------------------------------------------

    @property
    def _hugo(self) -> bool:
        return self.settings.flavor != "jekyll"

    def _place(self, article: Article) -> tuple[str, str]:
        """(final slug, path relative to out_dir) — never one already used in this run."""
        base = article_slug(article.slug, article.title, article.url)
        if self._hugo:
            section = "pages" if article.kind == "page" else "posts"
            slug = unique_name(base, self._used_in(f"content/{section}"))
            return slug, f"{OUTPUT_DIR}/content/{section}/{slug}/index.md"
        if article.kind == "page":
            slug = unique_name(base, self._used_in("root"))
            return slug, f"{OUTPUT_DIR}/{slug}.md"
        published = article.published_datetime
        if published is None:
            slug = unique_name(base, self._used_in("_drafts"))
            return slug, f"{OUTPUT_DIR}/_drafts/{slug}.md"
        name = unique_name(f"{published:%Y-%m-%d}-{base}", self._used_in("_posts"))
        return name.removeprefix(f"{published:%Y-%m-%d}-"), f"{OUTPUT_DIR}/_posts/{name}.md"

    def _used_in(self, folder: str) -> set[str]:
        return self._used.setdefault(folder, set())

    # -- content -------------------------------------------------------------------------

    def _localise_images(self, article: Article, folder: Path) -> str:
        """Body HTML whose images point at the local copy (relative) or the original URL."""

        def reference(image: Image) -> str:
            if image.local_path and self.settings.include_images:
                target = self._target(image.local_path)
                return Path(os.path.relpath(target, folder)).as_posix()
            return image.url

        return rewrite_image_sources(article.body_html, article.images, reference)

    def _front_matter(self, article: Article, slug: str) -> dict[str, Any]:
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
        old_paths = _old_paths(article)
        if hugo:
            matter["slug"] = slug
            if old_paths:
                matter["aliases"] = old_paths
        else:
            if article.kind == "page" and old_paths:
                matter["permalink"] = old_paths[0]
                old_paths = old_paths[1:]
            if old_paths:
                matter["redirect_from"] = old_paths
        matter["original_url"] = article.url
        if article.status == "draft":
            matter["draft" if hugo else "published"] = hugo
        if article.excerpt:
            matter["summary" if hugo else "excerpt"] = article.excerpt
        if article.comments:
            matter["comments"] = [_comment_entry(c) for c in article.comments]
        return matter
