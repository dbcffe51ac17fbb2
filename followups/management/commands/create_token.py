"""Creates a personal API token for a user and prints it (the only time it is shown).

`python manage.py create_token --user alice [--read-only] [--name NAME] [--days N]`:
stdout carries the token alone, so `TOKEN=$(python manage.py create_token --user alice)`
works in a script; what it is for goes to stderr.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followups.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal API token for --user and print it (shown once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="Username of the token's owner.")
        parser.add_argument(
            "--read-only", action="store_true", help="The token can read but not change data."
        )
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=None, help="Expires after this many days (default never)."
        )

    def handle(self, *args, user: str, read_only: bool, name: str, days: int | None, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        if days is not None and not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        now = timezone.now()
        expires_at = now + timedelta(days=days) if days else None
        token, raw = ApiToken.issue(
            owner,
            name=name or f"Command line, {now:%Y-%m-%d}",
            read_only=read_only,
            expires_at=expires_at,
        )
        self.stdout.write(raw)
        if options["verbosity"] >= 1:
            scope = "read-only" if read_only else "read-write"
            self.stderr.write(f"Created the {scope} token {token.name!r} for {owner.username}.")
