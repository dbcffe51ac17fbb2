"""Timing helpers of the rules engine: working mornings and calendar arithmetic.

Every rule computes on the owner's local wall-clock time (their `Profile.time_zone`) and
stores the result in UTC. Going through the wall clock is what keeps "9:00 on Monday"
at 9:00 across a daylight-saving change, which adding hours to a UTC instant would not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from dateutil.relativedelta import relativedelta


class WorkingHours(Protocol):
    """What the helpers read from a profile (crm.Profile satisfies it)."""

    morning_hour: int
    workdays: list[int]

    @property
    def zone(self) -> tzinfo: ...


ALL_DAYS = frozenset(range(7))


def workday_set(workdays: object) -> frozenset[int]:
    """The valid weekday numbers (Monday = 0) of `workdays`; every day if none is valid.

    The profile's validator rejects bad values in forms, but a row edited by hand must
    still not leave the rules without any day to schedule on.
    """
    if not isinstance(workdays, list | tuple | set | frozenset):
        return ALL_DAYS
    days = frozenset(d for d in workdays if isinstance(d, int) and 0 <= d <= 6)
    return days or ALL_DAYS


def local_date(instant: datetime, zone: tzinfo) -> date:
    """The calendar date `instant` falls on in `zone`."""
    return instant.astimezone(zone).date()


def at_local_time(day: date, hour: int, zone: tzinfo) -> datetime:
    """`day` at `hour`:00 wall-clock time in `zone`, as an aware UTC datetime.

    An hour skipped by a daylight-saving jump (02:00 on a spring-forward night) gives
    the first instant after the jump; an hour that occurs twice gives the first one.
    """
    wall = datetime.combine(day, time(hour), tzinfo=zone)
    # zoneinfo reads a skipped wall time with the offset from before the jump, which
    # lands exactly that far after the jump: 02:00 becomes 03:00 summer time.
    return wall.astimezone(UTC)


def working_day_on_or_after(day: date, workdays: object) -> date:
    """The first date on or after `day` whose weekday is one of `workdays`."""
    days = workday_set(workdays)
    while day.weekday() not in days:
        day += timedelta(days=1)
    return day


def working_day_on_or_before(day: date, workdays: object) -> date:
    """The last date on or before `day` whose weekday is one of `workdays` (a reminder
    "three days before" a deadline must not slide closer to it)."""
    days = workday_set(workdays)
    while day.weekday() not in days:
        day -= timedelta(days=1)
    return day


def working_morning_on_or_after_date(day: date, profile: WorkingHours) -> datetime:
    """The morning hour of the first working day on or after the local date `day` (UTC)."""
    workday = working_day_on_or_after(day, profile.workdays)
    return at_local_time(workday, profile.morning_hour, profile.zone)


def working_morning_on_or_after(instant: datetime, profile: WorkingHours) -> datetime:
    """Working morning on/after `instant`: its local date, stepped to a workday, at the
    profile's morning hour local time; returned as an aware UTC datetime.

    Only the local date of `instant` counts, so a Monday-afternoon input gives Monday
    morning (docs/rules.md#timing): reminders go out at the start of a working day.
    """
    return working_morning_on_or_after_date(local_date(instant, profile.zone), profile)


def add_days(instant: datetime, days: int, zone: tzinfo) -> datetime:
    """`instant` plus `days` calendar days at the same local wall-clock time (UTC result).

    "A week later" means the same time of day a week later, even across a DST change.
    """
    return (instant.astimezone(zone) + timedelta(days=days)).astimezone(UTC)


def add_months(instant: datetime, months: int, zone: tzinfo) -> datetime:
    """`instant` plus `months` calendar months in `zone`, clamped to the month's end.

    relativedelta clamps: Nov 30 + 3 months is Feb 28 (Feb 29 in a leap year) and
    Jan 31 + 1 month is the last day of February.
    """
    return (instant.astimezone(zone) + relativedelta(months=months)).astimezone(UTC)


def add_hours(instant: datetime, hours: int) -> datetime:
    """`instant` plus `hours` elapsed hours: "within 24 h" is real time, not wall-clock."""
    return (instant + timedelta(hours=hours)).astimezone(UTC)
