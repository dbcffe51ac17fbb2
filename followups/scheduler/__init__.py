"""The scheduler: the one-minute tick that sends due reminder emails and daily digests
exactly once each, the emails themselves, worker health, and the mail-facing pages
(unsubscribe, /healthz).

`tick()` is the one unit of work. django-q2 runs it every minute (followups/tasks.py) and
`manage.py send_reminders` runs it once; any number of them may run at the same time on
any number of hosts, because every email is claimed with a conditional UPDATE before it
is sent (the pattern of healthchecks' sendalerts):

- A reminder is claimable while its follow-up is pending, not yet notified, due, not
  leased by another tick (`claimed_until` empty or past) and not waiting for a retry
  (`next_attempt_at`). The UPDATE that takes the lease changes each row for exactly one tick.
- A lease that is never finished (the process was killed) runs out after LEASE and the
  reminder is claimable again: a kill in the middle of a send can repeat that one email,
  no other.
- `notified_at` is written only after the mail server accepted the message, in its own
  commit before the next email starts. A temporary
  failure (4xx, no connection, a timeout) releases the lease with a growing delay
  (`send_attempts`, `next_attempt_at`, `first_failed_at`, `last_error`) for RETRY_FOR
  (four days, RFC 5321 §4.5.4.1); a permanent refusal (5xx) or the end of that window
  gives up (send_attempts = MAX_ATTEMPTS) and the reminder stays unsent with its error.
- A digest claims its (user, local date) by inserting a DigestDelivery row, which a
  unique constraint allows once.

All reminders of a tick go over one SMTP connection. Reminders are claimed a batch at a
time (one UPDATE; on PostgreSQL after `SELECT … FOR UPDATE SKIP LOCKED`, so parallel
workers take disjoint batches) and each is marked sent in its own commit right after the
server accepted it: a kill repeats at most the email in flight, and the rest of a killed
worker's batch goes out once its lease runs out. With more due than one batch, the
django-q2 schedule fans the work out as tasks that every qcluster worker shares.
"""

from followups.scheduler.claims import (
    BATCH_SIZE,
    LATE_AFTER,
    LEASE,
    MAX_ATTEMPTS,
    STALE_AFTER,
    TIME_BUDGET,
    claim_reminder,
    claimable_reminders,
    given_up_reminders,
    mark_reminder_sent,
    release_reminder,
    retry_delay,
    unsent_reminders,
)
from followups.scheduler.digests import claim_digest, digest_due_profiles, digest_sections
from followups.scheduler.health import Health, SchedulerBanner, health, last_tick_at
from followups.scheduler.mailer import Mailer
from followups.scheduler.report import TickReport
from followups.scheduler.tick import dry_run_report, send_reminder_batches, tick

__all__ = [
    "BATCH_SIZE",
    "LATE_AFTER",
    "LEASE",
    "MAX_ATTEMPTS",
    "STALE_AFTER",
    "TIME_BUDGET",
    "Health",
    "Mailer",
    "SchedulerBanner",
    "TickReport",
    "claim_digest",
    "claim_reminder",
    "claimable_reminders",
    "digest_due_profiles",
    "digest_sections",
    "dry_run_report",
    "given_up_reminders",
    "health",
    "last_tick_at",
    "mark_reminder_sent",
    "release_reminder",
    "retry_delay",
    "send_reminder_batches",
    "tick",
    "unsent_reminders",
]
