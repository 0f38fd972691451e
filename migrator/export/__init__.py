"""The export stage: streaming writers, one per output format, built with the site plan.

- ``base``: ``Exporter`` (``start(blog)``, ``write(article)``, ``finish()``; temporary files
  renamed into place; the lifecycle checks every format shares);
- ``json_export`` (``blog.json``), ``markdown`` (Hugo or Jekyll), ``wxr`` (WordPress, written by
  ``wxr_xml``'s XML writer with ``wordpress``'s value rules), ``redirects`` (the redirect maps,
  written with every format that gives the blog new addresses), ``wacz`` (the archive's WARC
  files as one WACZ, with every article listed as a page).

``EXPORTERS`` maps a format name to its exporter class; ``site_exporters(formats, out_dir,
settings, plan)`` gives every writer an export needs (one per distinct format, and the redirect
maps when Markdown or WXR is exported). A new output format is one module here, one line in
``EXPORTERS`` and the format's name in ``pipeline.FORMATS`` (the CLI reads it).

Nothing here reads HTML pages or touches the network: exporters get ``Article``s, already
sanitised, and the site plan.
"""

from __future__ import annotations

from pathlib import Path

from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error
from migrator.export.json_export import JsonExporter, load_schema
from migrator.export.markdown import MarkdownExporter
from migrator.export.redirects import RedirectsExporter
from migrator.export.wacz import WaczExporter
from migrator.export.wxr import WxrExporter
from migrator.links import SitePlan
from migrator.settings import ExportSettings

__all__ = [
    "EXPORTERS",
    "REDIRECTED_FORMATS",
    "Exporter",
    "JsonExporter",
    "MarkdownExporter",
    "RedirectsExporter",
    "WaczExporter",
    "WxrExporter",
    "load_schema",
    "open_exporters",
    "site_exporters",
]

EXPORTERS: dict[str, type[Exporter]] = {
    "json": JsonExporter,
    "wxr": WxrExporter,
    "markdown": MarkdownExporter,
    "wacz": WaczExporter,
}
REDIRECTED_FORMATS = frozenset({"markdown", "wxr"})
"""Formats that give every article a new address: the redirect maps are written with them."""


def open_exporters(formats: list[str], out_dir: Path, settings: ExportSettings,
                   plan: SitePlan) -> list[Exporter]:
    """One exporter per distinct format, in the order given; creates ``out_dir``."""
    unknown = [f for f in formats if f not in EXPORTERS]
    if unknown:
        known = ", ".join(EXPORTERS)
        raise ExportError(f"unknown export format {unknown[0]!r} (expected one of: {known})")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(describe_os_error(out_dir, error)) from error
    return [EXPORTERS[name](out_dir, settings, plan) for name in dict.fromkeys(formats)]


def site_exporters(formats: list[str], out_dir: Path, settings: ExportSettings,
                   plan: SitePlan) -> list[Exporter]:
    """Every writer an export to ``formats`` needs: ``open_exporters``, then the redirect
    maps when a format gives the blog new addresses."""
    exporters = open_exporters(formats, out_dir, settings, plan)
    if REDIRECTED_FORMATS & set(formats):
        exporters.append(RedirectsExporter(out_dir, settings, plan, formats))
    return exporters
