"""Model constraints and how rows name themselves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication, Profile
from followups.models import FollowUp
from tests.factories import (
    make_application,
    make_company,
    make_contact,
    make_followup,
    make_interaction,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_company_names_are_unique_per_owner_ignoring_case(alice):
    make_company(alice, name="Acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_company(alice, name="ACME")


def test_two_users_may_each_have_a_company_of_the_same_name(alice, bob):
    make_company(alice, name="Acme")
    make_company(bob, name="acme")
    assert Company.objects.filter(name__iexact="acme").count() == 2


def test_a_user_has_at_most_one_profile(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=alice)


def test_profile_is_created_with_the_defaults_on_first_use():
    user = make_user()
    Profile.objects.filter(user=user).delete()
    user = type(user).objects.get(pk=user.pk)
    profile = Profile.for_user(user)
    assert (profile.time_zone, profile.morning_hour, profile.workdays) == (
        "UTC",
        9,
        [0, 1, 2, 3, 4],
    )
    assert profile.email_reminders is True and profile.digest_hour == 8
    assert profile.check_in_months == 3


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (JobApplication, "status", "ghosted"),
        (Contact, "role", "ceo"),
        (Interaction, "kind", "smoke_signal"),
        (Interaction, "direction", "sideways"),
        (FollowUp, "status", "maybe"),
        (FollowUp, "kind", "gossip"),
    ],
)
def test_the_database_refuses_a_value_outside_the_choices(alice, model, field, value):
    makers = {
        JobApplication: lambda: make_application(alice),
        Contact: lambda: make_contact(alice),
        Interaction: lambda: make_interaction(alice, kind="note"),
        FollowUp: lambda: make_followup(alice),
    }
    row = makers[model]()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: value})


def test_only_one_pending_check_in_per_contact(alice):
    contact = make_contact(alice)
    make_followup(alice, contact=contact, kind="check_in")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_followup(alice, contact=contact, kind="check_in")


def test_rows_describe_themselves_in_words(alice):
    company = make_company(alice, name="Northwind")
    application = make_application(alice, company=company, title="Data Engineer")
    contact = make_contact(alice, first_name="Maya", last_name="Okafor", company=company)
    interaction = make_interaction(
        alice,
        contact=contact,
        kind="rejection",
        occurred_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
    )
    followup = make_followup(
        alice, contact=contact, kind="reply", due_at=datetime(2026, 3, 3, 10, tzinfo=UTC)
    )
    assert str(company) == "Northwind"
    assert str(application) == "Data Engineer at Northwind"
    assert str(contact) == "Maya Okafor"
    assert str(interaction) == "Rejection from Maya Okafor on 2026-03-02"
    assert str(followup) == "Reply to the rejection: Maya Okafor (due 2026-03-03 10:00 UTC)"
    assert str(Profile.for_user(alice)) == "Profile of alice"
