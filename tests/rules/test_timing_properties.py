"""Property tests of the working-morning helper: for any instant, zone and settings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.models import Profile
from followups.timing import add_months, working_morning_on_or_after

# From 2012: Pacific/Apia skipped the whole of 30 December 2011, a date no rule can land on.
instants = st.datetimes(
    min_value=datetime(2012, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
preferences = st.builds(
    lambda zone, hour, days: Profile(time_zone=zone, morning_hour=hour, workdays=sorted(days)),
    st.timezone_keys(),
    st.integers(min_value=0, max_value=23),
    st.sets(st.integers(min_value=0, max_value=6), min_size=1),
)


def wall_clock_exists(day, hour: int, zone: ZoneInfo) -> bool:
    wall = datetime.combine(day, time(hour), tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)


@settings(max_examples=400, deadline=None)
@given(instant=instants, profile=preferences)
def test_the_working_morning_is_a_workday_morning_within_a_week(instant, profile):
    zone = profile.zone
    result = working_morning_on_or_after(instant, profile)
    local = result.astimezone(zone)
    start = instant.astimezone(zone).date()

    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)
    assert local.weekday() in profile.workdays
    assert start <= local.date() <= start + timedelta(days=6)
    if wall_clock_exists(local.date(), profile.morning_hour, zone):
        assert local.time() == time(profile.morning_hour)
    else:
        # Skipped by a DST jump: the first instant after it, still that morning.
        assert local.time() > time(profile.morning_hour)
        assert local - datetime.combine(local.date(), time(0), tzinfo=zone) < timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(instant=instants, zone_key=st.timezone_keys(), months=st.integers(min_value=1, max_value=24))
def test_adding_months_keeps_the_wall_clock_and_clamps_to_the_month_end(instant, zone_key, months):
    zone = ZoneInfo(zone_key)
    start = instant.astimezone(zone).replace(tzinfo=None)
    expected = start + relativedelta(months=months)  # relativedelta clamps to the month end
    result = add_months(instant, months, zone).astimezone(zone).replace(tzinfo=None)
    wall = expected.replace(tzinfo=zone)
    if wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == expected:
        assert result == expected
    else:
        # That wall time was skipped by a DST jump: the instant just after the jump.
        assert expected < result <= expected + timedelta(days=1)
