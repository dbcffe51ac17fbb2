"""The API's use cases, shared by the REST views and the MCP tools: each one goes through
the models' own methods and followups.rules, and says what the rules scheduled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from contacts.models import Interaction
from followups import rules
from followups.models import FollowUp, Goal


class ActionRefused(Exception):
    """The follow-up is not in a state that allows the action (answered as 409)."""


@contextmanager
def new_followups(owner) -> Iterator[list[FollowUp]]:
    """Collects the pending follow-ups created for `owner` inside the block.

    By primary key: ids only grow, and the block runs in one transaction, so the rows
    above the highest id seen before are the ones the block's saves scheduled.
    """
    before = FollowUp.objects.aggregate(top=Max("pk"))["top"] or 0
    found: list[FollowUp] = []
    yield found
    found.extend(
        FollowUp.objects.filter(owner=owner, pk__gt=before, status=FollowUp.Status.PENDING)
        .select_related("contact")
        .order_by("due_at", "pk")
    )


def completed_by(interaction: Interaction) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(completed_by=interaction, status=FollowUp.Status.DONE)
        .select_related("contact")
        .order_by("due_at", "pk")
    )


def save_interaction(interaction: Interaction) -> tuple[list[FollowUp], list[FollowUp]]:
    """Saves through the model's save path (so the rules fire, DESIGN.md); returns the
    follow-ups it scheduled and those it completed."""
    with transaction.atomic(), new_followups(interaction.owner) as scheduled:
        interaction.save()
    return scheduled, completed_by(interaction)


def mark_sent(
    followup: FollowUp,
    *,
    subject: str | None = None,
    body: str | None = None,
    now: datetime | None = None,
) -> tuple[Interaction | None, list[FollowUp]]:
    """Logs the draft (or the text actually sent) as sent, like the dashboard's button.

    rules.mark_sent decides `requests_feedback` from the sent text as the draft checker
    recognises a feedback request, so a reply that asks schedules R3's nudge. A goal's
    reminder is not a message: the goal is marked done and nothing is logged.
    """
    now = now or timezone.now()
    if not followup.is_pending:
        raise ActionRefused(f"This follow-up is {followup.get_status_display().lower()}.")
    if followup.kind == FollowUp.Kind.GOAL:
        goal = Goal.objects.filter(followup=followup, owner_id=followup.owner_id).first()
        if goal is not None and goal.is_open:
            goal.mark_done(now=now)
        elif not followup.complete(None, now=now):
            raise ActionRefused("This follow-up is no longer pending.")
        followup.refresh_from_db()
        return None, []
    with transaction.atomic(), new_followups(followup.owner) as scheduled:
        try:
            interaction = rules.mark_sent(followup, subject=subject, body=body, now=now)
        except rules.FollowUpNotPending as refused:
            raise ActionRefused(str(refused)) from refused
    followup.refresh_from_db()
    return interaction, scheduled


def snooze(followup: FollowUp, until: datetime, *, now: datetime | None = None) -> None:
    if not followup.snooze(until, now=now):
        raise ActionRefused(f"This follow-up is {followup.get_status_display().lower()}.")


def dismiss(followup: FollowUp, *, now: datetime | None = None) -> None:
    if not followup.dismiss(now=now):
        raise ActionRefused(f"This follow-up is {followup.get_status_display().lower()}.")


def reopen(followup: FollowUp, *, now: datetime | None = None) -> None:
    if followup.is_pending:
        raise ActionRefused("This follow-up is already pending.")
    try:
        with transaction.atomic():
            reopened = followup.reopen(now=now)
    except IntegrityError:
        # A check-in the rules scheduled between reopen's check and its update.
        reopened = False
    if not reopened:
        followup.refresh_from_db()
        if followup.kind == FollowUp.Kind.CHECK_IN:
            raise ActionRefused("A newer check-in is already pending for this contact.")
        raise ActionRefused(f"This follow-up is {followup.get_status_display().lower()}.")
