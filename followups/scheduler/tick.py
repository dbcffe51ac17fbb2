"""The tick: one unit of the scheduler's work (reminders, then digests), recorded for health."""

from __future__ import annotations

from datetime import datetime

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from followups.models import SchedulerTick
from followups.scheduler.claims import KEEP_TICKS, claimable_reminders
from followups.scheduler.digests import digest_due_profiles, digest_sections, send_due_digests
from followups.scheduler.mailer import Mailer
from followups.scheduler.reminders import fan_out_reminders, retry_while_locked, send_due_reminders
from followups.scheduler.report import Clock, TickReport, redact_addresses

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
    mail_connection: BaseEmailBackend | None = None,
    fan_out: bool = False,
) -> TickReport:
    """Sends every due reminder and digest once, records the tick and reports.

    `mail_connection`: the email backend to send with (default: settings' EMAIL_BACKEND).
    `fan_out` (the django-q2 schedule): more due reminders than one batch go to the broker
    as tasks for every worker to share instead of being sent by this tick.
    """
    now = now or timezone.now()
    if dry_run:
        return dry_run_report(now)
    clock = Clock(now)
    # A database locked by another process (a big restore) delays the tick, never ends it.
    record = retry_while_locked(lambda: SchedulerTick.objects.create(started_at=now))
    report = TickReport(started_at=now)
    mailer = Mailer(mail_connection)
    try:
        if not (fan_out and retry_while_locked(lambda: fan_out_reminders(now, report))):
            send_due_reminders(now, report, mailer)
        send_due_digests(now, report, mailer)
    finally:
        mailer.close()
        retry_while_locked(
            lambda: SchedulerTick.objects.filter(pk=record.pk).update(
                finished_at=clock(),
                reminders_sent=report.reminders_sent,
                digests_sent=report.digests_sent,
                failures=report.failures,
                note=redact_addresses("; ".join(report.errors))[:300],
            )
        )
        retry_while_locked(
            lambda: SchedulerTick.objects.filter(started_at__lt=now - KEEP_TICKS).delete()
        )
    return report


def send_reminder_batches(
    now: datetime | None = None, *, mail_connection: BaseEmailBackend | None = None
) -> TickReport:
    """One fanned-out task: claims batch after batch of due reminders and sends them,
    until none is left or the time budget is spent (a tick's reminder half, unrecorded)."""
    now = now or timezone.now()
    report = TickReport(started_at=now)
    mailer = Mailer(mail_connection)
    try:
        send_due_reminders(now, report, mailer)
    finally:
        mailer.close()
    return report
