"""The dashboard's queries: a user's pending follow-ups grouped by when they fall due
(overdue, today, this week, later) in their own time zone, and the due count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from followups.models import FollowUp, db_datetime

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Grouping ---------------------------------------------------------------------------

ROWS_PER_GROUP = 10  # a heavy user has thousands pending; the rest is one click away
ROWS_PER_PAGE = 50

GROUP_TITLES = {
    "overdue": "Overdue",
    "today": "Due today",
    "week": "This week",
    "later": "Later",
}


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def day_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    """Start of today, of tomorrow and of the day after this week, in the user's zone."""
    today = now.astimezone(zone).date()
    start_today, start_tomorrow, end_of_week = (
        local_midnight(today + timedelta(days=n), zone) for n in (0, 1, 8)
    )
    return start_today, start_tomorrow, end_of_week


def group_filters(now: datetime, zone: ZoneInfo) -> dict[str, Q]:
    """One filter per dashboard group, by the local calendar day of `due_at`.

    Overdue: due on an earlier day, or due already and past its deadline. A follow-up
    snoozed past its deadline goes by its new due day, so snoozing always moves it.
    This week: the seven days after today. The groups never overlap.
    """
    start_today, start_tomorrow, end_of_week = day_bounds(now, zone)
    late = Q(deadline__lt=now, due_at__lte=now)
    return {
        "overdue": Q(due_at__lt=start_today) | late,
        "today": Q(due_at__gte=start_today, due_at__lt=start_tomorrow) & ~late,
        # Both start after now, so nothing in them is late.
        "week": Q(due_at__gte=start_tomorrow, due_at__lt=end_of_week),
        "later": Q(due_at__gte=end_of_week),
    }


def group_counts(user: User, now: datetime, zone: ZoneInfo) -> dict[str, int]:
    """How many follow-ups each group holds, the same as counting `group_filters`.

    Counted by due day only, which the (owner, status, due_at) index answers without
    reading the rows, plus the few due today that are already late; one aggregate over
    `group_filters` read every pending row and cost a heavy user's dashboard the most.
    The day counts are one fixed SQL statement: building the four filtered COUNTs
    through the ORM took longer than running them.
    """
    start_today, start_tomorrow, end_of_week = day_bounds(now, zone)
    adapt = db_datetime
    with connection.cursor() as cursor:
        cursor.execute(
            GROUP_COUNTS_SQL,
            [
                *map(adapt, (start_today, start_today, start_tomorrow)),
                *map(adapt, (start_tomorrow, end_of_week, end_of_week)),
                *(user.pk, FollowUp.Status.PENDING.value),
            ],
        )
        overdue, today, week, later = cursor.fetchone()
    late_today = FollowUp.objects.filter(
        owner=user,
        status=FollowUp.Status.PENDING,
        due_at__gte=start_today,
        due_at__lte=now,
        deadline__lt=now,
    ).count()
    return {
        "overdue": overdue + late_today,
        "today": today - late_today,
        "week": week,
        "later": later,
    }


# Bounds (start of today, of tomorrow, of the day after this week) appear twice each.
GROUP_COUNTS_SQL = f"""
SELECT COUNT(CASE WHEN due_at < %s THEN 1 END),
       COUNT(CASE WHEN due_at >= %s AND due_at < %s THEN 1 END),
       COUNT(CASE WHEN due_at >= %s AND due_at < %s THEN 1 END),
       COUNT(CASE WHEN due_at >= %s THEN 1 END)
FROM {FollowUp._meta.db_table} WHERE owner_id = %s AND status = %s
"""


ROW_FIELDS = (
    *("id", "owner_id", "kind", "status", "due_at", "deadline", "draft_subject", "draft_body"),
    *("notified_at", "send_attempts", "next_attempt_at", "last_error"),
    *("contact__first_name", "contact__last_name", "application__title"),
)


def pending_followups(user: User) -> QuerySet[FollowUp]:
    """The user's pending follow-ups with everything a row shows, in one query.

    Only the columns a row shows: a heavy user's dashboard spent a good part of its time
    turning unused timestamps of five tables into datetimes. The company name comes as
    `row_company` (see Row.company) rather than as two more model objects per row.
    """
    return (
        FollowUp.objects.filter(owner=user, status=FollowUp.Status.PENDING)
        .select_related("contact", "application")
        .only(*ROW_FIELDS)
        .annotate(
            row_company=Coalesce(
                F("application__company__name"), F("contact__company__name"), Value("")
            )
        )
        .order_by("due_at", "id")
    )


def due_count(user: User, now: datetime) -> int:
    """What the nav badge shows: pending follow-ups whose reminder time has come."""
    return FollowUp.objects.filter(
        owner=user, status=FollowUp.Status.PENDING, due_at__lte=now
    ).count()
