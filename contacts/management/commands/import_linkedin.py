"""Imports a LinkedIn Connections.csv export, or LinkedIn's whole data archive (.zip) or
any of its CSVs, for one user.

    python manage.py import_linkedin Connections.csv --user alice [--dry-run]
    python manage.py import_linkedin Basic_LinkedInDataExport.zip --user alice

Companies are matched ignoring case and contacts by LinkedIn URL, then email, so running
it again with a newer export updates the contacts instead of duplicating them.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contacts.importers import (
    DAY_FIRST,
    MONTH_FIRST,
    ArchiveResult,
    ImportFileError,
    commit_linkedin_upload,
    is_zip,
    max_archive_bytes,
    max_upload_bytes,
    plan_linkedin_upload,
    rejected_lines,
)


class Command(BaseCommand):
    help = (
        "Import a LinkedIn Connections.csv, or LinkedIn's archive (.zip: connections, "
        "messages, invitations, job applications, saved jobs), for one user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            help="Path of Connections.csv, of LinkedIn's archive .zip or of one of its CSVs.",
        )
        parser.add_argument("--user", required=True, help="Username who owns the contacts.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; write nothing."
        )
        parser.add_argument(
            "--date-order",
            choices=[DAY_FIRST, MONTH_FIRST],
            help="Day first (dmy) or month first (mdy), for a re-saved file whose dates "
            "never show it (every date like 05/01/2024).",
        )

    def handle(
        self, *args, file: str, user: str, dry_run: bool, date_order: str | None, **options
    ) -> None:
        try:
            owner = get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {user!r}.") from None
        path = Path(file)
        try:
            with path.open("rb") as handle:
                head = handle.read(4)
            limit = max_archive_bytes() if is_zip(head) else max_upload_bytes()
            if path.stat().st_size > limit:
                raise CommandError(f"{file} is larger than the import limit.")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            # The path, not its bytes: an archive's large CSVs are streamed from it.
            plan = plan_linkedin_upload(owner, path, path.name, date_order=date_order)
            if plan.date_order_needed:
                raise CommandError(
                    "Some dates could be day/month or month/day and no row tells which: "
                    "run again with --date-order dmy or --date-order mdy."
                )
            if dry_run:
                self.stdout.write(
                    f"Dry run: would create {plan.new_count}, update {plan.match_count}, "
                    f"reject {plan.rejected_count}."
                )
                return
            result = commit_linkedin_upload(plan)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] >= 1:
            for line in rejected_lines(plan.rows):
                self.stderr.write(f"Rejected {line}")
        self.stdout.write(
            f"created: {result.created}, updated: {result.updated}, "
            f"rejected: {result.rejected} (new companies: {result.companies_created})"
        )
        if isinstance(result, ArchiveResult):
            self.stdout.write(
                f"messages: {result.messages}, invitations: {result.invitations}, "
                f"applications created: {result.applications_created}, "
                f"updated: {result.applications_updated}"
            )
