"""Streaming exporters, one per output format (see ``base.Exporter``).

``EXPORTERS`` maps a format name (``json``, ``wxr``, ``markdown``) to its exporter class;
``open_exporters(formats, out_dir, settings)`` creates the output folder and one exporter per
distinct format.
"""

from __future__ import annotations

from pathlib import Path

from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error
from migrator.export.json_export import JsonExporter, load_schema
from migrator.export.markdown import MarkdownExporter
from migrator.export.wxr import WxrExporter
from migrator.settings import ExportSettings

__all__ = [
    "EXPORTERS",
    "Exporter",
    "JsonExporter",
    "MarkdownExporter",
    "WxrExporter",
    "load_schema",
    "open_exporters",
]

EXPORTERS: dict[str, type[Exporter]] = {
    "json": JsonExporter,
    "wxr": WxrExporter,
    "markdown": MarkdownExporter,
}


def open_exporters(formats: list[str], out_dir: Path, settings: ExportSettings) -> list[Exporter]:
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
    return [EXPORTERS[name](out_dir, settings) for name in dict.fromkeys(formats)]
