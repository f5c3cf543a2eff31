"""byline.dates: the contract's date forms, the site timezone, display formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from byline.dates import display_date, display_datetime, iso, month_name, parse_datetime, to_zone

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-01-27", datetime(2014, 1, 27, 0, 0, tzinfo=LONDON)),
        ("2014-01-27 10:30", datetime(2014, 1, 27, 10, 30, tzinfo=LONDON)),
        ("2014-01-27 10:30:00", datetime(2014, 1, 27, 10, 30, tzinfo=LONDON)),
        ("2014-01-27T10:30:00+00:00", datetime(2014, 1, 27, 10, 30, tzinfo=UTC)),
        ("2014-07-27T10:30:00+02:00", datetime(2014, 7, 27, 8, 30, tzinfo=UTC)),
        ("2014-01-27T10:30:00Z", datetime(2014, 1, 27, 10, 30, tzinfo=UTC)),
    ],
)
def test_contract_date_forms_parse_to_the_same_instant(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, LONDON)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


def test_date_without_zone_is_wall_clock_time_in_site_timezone() -> None:
    parsed = parse_datetime("2014-07-01 10:30", LONDON)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=1)  # British Summer Time
    assert iso(parsed) == "2014-07-01T10:30:00+01:00"


def test_date_keeps_its_own_offset() -> None:
    parsed = parse_datetime("2014-01-27T10:30:00+05:30", LONDON)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=5, minutes=30)


def test_yaml_date_objects_are_accepted() -> None:
    assert parse_datetime(date(2014, 1, 27), LONDON) == datetime(2014, 1, 27, tzinfo=LONDON)
    assert parse_datetime(datetime(2014, 1, 27, 9), LONDON) == datetime(2014, 1, 27, 9, tzinfo=LONDON)


@pytest.mark.parametrize(
    "value",
    [
        "27/01/2014",
        "January 27, 2014",
        "2014-02-30",
        "2014-13-01",
        "2014-01-27 25:00",
        "20140127",
        "2014-W05",
        "2014-01-27 10:30 tomorrow",
        "",
        2014,
        None,
        True,
        ["2014-01-27"],
    ],
)
def test_anything_else_is_not_a_date(value: object) -> None:
    assert parse_datetime(value, LONDON) is None


def test_surrounding_spaces_are_ignored() -> None:
    assert parse_datetime("  2014-01-27 ", LONDON) == datetime(2014, 1, 27, tzinfo=LONDON)


def test_to_zone_expresses_an_instant_in_site_timezone() -> None:
    moment = datetime(2014, 1, 27, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    local = to_zone(moment, LONDON)
    assert (local.day, local.hour, local.minute) == (28, 4, 30)
    assert local == moment


def test_display_date_is_day_month_name_year() -> None:
    assert display_date(datetime(2014, 1, 27, 10, 30, tzinfo=LONDON)) == "27 January 2014"
    assert display_date(datetime(2014, 12, 3, tzinfo=LONDON)) == "3 December 2014"


def test_display_datetime_adds_24_hour_time() -> None:
    assert display_datetime(datetime(2014, 2, 3, 9, 0, tzinfo=LONDON)) == "3 February 2014 09:00"


def test_iso_carries_the_offset_to_the_second() -> None:
    assert iso(datetime(2014, 1, 27, 10, 30, 15, 999, tzinfo=LONDON)) == "2014-01-27T10:30:15+00:00"


def test_month_names_are_english() -> None:
    assert [month_name(m) for m in (1, 6, 12)] == ["January", "June", "December"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31T23:59:00-05:00", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_refused(value: str) -> None:
    # converting them to another zone overflows: they would crash the build, not be reported
    assert parse_datetime(value, LONDON) is None
