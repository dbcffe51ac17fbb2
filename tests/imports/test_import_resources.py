"""The django-import-export resources the admin uses: owner-scoped, rules still firing."""

from __future__ import annotations

import tablib

from contacts.models import Contact, Interaction
from contacts.resources import ContactResource, InteractionResource
from crm.models import Company, JobApplication
from crm.resources import CompanyResource, JobApplicationResource
from followups.models import FollowUp
from tests.factories import make_application, make_company, make_contact


def dataset(headers: list[str], *rows: list[str]) -> tablib.Dataset:
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


def test_imported_contacts_belong_to_the_importing_user_with_their_company(alice, bob):
    make_company(bob, name="Acme")
    data = dataset(
        ["first_name", "last_name", "email", "company", "role"],
        ["Priya", "N", "priya@acme.example", "ACME", "recruiter"],
    )

    result = ContactResource(user=alice).import_data(data, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    priya = Contact.objects.get(first_name="Priya")
    assert priya.owner == alice
    assert priya.company.owner == alice
    assert Company.objects.filter(owner=bob).count() == 1


def test_an_import_never_updates_another_users_row(alice, bob):
    make_contact(bob, first_name="Priya", last_name="N", email="priya@acme.example")
    data = dataset(
        ["first_name", "last_name", "email", "title"],
        ["Priya", "N", "priya@acme.example", "Head of Talent"],
    )

    ContactResource(user=alice).import_data(data, dry_run=False)

    assert Contact.objects.get(owner=bob).title == ""
    assert Contact.objects.get(owner=alice).title == "Head of Talent"


def test_exports_hold_only_the_users_rows_unless_superuser(alice, bob, django_user_model):
    make_contact(alice, first_name="Alices")
    make_contact(bob, first_name="Bobs")
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")

    mine = ContactResource(user=alice).export(Contact.objects.all())
    everyone = ContactResource(user=admin).export(Contact.objects.all())

    assert [row[0] for row in mine] == ["Alices"]
    assert sorted(row[0] for row in everyone) == ["Alices", "Bobs"]


def test_an_imported_rejection_schedules_its_reply_like_any_other(alice):
    make_contact(alice, first_name="Priya", email="priya@acme.example")
    data = dataset(
        ["contact_email", "direction", "channel", "kind", "occurred_at", "subject"],
        ["priya@acme.example", "inbound", "email", "rejection", "2025-03-03 10:00:00", "No"],
    )

    result = InteractionResource(user=alice).import_data(data, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    interaction = Interaction.objects.get(owner=alice)
    assert FollowUp.objects.filter(owner=alice, kind="reply", source=interaction).exists()


def test_an_interaction_cannot_point_at_another_users_contact(alice, bob):
    make_contact(bob, first_name="Bobs", email="shared@example.com")
    data = dataset(
        ["contact_email", "direction", "kind", "occurred_at"],
        ["shared@example.com", "inbound", "rejection", "2025-03-03 10:00:00"],
    )

    result = InteractionResource(user=alice).import_data(data, dry_run=False)

    assert result.has_validation_errors() or result.has_errors()
    assert not Interaction.objects.exists()


def test_applications_import_matches_the_users_company_by_name(alice):
    make_application(alice, company=make_company(alice, name="Globex"), title="SRE")
    data = dataset(
        ["company", "title", "status"],
        ["globex", "SRE", "interviewing"],
        ["Initech", "Analyst", "applied"],
    )

    JobApplicationResource(user=alice).import_data(data, dry_run=False)

    assert JobApplication.objects.get(owner=alice, title="SRE").status == "interviewing"
    assert JobApplication.objects.filter(owner=alice).count() == 2
    assert CompanyResource(user=alice).export(Company.objects.all())["name"] == [
        "Globex",
        "Initech",
    ]
