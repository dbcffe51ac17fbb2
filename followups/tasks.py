"""The django-q2 side of the scheduler: the task only calls the tick, and the one-minute
schedule that runs it is created idempotently after every `migrate`."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, connections

from crm.storage import storage_fault
from followups import scheduler

TASK = "followups.tasks.send_reminders"
SCHEDULE_NAME = "Send reminder emails"
WEBHOOK_TASK = "followups.tasks.deliver_webhooks"
WEBHOOK_SCHEDULE_NAME = "Deliver webhooks"


def send_reminders() -> dict:
    """Runs one tick; django-q2 stores the returned report as the task's result. More due
    reminders than one batch are fanned out as send_reminder_batches tasks, which every
    worker of every cluster shares (followups/scheduler/reminders.py)."""
    return _said_if_storage_fails(lambda: scheduler.tick(fan_out=True).as_dict())


def send_reminder_batches() -> dict:
    """A fanned-out share of the due reminders: batch after batch until none is left."""
    return _said_if_storage_fails(lambda: scheduler.send_reminder_batches().as_dict())


def _said_if_storage_fails(run: Callable[[], dict]) -> dict:
    """A read-only data folder or a full disk, said in words in the task's result."""
    try:
        return run()
    except DatabaseError as exc:
        if (fault := storage_fault(exc)) is None:
            raise
        raise RuntimeError(f"Reminders were not sent: {fault}") from exc


def deliver_webhook(delivery_id: int) -> bool:
    """Sends one webhook delivery right after the save that caused it (followups/api)."""
    from followups.api import webhooks

    return webhooks.deliver(delivery_id)


def deliver_webhooks() -> int:
    """The one-minute sweep: followup.due events, then every delivery due for a (re)try."""
    from followups.api import webhooks

    return webhooks.deliver_due()


def ensure_webhook_schedule(using: str = "default", **kwargs) -> None:
    """Exactly one one-minute schedule of the webhook sweep, as for the reminder tick."""
    ensure_schedule(using, func=WEBHOOK_TASK, name=WEBHOOK_SCHEDULE_NAME)


def ensure_schedule(
    using: str = "default", *, func: str = TASK, name: str = SCHEDULE_NAME, **kwargs
) -> None:
    """Exactly one one-minute schedule of the tick, however often migrate runs.

    Connected to post_migrate: a restart or a second `migrate` finds the schedule and
    leaves it (and its next run) alone, and removes duplicates someone made by hand.
    """
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return  # a partial migrate that has not reached django_q yet
    schedules = Schedule.objects.using(using).filter(func=func).order_by("pk")
    wanted = {
        "name": name,
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
        "repeats": -1,
    }
    first = schedules.first()
    if first is None:
        Schedule.objects.using(using).create(func=func, **wanted)
        return
    schedules.exclude(pk=first.pk).delete()
    if any(getattr(first, field) != value for field, value in wanted.items()):
        for field, value in wanted.items():
            setattr(first, field, value)
        first.save(using=using)


# Mailbox sync (followups/mailbox) ------------------------------------------------------

MAILBOX_TASK = "followups.tasks.sync_mailboxes"
MAILBOX_SCHEDULE_NAME = "Sync mailboxes"


def sync_mailboxes() -> list[dict]:
    """Syncs every mailbox whose turn it is (MAILBOX_SYNC_MINUTES); leased, so any number
    of workers may run it at once."""
    from followups.mailbox.sync import sync_due

    return [report.as_dict() for report in sync_due()]


def ensure_mailbox_schedule(using: str = "default", **kwargs) -> None:
    """One one-minute schedule that syncs the mailboxes that are due, like ensure_schedule."""
    ensure_schedule(using, func=MAILBOX_TASK, name=MAILBOX_SCHEDULE_NAME)


# Restoring a backup (followups/export) ------------------------------------------------

RESTORE_TASK = "followups.tasks.run_restore"


def run_restore(job_id: int) -> str:
    """Restores one uploaded backup in short transactions (followups/export/restore_jobs.py)."""
    from followups.export import restore_jobs

    return restore_jobs.run_restore(job_id)
