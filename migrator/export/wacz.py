"""WACZ (Web Archive Collection Zipped, 1.1.1): the archive's WARC files, ready to share.

``DIR/archive.wacz`` is a ZIP holding ``archive/*.warc.gz`` (the WARC files the crawls wrote
into ``<archive>/warc/``, stored, not recompressed), ``indexes/index.cdxj`` (their CDXJ index,
sorted, by cdxj-indexer: what pywb and ReplayWeb.page look URLs up in; the 304 revisits are
left out of it, see ``_drop_not_modified``), ``pages/pages.jsonl``
(every post and page: its URL, title and capture time), ``datapackage.json`` (every file with
its SHA-256 and size) and ``datapackage-digest.json`` (the SHA-256 of ``datapackage.json``).

A format of the archive itself rather than of articles: the WARC files come from
``settings.archive_dir`` (the pipeline sets it); ``write`` only lists the articles. An archive
that holds no WARC file (crawled from a saved copy, with ``--no-warc``, or before WARC writing)
is an ``ExportError``: there would be nothing to replay.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from migrator import __version__
from migrator.errors import ExportError
from migrator.export.base import Exporter, describe_os_error
from migrator.links import SitePlan
from migrator.model import Article, Blog
from migrator.settings import ExportSettings
from migrator.warc import WARC_FOLDER, WarcRecords
from migrator.warc.reader import warc_files

__all__ = ["WACZ_FILE", "WACZ_VERSION", "WaczExporter"]

WACZ_FILE = "archive.wacz"
WACZ_VERSION = "1.1.1"
PAGES = "pages/pages.jsonl"
INDEX = "indexes/index.cdxj"
COPY_BYTES = 1024 * 1024


class WaczExporter(Exporter):
    name = "wacz"

    def __init__(self, out_dir: Path, settings: ExportSettings, plan: SitePlan) -> None:
        super().__init__(out_dir, settings, plan)
        self.target = self._target(WACZ_FILE)
        self._warcs: list[Path] = []
        self._records: WarcRecords | None = None
        self._pages: IO[str] | None = None
        self._pages_temp: Path | None = None
        self._blog: Blog | None = None
        self._created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _start(self, blog: Blog) -> None:
        self._blog = blog
        archive_dir = self.settings.archive_dir
        if archive_dir is not None:
            self._warcs = [p for p in warc_files(Path(archive_dir) / WARC_FOLDER)
                           if not p.name.endswith(".wacz")]
            if not self._warcs:
                raise ExportError(
                    f"cannot write {self.target}: the archive in {archive_dir} holds no WARC "
                    "file (it was crawled from a saved copy, with --no-warc, or by an older "
                    "version): nothing to replay")
            self._records = WarcRecords(self._warcs)
        self._pages, self._pages_temp = self._open_temp(self.target)
        header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        self._emit(self._pages, json.dumps(header) + "\n", self.target)

    def _write(self, article: Article) -> None:
        assert self._pages is not None
        page = {"id": hashlib.sha1(article.url.encode("utf-8")).hexdigest()[:16],
                "url": article.url, "title": article.title, "ts": self._capture_ts(article)}
        self._emit(self._pages, json.dumps(page, ensure_ascii=False) + "\n", self.target)

    def _capture_ts(self, article: Article) -> str:
        """When the article's page was captured (its URL or an alias, as the crawl asked it);
        else its publication date, else now: replay tools show the capture nearest in time."""
        if self._records is not None:
            for url in (article.url, *article.aliases):
                date = self._records.capture_date(url)
                if date:
                    return date[:19] + "Z"
        if article.published:
            return datetime.fromisoformat(article.published).astimezone(
                timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._created

    def _finish(self) -> None:
        assert self._pages is not None and self._pages_temp is not None
        try:
            self._pages.close()
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self.target, error)) from error
        self._pages = None
        handle, temp = self._open_temp(self.target, binary=True)
        try:
            with handle, zipfile.ZipFile(handle, "w", allowZip64=True) as wacz:
                resources = [self._add_file(wacz, warc, f"archive/{warc.name}", stored=True)
                             for warc in self._warcs]
                resources.append(self._add_index(wacz))
                resources.append(self._add_file(wacz, self._pages_temp, PAGES))
                package = json.dumps(self._datapackage(resources), indent=2).encode("utf-8")
                wacz.writestr(_entry("datapackage.json"), package)
                digest = {"path": "datapackage.json",
                          "hash": "sha256:" + hashlib.sha256(package).hexdigest()}
                wacz.writestr(_entry("datapackage-digest.json"),
                              json.dumps(digest, indent=2).encode("utf-8"))
        except OSError as error:
            self.abort()
            raise ExportError(describe_os_error(self.target, error)) from error
        self._drop_temp(self._pages_temp)
        self._commit(temp, self.target)

    def _add_file(self, wacz: zipfile.ZipFile, path: Path, name: str,
                  stored: bool = False) -> dict[str, object]:
        """Copy ``path`` into the ZIP as ``name``; its datapackage resource."""
        digest, size = hashlib.sha256(), 0
        info = _entry(name, stored)
        with path.open("rb") as source, wacz.open(info, "w", force_zip64=True) as out:
            while chunk := source.read(COPY_BYTES):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        return {"name": Path(name).name.lower(), "path": name,
                "hash": f"sha256:{digest.hexdigest()}", "bytes": size}

    def _add_index(self, wacz: zipfile.ZipFile) -> dict[str, object]:
        """The sorted CDXJ index of the WARC files (cdxj-indexer, as the ``wacz`` tool)."""
        from cdxj_indexer.main import CDXJIndexer  # its URL-key library loads an HTTP client

        fd, name = tempfile.mkstemp(prefix=".index-", suffix=".cdxj", dir=self.out_dir)
        os.close(fd)
        index = Path(name)
        self._temps.append(index)
        try:
            if self._warcs:
                CDXJIndexer(str(index), [str(p) for p in self._warcs], sort=True).process_all()
                _drop_not_modified(index)
            return self._add_file(wacz, index, INDEX)
        finally:
            self._drop_temp(index)

    def _drop_temp(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        if path in self._temps:
            self._temps.remove(path)

    def _datapackage(self, resources: list[dict[str, object]]) -> dict[str, object]:
        package: dict[str, object] = {"profile": "data-package", "resources": resources}
        if self._blog is not None:
            package["title"] = self._blog.title or self._blog.url
            if self._blog.description:
                package["description"] = self._blog.description
            package["mainPageURL"] = self._blog.url
            if self._records is not None:
                date = self._records.capture_date(self._blog.url)
                if date:
                    package["mainPageDate"] = date[:19] + "Z"
        package["created"] = self._created
        package["wacz_version"] = WACZ_VERSION
        package["software"] = f"overblog-migrator {__version__}"
        return package

    def _close_handles(self) -> None:
        if self._pages is not None:
            self._pages.close()
            self._pages = None


def _drop_not_modified(index: Path) -> None:
    """Leave the 304 revisits out of the index (they stay in the WARC files): replay engines
    would answer a 304 for the page (pywb uses a revisit's own headers) instead of the
    capture it refers to."""
    kept = [line for line in index.read_text(encoding="utf-8").splitlines(keepends=True)
            if not ('"mime": "warc/revisit"' in line and '"status": "304"' in line)]
    index.write_text("".join(kept), encoding="utf-8")


def _entry(name: str, stored: bool = False) -> zipfile.ZipInfo:
    """A ZIP entry dated now; WARC files stored (the WACZ rule), the rest deflated."""
    info = zipfile.ZipInfo(name, datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info
