"""The ``migrator`` command: a thin click layer over :mod:`migrator.pipeline`."""

from __future__ import annotations

import functools
import logging
import math
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__, pipeline
from .errors import MigratorError
from .progress import Progress, ProgressAwareHandler
from .report import Report
from .settings import (
    DEFAULT_USER_AGENT,
    MAX_BACKOFF,
    MAX_CONCURRENCY,
    MAX_DELAY,
    MAX_RETRIES,
    CrawlSettings,
    ExportSettings,
    check_base_url,
    check_user_agent,
)

EXIT_FAILURES = 1
EXIT_INTERRUPTED = 130

log = logging.getLogger("migrator")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = ProgressAwareHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("migrator")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class _InterruptsInFinalizers:
    """Ctrl-C landing while a finalizer runs (urllib3 closing a pool, say) is swallowed by
    Python with an "Exception ignored in …" traceback, and the run goes on. While installed as
    ``sys.unraisablehook``, such an interrupt is sent again a moment later, quietly;
    once the run is stopping, further ones are dropped."""

    def __init__(self) -> None:
        self.stopping = False
        self._default = sys.unraisablehook

    def __enter__(self) -> _InterruptsInFinalizers:
        sys.unraisablehook = self
        return self

    def __exit__(self, *_exc: object) -> None:
        sys.unraisablehook = self._default

    def __call__(self, unraisable: Any) -> None:
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):
            self._default(unraisable)
        elif not self.stopping:
            # a moment later, from another thread: raised now, it would land in this hook
            # and be ignored again
            later = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT))
            later.daemon = True
            later.start()


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("-v", "--verbose", count=True,
                  help="Say more (debug messages; a crawl names every page fetched).")
    @click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
    @functools.wraps(command)
    def wrapper(*args: Any, verbose: int, quiet: bool, **kwargs: Any) -> None:
        _setup_logging(verbose, quiet)
        with _InterruptsInFinalizers() as interrupts:
            _run(functools.partial(command, *args, quiet=quiet, **kwargs), verbose, interrupts)

    return wrapper


def _run(command: Callable[[], None], verbose: int, interrupts: _InterruptsInFinalizers) -> None:
    """Run ``command``: any failure is one line on stderr and its exit status."""
    try:
        command()
    except MigratorError as error:
        if verbose:
            log.exception("Traceback:")
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # a bug: still one line, the traceback only with -v
        if verbose:
            log.exception("Traceback:")
        click.echo(
            f"Error: unexpected {type(error).__name__}: {error} "
            "(a bug: please report it; -v shows the traceback). "
            "Everything fetched so far is kept in the archive.",
            err=True,
        )
        sys.exit(EXIT_FAILURES)
    except KeyboardInterrupt:
        interrupts.stopping = True
        click.echo(
            "\nInterrupted. Everything fetched so far is kept in the archive: "
            "run the same command again to continue.",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that also refuses nan (which passes every comparison) and infinities."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def _user_agent(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Header values are Latin-1 at best: anything but printable ASCII is refused, clearly."""
    if value is None:
        return None
    try:
        return check_user_agent(value)
    except MigratorError as error:
        raise click.BadParameter(str(error).removeprefix("the User-Agent ")) from error


def _folder(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """A folder, or a name for one: an existing file (``/dev/null``) is refused at once."""
    if value is not None and value.exists() and not value.is_dir():
        raise click.BadParameter(f"must be a folder: {value} is a file")
    return value


def crawl_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--delay", type=FiniteFloatRange(min=0, max=MAX_DELAY), default=None,
                     metavar="SECONDS",
                     help=f"Seconds between requests to one host, at most {MAX_DELAY:g} "
                          "[default: robots.txt Crawl-delay, else 5]."),
        click.option("--concurrency", type=click.IntRange(min=1, max=MAX_CONCURRENCY),
                     default=1, show_default=True, metavar="N",
                     help="Requests in flight at once (delays still apply)."),
        click.option("--retries", type=click.IntRange(min=0, max=MAX_RETRIES), default=4,
                     show_default=True, metavar="N",
                     help="Extra attempts per URL on timeouts, resets, 429 and 5xx."),
        click.option("--backoff", type=FiniteFloatRange(min=0, max=MAX_BACKOFF), default=1.0,
                     show_default=True, metavar="SECONDS",
                     help="First wait before a retry, seconds (doubled each time, with jitter; "
                          "a Retry-After from the server wins). URLs whose retries run out "
                          "are tried once more at the end of the crawl, after 30 times this "
                          "(at most 600 s)."),
        click.option("--no-images", is_flag=True, help="Do not download images and files."),
        click.option("--user-agent", default=None, callback=_user_agent,
                     help="User-Agent header to send (printable ASCII)."),
        click.option("--no-warc", is_flag=True,
                     help="Do not write the HTTP exchanges as WARC files in the archive."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _base_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--base-url must be an http(s) URL: click's own usage error (exit 2) otherwise."""
    if value is None:
        return None
    try:
        return check_base_url(value)
    except MigratorError as error:
        raise click.BadParameter(str(error).split(": ", 1)[-1]) from error


def format_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--to", "formats", multiple=True, required=True,
                     type=click.Choice(pipeline.FORMATS),
                     help="Output format; repeat for several."),
        click.option("--out", "out_dir", required=True, callback=_folder,
                     type=click.Path(path_type=Path), metavar="DIR",
                     help="Output folder."),
        click.option("--flavor", type=click.Choice(["hugo", "jekyll"]), default="hugo",
                     show_default=True, help="Markdown layout."),
        click.option("--base-url", default=None, callback=_base_url,
                     help="Address of the new site, an http(s) URL "
                          "(for redirect maps and WXR attachments)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _crawl_settings(delay: float | None, concurrency: int, retries: int, backoff: float,
                    no_images: bool, user_agent: str | None,
                    no_warc: bool = False) -> CrawlSettings:
    return CrawlSettings(delay=delay, concurrency=concurrency, retries=retries,
                         backoff=backoff, download_images=not no_images,
                         user_agent=user_agent or DEFAULT_USER_AGENT, warc=not no_warc)


def _finish(report: Report, quiet: bool) -> None:
    if not quiet:
        for line in report.summary_lines():
            click.echo(line, err=True)
    if not report.ok:
        sys.exit(EXIT_FAILURES)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrator")
def main() -> None:
    """Get a blog out of Overblog, whole: crawl it, keep an archive, export it."""


@main.command()
@click.argument("source")
@format_options
@crawl_options
@common_options
def migrate(source: str, formats: tuple[str, ...], out_dir: Path, flavor: str,
            base_url: str | None, delay: float | None, concurrency: int, retries: int,
            backoff: float, no_images: bool,
            user_agent: str | None, no_warc: bool, quiet: bool) -> None:
    """Crawl SOURCE and export it; run again with the same --out to resume or update.

    SOURCE is a blog's address (any host), or a saved copy of it: a WARC or WACZ
    file, or a folder of saved pages (wget, HTTrack, a browser's "Save page as").

    Example: migrator migrate https://myblog.over-blog.com --to markdown --to wxr --out out
    """
    report = pipeline.migrate(
        source, formats, out_dir,
        _crawl_settings(delay, concurrency, retries, backoff, no_images, user_agent, no_warc),
        ExportSettings(flavor=flavor, base_url=base_url, include_images=not no_images),  # type: ignore[arg-type]
        Progress(enabled=not quiet),
    )
    if not quiet:
        click.echo(f"Wrote {out_dir}", err=True)
    _finish(report, quiet)


@main.command()
@click.argument("source")
@click.option("--archive", "archive_dir", required=True, callback=_folder,
              type=click.Path(path_type=Path), metavar="DIR", help="Archive folder.")
@crawl_options
@common_options
def crawl(source: str, archive_dir: Path, delay: float | None, concurrency: int,
          retries: int, backoff: float, no_images: bool, user_agent: str | None,
          no_warc: bool, quiet: bool) -> None:
    """Crawl SOURCE into an archive, without exporting.

    Example: migrator crawl https://myblog.over-blog.com --archive myblog-archive
    """
    report = pipeline.crawl(
        source, archive_dir,
        _crawl_settings(delay, concurrency, retries, backoff, no_images, user_agent, no_warc),
        Progress(enabled=not quiet),
    )
    report.write(archive_dir / "report.json")
    _finish(report, quiet)


@main.command()
@click.option("--archive", "archive_dir", required=True, callback=_folder,
              type=click.Path(path_type=Path), metavar="DIR", help="Archive folder.")
@format_options
@common_options
def export(archive_dir: Path, formats: tuple[str, ...], out_dir: Path, flavor: str,
           base_url: str | None, quiet: bool) -> None:
    """Export an archive made by `crawl` (or `migrate`); never touches the network.

    Example: migrator export --archive myblog-archive --to json --out out
    """
    report = pipeline.export(
        archive_dir, formats, out_dir,
        ExportSettings(flavor=flavor, base_url=base_url),  # type: ignore[arg-type]
    )
    if not quiet:
        click.echo(f"Wrote {out_dir}", err=True)
    _finish(report, quiet)


if __name__ == "__main__":  # pragma: no cover
    main()
