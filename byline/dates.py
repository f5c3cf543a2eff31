"""Parse the contract's date forms and present dates in the site timezone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
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


def parse_datetime(value: object, tz: ZoneInfo) -> datetime | None:
    """Return an aware datetime for a contract date value, or None when it is not one.

    Naive values are wall-clock times in the site timezone ``tz``.
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
    return parsed


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
