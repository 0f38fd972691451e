"""Every option has a finite, sensible range, checked with click's own errors (exit status 2),
and the library's settings check the same (``UsageError``, a ``ValueError``).

Found by a user: ``--delay inf``, ``--delay 1e300``, ``--backoff inf`` ended in "unexpected
OverflowError (a bug)"; ``--delay nan`` was accepted and silently disabled robots.txt's
Crawl-delay; a non-ASCII ``--user-agent`` ended in UnicodeEncodeError.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator import CrawlSettings, ExportSettings, MigratorError, UsageError
from migrator.cli import main

BLOG = "http://cuisine-de-mamie.over-blog.com"

BAD_OPTIONS = {
    "delay inf": (["--delay", "inf"], "--delay"),
    "delay 1e300": (["--delay", "1e300"], "--delay"),
    "delay nan": (["--delay", "nan"], "--delay"),
    "delay negative": (["--delay", "-1"], "--delay"),
    "delay over an hour": (["--delay", "3601"], "--delay"),
    "backoff inf": (["--backoff", "inf"], "--backoff"),
    "backoff nan": (["--backoff", "nan"], "--backoff"),
    "backoff -inf": (["--backoff", "-inf"], "--backoff"),
    "retries 21": (["--retries", "21"], "--retries"),
    "concurrency 0": (["--concurrency", "0"], "--concurrency"),
    "concurrency 17": (["--concurrency", "17"], "--concurrency"),
    "user agent not ASCII": (["--user-agent", "mon robot 日本"], "--user-agent"),
    "user agent accented": (["--user-agent", "café"], "--user-agent"),
    "user agent newline": (["--user-agent", "bot\r\nX-Evil: 1"], "--user-agent"),
}


@pytest.mark.parametrize("command", ["migrate", "crawl"])
@pytest.mark.parametrize("options,name", BAD_OPTIONS.values(), ids=list(BAD_OPTIONS))
def test_bad_values_are_usage_errors(command: str, options: list[str], name: str,
                                     tmp_path: Path) -> None:
    target = (["--to", "json", "--out", str(tmp_path)] if command == "migrate"
              else ["--archive", str(tmp_path)])
    result = CliRunner().invoke(main, [command, BLOG, *target, *options])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{name}'" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(
        result.exception, SystemExit)
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_help_states_the_ranges() -> None:
    text = CliRunner().invoke(main, ["crawl", "--help"]).output
    assert "0<=x<=3600" in text  # --delay and --backoff
    assert "0<=x<=20" in text and "1<=x<=16" in text  # --retries, --concurrency
    assert "printable ASCII" in text


@pytest.mark.parametrize("command", [
    ["migrate", BLOG, "--to", "json", "--out", "/dev/null"],
    ["export", "--archive", "/dev/null", "--to", "json", "--out", "{tmp}"],
    ["export", "--archive", "{tmp}", "--to", "json", "--out", "/dev/null"],
    ["crawl", BLOG, "--archive", "/dev/null"],
])
def test_a_file_where_a_folder_is_expected(command: list[str], tmp_path: Path) -> None:
    """Found by a user: ``--out /dev/null`` said "File exists"."""
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "must be a folder: /dev/null is a file" in result.output


def test_a_plain_file_as_out(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    result = CliRunner().invoke(main, ["migrate", BLOG, "--to", "json", "--out", str(blocker)])
    assert result.exit_code == 2
    assert f"must be a folder: {blocker} is a file" in result.output
    assert blocker.read_text() == "mine"


# -- the library checks the same ---------------------------------------------------------------

BAD_SETTINGS = {
    "delay": [math.inf, math.nan, -1.0, 1e300, 3601.0],
    "backoff": [math.inf, -math.inf, math.nan, 3601.0],
    "retries": [-1, 21, 2.5],
    "concurrency": [0, 17],
    "timeout": [0, math.inf, 601.0],
    "max_retry_after": [math.nan],
    "max_body_bytes": [0, 10**12],
    "retry_pause": [math.inf, -1.0],
    "user_agent": ["", "café", "a\nb", "x" * 513],
}


@pytest.mark.parametrize("field,value", [(f, v) for f, values in BAD_SETTINGS.items()
                                         for v in values])
def test_settings_refuse_values_out_of_range(field: str, value: object) -> None:
    with pytest.raises(UsageError) as caught:
        CrawlSettings(**{field: value})  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, MigratorError)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)


def test_settings_changed_after_creation_are_checked_again() -> None:
    settings = CrawlSettings()
    settings.delay = math.nan
    with pytest.raises(UsageError, match="delay"):
        settings.check()


def test_settings_at_their_limits_are_accepted() -> None:
    settings = CrawlSettings(delay=3600, backoff=3600.0, retries=20, concurrency=16,
                             timeout=600, retry_pause=0, user_agent="bot/1.0 (+https://x.org)")
    assert settings.end_retry_pause == 0
    assert CrawlSettings().end_retry_pause == 30.0  # 30 × the default backoff
    assert CrawlSettings(backoff=0.05).end_retry_pause == pytest.approx(1.5)
    assert CrawlSettings(backoff=3600).end_retry_pause == 600.0  # capped


def test_export_settings_refuse_an_unknown_flavor() -> None:
    with pytest.raises(UsageError, match="flavor"):
        ExportSettings(flavor="pelican")  # type: ignore[arg-type]
