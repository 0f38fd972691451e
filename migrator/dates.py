"""Every machine date the tool reads or writes: ISO 8601, RFC 822 and their offsets.

One module so that "what is a date without an offset?" has one answer everywhere: Overblog is a
French platform, so a date that names no offset is Europe/Paris time (``PARIS``, DST aware).
Dates travel between stages as ISO 8601 strings with their offset
(``2021-10-27T07:18:18+02:00``, the JSON contract); this module turns them into datetimes and
into what each consumer wants: a sortable UTC key (the archive), a Paris calendar day (the
crawl's fallback dates), WordPress's ``Y-m-d H:i:s`` pair and RSS's RFC 822 date (WXR), the
seconds a ``Retry-After`` HTTP date asks for (fetching).

Dates as pages *print* them ("Publié le 23 Juin 2020, 16:20pm") are read by
``migrator.parse.dates``, which builds on this module.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "PARIS",
    "date_from_url",
    "from_iso",
    "is_later",
    "local_day",
    "normalize_offset",
    "paris_iso",
    "parse_iso",
    "parse_retry_after",
    "rfc822",
    "rfc822_to_iso",
    "utc_now_iso",
    "utc_sort_key",
    "wordpress_dates",
    "wordpress_format",
]

PARIS = ZoneInfo("Europe/Paris")
"""The zone of every date that names none (Overblog is a French platform)."""

_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/[^/]+$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def utc_now_iso() -> str:
    """Now, in UTC, to the second: ``2026-12-07T03:37:29+00:00`` (fetch and report times)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def from_iso(iso: str) -> datetime:
    """``datetime.fromisoformat`` that also reads a ``Z`` suffix (Python 3.10 does not).

    Raises ValueError like ``fromisoformat``; the result is naive when ``iso`` has no offset.
    """
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def normalize_offset(value: str) -> str:
    """``value`` with a final ``Z`` written ``+00:00`` and a ``+0200`` offset ``+02:00``."""
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return _COMPACT_OFFSET.sub(r"\1:\2", value)


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 date as written by JSON-LD or ``<time datetime>``, or None when it is not
    one: ``Z`` and ``+0200`` offsets read, the offset kept, Europe/Paris when there is none."""
    value = normalize_offset(value.strip())
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=PARIS)


def utc_sort_key(published: str | None) -> str | None:
    """Publication time as a sortable UTC string (naive ISO), so offsets compare correctly;
    a value that is not ISO is kept as it is."""
    if not published:
        return None
    try:
        when = from_iso(published)
    except ValueError:
        return published
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.isoformat()


def local_day(iso: str) -> str | None:
    """The Europe/Paris calendar day (YYYY-MM-DD) of an ISO datetime (a naive one's own day)."""
    try:
        moment = from_iso(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(PARIS).date().isoformat()


def paris_iso(iso: str) -> str:
    """The datetime in Europe/Paris time, as the page would have shown it (a naive one is
    taken as Paris time already)."""
    moment = from_iso(iso)
    return (moment.astimezone(PARIS) if moment.tzinfo else moment.replace(tzinfo=PARIS)
            ).isoformat()


def is_later(lastmod: str, fetched_at: str) -> bool:
    """True when a sitemap ``<lastmod>`` (W3C date, maybe date-only) is after ``fetched_at``;
    either without an offset is UTC (W3C dates), and one that cannot be read gives False."""
    try:
        changed = from_iso(lastmod.strip())
        fetched = from_iso(fetched_at)
    except ValueError:
        return False
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=timezone.utc)
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=timezone.utc)
    return changed > fetched


def rfc822_to_iso(value: str | None) -> str | None:
    """A feed's date, RFC 822 (RSS ``pubDate``) or ISO 8601 (Atom), as ISO 8601 with offset
    (RFC 822 without a zone is UTC); an ISO value is kept as it is; else None."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return value if _ISO_DAY.match(value) else None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.isoformat()


def rfc822(iso: str | None) -> str:
    """The RFC 822 date RSS wants (``Mon, 31 Dec 2018 10:30:00 +0100``); a naive value is UTC;
    "" for None."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    return email.utils.format_datetime(
        moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))


def parse_retry_after(value: str | None,
                      now: Callable[[], datetime] | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds, or an HTTP date (RFC 822,
    UTC when it names no zone) compared with ``now()`` (default: the current time)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now() if now else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def wordpress_format(moment: datetime) -> str:
    """``Y-m-d H:i:s`` with a four-digit year (not strftime: glibc writes year 1 as "1", MySQL
    wants four digits)."""
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")


def wordpress_dates(iso: str | None, shift: int = 0) -> tuple[str, str]:
    """(``wp:post_date``: local time in the date's own offset, ``wp:post_date_gmt``: the same
    instant in UTC), ``shift`` seconds later; ("", "") for None. A naive date gives its own
    value twice, and so does year 1 with a positive offset (before ``datetime.min`` in UTC)."""
    if not iso:
        return "", ""
    moment = datetime.fromisoformat(iso) + timedelta(seconds=shift)
    if moment.tzinfo is None:
        return wordpress_format(moment), wordpress_format(moment)
    try:
        utc = moment.astimezone(timezone.utc)
    except OverflowError:
        return wordpress_format(moment), wordpress_format(moment)
    return wordpress_format(moment), wordpress_format(utc)


def date_from_url(url: str) -> datetime | None:
    """Kiwi permalink ``/YYYY/MM/slug.html`` → the 1st of that month, midnight Paris (the
    month is all the address says)."""
    match = _URL_MONTH.search(url.split("?", 1)[0].split("#", 1)[0])
    if not match:
        return None
    return datetime(int(match.group(1)), int(match.group(2)), 1, tzinfo=PARIS)
