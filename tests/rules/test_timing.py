"""Working mornings and calendar arithmetic in the owner's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from crm.models import Profile
from followups.timing import (
    add_days,
    add_months,
    at_local_time,
    working_morning_on_or_after,
    working_morning_on_or_after_date,
)


def profile(zone: str = "UTC", morning_hour: int = 9, workdays: list[int] | None = None):
    # An unsaved profile is enough: the helpers only read its settings.
    return Profile(
        time_zone=zone,
        morning_hour=morning_hour,
        workdays=[0, 1, 2, 3, 4] if workdays is None else workdays,
    )


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


# Weekends and workdays -----------------------------------------------------------------


def test_a_weekday_morning_is_that_days_morning_hour():
    wednesday_noon = datetime(2026, 6, 10, 12, tzinfo=UTC)
    assert working_morning_on_or_after(wednesday_noon, profile()) == datetime(
        2026, 6, 10, 9, tzinfo=UTC
    )


def test_a_saturday_steps_forward_to_monday_morning():
    saturday = datetime(2026, 6, 13, 15, tzinfo=UTC)
    assert working_morning_on_or_after(saturday, profile()) == datetime(2026, 6, 15, 9, tzinfo=UTC)


def test_custom_workdays_skip_to_the_next_day_the_user_works():
    # Works Sundays and Tuesdays only, starts at 7.
    monday = datetime(2026, 6, 15, 8, tzinfo=UTC)
    result = working_morning_on_or_after(monday, profile(morning_hour=7, workdays=[1, 6]))
    assert result == datetime(2026, 6, 16, 7, tzinfo=UTC)


def test_a_sunday_worker_gets_sunday_morning():
    sunday = datetime(2026, 6, 14, 1, tzinfo=UTC)
    result = working_morning_on_or_after(sunday, profile(workdays=[6]))
    assert result == datetime(2026, 6, 14, 9, tzinfo=UTC)


def test_invalid_workdays_fall_back_to_every_day_instead_of_looping_forever():
    saturday = datetime(2026, 6, 13, 15, tzinfo=UTC)
    assert working_morning_on_or_after(saturday, profile(workdays=[])) == datetime(
        2026, 6, 13, 9, tzinfo=UTC
    )


# Time zones far east and far west ------------------------------------------------------


def test_auckland_morning_uses_the_local_date_which_is_already_monday():
    # Sunday 12:00 UTC is Monday 01:00 in Auckland (NZDT, UTC+13).
    sunday_utc = datetime(2026, 3, 1, 12, tzinfo=UTC)
    result = working_morning_on_or_after(sunday_utc, profile("Pacific/Auckland"))
    assert result == datetime(2026, 3, 1, 20, tzinfo=UTC)
    assert local(result, "Pacific/Auckland").replace(tzinfo=None) == datetime(2026, 3, 2, 9)


def test_honolulu_morning_uses_the_local_date_which_is_still_friday():
    # Saturday 05:00 UTC is Friday 19:00 in Honolulu (HST, UTC-10): Friday counts.
    saturday_utc = datetime(2026, 3, 7, 5, tzinfo=UTC)
    result = working_morning_on_or_after(saturday_utc, profile("Pacific/Honolulu"))
    assert result == datetime(2026, 3, 6, 19, tzinfo=UTC)
    assert local(result, "Pacific/Honolulu").replace(tzinfo=None) == datetime(2026, 3, 6, 9)


# Daylight saving time both ways ----------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # Berlin springs forward on Sunday 29 March 2026, falls back on 25 October.
        (
            "Europe/Berlin",
            datetime(2026, 3, 27, 8, tzinfo=UTC),
            datetime(2026, 3, 30, 7, tzinfo=UTC),
        ),
        (
            "Europe/Berlin",
            datetime(2026, 10, 23, 7, tzinfo=UTC),
            datetime(2026, 10, 26, 8, tzinfo=UTC),
        ),
        # New York springs forward on 8 March 2026, falls back on 1 November.
        (
            "America/New_York",
            datetime(2026, 3, 6, 14, tzinfo=UTC),
            datetime(2026, 3, 9, 13, tzinfo=UTC),
        ),
        (
            "America/New_York",
            datetime(2026, 10, 30, 13, tzinfo=UTC),
            datetime(2026, 11, 2, 14, tzinfo=UTC),
        ),
    ],
)
def test_the_morning_stays_at_nine_local_across_a_dst_change(zone, before, after):
    prefs = profile(zone)
    friday = working_morning_on_or_after(before, prefs)
    monday = working_morning_on_or_after(add_days(before, 1, ZoneInfo(zone)), prefs)
    assert (friday, monday) == (before, after)
    assert local(friday, zone).time() == local(monday, zone).time() == time(9)
    # The UTC hour moved by one: that is the point of computing on the wall clock.
    assert abs(friday.hour - monday.hour) == 1


def test_a_morning_hour_skipped_by_dst_gives_the_first_instant_after_the_jump():
    # 02:00 does not exist in Berlin on 29 March 2026; clocks jump to 03:00 CEST.
    result = working_morning_on_or_after_date(
        date(2026, 3, 29), profile("Europe/Berlin", morning_hour=2, workdays=list(range(7)))
    )
    assert result == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert local(result, "Europe/Berlin").time() == time(3)


def test_a_week_later_keeps_the_local_time_of_day_across_dst():
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 25, 15, tzinfo=berlin)  # CET
    later = add_days(before, 7, berlin)
    assert local(later, "Europe/Berlin").replace(tzinfo=None) == datetime(2026, 4, 1, 15)
    assert later == datetime(2026, 4, 1, 13, tzinfo=UTC)  # CEST is UTC+2


# Month ends ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected_day"),
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 1, date(2028, 3, 29)),
    ],
)
def test_months_are_added_on_the_calendar_and_clamped_to_the_month_end(start, months, expected_day):
    zone = ZoneInfo("America/New_York")
    instant = at_local_time(start, 10, zone)
    result = add_months(instant, months, zone)
    assert result.astimezone(zone).date() == expected_day
    assert result.astimezone(zone).time() == time(10)


def test_months_are_counted_on_the_local_date_not_the_utc_one():
    # 30 November 23:30 in Honolulu is already 1 December in UTC.
    zone = ZoneInfo("Pacific/Honolulu")
    instant = datetime(2026, 11, 30, 23, 30, tzinfo=zone)
    assert add_months(instant, 3, zone).astimezone(zone).date() == date(2027, 2, 28)
