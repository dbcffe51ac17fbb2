"""The scheduler's tick: sends due reminder emails and daily digests, exactly once each.

`tick()` is the one unit of work. django-q2 runs it every minute (followups/tasks.py) and
`manage.py send_reminders` runs it once; any number of them may run at the same time on
any number of hosts, because every email is claimed with a conditional UPDATE before it
is sent (the pattern of healthchecks' sendalerts):

- A reminder is claimable while its follow-up is pending, not yet notified, due, not
  leased by another tick (`claimed_until` empty or past) and not waiting for a retry
  (`next_attempt_at`). The UPDATE that takes the lease returns 1 for exactly one tick.
- A lease that is never finished (the process was killed) runs out after LEASE and the
  reminder is claimable again: a kill in the middle of a send can repeat that one email,
  no other.
- `notified_at` is written only after the mail server accepted the message (in the
  transaction of the next claim, so each reminder costs one commit). A refusal
  releases the lease with a growing delay (`send_attempts`, `next_attempt_at`,
  `last_error`); after MAX_ATTEMPTS the reminder stays unsent with its last error.
- A digest claims its (user, local date) by inserting a DigestDelivery row, which a
  unique constraint allows once.

All reminders of a tick go over one SMTP connection.
"""

from __future__ import annotations

import logging
import smtplib
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet, Subquery
from django.utils import timezone

from crm.models import Profile
from followups import emails
from followups.models import DigestDelivery, FollowUp, SchedulerTick

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than any single send, shorter than a user's patience
# Retries after 2, 4, 8, 16 and 32 minutes, then give up (the follow-up shows the error).
MAX_ATTEMPTS = FollowUp.MAX_SEND_ATTEMPTS
BATCH_SIZE = 200
LATE_AFTER = timedelta(minutes=10)  # a reminder sent later than this was missed, not queued
STALE_AFTER = timedelta(minutes=10)  # no tick for this long: reminders are not going out
KEEP_TICKS = timedelta(days=7)
# django-q2 kills a task after Q_CLUSTER["timeout"] (240 s); a tick stops taking new work
# well before that, and the next tick carries on.
TIME_BUDGET = timedelta(seconds=150)


def retry_delay(attempts: int) -> timedelta:
    """Backoff before the next try after `attempts` failed ones: 2, 4, 8 … 60 minutes."""
    return timedelta(minutes=min(2**attempts, 60))


@dataclass
class TickReport:
    """What one tick did (or, with dry_run, would do)."""

    started_at: datetime
    dry_run: bool = False
    reminders_sent: int = 0
    reminders_late: int = 0
    reminders_failed: int = 0
    lost_races: int = 0
    digests_sent: int = 0
    digests_failed: int = 0
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return self.reminders_failed + self.digests_failed

    def summary(self) -> str:
        verb = "would send" if self.dry_run else "sent"
        text = (
            f"{verb} {self.reminders_sent} reminder(s) ({self.reminders_late} late) and "
            f"{self.digests_sent} digest(s); {self.failures} failure(s); "
            f"{self.lost_races} lost race(s)"
        )
        return text

    def as_dict(self) -> dict:
        return {
            "started_at": self.started_at.isoformat(),
            "reminders_sent": self.reminders_sent,
            "reminders_late": self.reminders_late,
            "reminders_failed": self.reminders_failed,
            "lost_races": self.lost_races,
            "digests_sent": self.digests_sent,
            "digests_failed": self.digests_failed,
            "errors": self.errors[:20],
        }


# Queues ---------------------------------------------------------------------------------


def wants_reminders() -> Q:
    """Owners who get reminder emails: switched on (the default without a profile yet)
    and an address to send them to."""
    return (Q(owner__profile__email_reminders=True) | Q(owner__profile__isnull=True)) & ~Q(
        owner__email=""
    )


def not_leased(clock: datetime) -> Q:
    return (Q(claimed_until__isnull=True) | Q(claimed_until__lt=clock)) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock)
    )


def unsent_reminders(now: datetime) -> QuerySet[FollowUp]:
    """Pending follow-ups due by `now` whose reminder has not gone out, for owners who
    want one. Reads the partial index `followup_reminder_queue`."""
    return FollowUp.objects.filter(
        status=FollowUp.Status.PENDING, notified_at__isnull=True, due_at__lte=now
    ).filter(wants_reminders())


def claimable_reminders(now: datetime) -> QuerySet[FollowUp]:
    return unsent_reminders(now).filter(not_leased(now), send_attempts__lt=MAX_ATTEMPTS)


def given_up_reminders(owner) -> QuerySet[FollowUp]:
    """The owner's pending reminders the mail server refused MAX_ATTEMPTS times."""
    return FollowUp.objects.filter(
        owner=owner,
        status=FollowUp.Status.PENDING,
        notified_at__isnull=True,
        send_attempts__gte=MAX_ATTEMPTS,
    )


# Claims ---------------------------------------------------------------------------------


# The two statements every reminder makes, written out once: building them through the
# ORM cost more than running them (profiled: a third of a reminder's time on a busy box).
CLAIM_SQL = """
    UPDATE {table} SET claimed_until = %s, send_attempts = send_attempts + 1
    WHERE id = %s AND status = %s AND notified_at IS NULL AND due_at <= %s
      AND send_attempts < %s
      AND (claimed_until IS NULL OR claimed_until < %s)
      AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
"""
MARK_SENT_SQL = """
    UPDATE {table} SET notified_at = %s, claimed_until = NULL, next_attempt_at = NULL,
        last_error = '', sent_late = %s
    WHERE id = %s AND notified_at IS NULL
"""


# On PostgreSQL the previous reminder's "sent" mark and the next claim go out as one
# statement (a data-modifying CTE), which is its own transaction: one round trip per
# reminder instead of five (BEGIN, two UPDATEs, COMMIT and the setting below). SQLite has
# no UPDATE in a CTE; it runs in-process, so two statements in one transaction cost little.
MARK_AND_CLAIM_SQL = "WITH sent AS (" + MARK_SENT_SQL + " RETURNING id)" + CLAIM_SQL


@contextmanager
def _fast_commits():
    """PostgreSQL: while reminders go out, a COMMIT does not wait for its WAL flush
    (synchronous_commit off; about 1 ms per reminder here, a fifth of its time).

    Sound for these writes: each commit is still atomic and visible to every other worker
    at once, so a claim keeps excluding them; only its durability is deferred, by at most
    3 x wal_writer_delay (600 ms by default). A killed worker loses nothing: the commit
    already sits in PostgreSQL's memory and WAL buffer. Only a crash of the database
    server itself can lose the last such commits, and a lost claim or lost "sent" mark
    can only make those few reminders go out again; nothing is ever marked sent that the
    mail server did not accept. Afterwards the session goes back to the server's setting.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('synchronous_commit', 'off', false)")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # a broken connection is closed anyway; keep the real error
            logger.exception("restoring synchronous_commit failed")


def _execute(statement: str, params: list) -> int:
    table = connection.ops.quote_name(FollowUp._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)
        return cursor.rowcount


def claim_reminder(
    pk: int, clock: datetime, *, sent: tuple[FollowUp, datetime, bool] | None = None
) -> bool:
    """Takes the lease on one reminder; True for exactly one of any number of racers.

    The same conditions as claimable_reminders(), checked again inside the UPDATE.
    `sent` (PostgreSQL only): (follow-up, accepted at, late) to mark sent in the same
    statement, hence the same transaction."""
    at = connection.ops.adapt_datetimefield_value(clock)
    lease_end = connection.ops.adapt_datetimefield_value(clock + LEASE)
    params = [lease_end, pk, FollowUp.Status.PENDING.value, at, MAX_ATTEMPTS, at, at]
    if sent is None:
        return _execute(CLAIM_SQL, params) == 1
    return _execute(MARK_AND_CLAIM_SQL, _mark_params(*sent) + params) == 1


def _mark_params(followup: FollowUp, clock: datetime, late: bool) -> list:
    return [connection.ops.adapt_datetimefield_value(clock), late, followup.pk]


def mark_reminder_sent(followup: FollowUp, clock: datetime, *, late: bool) -> None:
    """Only after the mail server accepted the message."""
    _execute(MARK_SENT_SQL, _mark_params(followup, clock, late))


def release_reminder(followup: FollowUp, attempts: int, clock: datetime, error: str) -> None:
    """Gives a failed reminder back, to be retried after the backoff."""
    FollowUp.objects.filter(pk=followup.pk, notified_at__isnull=True).update(
        claimed_until=None,
        next_attempt_at=clock + retry_delay(attempts),
        last_error=error[:2000],
    )


# Sending --------------------------------------------------------------------------------


class ConnectionLost(Exception):
    """The SMTP connection broke: stop this tick's sending, the next tick retries."""


@lru_cache(maxsize=4096)
def _sanitized(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


class Mailer:
    """One mail connection for the whole tick, opened when the first email is ready."""

    def __init__(self, connection: BaseEmailBackend | None = None) -> None:
        self.connection = connection or get_connection()
        self.opened = False

    def open(self) -> None:
        if not self.opened:
            try:
                self.connection.open()
            except OSError as exc:
                raise ConnectionLost(f"cannot reach the mail server: {exc}") from exc
            self.opened = True

    def send(self, message) -> None:
        """Returns when the server accepted `message`; raises otherwise."""
        self.open()
        try:
            if type(self.connection) is SMTPBackend and not self.connection.fail_silently:
                accepted = self._send_smtp(message)
            else:
                accepted = self.connection.send_messages([message])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server refused this message; the connection is still good
        except OSError as exc:  # disconnected, timed out, connection reset…
            self.close()
            raise ConnectionLost(f"lost the mail server: {exc}") from exc
        if not accepted:
            raise smtplib.SMTPException("the mail server accepted no recipient")

    def _send_smtp(self, message) -> bool:
        """What Django's SMTP backend does per message (`_send`), on the connection
        already open, with each address parsed once per process: parsing the same
        sender and recipient for every reminder was a tenth of the tick's time."""
        recipients = message.recipients()
        if not recipients:
            return False
        encoding = message.encoding or settings.DEFAULT_CHARSET
        self.connection.connection.sendmail(
            _sanitized(message.from_email, encoding),
            [_sanitized(address, encoding) for address in recipients],
            message.message().as_bytes(linesep="\r\n"),
        )
        return True

    def close(self) -> None:
        if self.opened:
            try:
                self.connection.close()
            except Exception:  # closing a dead connection must not hide the real error
                logger.exception("closing the mail connection failed")
            self.opened = False


class _Clock:
    """The tick's `now`, advanced by the real time elapsed since the tick started, so a
    lease taken late in a long tick still lasts LEASE."""

    def __init__(self, now: datetime) -> None:
        self.start = now
        self.t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)


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
            mark_reminder_sent(followup, accepted_at, late=late)
            self.held = None

    def flush_and_claim(self, pk: int, clock: datetime) -> bool:
        """Marks the held reminder sent and claims `pk`, in one transaction."""
        if connection.vendor == "postgresql":
            held, self.held = self.held, None
            return claim_reminder(pk, clock, sent=held)
        with transaction.atomic():
            self.flush()
            return claim_reminder(pk, clock)


def send_due_reminders(now: datetime, report: TickReport, mailer: Mailer) -> None:
    """Sends every claimable reminder due by `now`, page by page in due order."""
    with ExitStack() as stack:
        clock = _Clock(now)
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
                    stack.enter_context(_fast_commits())
                after = (batch[-1].due_at, batch[-1].pk)
                # Connect before claiming: with the server down nothing is claimed, no
                # attempt is used up, and the next tick simply finds the same work.
                mailer.open()
                profiles = _profiles_for({f.owner_id for f in batch})
                for followup in batch:
                    profile = profiles.get(followup.owner_id) or Profile.for_user(followup.owner)
                    _send_one_reminder(followup, profile, clock, report, mailer, marks)
        except ConnectionLost as exc:
            report.errors.append(str(exc))
            report.reminders_failed += 1
        finally:
            marks.flush()


def _send_one_reminder(
    followup: FollowUp,
    profile: Profile,
    clock: _Clock,
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
    late = claimed_at - followup.due_at > LATE_AFTER
    try:
        message = emails.reminder_message(followup, profile, late=late)
        mailer.send(message)
    except ConnectionLost as exc:
        release_reminder(followup, attempts, clock(), str(exc))
        raise
    except Exception as exc:  # one bad row (data, template, refusal) must not stop the rest
        logger.warning("reminder for follow-up %s failed: %s", followup.pk, exc)
        release_reminder(followup, attempts, clock(), f"{type(exc).__name__}: {exc}")
        report.reminders_failed += 1
        report.errors.append(f"follow-up {followup.pk}: {exc}")
        return
    marks.hold(followup, clock(), late)
    report.reminders_sent += 1
    report.reminders_late += late
    report.lines.append(
        f"reminder {followup.pk} to {followup.owner.email}{' (late)' if late else ''}"
    )


# Digests --------------------------------------------------------------------------------


def digest_due_profiles(now: datetime) -> list[tuple[Profile, date]]:
    """Profiles whose digest hour has come today (their local today) and whose digest for
    that day is not done yet. DST-safe: local time comes from zoneinfo, and a day whose
    digest hour is skipped by a clock change gets its digest at the next local hour."""
    candidates = []
    for profile in (
        Profile.objects.filter(digest_hour__isnull=False)
        .exclude(user__email="")
        .select_related("user")
    ):
        local = now.astimezone(profile.zone)
        if local.hour >= profile.digest_hour:
            candidates.append((profile, local.date()))
    if not candidates:
        return []
    done = set(
        DigestDelivery.objects.filter(
            owner_id__in=[p.user_id for p, _ in candidates],
            local_date__in={d for _, d in candidates},
        )
        .filter(Q(sent_at__isnull=False) | Q(nothing_to_say=True))
        .values_list("owner_id", "local_date")
    )
    return [(p, d) for p, d in candidates if (p.user_id, d) not in done]


def claim_digest(owner_id: int, local_date: date, clock: datetime) -> DigestDelivery | None:
    """The day's digest row, leased to this tick; None when another tick has it."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                owner_id=owner_id, local_date=local_date, claimed_until=clock + LEASE, attempts=1
            )
    except IntegrityError:
        pass
    claimed = (
        DigestDelivery.objects.filter(
            owner_id=owner_id,
            local_date=local_date,
            sent_at__isnull=True,
            nothing_to_say=False,
            attempts__lt=MAX_ATTEMPTS,
        )
        .filter(not_leased(clock))
        .update(claimed_until=clock + LEASE, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    return DigestDelivery.objects.get(owner_id=owner_id, local_date=local_date)


def digest_sections(owner, profile: Profile, now: datetime) -> dict[str, list[FollowUp]]:
    """Overdue (due by now), the rest of today, and the seven days after today."""
    local = now.astimezone(profile.zone)
    end_of_today = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    end_of_today = end_of_today.replace(tzinfo=profile.zone)
    end_of_week = end_of_today.replace(tzinfo=None) + timedelta(days=7)
    end_of_week = end_of_week.replace(tzinfo=profile.zone)
    pending = FollowUp.objects.filter(owner=owner, status=FollowUp.Status.PENDING).select_related(
        "contact", "application", "application__company"
    )
    return {
        "overdue": list(pending.filter(due_at__lte=now)),
        "today": list(pending.filter(due_at__gt=now, due_at__lt=end_of_today)),
        "week": list(pending.filter(due_at__gte=end_of_today, due_at__lt=end_of_week)),
    }


def send_due_digests(now: datetime, report: TickReport, mailer: Mailer) -> None:
    clock = _Clock(now)
    for profile, local_date in digest_due_profiles(now):
        claimed = claim_digest(profile.user_id, local_date, clock())
        if claimed is None:
            report.lost_races += 1
            continue
        try:
            _send_one_digest(claimed, profile, now, clock, report, mailer)
        except ConnectionLost as exc:
            report.errors.append(str(exc))
            report.digests_failed += 1
            return


def _send_one_digest(
    delivery: DigestDelivery,
    profile: Profile,
    now: datetime,
    clock: _Clock,
    report: TickReport,
    mailer: Mailer,
) -> None:
    rows = DigestDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
    try:
        sections = digest_sections(profile.user, profile, now)
        if not any(sections.values()):
            rows.update(nothing_to_say=True, claimed_until=None)
            return
        mailer.send(emails.digest_message(profile, sections, delivery.local_date))
    except Exception as exc:
        release = dict(
            claimed_until=None,
            next_attempt_at=clock() + retry_delay(delivery.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        rows.update(**release)
        if isinstance(exc, ConnectionLost):
            raise
        logger.warning("digest %s failed: %s", delivery.pk, exc)
        report.digests_failed += 1
        report.errors.append(f"digest of user {profile.user_id}: {exc}")
        return
    rows.update(sent_at=clock(), claimed_until=None, last_error="")
    report.digests_sent += 1
    report.lines.append(f"digest for {delivery.local_date} to {profile.user.email}")


# The tick -------------------------------------------------------------------------------


def dry_run_report(now: datetime) -> TickReport:
    report = TickReport(started_at=now, dry_run=True)
    for followup in claimable_reminders(now).select_related("owner").order_by("due_at", "pk"):
        report.reminders_sent += 1
        report.lines.append(f"would remind {followup.owner.email} of follow-up {followup.pk}")
    for profile, local_date in digest_due_profiles(now):
        if any(digest_sections(profile.user, profile, now).values()):
            report.digests_sent += 1
            report.lines.append(f"would send the {local_date} digest to {profile.user.email}")
    return report


def tick(
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    connection: BaseEmailBackend | None = None,
) -> TickReport:
    """Sends every due reminder and digest once, records the tick and reports."""
    now = now or timezone.now()
    if dry_run:
        return dry_run_report(now)
    clock = _Clock(now)
    record = SchedulerTick.objects.create(started_at=now)
    report = TickReport(started_at=now)
    mailer = Mailer(connection)
    try:
        send_due_reminders(now, report, mailer)
        send_due_digests(now, report, mailer)
    finally:
        mailer.close()
        SchedulerTick.objects.filter(pk=record.pk).update(
            finished_at=clock(),
            reminders_sent=report.reminders_sent,
            digests_sent=report.digests_sent,
            failures=report.failures,
            note="; ".join(report.errors)[:300],
        )
        SchedulerTick.objects.filter(started_at__lt=now - KEEP_TICKS).delete()
    return report


# Health ---------------------------------------------------------------------------------


@dataclass
class Health:
    last_tick_at: datetime | None
    now: datetime
    overdue_unsent: int | None = None

    @property
    def age(self) -> timedelta | None:
        return None if self.last_tick_at is None else self.now - self.last_tick_at

    @property
    def stale(self) -> bool:
        return self.age is None or self.age > STALE_AFTER


def last_tick_at() -> datetime | None:
    return (
        SchedulerTick.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    )


def health(now: datetime | None = None) -> Health:
    """The worker's state for /healthz: last tick and reminders due but not sent."""
    now = now or timezone.now()
    return Health(
        last_tick_at=last_tick_at(),
        now=now,
        overdue_unsent=unsent_reminders(now).count(),
    )


class SchedulerBanner:
    """What the banner on every page needs, read with one query on first use: the last
    tick's time and the user's reminders that could not be sent."""

    def __init__(self, user, now: datetime | None = None) -> None:
        self.user = user
        self.now = now or timezone.now()

    @cached_property
    def _row(self) -> tuple[datetime | None, int, str]:
        given_up = given_up_reminders(self.user).order_by("-due_at")
        row = (
            SchedulerTick.objects.order_by("-started_at")
            .annotate(
                given_up=Subquery(given_up.values("owner").annotate(n=Count("pk")).values("n")[:1]),
                last_error_text=Subquery(given_up.values("last_error")[:1]),
            )
            .values_list("started_at", "given_up", "last_error_text")
            .first()
        )
        if row is None:
            return None, 0, ""
        return row[0], row[1] or 0, row[2] or ""

    @property
    def last_tick_at(self) -> datetime | None:
        return self._row[0]

    @property
    def stale(self) -> bool:
        return Health(last_tick_at=self.last_tick_at, now=self.now).stale

    @property
    def given_up(self) -> int:
        return self._row[1]

    @property
    def last_error(self) -> str:
        return self._row[2]
