"""Redirect maps (``DIR/redirects/``): every old address of every post and page → its new path.

Written whenever ``markdown`` or ``wxr`` is exported (``export.site_exporters`` adds this
writer then: those formats give the blog new addresses):

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

Every value is validated and escaped for its format (issue 10), so a hostile old address or
``--base-url`` can neither break the server's configuration nor add a directive:

- ``--base-url`` must be an http(s) URL (``settings.check_base_url``), refused otherwise;
- nginx: map keys are the decoded paths (nginx matches ``$uri``, decoded) in double quotes
  with ``\\`` and ``"`` escaped; a ``$`` in a target is percent-encoded (nginx would read a
  variable); paths with a control character (``%0A``…) cannot be written and are left out
  (a report warning); ``map_hash_bucket_size``/``map_hash_max_size`` are sized for the
  longest key and the number of keys (nginx refuses keys longer than its default bucket);
  host names in ``server_name`` must be plain DNS names;
- Apache: ``Redirect 301 "old" "new"`` with the decoded path (mod_alias compares decoded
  paths), ``"`` escaped as ``\\"``; a path with a control character or a backslash is left
  out (a report warning);
- Netlify: percent-encoded paths (no white space), ``:`` and ``*`` encoded too (Netlify reads
  them as placeholders and splats);
- CSV: the csv module's quoting.

Paths longer than ``MAX_RULE_BYTES`` are left out of every map (a report warning).
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urlsplit

from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error
from migrator.links import Placement, SitePlan, old_paths
from migrator.model import Article, Blog
from migrator.settings import ExportSettings, check_base_url

__all__ = ["OUTPUT_DIR", "OUTPUT_FILES", "RedirectsExporter"]

OUTPUT_DIR = "redirects"
OUTPUT_FILES = ("nginx.conf", "apache.htaccess", "_redirects", "redirection.csv")
MAX_RULE_BYTES = 2000
"""Longest old path written (nginx reads a configuration token of at most 4 KB)."""
_SAFE_PATH = "/:@!$&'()*+,;=-._~"
_NETLIFY_SAFE_PATH = "/@!$&'()+,;=-._~"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?:\.(?!-)[a-z0-9-]{1,63})*$")
_NGINX_BUCKET = 64
_NGINX_MAX_SIZE = 2048


def _encoded(path: str, safe: str = _SAFE_PATH) -> str:
    return quote(unquote(path), safe=safe)


def _nginx_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _nginx_target(url: str) -> str:
    # A map value is a complex value: "$name" would be read as a variable.
    return _nginx_string(url.replace("$", "%24"))


def _apache_string(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _nginx_element_size(key: str) -> int:
    """Bytes nginx needs for one map key in a hash bucket (ngx_hash.c, 64-bit)."""
    length = len(key.encode("utf-8", "surrogatepass"))
    return 8 + ((8 + length + 2 + 7) // 8) * 8


class RedirectsExporter(Exporter):
    name = "redirects"

    def __init__(
        self, out_dir: Path, settings: ExportSettings, plan: SitePlan,
        formats: Iterable[str] = ("markdown",),
    ) -> None:
        super().__init__(out_dir, settings, plan)
        self.folder = self.target = self._target(OUTPUT_DIR)
        self.static_targets = "markdown" in formats
        """Targets are the static site's paths when Markdown is exported, else WordPress's."""
        self._handles: dict[str, IO[str]] = {}
        self._temps_by_name: dict[str, Path] = {}
        self._csv: Any = None  # a csv writer once started
        self._seen: set[str] = set()
        self._hosts: set[str] = set()
        self.rules = 0
        self._nginx_bucket = _NGINX_BUCKET
        self._nginx_keys = 0
        if settings.base_url:
            check_base_url(settings.base_url)

    # -- streaming -----------------------------------------------------------------------

    def _start(self, blog: Blog) -> None:
        self._make_dir(self.folder)
        self._add_host(blog.url)
        for name in OUTPUT_FILES:
            # nginx.conf: the map's lines first; the head (sized for them) comes at finish().
            final = self.folder / (".nginx-map" if name == "nginx.conf" else name)
            handle, temp = self._open_temp(final)
            self._handles[name], self._temps_by_name[name] = handle, temp
        self._csv = csv.writer(self._handles["redirection.csv"], lineterminator="\n")
        self._emit_to("apache.htaccess", "# Old Overblog addresses → new site (mod_alias).\n")
        self._emit_to("_redirects", "# Old Overblog addresses → new site (Netlify).\n")
        self._csv.writerow(["source", "target", "regex", "code"])

    def _write(self, article: Article) -> None:
        placement = self.placement(article)
        for url in [article.url, *article.aliases]:
            self._add_host(url)
        target = self._absolute(
            placement.path if self.static_targets else placement.wordpress_path
        )
        wordpress_target = self._absolute(placement.wordpress_path)
        for path in old_paths(article):
            self._rule(article.url, path, target, wordpress_target, placement)

    def _finish(self) -> None:
        self._emit_to("nginx.conf", self._nginx_tail())
        self._close_handles()
        map_temp = self._temps_by_name["nginx.conf"]
        handle, temp = self._open_temp(self.folder / "nginx.conf")
        try:
            with handle, map_temp.open(encoding="utf-8") as lines:
                handle.write(self._nginx_head())
                shutil.copyfileobj(lines, handle, 64 * 1024)
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self.folder / "nginx.conf", error)) from error
        map_temp.unlink(missing_ok=True)
        self._temps.remove(map_temp)
        self._temps_by_name["nginx.conf"] = temp
        for name in OUTPUT_FILES:
            self._commit(self._temps_by_name[name], self.folder / name)

    def _close_handles(self) -> None:
        handles, self._handles = self._handles, {}
        for handle in handles.values():
            handle.close()

    # -- rules ---------------------------------------------------------------------------

    def _absolute(self, path: str) -> str:
        base = (self.settings.base_url or "").rstrip("/")
        return base + path

    def _rule(
        self, url: str, path: str, target: str, wordpress_target: str, placement: Placement
    ) -> None:
        old = unquote(path)
        if "?" in old or old in self._seen or old in (placement.path, "/"):
            return
        self._seen.add(old)
        if len(_encoded(old).encode("utf-8")) > MAX_RULE_BYTES:
            self.warn(url, f"old address longer than {MAX_RULE_BYTES} bytes left out of the "
                           f"redirect maps: {_shortened(path)}")
            return
        self.rules += 1
        encoded = _encoded(old)
        if _CONTROL.search(old):
            self.warn(url, "old address with a control character left out of nginx.conf and "
                           f"apache.htaccess (kept in _redirects and redirection.csv): {path}")
        else:
            self._nginx_keys += 1
            self._nginx_bucket = max(self._nginx_bucket, _nginx_element_size(old) + 8)
            self._emit_to("nginx.conf", f"    {_nginx_string(old)} {_nginx_target(target)};\n")
            if "\\" in old:
                self.warn(url, f"old address with a backslash left out of apache.htaccess: {path}")
            else:
                self._emit_to("apache.htaccess",
                              f"Redirect 301 {_apache_string(old)} {_apache_string(target)}\n")
        self._emit_to("_redirects",
                      f"{_encoded(old, _NETLIFY_SAFE_PATH)} {_encoded(target)} 301\n")
        assert self._csv is not None
        try:
            self._csv.writerow([encoded, wordpress_target, 0, 301])
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self.folder, error)) from error

    def _add_host(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        if host and _HOST_NAME.match(host):
            self._hosts.add(host)

    # -- nginx ---------------------------------------------------------------------------

    def _nginx_head(self) -> str:
        bucket = 1 << (self._nginx_bucket - 1).bit_length()  # a power of two
        max_size = max(_NGINX_MAX_SIZE, 1 << (4 * self._nginx_keys).bit_length())
        return (
            "# Old Overblog addresses → new site. Put this file in the http {} block\n"
            "# (include /path/to/nginx.conf;) and point the old host names at this server.\n"
            "# nginx refuses map keys longer than its hash bucket: the two lines below size\n"
            "# it for this map (if your http {} block sets them already, keep the larger).\n"
            f"map_hash_bucket_size {bucket};\n"
            f"map_hash_max_size {max_size};\n"
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
            f"    return 301 {_nginx_target(self._absolute('/'))};\n"
            "}\n"
        )

    def _emit_to(self, name: str, text: str) -> None:
        self._emit(self._handles[name], text, self.folder / name)


def _shortened(path: str, keep: int = 100) -> str:
    """``path`` as a reader reads it (unescaped), cut after ``keep`` characters, "…" said."""
    readable = unquote(path)
    if len(readable) <= keep:
        return readable
    return readable[:keep] + f"… ({len(readable)} characters)"
