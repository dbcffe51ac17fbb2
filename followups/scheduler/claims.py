"""Exactly-once claims on the reminder queue: which follow-ups are due, the conditional
UPDATE that leases one to a single tick, marking it sent and releasing it for a retry."""

from __future__ import annotations

import logging
import select
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet

from followups.models import FollowUp, db_datetime

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Longer than any single send (each SMTP command gives up after EMAIL_TIMEOUT, 20 s), and
# short enough that the email a killed worker had in hand goes out on a tick within two
# minutes of the kill (issue 13, item 12).
LEASE = timedelta(seconds=45)
# A deferred reminder is retried after 2, 4, 8 … minutes, then every 2 hours, for
# RETRY_FOR (RFC 5321 §4.5.4.1: at least 4-5 days); a 5xx refusal gives up at once.
MAX_ATTEMPTS = FollowUp.MAX_SEND_ATTEMPTS
RETRY_FOR = FollowUp.SEND_RETRY_FOR
MAX_RETRY_DELAY = timedelta(hours=2)
BATCH_SIZE = 200
LATE_AFTER = timedelta(minutes=10)  # a reminder sent later than this was missed, not queued
# No tick for this long: reminders are not going out. Ticks start every minute (give or
# take the 30 s of django-q2's scheduler loop), so 150 s is two missed ticks.
STALE_AFTER = timedelta(seconds=150)
KEEP_TICKS = timedelta(days=7)
# django-q2 kills a task after Q_CLUSTER["timeout"] (100 s); a tick stops taking new work
# well before that, and the next tick (a minute later) carries on.
TIME_BUDGET = timedelta(seconds=60)


def retry_delay(attempts: int) -> timedelta:
    """Backoff before the next try after `attempts` failed ones: 2, 4, 8 … 120 minutes."""
    return min(timedelta(minutes=2 ** min(attempts, 10)), MAX_RETRY_DELAY)


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


def given_up_reminders(owner: User) -> QuerySet[FollowUp]:
    """The owner's pending reminders the scheduler gave up on (refused for good, or
    deferred for RETRY_FOR)."""
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
def fast_commits():
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
    at = db_datetime(clock)
    lease_end = db_datetime(clock + LEASE)
    params = [lease_end, pk, FollowUp.Status.PENDING.value, at, MAX_ATTEMPTS, at, at]
    if sent is None:
        return _execute(CLAIM_SQL, params) == 1
    return _execute(MARK_AND_CLAIM_SQL, _mark_params(*sent) + params) == 1


# A batch is claimed in one statement, with the same conditions as CLAIM_SQL checked again
# inside it, so of any number of racers exactly one gets each row (SQLite serialises
# writers; the UPDATE re-reads every row it changes).
CLAIM_BATCH_SQL = """
    UPDATE {table} SET claimed_until = %s, send_attempts = send_attempts + 1
    WHERE id IN ({ids}) AND status = %s AND notified_at IS NULL AND due_at <= %s
      AND send_attempts < %s
      AND (claimed_until IS NULL OR claimed_until < %s)
      AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
    RETURNING id
"""


def claim_batch(
    now: datetime, clock: datetime, *, ids: list[int] | None = None, size: int = BATCH_SIZE
) -> tuple[list[int], int]:
    """Leases up to `size` claimable reminders (among `ids` if given) to this worker, in
    due order; returns (the ids it got, how many it saw taken by another worker).

    PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` then one UPDATE, in one transaction, so
    parallel workers take different rows instead of racing for the same ones. SQLite
    (one writer at a time, no row locks): the conditional UPDATE … RETURNING decides."""
    candidates = claimable_reminders(now).order_by("due_at", "pk")
    if ids is not None:
        candidates = candidates.filter(pk__in=ids)
    lease_end = clock + LEASE
    if connection.vendor == "postgresql":
        with transaction.atomic():
            got = list(
                candidates.select_for_update(skip_locked=True, of=("self",)).values_list(
                    "pk", flat=True
                )[:size]
            )
            if got:
                FollowUp.objects.filter(pk__in=got).update(
                    claimed_until=lease_end, send_attempts=F("send_attempts") + 1
                )
        return got, 0
    seen = list(candidates.values_list("pk", flat=True)[:size])
    if not seen:
        return [], 0
    at = db_datetime(clock)
    table = connection.ops.quote_name(FollowUp._meta.db_table)
    sql = CLAIM_BATCH_SQL.format(table=table, ids=", ".join(["%s"] * len(seen)))
    params = [db_datetime(lease_end), *seen, FollowUp.Status.PENDING.value, db_datetime(now)]
    params += [MAX_ATTEMPTS, at, at]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        won = {row[0] for row in cursor.fetchall()}
    return [pk for pk in seen if pk in won], len(seen) - len(won)


def unclaim(pks: list[int], clock: datetime) -> None:
    """Gives back leased reminders this worker did not get to try (the mail server went
    away, the time budget ran out): claimable at once, the attempt not counted."""
    if pks:
        FollowUp.objects.filter(
            pk__in=pks, notified_at__isnull=True, claimed_until=clock + LEASE
        ).update(claimed_until=None, send_attempts=F("send_attempts") - 1)


def _mark_params(followup: FollowUp, clock: datetime, late: bool) -> list:
    return [db_datetime(clock), late, followup.pk]


def mark_reminder_sent(followup: FollowUp, clock: datetime, *, late: bool) -> None:
    """Only after the mail server accepted the message."""
    _execute(MARK_SENT_SQL, _mark_params(followup, clock, late))


def start_marking_sent(followup: FollowUp, clock: datetime, *, late: bool) -> Callable[[], None]:
    """mark_reminder_sent(), but on PostgreSQL it returns as soon as the UPDATE is on its
    way to the server; the returned function waits for it to be done (raising what it
    raised). Until then the tick sends the next message's MAIL, RCPT and DATA commands,
    so the database's round trip (0.45 ms of a reminder's time, profiled) overlaps the
    mail server's instead of adding to it. Nothing else may use the connection in between.

    Autocommit (the tick's state outside the tests' transactions): the UPDATE commits the
    moment the server runs it, whether or not we ever read its answer; reading it only
    tells us so. Elsewhere (SQLite: in-process, no round trip to hide) it marks at once."""
    if connection.vendor != "postgresql":
        _execute(MARK_SENT_SQL, _mark_params(followup, clock, late))
        return _done
    # The aware instant as PostgreSQL reads a timestamptz (db_datetime's conversion cost
    # as much as sending the statement, profiled).
    at = clock.astimezone(UTC).isoformat()
    return unanswered_statement(_mark_sent_sql_pg(), [at, late, followup.pk])


def _done() -> None:
    pass


# The same UPDATE with numbered parameters, as libpq takes them.
MARK_SENT_SQL_PG = """
    UPDATE {table} SET notified_at = $1, claimed_until = NULL, next_attempt_at = NULL,
        last_error = '', sent_late = $2
    WHERE id = $3 AND notified_at IS NULL
"""


@cache
def _mark_sent_sql_pg() -> str:
    return MARK_SENT_SQL_PG.format(table=connection.ops.quote_name(FollowUp._meta.db_table))


def _pg_text(value: object) -> bytes:
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, datetime):
        return value.isoformat().encode()
    return str(value).encode()


def unanswered_statement(sql: str, params: list) -> Callable[[], None]:
    """Sends one statement over Django's PostgreSQL connection without waiting for its
    answer; the returned function reads it (raising a django.db error if it failed).

    The one place that reaches under Django's cursor, to psycopg's documented libpq
    wrapper (`Connection.pgconn`: send_query_params, consume_input, is_busy,
    get_result): Django's cursors wait for every answer. Worth it, measured on
    PostgreSQL in bench/README.md (branch reminders-pg); tests/scheduler/
    test_mark_overlap.py holds its errors and its ordering."""
    from psycopg import pq

    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    with connection.wrap_database_errors:
        pgconn.send_query_params(sql.encode(), [_pg_text(p) for p in params])

    def answer() -> None:
        with connection.wrap_database_errors:
            while pgconn.is_busy():  # a select() per wait: signals still get through
                select.select([pgconn.socket], [], [], 1.0)
                pgconn.consume_input()
            error = None
            while (result := pgconn.get_result()) is not None:
                if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
                    error = error or (result.error_message or b"").decode(errors="replace")
            if error is not None:
                raise _pg_error(error)

    return answer


def _pg_error(message: str) -> Exception:
    import psycopg

    return psycopg.DatabaseError(message.strip() or "the statement failed")


def release_reminder(
    followup: FollowUp, attempts: int, clock: datetime, error: str, *, permanent: bool = False
) -> bool:
    """Gives a failed reminder back, to be retried after the backoff; or, after a
    permanent refusal or RETRY_FOR of temporary ones, gives up on it. True if it gave up.

    The window starts at the first temporary failure (`first_failed_at`), not at due_at:
    a reminder the worker missed while it was down still gets its four days."""
    first_failed_at = followup.first_failed_at or clock
    rows = FollowUp.objects.filter(pk=followup.pk, notified_at__isnull=True)
    if permanent:
        error = f"The mail server refused it for good: {error}"
    elif clock - first_failed_at >= RETRY_FOR:
        days = RETRY_FOR.days
        error = f"The mail server kept deferring it; gave up after {days} days: {error}"
        permanent = True
    if permanent:
        rows.update(
            claimed_until=None,
            next_attempt_at=None,
            send_attempts=MAX_ATTEMPTS,
            first_failed_at=first_failed_at,
            last_error=error[:2000],
        )
        return True
    rows.update(
        claimed_until=None,
        next_attempt_at=clock + retry_delay(attempts),
        first_failed_at=first_failed_at,
        last_error=error[:2000],
    )
    return False
