"""Figures of the stats page: pipeline funnel, reply speed, feedback answers, punctuality.

Each function takes the user (and `now` where time matters) and returns plain numbers;
the page draws them as SVG bars with the numbers beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce

from contacts.models import Interaction
from crm.models import JobApplication
from followups.models import FollowUp

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The article's window for answering a rejection; R1's deadline defaults to it
# (docs/rules.md#r1).
REPLY_TARGET_HOURS = 48
# A follow-up without a deadline counts as on time when done within a day of falling due.
NO_DEADLINE_GRACE = timedelta(days=1)

Status = JobApplication.Status


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    total: int
    tone: str = "primary"  # a Bootstrap colour name, also used for the SVG fill

    @property
    def percent(self) -> int:
        return round(100 * self.value / self.total) if self.total else 0

    @property
    def width(self) -> float:
        """Bar length as a share of the chart width (0–100), never 0 for a non-zero value."""
        if not self.total or not self.value:
            return 0
        return max(1.0, 100 * self.value / self.total)


def pipeline_funnel(user: User) -> list[Bar]:
    """Applied → interviewing → offer, plus how many ended rejected or withdrawn.

    There is no status history, so "reached interviewing" means the status is at or past
    it, or an interview was logged; likewise for offers. One aggregate query: the logged
    interviews and offers are uncorrelated `pk IN (…)` subqueries, which the database
    reads once (a correlated EXISTS per application took a quarter second for 2,000).
    """

    def logged(kind: str):
        return (
            Interaction.objects.filter(owner=user, kind=kind, application__isnull=False)
            .order_by()
            .values("application_id")
        )

    offer = Q(status__in=[Status.OFFER, Status.ACCEPTED]) | Q(pk__in=logged("offer"))
    interviewing = offer | Q(status=Status.INTERVIEWING) | Q(pk__in=logged("interview"))
    figures = (
        JobApplication.objects.filter(owner=user)
        .exclude(status=Status.WISHLIST)
        .aggregate(
            total=Count("pk"),
            interviewing=Count("pk", filter=interviewing),
            offer=Count("pk", filter=offer),
            accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
            withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
        )
    )
    total = figures["total"]
    return [
        Bar("Applied", total, total),
        Bar("Reached interviews", figures["interviewing"], total),
        Bar("Got an offer", figures["offer"], total, "success"),
        Bar("Accepted", figures["accepted"], total, "success"),
        Bar("Rejected", figures["rejected"], total, "secondary"),
        Bar("Withdrawn", figures["withdrawn"], total, "secondary"),
    ]


@dataclass(frozen=True)
class ReplySpeed:
    bars: list[Bar]
    sent: int
    within_target: int
    median_hours: float | None
    missed: int  # still pending past the deadline


def _overdue(now: datetime) -> Q:
    return Q(deadline__lt=now) | Q(deadline__isnull=True, due_at__lt=now - NO_DEADLINE_GRACE)


def pending_figures(user: User, now: datetime) -> dict[str, int]:
    """What reply speed and punctuality count among the pending follow-ups, in one pass
    over them (each was a COUNT of its own: two reads of every pending row).

    `missed_replies`: replies still pending past their deadline; `overdue`: pending
    follow-ups past their deadline, or a day past due when they have none.
    """
    return FollowUp.objects.filter(owner=user, status=FollowUp.Status.PENDING).aggregate(
        missed_replies=Count("pk", filter=Q(kind=FollowUp.Kind.REPLY, deadline__lt=now)),
        overdue=Count("pk", filter=_overdue(now)),
    )


def reply_speed(user: User, now: datetime, *, pending: dict[str, int] | None = None) -> ReplySpeed:
    """How long replies to rejections took, against the 48-hour target.

    Counted in SQL (a duration per reply, bucketed by conditional counts); the median is
    the middle one or two durations read by ORDER BY … OFFSET, so the page reads a few
    rows however many replies there are.
    """
    replies = FollowUp.objects.filter(owner=user, kind=FollowUp.Kind.REPLY)
    took = ExpressionWrapper(
        Coalesce("completed_by__occurred_at", "completed_at") - F("source__occurred_at"),
        output_field=DurationField(),
    )
    done = (
        replies.filter(status=FollowUp.Status.DONE, source__isnull=False)
        .filter(Q(completed_by__isnull=False) | Q(completed_at__isnull=False))
        .annotate(took=took)
    )
    day, target = timedelta(hours=24), timedelta(hours=REPLY_TARGET_HOURS)
    figures = done.aggregate(
        sent=Count("pk"),
        within_day=Count("pk", filter=Q(took__lte=day)),
        within_target=Count("pk", filter=Q(took__lte=target)),
    )
    sent = figures["sent"]
    median_hours = None
    if sent:
        middle = list(
            done.order_by("took", "pk").values_list("took", flat=True)[
                (sent - 1) // 2 : sent // 2 + 1
            ]
        )
        hours = [max(0.0, t.total_seconds() / 3600) for t in middle]
        median_hours = round(sum(hours) / len(hours), 1)
    missed = (pending or pending_figures(user, now))["missed_replies"]
    total = sent + missed
    within_day, within = figures["within_day"], figures["within_target"]
    bars = [
        Bar("Within 24 hours", within_day, total, "success"),
        Bar("24 to 48 hours", within - within_day, total),
        Bar("After 48 hours", sent - within, total, "warning"),
        Bar("Not sent, past the deadline", missed, total, "danger"),
    ]
    return ReplySpeed(bars, sent, within, median_hours, missed)


def feedback_answers(user: User) -> list[Bar]:
    """Of the messages that asked for feedback, how many got any answer, and feedback."""
    later_inbound = Interaction.objects.filter(
        contact=OuterRef("contact"),
        direction=Interaction.Direction.INBOUND,
        occurred_at__gt=OuterRef("occurred_at"),
    )
    figures = (
        Interaction.objects.filter(
            owner=user,
            direction=Interaction.Direction.OUTBOUND,
            requests_feedback=True,
            contact__isnull=False,
        )
        .annotate(
            # Annotation names must differ from the aggregate names below, or the
            # aggregate silently replaces the annotation it filters on.
            has_answer=Exists(later_inbound),
            has_feedback=Exists(later_inbound.filter(kind=Interaction.Kind.FEEDBACK)),
        )
        .aggregate(
            asked=Count("pk"),
            answered=Count("pk", filter=Q(has_answer=True)),
            feedback=Count("pk", filter=Q(has_feedback=True)),
        )
    )
    asked = figures["asked"]
    return [
        Bar("Asked for feedback", asked, asked),
        Bar("Got an answer", figures["answered"], asked, "success"),
        Bar("Got feedback", figures["feedback"], asked, "success"),
        Bar("No answer", asked - figures["answered"], asked, "secondary"),
    ]


def punctuality(user: User, now: datetime, *, pending: dict[str, int] | None = None) -> list[Bar]:
    """Follow-ups done by their deadline vs after it, and those overdue right now."""
    on_time = Q(deadline__isnull=False, completed_at__lte=F("deadline")) | Q(
        deadline__isnull=True, completed_at__lte=F("due_at") + NO_DEADLINE_GRACE
    )
    mine = FollowUp.objects.filter(owner=user)
    figures = mine.filter(status=FollowUp.Status.DONE, completed_at__isnull=False).aggregate(
        done=Count("pk"), on_time=Count("pk", filter=on_time)
    )
    overdue_count = (pending or pending_figures(user, now))["overdue"]
    total = figures["done"] + overdue_count
    return [
        Bar("Done on time", figures["on_time"], total, "success"),
        Bar("Done late", figures["done"] - figures["on_time"], total, "warning"),
        Bar("Overdue now", overdue_count, total, "danger"),
    ]
