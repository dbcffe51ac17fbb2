"""Runs one scheduler tick: sends every due reminder email and daily digest, once.

For cron users (`* * * * * python manage.py send_reminders`); the django-q2 worker runs
the same tick every minute. Safe to run any number of times and in parallel: every
email is claimed before it is sent. The mail has been handed to the server when the
command returns.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from crm.storage import storage_fault
from followups.scheduler import tick


class Command(BaseCommand):
    help = "Send the reminder emails and daily digests that are due (one scheduler tick)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be sent; send, claim and record nothing.",
        )

    def handle(self, *args, dry_run: bool = False, verbosity: int = 1, **options) -> None:
        try:
            report = tick(dry_run=dry_run)
        except (DatabaseError, OSError) as exc:
            if (fault := storage_fault(exc)) is None:
                raise
            # A read-only data folder or a full disk: say so, and exit non-zero for cron.
            raise CommandError(f"Reminders were not sent: {fault}") from exc
        if verbosity >= 2:
            for line in report.lines:
                self.stdout.write(line)
        for error in report.errors:
            self.stderr.write(error)
        if verbosity >= 1:
            style = self.style.WARNING if report.failures else self.style.SUCCESS
            self.stdout.write(style(report.summary()))
        if report.mail_unreachable:
            # Cron and monitors read the exit code: an unreachable server is not success.
            raise CommandError(
                f"Reminders were not sent: {report.mail_unreachable}. Check EMAIL_HOST and "
                "EMAIL_PORT; the next run sends them."
            )
