"""The admin's contact editor: scoped to its owner, pleasant, and cheap to list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact, Interaction
from crm.accounts import enable_admin_editing
from crm.models import Company
from tests.factories import (
    PASSWORD,
    make_company,
    make_contact,
    make_followup,
    make_interaction,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_alice(alice):
    enable_admin_editing(alice)
    return alice


@pytest.fixture
def admin_client(client, staff_alice):
    client.login(username="alice", password=PASSWORD)
    return client


def test_alice_sees_only_her_contacts_in_the_changelist(admin_client, staff_alice, bob):
    make_contact(staff_alice, first_name="Maya", last_name="Okafor")
    make_contact(bob, first_name="Bobs", last_name="Secret")
    response = admin_client.get(reverse("admin:contacts_contact_changelist"))
    assert response.status_code == 200
    assert "Maya Okafor" in response.text
    assert "Bobs Secret" not in response.text


def test_bobs_contact_answers_404_for_alice(admin_client, bob):
    theirs = make_contact(bob)
    for view in ("change", "delete", "history"):
        response = admin_client.get(reverse(f"admin:contacts_contact_{view}", args=[theirs.pk]))
        assert response.status_code == 404, view


def test_a_contact_saved_in_the_admin_belongs_to_alice(admin_client, staff_alice):
    company = make_company(staff_alice, name="Northwind")
    response = admin_client.post(
        reverse("admin:contacts_contact_add"),
        {
            "first_name": "Priya",
            "last_name": "Raman",
            "email": "priya@example.com",
            "company": company.pk,
            "role": "interviewer",
            "interactions-TOTAL_FORMS": "0",
            "interactions-INITIAL_FORMS": "0",
            "followups-TOTAL_FORMS": "0",
            "followups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    contact = Contact.objects.get(first_name="Priya")
    assert contact.owner == staff_alice
    assert contact.company == company


def test_an_interaction_added_inline_belongs_to_the_contacts_owner(admin_client, staff_alice):
    contact = make_contact(staff_alice, first_name="Tom")
    response = admin_client.post(
        reverse("admin:contacts_contact_change", args=[contact.pk]),
        {
            "first_name": "Tom",
            "last_name": contact.last_name,
            "email": contact.email,
            "role": "recruiter",
            "interactions-TOTAL_FORMS": "1",
            "interactions-INITIAL_FORMS": "0",
            "interactions-0-occurred_at_0": "2026-11-20",
            "interactions-0-occurred_at_1": "10:00:00",
            "interactions-0-direction": "inbound",
            "interactions-0-kind": "note",
            "interactions-0-channel": "phone",
            "interactions-0-subject": "Quick call",
            "followups-TOTAL_FORMS": "0",
            "followups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    interaction = Interaction.objects.get(subject="Quick call")
    assert interaction.owner == staff_alice and interaction.contact == contact


def test_company_choices_in_the_contact_form_are_only_alices(admin_client, staff_alice, bob):
    make_company(staff_alice, name="Mine Inc")
    make_company(bob, name="Bobco")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "contacts", "model_name": "contact", "field_name": "company", "term": ""},
    )
    names = [row["text"] for row in response.json()["results"]]
    assert names == ["Mine Inc"]


def test_search_finds_contacts_by_company_name(admin_client, staff_alice):
    northwind = make_company(staff_alice, name="Northwind")
    make_contact(staff_alice, first_name="Maya", company=northwind)
    make_contact(staff_alice, first_name="Zed")
    response = admin_client.get(reverse("admin:contacts_contact_changelist"), {"q": "northwind"})
    assert "Maya" in response.text and "Zed" not in response.text


def test_the_changelist_shows_last_interaction_and_next_followup(admin_client, staff_alice):
    from datetime import UTC, datetime

    contact = make_contact(staff_alice, first_name="Maya")
    make_interaction(
        staff_alice, contact=contact, kind="note", occurred_at=datetime(2026, 10, 1, 9, tzinfo=UTC)
    )
    make_followup(staff_alice, contact=contact, due_at=datetime(2027, 1, 5, 9, tzinfo=UTC))
    response = admin_client.get(reverse("admin:contacts_contact_changelist"))
    assert "Oct. 1, 2026" in response.text
    assert "Jan. 5, 2027" in response.text


def _changelist_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("admin:contacts_contact_changelist"))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_changelist_makes_as_many_queries_for_200_contacts_as_for_5(
    admin_client, staff_alice, django_assert_max_num_queries
):
    companies = [make_company(staff_alice) for _ in range(3)]
    for i in range(5):
        make_contact(staff_alice, company=companies[i % 3])
    few = _changelist_queries(admin_client, django_assert_max_num_queries, 40)
    for i in range(195):
        make_contact(staff_alice, company=companies[i % 3])
    many = _changelist_queries(admin_client, django_assert_max_num_queries, few)
    assert many == few


def test_a_non_staff_user_cannot_open_the_admin(client):
    make_user("carol")
    client.login(username="carol", password=PASSWORD)
    response = client.get(reverse("admin:contacts_contact_changelist"))
    assert response.status_code == 302


def test_goals_in_the_admin_are_scoped_and_keep_their_reminder(admin_client, staff_alice, bob):
    from datetime import date, timedelta

    from followups.models import FollowUp, Goal

    theirs = Goal.objects.create(owner=bob, specific="Bob's goal", deadline=date.today())
    assert (
        admin_client.get(reverse("admin:followups_goal_change", args=[theirs.pk])).status_code
        == 404
    )
    response = admin_client.post(
        reverse("admin:followups_goal_add"),
        {
            "specific": "Two mock interviews",
            "measurable": "Two sessions booked",
            "deadline": (date.today() + timedelta(days=20)).isoformat(),
            "remind_days_before": "2",
            "status": "open",
            "progress_notes-TOTAL_FORMS": "0",
            "progress_notes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    goal = Goal.objects.get(specific="Two mock interviews")
    assert goal.owner == staff_alice
    reminder = FollowUp.objects.get(pk=goal.followup_id)
    assert (reminder.owner, reminder.kind, reminder.status) == (staff_alice, "goal", "pending")
    listing = admin_client.get(reverse("admin:followups_goal_changelist")).text
    assert "Two mock interviews" in listing and "Bob&#x27;s goal" not in listing


def test_a_website_typed_without_a_scheme_in_the_admin_is_saved_as_https(admin_client, staff_alice):
    response = admin_client.post(
        reverse("admin:crm_company_add"), {"name": "Northwind", "website": "northwind.example"}
    )
    assert response.status_code == 302, response.text[:2000]
    assert Company.objects.get(name="Northwind").website == "https://northwind.example"


def test_a_linkedin_address_without_a_scheme_in_the_admin_is_saved_as_https(
    admin_client, staff_alice
):
    response = admin_client.post(
        reverse("admin:contacts_contact_add"),
        {
            "first_name": "Priya",
            "last_name": "Raman",
            "role": "recruiter",
            "linkedin_url": "www.linkedin.com/in/priya",
            "interactions-TOTAL_FORMS": "0",
            "interactions-INITIAL_FORMS": "0",
            "followups-TOTAL_FORMS": "0",
            "followups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    assert Contact.objects.get(first_name="Priya").linkedin_url == (
        "https://www.linkedin.com/in/priya"
    )
