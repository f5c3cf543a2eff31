"""byline.dates: the contract's date forms, the site timezone, display formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from byline.dates import NonexistentTime, display_date, display_datetime, iso, month_name, parse_datetime, to_zone

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


@pytest.mark.parametrize(
    ("text", "zone", "message"),
    [
        (
            "2026-03-29 01:30",
            "Europe/London",
            "2026-03-29 01:30 does not exist in Europe/London: the clocks go forward an hour then; write "
            "2026-03-29 02:30 (the same moment), or the time with its offset, like 2026-03-29T01:30:00+00:00",
        ),
        (
            "2026-10-04 02:10",
            "Australia/Lord_Howe",
            "2026-10-04 02:10 does not exist in Australia/Lord_Howe: the clocks go forward 30 minutes then; write "
            "2026-10-04 02:40 (the same moment), or the time with its offset, like 2026-10-04T02:10:00+10:30",
        ),
    ],
)
def test_a_time_the_clocks_skip_is_refused_with_what_to_write(text: str, zone: str, message: str) -> None:
    # Regression (issue 16, defect 15): 2026-03-29 01:30 in London was silently taken as 01:30+00:00.
    with pytest.raises(NonexistentTime) as raised:
        parse_datetime(text, ZoneInfo(zone))
    assert str(raised.value) == message


def test_around_the_clock_changes_times_that_exist_are_read_and_a_repeated_one_is_summer_time() -> None:
    assert parse_datetime("2026-03-29 00:59", LONDON) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert parse_datetime("2026-03-29 02:00", LONDON) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert parse_datetime("2026-03-29T01:30:00+00:00", LONDON) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 01:30 happens twice on 25 October; the first, in summer time (BST, +01:00), as the README says.
    repeated = parse_datetime("2026-10-25 01:30", LONDON)
    assert repeated is not None and repeated.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
