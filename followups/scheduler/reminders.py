"""Sending due reminder emails: claim, send, mark sent (or release for a retry)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from functools import partial
from typing import TypeVar

from django.core.mail import EmailMessage
from django.db import OperationalError

from crm.models import Profile
from crm.worker.shutdown import stop_requested
from followups.models import FollowUp
from followups.scheduler import emails
from followups.scheduler.claims import (
    BATCH_SIZE,
    LATE_AFTER,
    LEASE,
    TIME_BUDGET,
    claim_batch,
    claimable_reminders,
    fast_commits,
    release_reminder,
    start_marking_sent,
    unclaim,
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


# Columns no reminder reads (bookkeeping, notes, JSON): left out of the batch's query,
# where turning them into Python values was a third of loading it. Reading one anyway
# costs a query for that row, never a wrong value.
NOT_IN_A_REMINDER = (
    "dismissed_findings",
    "last_error",
    "cancel_reason",
    "completed_at",
    "updated_at",
    "claimed_until",
    "next_attempt_at",
    "owner__password",
    "owner__last_login",
    "owner__date_joined",
    "contact__notes",
    "contact__created_at",
    "contact__updated_at",
    "contact__company__notes",
    "contact__company__created_at",
    "contact__company__updated_at",
    "application__notes",
    "application__description",
    "application__salary_min",
    "application__salary_max",
    "application__created_at",
    "application__updated_at",
    "application__company__notes",
    "application__company__created_at",
    "application__company__updated_at",
)


def _claimed_followups(pks: list[int]) -> list[FollowUp]:
    """The claimed batch with everything its emails read, in three queries for the batch
    (follow-ups with owner, contact, application and companies; profiles), none per email."""
    followups = list(
        FollowUp.objects.filter(pk__in=pks)
        .select_related(
            "owner", "contact", "contact__company", "application", "application__company"
        )
        .defer(*NOT_IN_A_REMINDER)
        .order_by("due_at", "pk")
    )
    profiles = {
        p.user_id: p for p in Profile.objects.filter(user_id__in={f.owner_id for f in followups})
    }
    for followup in followups:
        if followup.owner_id in profiles:
            followup.owner.profile = profiles[followup.owner_id]
    return followups


def send_due_reminders(
    now: datetime, report: TickReport, mailer: Mailer, *, ids: list[int] | None = None
) -> None:
    """Sends every claimable reminder due by `now` (only those among `ids` if given),
    claimed a batch at a time in due order."""
    with ExitStack() as stack:
        clock = Clock(now)
        started = False
        while clock() - now <= TIME_BUDGET:
            # Connect before claiming: with the server down nothing is claimed, no
            # attempt is used up, and the next tick simply finds the same work.
            try:
                mailer.open()
            except ConnectionLost as exc:
                _mail_unreachable(report, exc)
                return
            if not started:  # only pay for the setting's round trips when there is work
                stack.enter_context(fast_commits())
                started = True
            claimed_at = clock()
            pks, lost = retry_while_locked(partial(claim_batch, now, claimed_at, ids=ids))
            report.lost_races += lost
            if not pks:
                if lost:
                    continue  # another worker took that page; the next one may be free
                return
            batch = _claimed_followups(pks)
            writer = _Writer(claimed_at, report)
            try:
                for index, followup in enumerate(batch):
                    if stop_requested() or clock() - claimed_at > LEASE / 2:
                        # SIGTERM to the worker, or the batch's lease half gone (a slow mail
                        # server): give the untried back rather than send past the lease,
                        # when another worker could claim the same rows. Stopping ends here;
                        # a lease running out claims a fresh batch.
                        untried = [f.pk for f in batch[index:]]
                        retry_while_locked(partial(unclaim, untried, claimed_at))
                        if stop_requested():
                            return
                        break
                    upcoming = batch[index + 1] if index + 1 < len(batch) else None
                    try:
                        _send_one_reminder(
                            followup, claimed_at, clock, report, mailer, writer, upcoming
                        )
                    except ConnectionLost as exc:
                        _mail_unreachable(report, exc)
                        untried = [f.pk for f in batch[index + 1 :]]
                        retry_while_locked(partial(unclaim, untried, claimed_at))
                        return
            finally:
                writer.mark_accepted()  # the batch's last accepted one, however it ended


# The scale-out (docs/operations.md): with more due than one batch, the scheduled tick
# hands the reminders to the broker as tasks, one per batch up to FAN_OUT_MAX, which any
# number of qcluster workers on any number of hosts run at once. Each task claims batch
# after batch (SKIP LOCKED on PostgreSQL: the workers take disjoint rows) until none is
# left, so a task that starts late, or a second tick's tasks, just find nothing to do.
FAN_OUT_MAX = 32
BATCH_TASK = "followups.tasks.send_reminder_batches"


def fan_out_reminders(now: datetime, report: TickReport) -> bool:
    """Queues the due reminders as tasks when there is more than one batch; False (and
    nothing queued) when the tick should send them itself."""
    due = claimable_reminders(now).order_by().values("pk")[: BATCH_SIZE * FAN_OUT_MAX].count()
    if due <= BATCH_SIZE:
        return False
    from django_q.brokers import get_broker
    from django_q.tasks import async_task

    broker = get_broker()
    tasks = min(math.ceil(due / BATCH_SIZE), FAN_OUT_MAX)
    for _ in range(tasks):
        async_task(BATCH_TASK, group="reminders", broker=broker)
    report.reminders_queued, report.reminder_tasks = due, tasks
    report.lines.append(f"{due} due reminder(s) fanned out to {tasks} task(s)")
    return True


def _mail_unreachable(report: TickReport, exc: ConnectionLost) -> None:
    report.errors.append(str(exc))
    report.reminders_failed += 1
    report.mail_unreachable = str(exc)


def missed_by_the_scheduler(followup: FollowUp, claimed_at: datetime) -> bool:
    """Whether the reminder goes out late because no tick ran when it fell due.

    Counted from when it could first have gone out: a follow-up created already overdue
    (history logged late, an import) was never missed by the scheduler, so it is just
    overdue, not "[Late]" (DESIGN.md, "Rules").
    """
    could_go_out = max(followup.due_at, followup.created_at or followup.due_at)
    return claimed_at - could_go_out > LATE_AFTER


class _Writer:
    """Writes a batch's reminders and marks them sent, overlapping the mail server's work:
    each email is written while the server takes in the one before (Mailer.send's
    `meanwhile`); each accepted one's "sent" mark goes to the database as the next one's
    MAIL command goes to the mail server (`first`), and is waited for once the server has
    answered MAIL, RCPT and DATA, before any of that next message's content is sent
    (`confirm`).

    So at any moment at most one accepted reminder is not yet marked, as when each was
    marked right after its 250: a worker killed at any point repeats at most one email.
    The batch's last one is marked when the batch ends, however it ends (`mark_accepted`).
    """

    def __init__(self, claimed_at: datetime, report: TickReport) -> None:
        self.claimed_at = claimed_at
        self.report = report
        self.parts = emails.ReminderParts()
        self.written: dict[int, tuple[EmailMessage | Exception, bool]] = {}
        self.accepted: tuple[FollowUp, datetime, bool] | None = None
        # The mark on its way to the database, and the function that waits for it.
        self.marking: tuple[FollowUp, bool, Callable[[], None]] | None = None
        self.mark_failed = False

    def write(self, followup: FollowUp) -> None:
        """Writes `followup`'s reminder; never raises (a failure is kept for its turn)."""
        late = missed_by_the_scheduler(followup, self.claimed_at)
        message: EmailMessage | Exception
        try:
            profile = Profile.for_user(followup.owner)
            message = emails.reminder_message(followup, profile, late=late, parts=self.parts)
            if isinstance(message, emails.ReminderEmail):
                message.write_wire()  # its bytes too, while the server is busy
        except Exception as exc:  # one bad row (data, a template) must not stop the rest
            message = exc
        self.written[followup.pk] = (message, late)

    def take(self, followup: FollowUp) -> tuple[EmailMessage | Exception, bool]:
        if followup.pk not in self.written:
            self.write(followup)
        return self.written.pop(followup.pk)

    def start_mark(self) -> None:
        """Sends the "sent" mark of the reminder the server last accepted, if any (on
        SQLite it is done when this returns; on PostgreSQL it may still be on its way)."""
        if self.accepted is None:
            return
        followup, accepted_at, late = self.accepted
        self.accepted = None
        try:
            answer = retry_while_locked(
                lambda: start_marking_sent(followup, accepted_at, late=late)
            )
        except Exception:
            self.mark_failed = True  # the database, not this email: the tick stops
            raise
        self.marking = (followup, late, answer)

    def finish_mark(self) -> None:
        """Returns once the mark start_mark() sent is done (its own commit); raises if it
        failed. Nothing of the next message may be sent before."""
        if self.marking is None:
            return
        followup, late, answer = self.marking
        self.marking = None
        try:
            answer()
        except Exception:
            self.mark_failed = True
            raise
        self.report.reminders_sent += 1
        self.report.reminders_late += late
        self.report.lines.append(
            f"reminder {followup.pk} to {followup.owner.email}{' (late)' if late else ''}"
        )

    def mark_accepted(self) -> None:
        """Marks the reminder the server last accepted as sent and waits for it, if any."""
        self.start_mark()
        self.finish_mark()


def _send_one_reminder(
    followup: FollowUp,
    claimed_at: datetime,
    clock: Clock,
    report: TickReport,
    mailer: Mailer,
    writer: _Writer,
    upcoming: FollowUp | None = None,
) -> None:
    """Sends one claimed reminder; the writer marks it sent as the next one's MAIL command
    goes out, or when the batch ends. The previous one's mark is done before any of this
    one's content is sent, and if this send fails first, right after; the `upcoming` one
    is written while the server takes this one in, sent and marked only on its turn."""
    attempts = followup.send_attempts  # read after the claim, which counted this one
    message, late = writer.take(followup)
    meanwhile = partial(writer.write, upcoming) if upcoming is not None else None
    try:
        if isinstance(message, Exception):
            raise message
        mailer.send(
            message, first=writer.start_mark, confirm=writer.finish_mark, meanwhile=meanwhile
        )
    except ConnectionLost as exc:
        writer.mark_accepted()
        release_reminder(followup, attempts, clock(), str(exc))
        raise
    except Exception as exc:  # one bad row (data, template, refusal) must not stop the rest
        if writer.mark_failed:
            raise
        writer.mark_accepted()
        logger.warning("reminder for follow-up %s failed: %s", followup.pk, exc)
        answer = describe_failure(exc)
        gave_up = release_reminder(followup, attempts, clock(), answer, permanent=is_permanent(exc))
        report.reminders_failed += 1
        report.reminders_given_up += gave_up
        report.errors.append(f"follow-up {followup.pk}: {'gave up: ' if gave_up else ''}{answer}")
        return
    writer.mark_accepted()  # a no-op: `first` and `confirm` marked the previous one
    writer.accepted = (followup, clock(), late)
