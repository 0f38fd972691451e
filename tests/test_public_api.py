"""The library's public surface is deliberate: pin it (as httpx does)."""

from __future__ import annotations

import migrator


def test_exported_names_are_pinned():
    assert migrator.__all__ == sorted(migrator.__all__)
    assert set(migrator.__all__) == {
        "ArchiveError", "Article", "Blog", "Comment", "CrawlSettings", "ExportError",
        "ExportSettings", "FetchError", "FolderLocked", "HostUnreachable", "Image",
        "MigratorError", "NotOverblogError", "Report", "SourceError", "UsageError", "crawl",
        "export_archive", "migrate",
    }
    for name in migrator.__all__:
        assert hasattr(migrator, name), name


def test_every_error_is_a_migrator_error():
    for name in ("ArchiveError", "ExportError", "FetchError", "FolderLocked", "HostUnreachable",
                 "NotOverblogError", "SourceError", "UsageError"):
        assert issubclass(getattr(migrator, name), migrator.MigratorError)


def test_library_migrates_a_saved_copy_without_the_cli(fixtures_dir, tmp_path):
    site = fixtures_dir / "sites" / "vieux-grimoire.over-blog.fr"
    report = migrator.migrate(str(site), ["json"], tmp_path,
                              migrator.CrawlSettings(download_images=False))
    assert report.ok
    assert (report.posts, report.pages) == (12, 0)
    assert report.comments == 9
    assert (tmp_path / "blog.json").is_file()
