"""Redirect maps (``DIR/redirects/``): every old address of every post and page → its new path.

Written whenever ``markdown`` or ``wxr`` is exported (the pipeline adds this writer then):

- ``nginx.conf``: a ``map $uri $overblog_target`` with one line per old path, and a ``server``
  block answering on every old host name (with and without ``www.``; http, and https once a
  certificate is added) that returns 301 to the mapped path (``--base-url`` + path when given);
- ``apache.htaccess``: ``Redirect 301 "old" "new"`` lines (mod_alias; they apply whatever the
  scheme or host alias the request came to);
- ``_redirects``: Netlify's format, ``/old /new 301``;
- ``redirection.csv``: ``source,target,regex,code`` for the WordPress Redirection plugin
  (Tools → Import, CSV); its targets are WordPress paths (``/<slug>/``, "Post name"
  permalinks), whatever the other formats.

Targets of the first three: the static site's paths (``/posts/<slug>/``, ``/pages/<slug>/``)
when Markdown is exported, else the WordPress paths. Old paths of an article: its canonical
URL's path, every alias path (v1 ``/article-…html``, kiwi ``/YYYY/MM/…html``) and the short v1
form ``/article-<id>.html``. Lines are streamed to temporary files; only the set of old paths
already written is kept (one path may not lead to two articles).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urlsplit

from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error
from migrator.links import Placement, SitePlan, old_paths
from migrator.model import Article, Blog
from migrator.settings import ExportSettings

__all__ = ["OUTPUT_DIR", "OUTPUT_FILES", "RedirectsExporter"]

OUTPUT_DIR = "redirects"
OUTPUT_FILES = ("nginx.conf", "apache.htaccess", "_redirects", "redirection.csv")
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def _encoded(path: str) -> str:
    return quote(unquote(path), safe=_SAFE_PATH)


def _nginx_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _apache_string(text: str) -> str:
    return '"' + text.replace('"', "%22") + '"'


class RedirectsExporter(Exporter):
    name = "redirects"

    def __init__(
        self, out_dir: Path, settings: ExportSettings, formats: Iterable[str] = ("markdown",)
    ) -> None:
        super().__init__(out_dir, settings)
        self.folder = self._target(OUTPUT_DIR)
        self.static_targets = "markdown" in formats
        self._own_plan = SitePlan()
        self._handles: dict[str, IO[str]] = {}
        self._temps_by_name: dict[str, Path] = {}
        self._csv: Any = None  # a csv writer once started
        self._seen: set[str] = set()
        self._hosts: set[str] = set()
        self.rules = 0

    # -- streaming -----------------------------------------------------------------------

    def start(self, blog: Blog) -> None:
        self._make_dir(self.folder)
        self._add_host(blog.url)
        for name in OUTPUT_FILES:
            handle, temp = self._open_temp(self.folder / name)
            self._handles[name], self._temps_by_name[name] = handle, temp
        self._csv = csv.writer(self._handles["redirection.csv"], lineterminator="\n")
        self._emit("nginx.conf", self._nginx_head())
        self._emit("apache.htaccess", "# Old Overblog addresses → new site (mod_alias).\n")
        self._emit("_redirects", "# Old Overblog addresses → new site (Netlify).\n")
        self._csv.writerow(["source", "target", "regex", "code"])

    def write(self, article: Article) -> None:
        if self._csv is None:
            raise ExportError(f"cannot write {self.folder}: write() called before start()")
        placement = self._placement(article)
        for url in [article.url, *article.aliases]:
            self._add_host(url)
        target = self._absolute(
            placement.path if self.static_targets else placement.wordpress_path
        )
        wordpress_target = self._absolute(placement.wordpress_path)
        for path in old_paths(article):
            self._rule(unquote(path), target, wordpress_target, placement)

    def finish(self) -> None:
        if self._csv is None:
            raise ExportError(f"cannot write {self.folder}: finish() called before start()")
        self._emit("nginx.conf", self._nginx_tail())
        self._close_handles()
        for name in OUTPUT_FILES:
            self._commit(self._temps_by_name[name], self.folder / name)

    def _close_handles(self) -> None:
        handles, self._handles = self._handles, {}
        for handle in handles.values():
            handle.close()

    # -- rules ---------------------------------------------------------------------------

    def _placement(self, article: Article) -> Placement:
        placement = self.plan.placement(article.url) if self.plan is not None else None
        return placement or self._own_plan.add(article)

    def _absolute(self, path: str) -> str:
        base = (self.settings.base_url or "").rstrip("/")
        return base + path

    def _rule(self, old: str, target: str, wordpress_target: str, placement: Placement) -> None:
        if "?" in old or old in self._seen or old in (placement.path, "/"):
            return
        self._seen.add(old)
        self.rules += 1
        encoded = _encoded(old)
        self._emit("nginx.conf", f"    {_nginx_string(old)} {_nginx_string(target)};\n")
        self._emit(
            "apache.htaccess", f"Redirect 301 {_apache_string(old)} {_apache_string(target)}\n"
        )
        self._emit("_redirects", f"{encoded} {_encoded(target)} 301\n")
        assert self._csv is not None
        try:
            self._csv.writerow([encoded, wordpress_target, 0, 301])
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self.folder, error)) from error

    def _add_host(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        if host:
            self._hosts.add(host)

    # -- nginx ---------------------------------------------------------------------------

    @staticmethod
    def _nginx_head() -> str:
        return (
            "# Old Overblog addresses → new site. Put this file in the http {} block\n"
            "# (include /path/to/nginx.conf;) and point the old host names at this server.\n"
            "map $uri $overblog_target {\n"
            '    default "";\n'
        )

    def _nginx_tail(self) -> str:
        redirect = "    if ($overblog_target) {\n        return 301 $overblog_target;\n    }\n"
        if not self.settings.base_url:
            # Relative targets: the old paths are served by the new site itself.
            commented = "".join(f"#{line}\n" for line in redirect.splitlines())
            return "}\n\n# In the new site's server {} block:\n" + commented
        names = sorted(self._hosts | {f"www.{h}" for h in self._hosts})
        return (
            "}\n\n"
            "# The old host names, once they point at this server:\n"
            "server {\n"
            "    listen 80;\n"
            "    # listen 443 ssl;  (with ssl_certificate lines, to catch https:// too)\n"
            f"    server_name {' '.join(names)};\n"
            f"{redirect}"
            f"    return 301 {self._absolute('/')};\n"
            "}\n"
        )

    def _emit(self, name: str, text: str) -> None:
        try:
            self._handles[name].write(text)
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self.folder / name, error)) from error
