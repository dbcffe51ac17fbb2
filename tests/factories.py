"""Plain make_* factories: each makes one saved row with sensible defaults.

Pass any field as a keyword to override it. Rows are owned by `owner`, which defaults
to the owner of a related object passed in, or to a fresh user.
"""

from __future__ import annotations

import itertools
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication, Profile
from followups.models import FollowUp

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(username: str | None = None, *, time_zone: str = "UTC", **profile_fields):
    n = next(_seq)
    username = username or f"user{n}"
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )
    Profile.objects.filter(user=user).delete()
    # By id: like the app, which creates a profile on first use, this leaves no profile
    # cached on the user object, so a test that updates the row sees the new values.
    Profile.objects.create(user_id=user.pk, time_zone=time_zone, **profile_fields)
    return user


def make_company(owner=None, **fields) -> Company:
    owner = owner or make_user()
    fields.setdefault("name", f"Company {next(_seq)}")
    return Company.objects.create(owner=owner, **fields)


def make_application(owner=None, *, company: Company | None = None, **fields) -> JobApplication:
    owner = owner or (company.owner if company else make_user())
    company = company or make_company(owner)
    fields.setdefault("title", "Backend Engineer")
    fields.setdefault("status", JobApplication.Status.APPLIED)
    return JobApplication.objects.create(owner=owner, company=company, **fields)


def make_contact(owner=None, **fields) -> Contact:
    owner = owner or make_user()
    n = next(_seq)
    fields.setdefault("first_name", "Dana")
    fields.setdefault("last_name", f"Recruiter{n}")
    fields.setdefault("email", f"dana{n}@example.com")
    fields.setdefault("role", Contact.Role.RECRUITER)
    return Contact.objects.create(owner=owner, **fields)


def make_interaction(
    owner=None,
    *,
    contact: Contact | None = None,
    occurred_at: datetime | None = None,
    **fields,
) -> Interaction:
    owner = owner or (contact.owner if contact else make_user())
    if contact is None and "contact" not in fields:
        contact = make_contact(owner)
    fields.setdefault("direction", Interaction.Direction.INBOUND)
    fields.setdefault("channel", Interaction.Channel.EMAIL)
    fields.setdefault("kind", Interaction.Kind.OTHER)
    return Interaction.objects.create(
        owner=owner, contact=contact, occurred_at=occurred_at or timezone.now(), **fields
    )


def make_followup(owner=None, *, contact: Contact | None = None, **fields) -> FollowUp:
    owner = owner or (contact.owner if contact else make_user())
    fields.setdefault("kind", FollowUp.Kind.CUSTOM)
    fields.setdefault("due_at", timezone.now())
    fields.setdefault("draft_subject", "Following up")
    fields.setdefault("draft_body", "Hi there,\n\nJust following up.\n")
    return FollowUp.objects.create(owner=owner, contact=contact, **fields)
