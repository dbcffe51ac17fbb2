"""Fills one account with a large synthetic job search, for benchmarks and load tests.

    python manage.py generate_data --user heavy --applications 2000 --contacts 5000 \
        --interactions 50000 --followups 5000

Rows go in with bulk_create in large batches, so it takes seconds rather than minutes,
and the rules engine does not run (bulk_create sends no save signals): the follow-ups
are written directly as pending rows with a short draft. The user is created when it
does not exist (without a usable password; set one with `manage.py changepassword`).
Running it again adds more rows next to the existing ones.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication, Profile
from followups.models import FollowUp

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FIRST_NAMES = ["Ada", "Ben", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo"]
LAST_NAMES = ["Berg", "Costa", "Diaz", "Evans", "Fischer", "Gupta", "Hall", "Ito", "Jensen"]
COMPANY_WORDS = ["Northwind", "Blue", "Quantum", "Harbor", "Pine", "Vector", "Summit", "Atlas"]
COMPANY_KINDS = ["Labs", "Systems", "Health", "Bank", "Games", "Logistics", "Energy", "Media"]
TITLES = ["Backend Engineer", "Data Analyst", "Product Designer", "SRE", "Engineering Manager"]
# Interaction kinds roughly as often as a real search produces them.
_IKind = Interaction.Kind
INTERACTION_KINDS = [_IKind.NOTE] * 3 + [
    *(_IKind.REPLY, _IKind.CHECK_IN, _IKind.INTERVIEW, _IKind.REJECTION, _IKind.OTHER)
]
FOLLOWUP_KINDS = [
    FollowUp.Kind.REPLY,
    FollowUp.Kind.FEEDBACK_NUDGE,
    FollowUp.Kind.CONNECT,
    FollowUp.Kind.THANK_YOU,
    FollowUp.Kind.APPLICATION_CHECK,
]
DRAFT_BODY = "Hi {first},\n\nThank you for your time so far. I would value a short update.\n"


class Command(BaseCommand):
    help = "Bulk-creates applications, contacts, interactions and pending follow-ups for a user."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="Username; created when missing.")
        parser.add_argument("--applications", type=int, default=0)
        parser.add_argument("--contacts", type=int, default=0)
        parser.add_argument("--interactions", type=int, default=0)
        parser.add_argument("--followups", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be created; write nothing."
        )

    def handle(self, *args, **options) -> None:
        counts = {
            name: options[name]
            for name in ("applications", "contacts", "interactions", "followups")
        }
        bad = [f"--{name}" for name, n in counts.items() if n < 0]
        if bad or options["batch_size"] < 1:
            raise CommandError(f"Counts must be zero or more ({', '.join(bad) or '--batch-size'}).")
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        if options["dry_run"]:
            self.stdout.write(f"Would create {summary} for {options['user']}.")
            return
        user, created = get_user_model().objects.get_or_create(username=options["user"])
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Profile.for_user(user)
        generator = Generator(user, random.Random(options["seed"]), options["batch_size"])
        with transaction.atomic():
            generator.run(**counts)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Created {summary} for {user.username}."))


class Generator:
    """Writes the rows; each step reuses the rows of the previous ones."""

    def __init__(self, user: User, rng: random.Random, batch_size: int) -> None:
        self.user = user
        self.rng = rng
        self.batch_size = batch_size
        self.now = timezone.now()

    def _bulk(self, model, rows) -> list:
        return model.objects.bulk_create(rows, batch_size=self.batch_size)

    def _moment(self, days_back: int = 365) -> datetime:
        return self.now - timedelta(seconds=self.rng.randrange(days_back * 86400))

    def run(self, *, applications: int, contacts: int, interactions: int, followups: int) -> None:
        apps = self.applications(applications)
        people = self.contacts(contacts, apps)
        self.interactions(interactions, people)
        self.followups(followups, people)

    def companies(self, n: int) -> list[Company]:
        # Names carry a running number so a second run never hits the unique name rule.
        start = Company.objects.filter(owner=self.user).count()
        return self._bulk(
            Company,
            (
                Company(
                    owner=self.user,
                    name=f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_KINDS)} "
                    f"{start + i + 1}",
                )
                for i in range(n)
            ),
        )

    def applications(self, n: int) -> list[JobApplication]:
        if not n:
            return []
        companies = self.companies(max(1, n // 4))
        statuses = JobApplication.Status.values
        return self._bulk(
            JobApplication,
            (
                JobApplication(
                    owner=self.user,
                    company=self.rng.choice(companies),
                    title=self.rng.choice(TITLES),
                    status=self.rng.choice(statuses),
                    applied_on=self._moment().date(),
                )
                for _ in range(n)
            ),
        )

    def contacts(self, n: int, apps: list[JobApplication]) -> list[Contact]:
        roles = Contact.Role.values
        people = self._bulk(
            Contact,
            (
                Contact(
                    owner=self.user,
                    first_name=self.rng.choice(FIRST_NAMES),
                    last_name=self.rng.choice(LAST_NAMES),
                    email=f"person{i}.{self.rng.randrange(10**6)}@example.test",
                    company=self.rng.choice(apps).company if apps else None,
                    role=self.rng.choice(roles),
                )
                for i in range(n)
            ),
        )
        if apps:
            link = Contact.applications.through
            self._bulk(
                link,
                (link(contact_id=c.pk, jobapplication_id=self.rng.choice(apps).pk) for c in people),
            )
        return people

    def _application_of(self, contact: Contact | None) -> int | None:
        links = getattr(self, "_links", None)
        if links is None:
            links = self._links = dict(
                Contact.applications.through.objects.filter(contact__owner=self.user).values_list(
                    "contact_id", "jobapplication_id"
                )
            )
        return links.get(contact.pk) if contact else None

    def interactions(self, n: int, people: list[Contact]) -> None:
        people = people or list(Contact.objects.filter(owner=self.user))
        rows = []
        for _ in range(n):
            contact = self.rng.choice(people) if people else None
            kind = self.rng.choice(INTERACTION_KINDS)
            rows.append(
                Interaction(
                    owner=self.user,
                    contact=contact,
                    application_id=self._application_of(contact),
                    direction="inbound"
                    if kind == "rejection"
                    else self.rng.choice(["inbound", "outbound"]),
                    kind=kind,
                    occurred_at=self._moment(),
                    subject=f"{kind.replace('_', ' ').capitalize()} #{self.rng.randrange(10**5)}",
                )
            )
        self._bulk(Interaction, rows)

    def followups(self, n: int, people: list[Contact]) -> None:
        people = people or list(Contact.objects.filter(owner=self.user))
        rows = []
        for _ in range(n):
            contact = self.rng.choice(people) if people else None
            # Due from two weeks ago to two months ahead, like a busy dashboard.
            due = self.now + timedelta(minutes=self.rng.randrange(-14 * 1440, 60 * 1440))
            rows.append(
                FollowUp(
                    owner=self.user,
                    contact=contact,
                    application_id=self._application_of(contact),
                    kind=self.rng.choice(FOLLOWUP_KINDS),
                    due_at=due,
                    deadline=due + timedelta(days=1) if self.rng.random() < 0.5 else None,
                    draft_subject="Following up",
                    draft_body=DRAFT_BODY.format(first=contact.first_name if contact else "there"),
                )
            )
        self._bulk(FollowUp, rows)
