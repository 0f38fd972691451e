"""JSON export (``DIR/blog.json``): the JSON contract of DESIGN.md, streamed.

The file is ``{"blog": blog.to_dict(), "articles": [article.to_dict(), ...]}``, written like
Scrapy's JsonItemExporter: the opening at ``start``, one article per ``write`` (a comma before
each but the first), the closing at ``finish``. The bytes equal
``json.dumps(whole, ensure_ascii=False, indent=2) + "\\n"``. A lone surrogate (undecodable
input) is written as its ``\\udXXX`` JSON escape rather than failing the UTF-8 encoding.

``slug`` is the new slug every export uses (the pipeline's ``SitePlan``: the Markdown file
names, the WXR ``wp:post_name``, the redirect maps); Overblog's own slug (taken from its URL,
possibly shared by several posts or made of punctuation only) is kept as ``overblog_slug``
(decision, issue 10). Articles arrive sanitised (``migrator.sanitize``).

``load_schema()`` returns the JSON Schema (draft 2020-12) of the contract, shipped beside this
module as ``blog.schema.json``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import IO, Any

from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error
from migrator.links import SitePlan
from migrator.model import Article, Blog
from migrator.settings import ExportSettings

__all__ = ["JsonExporter", "SCHEMA_PATH", "load_schema"]

SCHEMA_PATH = Path(__file__).with_name("blog.schema.json")
OUTPUT_NAME = "blog.json"


@cache
def _schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """The JSON Schema of ``blog.json`` (a fresh dict each call)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def _dumps(value: Any, depth: int) -> str:
    """``value`` as indented JSON, shifted right to sit ``depth`` levels deep."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    # JSON strings never contain a raw newline, so this only re-indents structure.
    return text.replace("\n", "\n" + "  " * depth)


class JsonExporter(Exporter):
    name = "json"

    def __init__(self, out_dir: Path, settings: ExportSettings, plan: SitePlan) -> None:
        super().__init__(out_dir, settings, plan)
        self.target = self._target(OUTPUT_NAME)
        self._handle: IO[str] | None = None
        self._temp: Path | None = None
        self._count = 0

    def _start(self, blog: Blog) -> None:
        self._handle, self._temp = self._open_temp(self.target, errors="backslashreplace")
        self._emit(self._handle, '{\n  "blog": ' + _dumps(blog.to_dict(), 1) + ',\n  "articles": [')

    def _write(self, article: Article) -> None:
        assert self._handle is not None
        separator = "\n    " if self._count == 0 else ",\n    "
        self._emit(self._handle, separator + _dumps(self._record(article), 2))
        self._count += 1

    def _record(self, article: Article) -> dict[str, Any]:
        """``article.to_dict()`` with the new ``slug`` and Overblog's as ``overblog_slug``."""
        slug = self.placement(article).slug
        record: dict[str, Any] = {}
        for key, value in article.to_dict().items():
            if key == "slug":
                record["slug"] = slug
                record["overblog_slug"] = value
            else:
                record[key] = value
        return record

    def _finish(self) -> None:
        assert self._handle is not None and self._temp is not None
        self._emit(self._handle, "\n  ]\n}\n" if self._count else "]\n}\n")
        try:
            self._close_handles()
        except ExportError:
            self.abort()
            raise
        self._commit(self._temp, self.target)

    def _close_handles(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                handle.close()
            except OSError as error:
                raise ExportError(describe_os_error(self.target, error)) from error
