"""What a dashboard row shows: labels, times in words, the draft's first line and the
action URLs, computed once per row (other pages that list follow-ups reuse them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property

from crm.http import AuthenticatedHttpRequest
from followups.dashboard.queries import (
    GROUP_TITLES,
    ROWS_PER_GROUP,
    capped_count,
    capped_counts,
    count_label,
    first_rows,
    group_counts,
    group_filters,
    pending_followups,
)
from followups.models import FollowUp

if TYPE_CHECKING:
    from collections.abc import Collection

    from django.contrib.auth.models import User

# Rows -------------------------------------------------------------------------------


def span(seconds: float) -> str:
    """A rough human length of time: '40 minutes', '5 hours', '2 days', '3 weeks'."""
    seconds = abs(seconds)
    minutes = round(seconds / 60)
    hours = round(seconds / 3600)
    days = round(seconds / 86400)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        amount, unit = minutes, "minute"
    elif hours < 36:
        amount, unit = hours, "hour"
    elif days < 14:
        amount, unit = days, "day"
    elif days < 60:
        amount, unit = round(days / 7), "week"
    else:
        amount, unit = round(days / 30), "month"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def draft_preview(body: str) -> str:
    """The draft's first line that says something (the greeting "Hi Dana," does not)."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(",") and len(lines[0]) <= 40:
        return lines[1]
    return lines[0] if lines else ""


# Reversed in place of a row's id, then replaced by "{pk}": any number the <int:pk>
# converter accepts will do, as long as no other part of a URL can contain it.
PK_STAND_IN = 987654321


@cache
def action_url_patterns() -> dict[str, str]:
    """Each row action's URL with a {pk} slot: one reverse() per action, not per row."""
    patterns = {}
    for name in ("mark-sent", "snooze", "dismiss", "reopen", "undo-sent", "draft"):
        try:
            url = reverse(f"followups:{name}", args=[PK_STAND_IN])
        except NoReverseMatch:  # an optional page (the draft editor) not installed
            url = ""
        patterns[name.replace("-", "_")] = url.replace(str(PK_STAND_IN), "{pk}")
    return patterns


KIND_LABELS = {kind.value: str(kind.label) for kind in FollowUp.Kind}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_label(when: datetime) -> str:
    """'Tue 10 Mar, 16:00' in the active (the user's) time zone.

    English names from tuples: three strftime calls per label were a visible part of a
    row's cost, and the page is in English whatever the server's locale.
    """
    local = timezone.localtime(when)
    weekday, month = WEEKDAYS[local.weekday()], MONTHS[local.month - 1]
    return f"{weekday} {local.day} {month}, {local.hour:02}:{local.minute:02}"


@dataclass
class Row:
    """A follow-up as the dashboard shows it, with times relative to `now`."""

    followup: FollowUp
    now: datetime
    notice: str = ""
    next_up: list[FollowUp] = field(default_factory=list)

    # Every label is a cached_property (Django's: the functools one takes a lock on each
    # first read in Python 3.11): the row template reads several of them more than once
    # (sr_name three times), and a dashboard renders forty rows.

    @cached_property
    def who(self) -> str:
        fu = self.followup
        if hasattr(fu, "row_first_name"):  # read with the row by first_rows(), same rule
            last = fu.row_last_name  # type: ignore[attr-defined]
            return f"{fu.row_first_name or ''} {last or ''}".strip()
        return fu.contact.full_name if fu.contact else ""

    @cached_property
    def kind_label(self) -> str:
        # What get_kind_display() answers, without its walk through the choices per call.
        kind = self.followup.kind
        return KIND_LABELS.get(kind, kind)

    @cached_property
    def title(self) -> str:
        """What to do, and with whom: 'Reply to the rejection: Dana Reyes'."""
        return f"{self.kind_label}: {self.who}" if self.who else self.kind_label

    @cached_property
    def sr_name(self) -> str:
        """Tells screen readers which row a button acts on: 'Reply to the rejection, Dana Reyes'."""
        return f"{self.kind_label}, {self.who}" if self.who else self.kind_label

    @cached_property
    def where(self) -> str:
        """'Data Engineer at Acme', or whichever of the two is known."""
        return " at ".join(part for part in (self.job, self.company) if part)

    @cached_property
    def status_badge(self) -> str:
        """Bootstrap colour of the status badge a finished row wears; '' while pending."""
        badges: dict[str, str] = {FollowUp.Status.PENDING: "", FollowUp.Status.DONE: "success"}
        return badges.get(self.followup.status, "secondary")

    @cached_property
    def done_label(self) -> str:
        # A goal's deadline is not a message to anyone.
        return "Mark done" if self.followup.kind == FollowUp.Kind.GOAL else "Mark sent"

    @cached_property
    def offers_feedback_choice(self) -> bool:
        """Whether the row shows the "asks for feedback" box: a message that may ask for
        it (a nudge is itself the one reminder, and a goal is no message at all)."""
        return self.followup.kind not in (FollowUp.Kind.GOAL, FollowUp.Kind.FEEDBACK_NUDGE)

    @cached_property
    def asks_for_feedback(self) -> bool:
        """The box's initial state: whether the draft as written asks for feedback."""
        from followups.drafts import asks_for_feedback

        fu = self.followup
        return asks_for_feedback(f"{fu.draft_subject}\n{fu.draft_body}")

    @cached_property
    def draft_url(self) -> str:
        return "" if self.followup.kind == FollowUp.Kind.GOAL else self.urls["draft"]

    @cached_property
    def company(self) -> str:
        fu = self.followup
        if hasattr(fu, "row_company"):  # annotated by pending_followups(), same rule
            return fu.row_company
        if fu.application:
            return fu.application.company.name
        if fu.contact and fu.contact.company:
            return fu.contact.company.name
        return ""

    @cached_property
    def job(self) -> str:
        if hasattr(self.followup, "row_job"):  # read with the row by first_rows()
            return self.followup.row_job or ""
        application = self.followup.application
        return application.title if application else ""

    @cached_property
    def due_phrase(self) -> str:
        delta = (self.followup.due_at - self.now).total_seconds()
        return f"in {span(delta)}" if delta > 0 else f"{span(delta)} ago"

    @cached_property
    def deadline_phrase(self) -> str:
        if self.followup.deadline is None:
            return ""
        delta = (self.followup.deadline - self.now).total_seconds()
        return f"in {span(delta)}" if delta > 0 else f"{span(delta)} late"

    @cached_property
    def is_late(self) -> bool:
        return self.followup.deadline is not None and self.followup.deadline < self.now

    @cached_property
    def preview(self) -> str:
        return draft_preview(self.followup.draft_body)

    # Labels and URLs made here rather than with template tags: a dashboard renders up
    # to a hundred rows, and the date filter and {% url %} are the slow part of each.

    @cached_property
    def due_label(self) -> str:
        return local_label(self.followup.due_at)

    @cached_property
    def deadline_label(self) -> str:
        return local_label(self.followup.deadline) if self.followup.deadline else ""

    @cached_property
    def urls(self) -> dict[str, str]:
        pk = self.followup.pk
        return {name: url.format(pk=pk) for name, url in action_url_patterns().items()}

    @property
    def as_list(self) -> list[Row]:
        """This row alone, for dashboard_rows.html, which renders a list of rows."""
        return [self]


@dataclass
class Group:
    key: str
    title: str
    count: int
    rows: list[Row]
    # Rows not read yet: the page loads them when the group scrolls into view (htmx).
    lazy: bool = False

    @property
    def more(self) -> int:
        return self.count - len(self.rows)

    @property
    def count_label(self) -> str:
        """The count as the page shows it: the page counts up to COUNT_CAP ("99+")."""
        return count_label(self.count)


# What a person reads first comes with the page; "this week" and "later" are counted
# and their rows fetched when the group scrolls into view (group_rows below). Two fewer
# row queries and half the rows to render kept the heavy dashboard's p95 under load near
# the bare page's (issue 19, bench/README.md).
FIRST_PAINT = ("overdue", "today")


def dashboard_groups(
    user: User, now: datetime, zone: ZoneInfo, *, with_rows: Collection[str] = FIRST_PAINT
) -> list[Group]:
    """The four groups, each with its exact count, and the first rows of those in
    `with_rows` (the API and the MCP tools, which have no second request to make: every
    group; the page has page_groups): two count queries, then one query per such group
    that has rows."""
    filters = group_filters(now, zone)
    pending = pending_followups(user)
    counts = group_counts(user, now, zone)
    return [
        Group(
            key,
            GROUP_TITLES[key],
            counts[key],
            [Row(fu, now) for fu in pending.filter(condition)[:ROWS_PER_GROUP]]
            if counts[key] and key in with_rows
            else [],
            lazy=key not in with_rows,
        )
        for key, condition in filters.items()
    ]


def page_groups(user: User, now: datetime, zone: ZoneInfo) -> tuple[list[Group], int]:
    """The dashboard page's four groups, counted up to COUNT_CAP, with the first rows of
    FIRST_PAINT's, and the nav badge's count: two queries (capped_counts, first_rows)."""
    counts = capped_counts(user, now, zone)
    first = first_rows(user, tuple(k for k in FIRST_PAINT if counts[k]), now, zone)
    groups = [
        Group(
            key,
            title,
            counts[key],
            [Row(fu, now) for fu in first.get(key, ())],
            lazy=key not in FIRST_PAINT,
        )
        for key, title in GROUP_TITLES.items()
    ]
    return groups, counts["due"]


def group_rows(user: User, key: str, now: datetime, zone: ZoneInfo) -> Group:
    """One group's first rows and its count up to COUNT_CAP, as the dashboard shows them
    (a group it loads on demand): two queries."""
    rows = [Row(fu, now) for fu in first_rows(user, (key,), now, zone)[key]]
    return Group(key, GROUP_TITLES[key], capped_count(user, key, now, zone), rows)


def row_context(request: AuthenticatedHttpRequest, now: datetime, zone: ZoneInfo) -> dict:
    """What _followup_row.html needs besides the row: the page to come back to without
    JavaScript, and the first day the snooze date picker offers."""
    # An htmx request's own path is the action's; the page it came from is in a header.
    htmx_page = request.htmx.current_url_abs_path if request.htmx else None
    next_path = htmx_page or request.get_full_path()
    first_day = now.astimezone(zone).date() + timedelta(days=1)
    return {
        "next_path": next_path,
        # What {{ next_path|urlencode }} gives, once per page instead of once per row.
        "next_query": quote(next_path, safe="/"),
        "snooze_min": first_day.isoformat(),
    }
