"""Sending due reminder emails: claim, send, mark sent (or release for a retry)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from typing import TypeVar

from django.db import OperationalError, connection, transaction
from django.db.models import Q

from crm.models import Profile
from crm.worker.shutdown import stop_requested
from followups.models import FollowUp
from followups.scheduler import emails
from followups.scheduler.claims import (
    BATCH_SIZE,
    LATE_AFTER,
    TIME_BUDGET,
    claim_reminder,
    claimable_reminders,
    fast_commits,
    mark_reminder_sent,
    release_reminder,
)
from followups.scheduler.mailer import ConnectionLost, Mailer, describe_failure, is_permanent
from followups.scheduler.report import Clock, TickReport

logger = logging.getLogger(__name__)


T = TypeVar("T")
# How long a "sent" mark or a claim waits for an SQLite database another process holds
# locked (a big restore or import): long enough that a reminder the server accepted is
# marked, never sent again after its lease runs out (issue 13, item 10).
LOCKED_PATIENCE = 120.0


def retry_while_locked(step: Callable[[], T], *, patience: float = LOCKED_PATIENCE) -> T:
    """Runs `step`, again and again with growing pauses while SQLite says the database is
    locked, for up to `patience` seconds; any other error, or the end of patience, raises."""
    deadline = time.monotonic() + patience
    pause = 0.2
    while True:
        try:
            return step()
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() + pause > deadline:
                raise
            logger.warning("database locked; retrying in %.1f s", pause)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _profiles_for(owner_ids: set[int]) -> dict[int, Profile]:
    return {p.user_id: p for p in Profile.objects.filter(user_id__in=owner_ids)}


class _HeldMark:
    """The reminder the server accepted last, marked sent in the same transaction as the
    next claim: one commit per reminder instead of two, which on PostgreSQL (an fsync per
    commit) nearly doubles the rate. A kill before that commit leaves exactly that one
    reminder sent but unmarked: the one in flight."""

    def __init__(self) -> None:
        self.held: tuple[FollowUp, datetime, bool] | None = None

    def hold(self, followup: FollowUp, accepted_at: datetime, late: bool) -> None:
        self.flush()
        self.held = (followup, accepted_at, late)

    def flush(self) -> None:
        if self.held is not None:
            followup, accepted_at, late = self.held
            retry_while_locked(lambda: mark_reminder_sent(followup, accepted_at, late=late))
            self.held = None

    def flush_and_claim(self, pk: int, clock: datetime) -> bool:
        """Marks the held reminder sent and claims `pk`, in one transaction."""
        if connection.vendor == "postgresql":
            held, self.held = self.held, None
            return claim_reminder(pk, clock, sent=held)
        held = self.held

        def both() -> bool:
            with transaction.atomic():  # a rolled-back try marked nothing: still held
                if held is not None:
                    mark_reminder_sent(held[0], held[1], late=held[2])
                claimed = claim_reminder(pk, clock)
            self.held = None
            return claimed

        return retry_while_locked(both)


def send_due_reminders(now: datetime, report: TickReport, mailer: Mailer) -> None:
    """Sends every claimable reminder due by `now`, page by page in due order."""
    with ExitStack() as stack:
        clock = Clock(now)
        marks = _HeldMark()
        after: tuple[datetime, int] | None = None
        try:
            while True:
                page = claimable_reminders(now).select_related(
                    "owner", "contact", "contact__company", "application", "application__company"
                )
                if after is not None:
                    # Walk forward by (due_at, id) so released rows are not revisited.
                    page = page.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
                batch = list(page.order_by("due_at", "pk")[:BATCH_SIZE])
                if not batch or clock() - now > TIME_BUDGET:
                    return
                if after is None:  # work to do: only then pay for the setting's round trips
                    stack.enter_context(fast_commits())
                after = (batch[-1].due_at, batch[-1].pk)
                # Connect before claiming: with the server down nothing is claimed, no
                # attempt is used up, and the next tick simply finds the same work.
                mailer.open()
                profiles = _profiles_for({f.owner_id for f in batch})
                for followup in batch:
                    if stop_requested():  # SIGTERM to the worker: the next tick carries on
                        return
                    profile = profiles.get(followup.owner_id) or Profile.for_user(followup.owner)
                    _send_one_reminder(followup, profile, clock, report, mailer, marks)
        except ConnectionLost as exc:
            report.errors.append(str(exc))
            report.reminders_failed += 1
            report.mail_unreachable = str(exc)
        finally:
            marks.flush()


def missed_by_the_scheduler(followup: FollowUp, claimed_at: datetime) -> bool:
    """Whether the reminder goes out late because no tick ran when it fell due.

    Counted from when it could first have gone out: a follow-up created already overdue
    (history logged late, an import) was never missed by the scheduler, so it is just
    overdue, not "[Late]" (DESIGN.md, "Rules").
    """
    could_go_out = max(followup.due_at, followup.created_at or followup.due_at)
    return claimed_at - could_go_out > LATE_AFTER


def _send_one_reminder(
    followup: FollowUp,
    profile: Profile,
    clock: Clock,
    report: TickReport,
    mailer: Mailer,
    marks: _HeldMark,
) -> None:
    claimed_at = clock()
    claimed = marks.flush_and_claim(followup.pk, claimed_at)
    if not claimed:
        report.lost_races += 1
        return
    attempts = followup.send_attempts + 1
    late = missed_by_the_scheduler(followup, claimed_at)
    try:
        message = emails.reminder_message(followup, profile, late=late)
        mailer.send(message)
    except ConnectionLost as exc:
        release_reminder(followup, attempts, clock(), str(exc))
        raise
    except Exception as exc:  # one bad row (data, template, refusal) must not stop the rest
        logger.warning("reminder for follow-up %s failed: %s", followup.pk, exc)
        answer = describe_failure(exc)
        gave_up = release_reminder(followup, attempts, clock(), answer, permanent=is_permanent(exc))
        report.reminders_failed += 1
        report.reminders_given_up += gave_up
        report.errors.append(f"follow-up {followup.pk}: {'gave up: ' if gave_up else ''}{answer}")
        return
    marks.hold(followup, clock(), late)
    report.reminders_sent += 1
    report.reminders_late += late
    report.lines.append(
        f"reminder {followup.pk} to {followup.owner.email}{' (late)' if late else ''}"
    )
