"""Dates as Overblog themes print them, turned into timezone-aware datetimes.

Covers every variant in STRUCTURE.md §2: "Publié le 23 Juin 2020", "1er août 2019", the v1 span soup
"3 octobre 2012 3 03 /10 /octobre /2012 12:08", the 24 h + bogus am/pm "27 Avril 2014, 16:20pm",
"Apr 27 2014, 16:20pm", "06/12/2017", ISO strings. Month names in FR/EN/ES/DE/IT, any case,
abbreviated or not. A date without zone is Europe/Paris local time (Overblog is a French platform).

Only dates as a page *shows* them are read here; machine dates (ISO 8601, RFC 822, offsets) are
``migrator.dates``, which ``parse_iso_date`` uses before falling back on the visible text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from ..dates import PARIS, normalize_offset, parse_iso

__all__ = [
    "parse_date_text",
    "parse_french_date",
    "parse_iso_date",
]

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("janvier", "janv", "january", "jan", "enero", "ene", "januar", "janner", "gennaio", "gen"),
    2: ("fevrier", "fevr", "fev", "february", "feb", "febrero", "febr", "februar", "febbraio",
        "feb"),
    3: ("mars", "march", "mar", "marzo", "marz", "maerz", "mrz"),
    4: ("avril", "avr", "april", "apr", "abril", "abr", "aprile"),
    5: ("mai", "may", "mayo", "maggio", "mag"),
    6: ("juin", "june", "jun", "junio", "juni", "giugno", "giu"),
    7: ("juillet", "juil", "july", "jul", "julio", "juli", "luglio", "lug"),
    8: ("aout", "august", "aug", "agosto", "ago"),
    9: ("septembre", "sept", "sep", "september", "septiembre", "setiembre", "settembre", "set"),
    10: ("octobre", "oct", "october", "octubre", "oktober", "okt", "ottobre", "ott"),
    11: ("novembre", "nov", "november", "noviembre"),
    12: ("decembre", "dec", "december", "diciembre", "dic", "dezember", "dez", "dicembre"),
}
_MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:er|st|nd|rd|th|º|°)?\.?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})\b"
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
)
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
_TIME = re.compile(r"(?<![\d/])(\d{1,2})\s*[:h]\s*(\d{2})(?::(\d{2}))?(?!\d)")


def _fold(text: str) -> str:
    """Lower-case, no accents, NBSP as space: 'Décembre' -> 'decembre', 'Jänner' -> 'janner'."""
    text = unicodedata.normalize("NFKD", text.replace("\u00a0", " ").replace("\u202f", " "))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _time_after(rest: str) -> tuple[int, int, int] | None:
    """First HH:MM (or 14h05) after the date; any am/pm suffix is ignored (the H:ia theme bug)."""
    match = _TIME.search(rest)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _build(year: int, month: int, day: int, clock: tuple[int, int, int] | None) -> datetime | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    hour, minute, second = clock or (0, 0, 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)
    except ValueError:
        return None


def parse_date_text(text: str) -> tuple[datetime, bool] | None:
    """Parse a visible date; returns (aware datetime, has_time) or None when no date is there.

    "Publié le par X" (empty template variable) has no date and gives None, never "now".
    """
    folded = _fold(text)
    candidates = []
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"),
                           (_ISO, "iso"), (_NUMERIC, "num")):
        match = pattern.search(folded)
        if match:
            candidates.append((match.start(), order, match))
    if not candidates:
        return None
    _, order, match = min(candidates, key=lambda c: c[0])
    clock: tuple[int, int, int] | None
    if order == "iso" and match.group(4):
        clock = (int(match.group(4)), int(match.group(5)), int(match.group(6) or 0))
    else:
        clock = _time_after(folded[match.end():])
    if order == "dmy":
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    elif order == "mdy":
        month, day, year = _MONTHS[match.group(1)], int(match.group(2)), int(match.group(3))
    elif order == "iso":
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    built = _build(year, month, day, clock)
    return (built, clock is not None) if built else None


def parse_french_date(text: str) -> datetime | None:
    """Visible date text (any supported language) -> aware datetime in Europe/Paris, or None."""
    parsed = parse_date_text(text)
    return parsed[0] if parsed else None


def parse_iso_date(value: str) -> datetime | None:
    """ISO 8601 from JSON-LD / <time datetime> (``dates.parse_iso``: offset kept, Paris when it
    has none); a value that is not ISO is read as visible text."""
    parsed = parse_iso(value)
    if parsed is not None or not value.strip():
        return parsed
    found = parse_date_text(normalize_offset(value.strip()))
    return found[0] if found else None
