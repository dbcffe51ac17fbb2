"""Figures of the stats page: pipeline funnel, reply speed, feedback answers, punctuality.

Each function takes the user (and `now` where time matters) and returns plain numbers;
the page draws them as SVG bars with the numbers beside them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q

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
    it, or an interview was logged; likewise for offers. Two plain queries and a count in
    Python: a correlated EXISTS per application took a quarter second for 2,000 of them.
    """
    statuses = dict(
        JobApplication.objects.filter(owner=user)
        .exclude(status=Status.WISHLIST)
        .values_list("pk", "status")
    )
    logged = set(
        Interaction.objects.filter(
            owner=user, application__isnull=False, kind__in=["interview", "offer"]
        )
        .values_list("application_id", "kind")
        .order_by()  # the default ordering would make DISTINCT cover every row
        .distinct()
    )
    offer = {pk for pk, s in statuses.items() if s in (Status.OFFER, Status.ACCEPTED)}
    offer |= {pk for pk, kind in logged if kind == "offer" and pk in statuses}
    interviewing = {pk for pk, s in statuses.items() if s == Status.INTERVIEWING} | offer
    interviewing |= {pk for pk, kind in logged if kind == "interview" and pk in statuses}
    counts = Counter(statuses.values())
    total = len(statuses)
    return [
        Bar("Applied", total, total),
        Bar("Reached interviews", len(interviewing), total),
        Bar("Got an offer", len(offer), total, "success"),
        Bar("Accepted", counts[Status.ACCEPTED], total, "success"),
        Bar("Rejected", counts[Status.REJECTED], total, "secondary"),
        Bar("Withdrawn", counts[Status.WITHDRAWN], total, "secondary"),
    ]


@dataclass(frozen=True)
class ReplySpeed:
    bars: list[Bar]
    sent: int
    within_target: int
    median_hours: float | None
    missed: int  # still pending past the deadline


def reply_speed(user: User, now: datetime) -> ReplySpeed:
    """How long replies to rejections took, against the 48-hour target."""
    replies = FollowUp.objects.filter(owner=user, kind=FollowUp.Kind.REPLY)
    done = replies.filter(status=FollowUp.Status.DONE, source__isnull=False).values_list(
        "source__occurred_at", "completed_by__occurred_at", "completed_at"
    )
    hours = []
    for received, sent_interaction, completed in done:
        sent = sent_interaction or completed
        if sent is not None:
            hours.append(max(0.0, (sent - received).total_seconds() / 3600))
    missed = replies.filter(status=FollowUp.Status.PENDING, deadline__lt=now).count()
    total = len(hours) + missed
    bars = [
        Bar("Within 24 hours", sum(h <= 24 for h in hours), total, "success"),
        Bar("24 to 48 hours", sum(24 < h <= REPLY_TARGET_HOURS for h in hours), total),
        Bar("After 48 hours", sum(h > REPLY_TARGET_HOURS for h in hours), total, "warning"),
        Bar("Not sent, past the deadline", missed, total, "danger"),
    ]
    within = sum(h <= REPLY_TARGET_HOURS for h in hours)
    return ReplySpeed(bars, len(hours), within, round(median(hours), 1) if hours else None, missed)


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


def punctuality(user: User, now: datetime) -> list[Bar]:
    """Follow-ups done by their deadline vs after it, and those overdue right now."""
    on_time = Q(deadline__isnull=False, completed_at__lte=F("deadline")) | Q(
        deadline__isnull=True, completed_at__lte=F("due_at") + NO_DEADLINE_GRACE
    )
    mine = FollowUp.objects.filter(owner=user)
    figures = mine.filter(status=FollowUp.Status.DONE, completed_at__isnull=False).aggregate(
        done=Count("pk"), on_time=Count("pk", filter=on_time)
    )
    overdue = mine.filter(status=FollowUp.Status.PENDING).filter(
        Q(deadline__lt=now) | Q(deadline__isnull=True, due_at__lt=now - NO_DEADLINE_GRACE)
    )
    overdue_count = overdue.count()
    total = figures["done"] + overdue_count
    return [
        Bar("Done on time", figures["on_time"], total, "success"),
        Bar("Done late", figures["done"] - figures["on_time"], total, "warning"),
        Bar("Overdue now", overdue_count, total, "danger"),
    ]
