"""Markdown export (``DIR/markdown/``) for Hugo (default) or Jekyll.

Each article becomes one Markdown file: YAML front matter (``yaml.safe_dump``, so any title
survives: quotes, colons, ``#``, ``]]>``, NBSP, emoji, a leading ``@``/``-``, "yes"/"no"), then
the body converted with markdownify (``BlogMarkdownConverter``: text escaped so it never
becomes markup, ``|`` escaped in table cells, ``<sub>``/``<sup>``/``<u>`` kept as HTML). The
body arrives sanitised (``migrator.sanitize``). Videos (decision, issue 10): on Hugo, YouTube
and Vimeo players become Hugo's built-in shortcodes and other players, ``<video>`` and
``<audio>`` a link; on Jekyll, kramdown passes the sanitised HTML players as they are.

Site settings (decision, issue 10): ``finish`` writes ``config/_default/hugo.toml`` (Hugo:
``timeZone`` and ``markup.goldmark.renderer.unsafe``, safe for sanitised bodies) or
``_config.overblog.yml`` (Jekyll: ``timezone``), so that dates show the blog's own day on any
builder. Old paths a builder cannot write as a file are left out of ``aliases`` and
``redirect_from`` (``links.builder_aliases``) with a warning; they stay in the redirect maps.

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

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from markdownify import ATX, MarkdownConverter, abstract_inline_conversion

from migrator.export.base import Exporter, rewrite_image_sources
from migrator.files import link_or_copy
from migrator.links import Placement, SitePlan, builder_aliases
from migrator.media import original_image_url
from migrator.model import Article, Blog, Comment, Image
from migrator.sanitize import safe_url, video_of
from migrator.settings import ExportSettings

__all__ = ["BlogMarkdownConverter", "MarkdownExporter", "html_to_markdown", "render_document"]

OUTPUT_DIR = "markdown"
JEKYLL_MEDIA = "assets/media"
SITE_TIME_ZONE = "Europe/Paris"
"""Overblog shows Paris time (the parser's decision for dates without an offset)."""
HUGO_CONFIG = "config/_default/hugo.toml"
HUGO_SETTINGS = f"""\
# Written by overblog-migrator. Hugo merges config/_default/ with the site's own hugo.toml.
# The blog's time zone: dates keep their offset in the front matter, and this makes the
# zone explicit for anything Hugo dates itself, whatever the time zone of the machine.
timeZone = "{SITE_TIME_ZONE}"

[markup.goldmark.renderer]
  # The exported bodies are sanitised (an allowlist: no script, no on* attribute, no
  # javascript: URL), so their few HTML elements (sub/superscript, underline) can be shown.
  # Without this line Hugo writes "raw HTML omitted" for them. YouTube and Vimeo videos use
  # Hugo's built-in shortcodes and work either way.
  unsafe = true
"""
JEKYLL_CONFIG = "_config.overblog.yml"
JEKYLL_SETTINGS = f"""\
# Written by overblog-migrator. Copy these lines into your _config.yml, or build with
#   jekyll build --config _config.yml,{JEKYLL_CONFIG}
# Jekyll shows dates in the time zone of the machine that builds unless this is set:
# a post at 00:30 Paris time would show the day before on a builder running in UTC.
timezone: {SITE_TIME_ZONE}
# redirect_from (old addresses) needs the jekyll-redirect-from plugin in your plugins list.
"""
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


class BlogMarkdownConverter(MarkdownConverter):
    """markdownify that keeps what a reader sees and never turns text into markup.

    - Text is escaped for Markdown and HTML alike: ``&`` and ``<`` as entities (text that
      was escaped on the blog, ``&lt;script&gt;``, stays text), ``{`` and ``}`` too (no
      kramdown attribute list such as ``{: onclick=…}``, no Hugo shortcode or Liquid tag can
      come out of text), and ``\\``, the backtick and ``[`` with a backslash (no code span,
      no link: a ``[x](javascript:…)`` typed as text stays text); ``|`` in table cells as
      ``\\|``.
    - ``<sub>``, ``<sup>`` and ``<u>`` stay HTML (Markdown has none of them).
    - Embeds: on Hugo, YouTube and Vimeo players become Hugo's built-in ``youtube`` and
      ``vimeo`` shortcodes (they work with Hugo's default settings, where raw HTML is
      omitted) and any other player, ``<video>`` or ``<audio>`` a link to the video's page or
      the media; on Jekyll (kramdown passes raw HTML) the sanitised HTML stays as it is.
    """

    class Options(MarkdownConverter.DefaultOptions):
        heading_style = ATX
        bullets = "-"
        keep_inline_images_in = ["td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "a"]
        sub_symbol = "<sub>"
        sup_symbol = "<sup>"

    def __init__(self, hugo: bool = False, marker: str = "", **options: Any) -> None:
        super().__init__(**options)
        self.hugo = hugo
        self.marker = marker
        self.shortcodes: list[str] = []

    def escape(self, text: str, parent_tags: Any) -> str:
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        text = super().escape(text, parent_tags)
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        text = text.replace("{", "&#123;").replace("}", "&#125;")
        return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)

    convert_u = abstract_inline_conversion(lambda self: "<u>")

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        """markdownify's, with the alt text and title escaped (a ``]`` in a caption closed
        the image early: Hugo and Jekyll showed the Markdown as text) and a space or
        parenthesis in the address percent-encoded."""
        if "_inline" in parent_tags and el.parent.name not in self.options[
                "keep_inline_images_in"]:
            return self.escape(el.attrs.get("alt") or "", parent_tags)
        alt = _inline_text(self.escape(el.attrs.get("alt") or "", parent_tags))
        src = (el.attrs.get("src") or "").translate(_ADDRESS_ESCAPES)
        title = el.attrs.get("title") or ""
        title_part = f' "{_inline_text(_quoted(title))}"' if title else ""
        return f"![{alt}]({src}{title_part})"

    def convert_td(self, el: Any, text: str, parent_tags: Any) -> str:
        return str(super().convert_td(el, text.replace("|", "\\|"), parent_tags))

    def convert_th(self, el: Any, text: str, parent_tags: Any) -> str:
        return str(super().convert_th(el, text.replace("|", "\\|"), parent_tags))

    def _raw_html(self, el: Any, text: str, *args: Any, **kwargs: Any) -> str:
        return "\n\n" + str(el) + "\n\n"

    def _link(self, url: str | None) -> str:
        target = safe_url(url, relative=True)
        return f"\n\n<{target}>\n\n" if target and "://" in target else (
            f"\n\n[{target}]({target})\n\n" if target else "")

    def _shortcode(self, text: str) -> str:
        self.shortcodes.append(text)
        return f"\n\n{self.marker}{len(self.shortcodes) - 1}x\n\n"

    def convert_iframe(self, el: Any, text: str, parent_tags: Any) -> str:
        if not self.hugo:
            return self._raw_html(el, text)
        video = video_of(el.get("src"))
        if video is not None and video.provider in HUGO_SHORTCODES:
            return self._shortcode(f'{{{{< {video.provider} "{video.video_id}" >}}}}')
        return self._link(video.page_url if video is not None else el.get("src"))

    def _media(self, el: Any, text: str, *args: Any, **kwargs: Any) -> str:
        if not self.hugo:
            return self._raw_html(el, text)
        source = el.get("src") or el.get("data")
        if not source:
            inner = el.find("source", src=True)
            source = inner.get("src") if inner is not None else None
        return self._link(source)

    convert_object = _media
    convert_embed = _media
    convert_video = _media
    convert_audio = _media


HUGO_SHORTCODES = ("youtube", "vimeo")
"""Video providers with a built-in Hugo shortcode (rendered offline, no unsafe setting)."""
_MARKDOWN_PUNCTUATION = re.compile(r"([`\[])")
_ADDRESS_ESCAPES = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})


def _inline_text(text: str) -> str:
    """Escaped text made safe inside ``![…]`` or a title: ``]`` escaped, on one line."""
    return " ".join(text.replace("]", "\\]").split())


def _quoted(title: str) -> str:
    return (title.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
            .replace("<", "&lt;").replace("{", "&#123;").replace("}", "&#125;"))


def html_to_markdown(html: str, hugo: bool = False, protect: bool = False) -> str:
    """Markdown of sanitised HTML (``migrator.sanitize``); ``protect`` hides ``{{``/``{%``
    from Hugo and Liquid (bodies); Hugo shortcodes for videos are put in after that."""
    html = html or ""
    marker = "obvideo" + hashlib.sha1(html.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    converter = BlogMarkdownConverter(hugo=hugo, marker=marker)
    markdown: str = converter.convert(html).strip() + "\n"
    if protect:
        markdown = protect_templates(markdown)
    for index, shortcode in enumerate(converter.shortcodes):
        markdown = markdown.replace(f"{marker}{index}x", shortcode)
    return markdown


def text_for_markup(text: str) -> str:
    """Plain text for a front-matter field a theme may print as HTML (Jekyll ``excerpt``) or
    render as Markdown (Hugo ``summary``): every character that means something to either is
    a numeric entity, which both show as the character itself."""
    return _MARKUP_CHARACTERS.sub(lambda m: f"&#{ord(m.group(0))};", text)


_MARKUP_CHARACTERS = re.compile(r"[&<>\[\]{}`*_\\|]")


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

    def __init__(self, out_dir: Path, settings: ExportSettings, plan: SitePlan) -> None:
        super().__init__(out_dir, settings, plan)
        self.root = self.target = self._target(OUTPUT_DIR)

    def _start(self, blog: Blog) -> None:
        self._make_dir(self.root)

    def _write(self, article: Article) -> None:
        placement = self.placement(article)
        final = self._target(self._path(article, placement))
        body_html = self.plan.rewrite_links(article.body_html, article.url)
        body = html_to_markdown(self._localise_images(article, body_html, final),
                                hugo=self._hugo, protect=True)
        text = render_document(self._front_matter(article, placement), body)
        self._write_atomically(final, _clean(text))

    def _finish(self) -> None:
        if self._hugo:
            self._write_atomically(self._target(f"{OUTPUT_DIR}/{HUGO_CONFIG}"), HUGO_SETTINGS)
        else:
            self._write_atomically(self._target(f"{OUTPUT_DIR}/{JEKYLL_CONFIG}"), JEKYLL_SETTINGS)

    # -- placement -----------------------------------------------------------------------

    @property
    def _hugo(self) -> bool:
        return self.settings.flavor != "jekyll"

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
        # The blog's local date (the date's own offset), four-digit year even before 1000.
        day = f"{published.year:04d}-{published.month:02d}-{published.day:02d}"
        return f"{OUTPUT_DIR}/_posts/{day}-{slug}.md"

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
        body_html = self.plan.rewrite_links(comment.body_html, page_url)
        entry["body"] = html_to_markdown(body_html, hugo=self._hugo).strip()
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
        previous, refused = builder_aliases(article, placement.path)
        field = "aliases" if hugo else "redirect_from"
        for path in refused:
            self.warn(article.url, f"old address left out of {field} (a builder cannot write "
                                   f"it as a file), kept in the redirect maps: {path[:120]}")
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
            matter["summary" if hugo else "excerpt"] = text_for_markup(article.excerpt)
        if article.comments:
            matter["comments"] = [self._comment_entry(c, article.url) for c in article.comments]
        return matter
