"""The dashboard (home page) and the actions on a follow-up: mark sent, snooze, dismiss, undo.

Every action answers an htmx request with the re-rendered row (and the nav badge, out of
band), and a plain POST with a redirect back, so the page works with JavaScript off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.models import Profile
from followups import rules
from followups.models import FollowUp, Goal
from followups.timing import at_local_time, working_morning_on_or_after

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
    return tuple(local_midnight(today + timedelta(days=n), zone) for n in (0, 1, 8))


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


def group_counts(user, now: datetime, zone: ZoneInfo) -> dict[str, int]:
    """How many follow-ups each group holds, the same as counting `group_filters`.

    Counted by due day only, which the (owner, status, due_at) index answers without
    reading the rows, plus the few due today that are already late; one aggregate over
    `group_filters` read every pending row and cost a heavy user's dashboard the most.
    The day counts are one fixed SQL statement: building the four filtered COUNTs
    through the ORM took longer than running them.
    """
    start_today, start_tomorrow, end_of_week = day_bounds(now, zone)
    adapt = connection.ops.adapt_datetimefield_value
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
    *("notified_at", "send_attempts", "last_error"),
    *("contact__first_name", "contact__last_name", "application__title"),
)


def pending_followups(user) -> QuerySet[FollowUp]:
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


def due_count(user, now: datetime) -> int:
    """What the nav badge shows: pending follow-ups whose reminder time has come."""
    return FollowUp.objects.filter(
        owner=user, status=FollowUp.Status.PENDING, due_at__lte=now
    ).count()


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


@cache
def action_url_patterns() -> dict[str, str]:
    """Each row action's URL with a {pk} slot: one reverse() per action, not per row."""
    slot = 987654321
    patterns = {}
    for name in ("mark-sent", "snooze", "dismiss", "reopen", "draft"):
        try:
            url = reverse(f"followups:{name}", args=[slot])
        except NoReverseMatch:  # an optional page (the draft editor) not installed
            url = ""
        patterns[name.replace("-", "_")] = url.replace(str(slot), "{pk}")
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
        return self.followup.contact.full_name if self.followup.contact_id else ""

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
        return {"pending": "", "done": "success"}.get(self.followup.status, "secondary")

    @cached_property
    def done_label(self) -> str:
        # A goal's deadline is not a message to anyone.
        return "Mark done" if self.followup.kind == FollowUp.Kind.GOAL else "Mark sent"

    @cached_property
    def draft_url(self) -> str:
        return "" if self.followup.kind == FollowUp.Kind.GOAL else self.urls["draft"]

    @cached_property
    def company(self) -> str:
        fu = self.followup
        if hasattr(fu, "row_company"):  # annotated by pending_followups(), same rule
            return fu.row_company
        if fu.application_id:
            return fu.application.company.name
        if fu.contact_id and fu.contact.company_id:
            return fu.contact.company.name
        return ""

    @cached_property
    def job(self) -> str:
        return self.followup.application.title if self.followup.application_id else ""

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

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def dashboard_groups(user, now: datetime, zone: ZoneInfo) -> list[Group]:
    """The four groups, each with its count and first rows: two count queries, then one
    query per group that has rows."""
    filters = group_filters(now, zone)
    pending = pending_followups(user)
    counts = group_counts(user, now, zone)
    return [
        Group(
            key,
            GROUP_TITLES[key],
            counts[key],
            [Row(fu, now) for fu in pending.filter(condition)[:ROWS_PER_GROUP]]
            if counts[key]
            else [],
        )
        for key, condition in filters.items()
    ]


def row_context(request: HttpRequest, now: datetime, zone: ZoneInfo) -> dict:
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


# Dashboard --------------------------------------------------------------------------


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Pending follow-ups by group; ?group=<key> lists one group page by page."""
    now = timezone.now()
    zone = Profile.for_user(request.user).zone
    key = request.GET.get("group")
    context: dict = {"now": now, **row_context(request, now, zone)}
    if key in GROUP_TITLES:
        queryset = pending_followups(request.user).filter(group_filters(now, zone)[key])
        page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context |= {
            "group": Group(key, GROUP_TITLES[key], page.paginator.count, []),
            "page": page,
            "rows": [Row(fu, now) for fu in page],
        }
        return render(request, "followups/dashboard_group.html", context)
    groups = dashboard_groups(request.user, now, zone)
    context |= {"groups": groups, "total": sum(g.count for g in groups)}
    if not context["total"]:
        context["has_history"] = FollowUp.objects.filter(owner=request.user).exists()
    return render(request, "followups/dashboard.html", context)


# Snoozing ---------------------------------------------------------------------------

SNOOZE_CHOICES = [
    ("tomorrow", "Tomorrow morning"),
    ("three_days", "In 3 days"),
    ("next_week", "Next week"),
    ("date", "On a date"),
]


def local_noon(day: date, zone: ZoneInfo) -> datetime:
    # Noon, not midnight: a DST change never moves noon to another calendar day.
    return datetime.combine(day, time(12), tzinfo=zone)


def snooze_until(choice: str, picked: date | None, now: datetime, profile: Profile) -> datetime:
    """When a snoozed follow-up is due again; mornings are working mornings."""
    zone = profile.zone
    today = now.astimezone(zone).date()
    if choice == "date" and picked is not None:
        # The user picked this exact day, weekend or not: respect it.
        return at_local_time(picked, profile.morning_hour, zone)
    offset = {"tomorrow": 1, "three_days": 3, "next_week": 7 - today.weekday()}[choice]
    return working_morning_on_or_after(local_noon(today + timedelta(days=offset), zone), profile)


class SnoozeForm(forms.Form):
    choice = forms.ChoiceField(choices=SNOOZE_CHOICES, label="Snooze until")
    date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, now: datetime, zone: ZoneInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = now.astimezone(zone).date()

    def clean(self) -> dict:
        data = super().clean()
        picked = data.get("date")
        if data.get("choice") == "date":
            if picked is None:
                self.add_error("date", "Pick the day to be reminded again.")
            elif picked <= self.today:
                self.add_error("date", "Pick a day after today.")
            elif picked > self.today + timedelta(days=730):
                self.add_error("date", "Pick a day within the next two years.")
        return data


# Actions ----------------------------------------------------------------------------


def own_followup(request: HttpRequest, pk: int) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.select_related("contact__company", "application__company"),
        pk=pk,
        owner=request.user,
    )


def next_up(followup: FollowUp) -> list[FollowUp]:
    """What the rules scheduled next for the same person, shown once a row is done."""
    if not followup.contact_id:
        return []
    return list(
        FollowUp.objects.filter(
            owner=followup.owner, contact_id=followup.contact_id, status=FollowUp.Status.PENDING
        ).order_by("due_at")[:3]
    )


def answer(request: HttpRequest, followup: FollowUp, notice: str, *, ok: bool = True):
    """The re-rendered row for htmx; a message and a redirect back otherwise."""
    now = timezone.now()
    if request.htmx:
        row = Row(followup, now, notice=notice, next_up=next_up(followup))
        context = {"row": row, "oob_due_count": due_count(request.user, now)}
        context |= row_context(request, now, Profile.for_user(request.user).zone)
        return render(request, "followups/_followup_row.html", context)
    messages.add_message(request, messages.SUCCESS if ok else messages.WARNING, notice)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("home")


def not_pending(request: HttpRequest, followup: FollowUp) -> HttpResponse:
    label = followup.get_status_display().lower()
    return answer(request, followup, f"This follow-up is already {label}.", ok=False)


@require_POST
def mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """Logs the draft as sent; the rules complete the follow-up and schedule what's next."""
    followup = own_followup(request, pk)
    if not followup.is_pending:
        return not_pending(request, followup)
    if followup.kind == FollowUp.Kind.GOAL:
        # A goal deadline is not a message to anyone: nothing to log. The goal itself is
        # done too (its reminder completes with it), so the growth page agrees.
        goal = Goal.objects.filter(followup=followup, owner=request.user).first()
        if goal is not None and goal.is_open:
            goal.mark_done()
            followup.refresh_from_db()
        elif not followup.complete(None):
            return not_pending(request, followup)
        return answer(request, followup, "Marked done.")
    try:
        rules.mark_sent(followup)
    except rules.FollowUpNotPending:
        # A second click (or another tab) got there first.
        followup.refresh_from_db()
        return not_pending(request, followup)
    followup.refresh_from_db()
    who = f" to {followup.contact.full_name}" if followup.contact_id else ""
    return answer(request, followup, f"Marked sent{who}.")


@require_http_methods(["GET", "POST"])
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the choices (into the row's menu, or as a page without JavaScript); POST: snooze."""
    followup = own_followup(request, pk)
    now = timezone.now()
    profile = Profile.for_user(request.user)
    if request.method == "GET":
        return snooze_choices(request, followup, now, profile)
    if not followup.is_pending:
        return not_pending(request, followup)
    form = SnoozeForm(request.POST, now=now, zone=profile.zone)
    if not form.is_valid():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        return answer(request, followup, f"Not snoozed: {errors}", ok=False)
    until = snooze_until(form.cleaned_data["choice"], form.cleaned_data["date"], now, profile)
    if not followup.snooze(until, now=now):
        return not_pending(request, followup)
    local = timezone.localtime(until, profile.zone)
    return answer(request, followup, f"Snoozed until {local:%a %-d %b, %H:%M}.")


def snooze_choices(
    request: HttpRequest, followup: FollowUp, now: datetime, profile: Profile
) -> HttpResponse:
    context = {
        "followup": followup,
        "row": Row(followup, now),
        "snooze_url": request.path,
        **row_context(request, now, profile.zone),
    }
    if request.htmx:
        return render(request, "followups/dashboard_snooze_options.html", context)
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    context["next_path"] = target if safe and target else "/"
    return render(request, "followups/dashboard_snooze.html", context)


@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    followup = own_followup(request, pk)
    if not followup.is_pending:
        return not_pending(request, followup)
    if not followup.dismiss():
        return not_pending(request, followup)
    return answer(request, followup, "Dismissed.")


@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo of a dismiss."""
    followup = own_followup(request, pk)
    if followup.status != FollowUp.Status.DISMISSED:
        return answer(request, followup, "Only a dismissed follow-up can be undone.", ok=False)
    try:
        with transaction.atomic():
            reopened = followup.reopen()
    except IntegrityError:
        # A check-in scheduled by the rules between reopen's check and its update.
        reopened = False
    if not reopened:
        # A contact keeps one pending check-in: reopen refuses when a newer one exists.
        followup.refresh_from_db()
        if followup.kind != FollowUp.Kind.CHECK_IN:
            return not_pending(request, followup)
        return answer(request, followup, "A newer check-in is already pending.", ok=False)
    return answer(request, followup, "Back on your list.")
