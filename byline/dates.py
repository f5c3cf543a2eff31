"""Parse the contract's date forms and present dates in the site timezone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Google News takes articles of the last two days: the news sitemap lists them, and an
# article first published with an older date misses it (``checks`` warns: backdated).
NEWS_WINDOW = timedelta(days=2)

# The contract's forms: a date, a date with minutes or seconds, or ISO 8601 with an offset.
# ``datetime.fromisoformat`` alone is too lenient (week dates, compact forms), hence the gate.
_ACCEPTED = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

ACCEPTED_FORMS = "2014-01-27, 2014-01-27 10:30, 2014-01-27 10:30:00 or 2014-01-27T10:30:00+00:00"


class NonexistentTime(ValueError):
    """A wall-clock time the site's clocks skip (the hour they go forward): it names no moment."""


def parse_datetime(value: object, tz: ZoneInfo) -> datetime | None:
    """Return an aware datetime for a contract date value, or None when it is not one.

    Naive values are wall-clock times in ``tz``: one the clocks skip raises NonexistentTime,
    one they pass twice is the first (``fold=0``, summer time), as zoneinfo reads it.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str) and _ACCEPTED.match(value.strip()):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:  # e.g. 2014-02-30
            return None
    else:
        return None
    if not 1 < parsed.year < 9999:  # a day's offset from there overflows datetime: refuse, never crash
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
        _check_exists(parsed)
    return parsed


def _check_exists(moment: datetime) -> None:
    """Refuse a wall-clock time in a gap: going to UTC and back does not give it again."""
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == moment.replace(tzinfo=None):
        return
    before, after = (moment.replace(fold=fold).utcoffset() or timedelta() for fold in (0, 1))
    gap = abs(after - before)
    shift = "an hour" if gap == timedelta(hours=1) else f"{int(gap.total_seconds() // 60)} minutes"
    written = moment.replace(tzinfo=None)
    raise NonexistentTime(
        f"{_wall(written)} does not exist in {moment.tzinfo}: the clocks go forward {shift} then; "
        f"write {_wall(written + gap)} (the same moment), or the time with its offset, "
        f"like {moment.replace(fold=0).isoformat()}"
    )


def _wall(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" + (f":{moment:%S}" if moment.second else "")


def to_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    """Express ``moment`` in the site timezone, whatever the machine's TZ."""
    return moment.astimezone(tz)


def display_date(moment: datetime) -> str:
    """Format as '27 January 2014' (no locale dependence, unlike strftime's %B)."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def display_datetime(moment: datetime) -> str:
    """Format as '3 February 2014 09:00'."""
    return f"{display_date(moment)} {moment:%H:%M}"


def iso(moment: datetime) -> str:
    """Format as RFC 3339 with its offset, e.g. 2014-01-27T10:30:00+00:00."""
    return moment.isoformat(timespec="seconds")


def month_name(month: int) -> str:
    """Return the English name of a month number (1-12)."""
    return MONTHS[month - 1]
