"""The dashboard's queries: a user's pending follow-ups grouped by when they fall due
(overdue, today, this week, later) in their own time zone, and the due count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from contacts.models import Contact
from crm.models import Company, JobApplication
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
    """What the nav badge shows: pending follow-ups whose reminder time has come, counted
    up to COUNT_CAP (the badge says "99+" beyond: see count_label)."""
    return (
        FollowUp.objects.filter(owner=user, status=FollowUp.Status.PENDING, due_at__lte=now)
        .values("pk")[:COUNT_CAP]
        .count()
    )


# Bounded counts ----------------------------------------------------------------------

# The page's counts stop here: "99+" tells a person as much as 9,612 does, and reading
# at most this many index entries per count keeps the dashboard's time (and every page's
# nav badge) flat however many follow-ups an account holds (issue 19, aim 3).
COUNT_CAP = 100


def count_label(count: int) -> str:
    """A bounded count as the page shows it: "7", or "99+" once it reached COUNT_CAP."""
    return f"{COUNT_CAP - 1}+" if count >= COUNT_CAP else str(count)


def nav_badge(count: int) -> str:
    """What the nav's badge of due follow-ups says: nothing when none is due."""
    return count_label(count) if count else ""


# The conditions of group_filters in SQL, on the follow-up table's own columns, and the
# badge's ("due": due_count's). Overdue is due already and either due before today or
# past its deadline (start of today <= now, so "due before today" is due already); today
# is due today and not late; a deadline is NULL when there is none.
GROUP_SQL = {
    "overdue": "due_at <= %s AND (due_at < %s OR deadline < %s)",
    "today": "due_at >= %s AND due_at < %s AND (deadline IS NULL OR deadline >= %s OR due_at > %s)",
    "week": "due_at >= %s AND due_at < %s",
    "later": "due_at >= %s",
    "due": "due_at <= %s",
}


def group_sql_params(now: datetime, zone: ZoneInfo) -> dict[str, list[Any]]:
    """The parameters of each GROUP_SQL condition, as the driver wants them."""
    start_today, start_tomorrow, end_of_week = map(db_datetime, day_bounds(now, zone))
    at = db_datetime(now)
    return {
        "overdue": [at, start_today, at],
        "today": [start_today, start_tomorrow, at, at],
        "week": [start_tomorrow, end_of_week],
        "later": [end_of_week],
        "due": [at],
    }


def _capped(condition: str) -> str:
    return (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {FollowUp._meta.db_table} "
        f"WHERE owner_id = %s AND status = %s AND {condition} LIMIT {COUNT_CAP}) AS capped)"
    )


CAPPED_COUNTS_SQL = "SELECT " + ",\n       ".join(map(_capped, GROUP_SQL.values()))


def capped_counts(user: User, now: datetime, zone: ZoneInfo) -> dict[str, int]:
    """Each group's count and the nav badge's ("due"), each up to COUNT_CAP: the same as
    min(COUNT_CAP, count) of `group_filters` and of due_count, in one statement.

    Each count reads at most COUNT_CAP rows off the (owner, status, due_at) index (the
    overdue and today counts also look at each row's deadline), where group_counts reads
    every pending row: 11-17 ms for a heavy account at 10x.
    """
    owner: list[Any] = [user.pk, FollowUp.Status.PENDING.value]
    params = group_sql_params(now, zone)
    with connection.cursor() as cursor:
        cursor.execute(CAPPED_COUNTS_SQL, [p for key in GROUP_SQL for p in owner + params[key]])
        return dict(zip(GROUP_SQL, cursor.fetchone(), strict=True))


def capped_count(user: User, key: str, now: datetime, zone: ZoneInfo) -> int:
    """One group's count up to COUNT_CAP (a group the page loads on demand)."""
    params = [user.pk, FollowUp.Status.PENDING.value, *group_sql_params(now, zone)[key]]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_capped(GROUP_SQL[key])}", params)
        return cursor.fetchone()[0]


# First rows ------------------------------------------------------------------------

ROW_COLUMNS = ", ".join(
    ("id", "owner_id", "contact_id", "application_id", "kind", "status", "due_at", "deadline")
    + ("draft_subject", "draft_body", "notified_at", "send_attempts", "next_attempt_at")
    + ("last_error",)
)


def _first_of_group(key: str) -> str:
    # The key is one of GROUP_SQL's, never user input.
    return (
        f"SELECT * FROM (SELECT '{key}' AS row_group, {ROW_COLUMNS} "
        f"FROM {FollowUp._meta.db_table} WHERE owner_id = %s AND status = %s "
        f"AND {GROUP_SQL[key]} ORDER BY due_at, id LIMIT {ROWS_PER_GROUP}) AS {key}"
    )


def first_rows_sql(keys: tuple[str, ...]) -> str:
    """The first ROWS_PER_GROUP rows of each group in `keys`, in one statement: each
    group's rows read off the (owner, status, due_at) index and stop, then the names a
    row shows joined to those few rows only (the contact's, the job's, the company's:
    the application's, else the contact's, as pending_followups' row_company)."""
    contact, application = Contact._meta.db_table, JobApplication._meta.db_table
    company = Company._meta.db_table
    groups = " UNION ALL ".join(map(_first_of_group, keys))
    return (
        "SELECT f.*, c.first_name AS row_first_name, c.last_name AS row_last_name, "
        "a.title AS row_job, COALESCE(ac.name, cc.name, '') AS row_company "
        f"FROM ({groups}) AS f "
        f"LEFT JOIN {contact} c ON c.id = f.contact_id "
        f"LEFT JOIN {application} a ON a.id = f.application_id "
        f"LEFT JOIN {company} ac ON ac.id = a.company_id "
        f"LEFT JOIN {company} cc ON cc.id = c.company_id "
        "ORDER BY f.due_at, f.id"
    )


def first_rows(
    user: User, keys: tuple[str, ...], now: datetime, zone: ZoneInfo
) -> dict[str, list[FollowUp]]:
    """The first rows of each group in `keys` (as pending_followups().filter(group)
    [:ROWS_PER_GROUP] gives them), with what a row shows, in one query.

    The ORM built and compiled the two groups' queries of the heavy dashboard in more
    time than the database took to answer them (a raw() statement: 3-9 ms against
    10-18 ms on PostgreSQL, 0.5 against 3-9 ms on SQLite). The names come as row_*
    attributes (see Row.who), so a row is one model instance, not three.
    """
    rows: dict[str, list[FollowUp]] = {key: [] for key in keys}
    if not keys:
        return rows
    params = group_sql_params(now, zone)
    owner = [user.pk, FollowUp.Status.PENDING.value]
    query = FollowUp.objects.raw(
        first_rows_sql(keys), [p for key in keys for p in owner + params[key]]
    )
    for followup in query:
        rows[followup.row_group].append(followup)  # type: ignore[attr-defined]
    return rows
