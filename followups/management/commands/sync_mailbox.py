"""Runs one sync of every enabled mailbox (or one user's): new mail into the Inbox page,
sent mail to contacts logged as interactions.

For cron users (`*/5 * * * * python manage.py sync_mailbox`); the django-q2 worker runs
the same sync on its own schedule. Safe to run any number of times and in parallel: each
mailbox is leased while it syncs and each message is logged at most once. Everything it
logs is in the database when the command returns.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from followups.mailbox.sync import preview, sync_all
from followups.models import Mailbox


class Command(BaseCommand):
    help = "Sync the connected mailboxes once (all enabled ones, or those of --user)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", metavar="USERNAME", help="Only this user's mailboxes.")
        parser.add_argument(
            "--limit", type=int, default=None, help="Read at most this many messages per mailbox."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Connect and say how much is new; store, log and claim nothing.",
        )

    def handle(
        self,
        *args,
        user: str | None = None,
        limit: int | None = None,
        dry_run: bool = False,
        **options,
    ) -> None:
        owner = None
        if user:
            try:
                owner = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
        if dry_run:
            mailboxes = Mailbox.objects.filter(enabled=True).order_by("pk")
            for mailbox in mailboxes.filter(owner=owner) if owner else mailboxes:
                self.stdout.write(f"Mailbox {mailbox.pk} ({mailbox}): {preview(mailbox)}")
            return
        reports = sync_all(user=owner, limit=limit)
        verbosity = options.get("verbosity", 1)
        if not reports and verbosity >= 1:
            self.stdout.write("No enabled mailbox to sync.")
        failed = False
        for report in reports:
            line = f"Mailbox {report.mailbox_id}: {report.summary()}"
            if report.error:
                failed = True
                self.stderr.write(line)
            elif verbosity >= 1:
                self.stdout.write(self.style.SUCCESS(line))
        if failed:
            raise CommandError("A mailbox could not be synced; see above.")
