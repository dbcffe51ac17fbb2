"""Contacts pages: list with filters, detail with its timeline, cadence, do-not-contact,
create/edit and logging an interaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact, Interaction
from crm.models import Company
from followups.models import FollowUp, FollowUpEvent
from tests.factories import (
    make_application,
    make_company,
    make_contact,
    make_followup,
    make_interaction,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def names_listed(client, **params) -> str:
    return client.get(reverse("contacts:list"), params).content.decode()


# List ---------------------------------------------------------------------------------


def test_list_searches_name_email_and_company(alice, alice_client):
    make_contact(alice, first_name="Priya", last_name="Shah", email="priya@globex.test")
    make_contact(
        alice, first_name="Tom", last_name="Berg", company=make_company(alice, name="Initech")
    )
    make_contact(alice, first_name="Ana", last_name="Ruiz")
    assert "Priya Shah" in names_listed(alice_client, q="globex")
    page = names_listed(alice_client, q="initech")
    assert "Tom Berg" in page
    assert "Ana Ruiz" not in page
    page = names_listed(alice_client, q="priya shah")
    assert "Priya Shah" in page
    assert "Tom Berg" not in page


def test_list_filters_by_role_and_company(alice, alice_client):
    acme = make_company(alice, name="Acme")
    make_contact(alice, first_name="Hana", role=Contact.Role.HIRING_MANAGER, company=acme)
    make_contact(alice, first_name="Rory", role=Contact.Role.RECRUITER, company=acme)
    make_contact(alice, first_name="Hugo", role=Contact.Role.HIRING_MANAGER)
    page = names_listed(alice_client, role="hiring_manager", company=acme.pk)
    assert "Hana" in page
    assert "Rory" not in page
    assert "Hugo" not in page


@time_machine.travel(NOW)
def test_list_filters_contacts_whose_check_in_is_overdue(alice, alice_client):
    late = make_contact(alice, first_name="Lateo")
    soon = make_contact(alice, first_name="Soonia")
    FollowUp.objects.filter(contact__in=[late, soon], kind="check_in").delete()
    make_followup(alice, contact=late, kind="check_in", due_at=NOW - timedelta(days=3))
    make_followup(alice, contact=soon, kind="check_in", due_at=NOW + timedelta(days=3))
    page = names_listed(alice_client, check_in_overdue="on")
    assert "Lateo" in page
    assert "Soonia" not in page
    assert "Check-in overdue" in page


@time_machine.travel(NOW)
def test_list_filters_contacts_not_contacted_in_n_days(alice, alice_client):
    quiet = make_contact(alice, first_name="Quentin")
    chatty = make_contact(alice, first_name="Chandra")
    make_contact(alice, first_name="Neverton")
    make_interaction(alice, contact=quiet, kind="note", occurred_at=NOW - timedelta(days=90))
    make_interaction(alice, contact=chatty, kind="note", occurred_at=NOW - timedelta(days=5))
    page = names_listed(alice_client, quiet_days=30)
    assert "Quentin" in page
    assert "Neverton" in page
    assert "Chandra" not in page


def test_list_ignores_bad_filter_values_and_says_so(alice, alice_client):
    make_contact(alice, first_name="Stillhere")
    response = alice_client.get(
        reverse("contacts:list"), {"quiet_days": "-4", "role": "boss", "company": "x"}
    )
    assert response.status_code == 200
    assert "Stillhere" in response.content.decode()
    assert "Some filters were ignored" in response.content.decode()


def test_list_shows_only_the_users_own_contacts(alice, bob_client):
    make_contact(alice, first_name="Alicesfriend")
    assert "Alicesfriend" not in names_listed(bob_client)


def test_list_paginates(alice, alice_client):
    Contact.objects.bulk_create(Contact(owner=alice, first_name=f"P{i:03}") for i in range(30))
    assert "Page 1 of 2" in names_listed(alice_client)
    page2 = names_listed(alice_client, page=2)
    assert "Page 2 of 2" in page2
    assert "P029" in page2


def test_list_makes_the_same_number_of_queries_for_10_and_1000_contacts(
    alice, alice_client, django_assert_max_num_queries
):
    def add(n: int, start: int) -> None:
        contacts = Contact.objects.bulk_create(
            Contact(owner=alice, first_name=f"C{start + i}") for i in range(n)
        )
        Interaction.objects.bulk_create(
            Interaction(owner=alice, contact=c, direction="inbound", kind="note", occurred_at=NOW)
            for c in contacts
        )

    add(10, 0)
    url = reverse("contacts:list") + "?quiet_days=3&check_in_overdue=on"
    few = queries_for(alice_client, reverse("contacts:list"))
    few_filtered = queries_for(alice_client, url)
    add(990, 10)
    with django_assert_max_num_queries(few):
        alice_client.get(reverse("contacts:list"))
    with django_assert_max_num_queries(few_filtered):
        alice_client.get(url)


# Detail and timeline ------------------------------------------------------------------


def test_detail_shows_interactions_follow_ups_and_their_history_in_one_timeline(
    alice, alice_client
):
    dana = make_contact(alice, first_name="Dana", last_name="Lee")
    make_interaction(alice, contact=dana, kind="interview", subject="Panel interview recap")
    followup = make_followup(alice, contact=dana, kind="custom", due_at=NOW)
    followup.dismiss()
    page = alice_client.get(reverse("contacts:detail", args=[dana.pk])).content.decode()
    assert "Panel interview recap" in page
    assert "Follow-up · Dismissed" in page
    assert "Pending → Dismissed" in page


def test_the_timeline_shows_times_in_the_users_zone_links_and_escapes_every_text(
    alice, alice_client
):
    alice.profile.time_zone = "Europe/Berlin"
    alice.profile.save()
    company = make_company(alice, name="<Acme & Co>")
    application = make_application(alice, company=company, title="<b>Lead</b>")
    dana = make_contact(alice, first_name="Dana", last_name="Lee")
    make_interaction(
        alice,
        contact=dana,
        application=application,
        direction="inbound",
        subject="<script>alert(1)</script>",
        body="Hi & bye <img src=x>",
        occurred_at=datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
        requests_feedback=True,
    )
    pending = make_followup(
        alice,
        contact=dana,
        application=application,
        due_at=datetime(2026, 12, 24, 23, 30, tzinfo=UTC),
        deadline=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    )
    cancelled = make_followup(alice, contact=dana, due_at=NOW)
    cancelled.cancel("They said <no>")

    page = alice_client.get(reverse("contacts:detail", args=[dana.pk])).content.decode()

    # Berlin is UTC+2 in July and UTC+1 in December: the times are the user's.
    assert '<time datetime="2026-07-01T10:30:00+02:00">Wed 1 Jul 2026, 10:30</time>' in page
    assert "Due Fri 25 Dec, 00:30, deadline Fri 1 Jan, 00:30" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Hi &amp; bye &lt;img src=x&gt;" in page
    link = reverse("crm:application-detail", args=[application.pk])
    assert f'<a href="{link}">&lt;b&gt;Lead&lt;/b&gt; at &lt;Acme &amp; Co&gt;</a>' in page
    assert '<span class="badge text-bg-info">Received</span>' in page
    assert "asked for feedback" in page
    assert f'href="{reverse("followups:draft", args=[pending.pk])}">Open the draft</a>' in page
    assert reverse("followups:draft", args=[cancelled.pk]) not in page  # not pending
    assert "They said &lt;no&gt;" in page
    assert "Pending → Cancelled — They said &lt;no&gt;" in page


def test_every_entry_of_a_long_timeline_is_reachable_through_show_older(alice, alice_client):
    contact = make_contact(alice)
    Interaction.objects.bulk_create(
        Interaction(
            owner=alice,
            contact=contact,
            direction="inbound",
            kind="note",
            subject=f"Note {n:03}",
            occurred_at=NOW - timedelta(hours=n),
        )
        for n in range(230)
    )
    FollowUp.objects.bulk_create(
        FollowUp(owner=alice, contact=contact, kind="custom", due_at=NOW - timedelta(hours=n))
        for n in (10, 120)
    )
    url = reverse("contacts:detail", args=[contact.pk])
    seen, pages, page = [], 0, alice_client.get(url).content.decode()
    while True:
        pages += 1
        seen += [f"Note {n:03}" for n in range(230) if f">Note {n:03}<" in page]
        if "Show older" not in page:
            break
        older = page.split('href="?timeline=')[1].split('"')[0]
        page = alice_client.get(url, {"timeline": older}).content.decode()
    assert sorted(seen) == [f"Note {n:03}" for n in range(230)]  # each once, none lost
    assert pages == 5  # 232 entries, 50 a page


def test_detail_of_another_users_contact_is_not_found(alice, bob_client):
    contact = make_contact(alice)
    assert bob_client.get(reverse("contacts:detail", args=[contact.pk])).status_code == 404


def test_detail_makes_the_same_number_of_queries_for_10_and_1000_rows(
    alice, alice_client, django_assert_max_num_queries
):
    contact = make_contact(alice)

    def add(n: int) -> None:
        Interaction.objects.bulk_create(
            Interaction(
                owner=alice,
                contact=contact,
                direction="inbound",
                kind="note",
                occurred_at=NOW - timedelta(hours=i),
            )
            for i in range(n)
        )
        followups = FollowUp.objects.bulk_create(
            FollowUp(owner=alice, contact=contact, kind="custom", due_at=NOW, status="done")
            for _ in range(n // 10)
        )
        FollowUpEvent.objects.bulk_create(
            FollowUpEvent(followup=f, old_status="pending", new_status="done", at=NOW)
            for f in followups
        )

    add(10)
    url = reverse("contacts:detail", args=[contact.pk])
    few = queries_for(alice_client, url)
    add(990)
    with django_assert_max_num_queries(few):
        alice_client.get(url)


# Cadence and do-not-contact -----------------------------------------------------------


def test_setting_the_cadence_saves_it(alice, alice_client):
    contact = make_contact(alice)
    response = alice_client.post(
        reverse("contacts:cadence", args=[contact.pk]), {"check_in_months": "6"}, follow=True
    )
    contact.refresh_from_db()
    assert contact.check_in_months == 6
    assert "A check-in is scheduled 6 months after" in response.content.decode()


def test_cadence_of_zero_means_never(alice, alice_client):
    contact = make_contact(alice, check_in_months=3)
    response = alice_client.post(
        reverse("contacts:cadence", args=[contact.pk]), {"check_in_months": "0"}, follow=True
    )
    contact.refresh_from_db()
    assert contact.check_in_months == 0
    assert "Never checks in." in response.content.decode()


def test_a_bad_cadence_is_refused_with_a_message(alice, alice_client):
    contact = make_contact(alice, check_in_months=3)
    response = alice_client.post(
        reverse("contacts:cadence", args=[contact.pk]), {"check_in_months": "-2"}, follow=True
    )
    contact.refresh_from_db()
    assert contact.check_in_months == 3
    assert "Check-in cadence not saved" in response.content.decode()


def test_setting_another_users_cadence_is_not_found(alice, bob_client):
    contact = make_contact(alice, check_in_months=3)
    url = reverse("contacts:cadence", args=[contact.pk])
    assert bob_client.post(url, {"check_in_months": "1"}).status_code == 404
    contact.refresh_from_db()
    assert contact.check_in_months == 3


def test_do_not_contact_toggles_on_and_off(alice, alice_client):
    contact = make_contact(alice)
    url = reverse("contacts:do-not-contact", args=[contact.pk])
    page = alice_client.post(url, {"do_not_contact": "on"}, follow=True).content.decode()
    contact.refresh_from_db()
    assert contact.do_not_contact is True
    assert "Allow contact again" in page
    alice_client.post(url, {})
    contact.refresh_from_db()
    assert contact.do_not_contact is False


def test_do_not_contact_cancels_the_contacts_pending_follow_ups(alice, alice_client):
    contact = make_contact(alice)
    followup = make_followup(alice, contact=contact, kind="custom", due_at=NOW)
    alice_client.post(
        reverse("contacts:do-not-contact", args=[contact.pk]), {"do_not_contact": "on"}
    )
    followup.refresh_from_db()
    assert followup.status == "cancelled"


@time_machine.travel(NOW)
def test_setting_a_cadence_schedules_a_check_in_after_the_latest_exchange(alice, alice_client):
    contact = make_contact(alice)
    make_interaction(alice, contact=contact, kind="other", occurred_at=NOW - timedelta(days=2))
    alice_client.post(reverse("contacts:cadence", args=[contact.pk]), {"check_in_months": "2"})
    check_in = FollowUp.objects.get(contact=contact, kind="check_in", status="pending")
    # Tue 24 Nov + 2 months = Sun 24 Jan, so the next working morning: Mon 25 Jan, 09:00.
    assert check_in.due_at == datetime(2027, 1, 25, 9, 0, tzinfo=UTC)
    page = alice_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "next one due Mon 25 Jan 2027" in page


def test_do_not_contact_on_another_users_contact_is_not_found(alice, bob_client):
    contact = make_contact(alice)
    url = reverse("contacts:do-not-contact", args=[contact.pk])
    assert bob_client.post(url, {"do_not_contact": "on"}).status_code == 404
    contact.refresh_from_db()
    assert contact.do_not_contact is False


def test_toggles_need_a_post(alice, alice_client):
    contact = make_contact(alice)
    for name in ("contacts:cadence", "contacts:do-not-contact"):
        assert alice_client.get(reverse(name, args=[contact.pk])).status_code == 405


# Create and edit ----------------------------------------------------------------------


def test_creating_a_contact_matches_the_company_ignoring_case(alice, alice_client):
    acme = make_company(alice, name="Acme")
    response = alice_client.post(
        reverse("contacts:create"),
        {"first_name": "Mia", "last_name": "Wong", "company_name": "acme", "role": "recruiter"},
    )
    mia = Contact.objects.get(owner=alice, first_name="Mia")
    assert response["Location"] == reverse("contacts:detail", args=[mia.pk])
    assert mia.company == acme


def test_creating_a_contact_without_a_company_leaves_it_empty(alice, alice_client):
    alice_client.post(reverse("contacts:create"), {"first_name": "Solo", "role": "peer"})
    assert Contact.objects.get(first_name="Solo").company is None
    assert not Company.objects.exists()


def test_contact_form_shows_field_errors(alice, alice_client):
    response = alice_client.post(
        reverse("contacts:create"),
        {
            "first_name": "",
            "email": "not-an-email",
            "role": "boss",
            "linkedin_url": "not a url",
            "check_in_months": "500",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in page
    assert "Enter a valid email address" in page
    assert "Select a valid choice" in page
    assert "Enter a valid URL" in page
    assert "at most 120 months" in page
    assert not Contact.objects.exists()


def test_contact_form_cannot_link_another_users_application(alice, bob, bob_client):
    theirs = make_application(alice)
    response = bob_client.post(
        reverse("contacts:create"),
        {"first_name": "Sneaky", "role": "peer", "applications": [theirs.pk]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Contact.objects.filter(first_name="Sneaky").exists()


def test_editing_a_contact_links_applications(alice, alice_client):
    contact = make_contact(alice, first_name="Eve")
    application = make_application(alice)
    alice_client.post(
        reverse("contacts:edit", args=[contact.pk]),
        {"first_name": "Eve", "role": "interviewer", "applications": [application.pk]},
    )
    contact.refresh_from_db()
    assert contact.role == "interviewer"
    assert list(contact.applications.all()) == [application]


def test_edit_page_preselects_linked_applications_and_offers_only_the_users_own(
    alice, bob, alice_client
):
    linked = make_application(alice, title="Linked Role")
    make_application(alice, title="Other Role")
    make_application(bob, title="Bobs Role")
    contact = make_contact(alice)
    contact.applications.add(linked)
    page = alice_client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    assert f'<option value="{linked.pk}" selected>Linked Role' in page
    assert "Other Role" in page
    assert "Bobs Role" not in page


def test_editing_another_users_contact_is_not_found(alice, bob_client):
    contact = make_contact(alice, first_name="Original")
    url = reverse("contacts:edit", args=[contact.pk])
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url, {"first_name": "Hacked", "role": "peer"}).status_code == 404
    contact.refresh_from_db()
    assert contact.first_name == "Original"


# Logging an interaction ---------------------------------------------------------------


def test_logging_an_interaction_reads_the_time_in_the_users_zone(alice, alice_client):
    alice.profile.time_zone = "Europe/Berlin"
    alice.profile.save()
    contact = make_contact(alice)
    response = alice_client.post(
        reverse("contacts:log-interaction", args=[contact.pk]),
        {
            "direction": "outbound",
            "kind": "note",
            "channel": "phone",
            "occurred_at": "2026-07-01T10:30",
            "subject": "Quick call",
        },
    )
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    interaction = Interaction.objects.get(contact=contact, subject="Quick call")
    assert interaction.owner == alice
    assert interaction.occurred_at == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)


@time_machine.travel(NOW)
def test_logging_a_rejection_says_which_follow_up_was_scheduled(alice, alice_client):
    contact = make_contact(alice, first_name="Rita")
    response = alice_client.post(
        reverse("contacts:log-interaction", args=[contact.pk]),
        {
            "direction": "inbound",
            "kind": "rejection",
            "channel": "email",
            "occurred_at": "2026-11-26T09:00",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Logged: Rejection. Scheduled: Reply to the rejection (due Fri 27 Nov, 09:00)." in page
    assert FollowUp.objects.filter(contact=contact, kind="reply", status="pending").exists()


def test_logging_an_interaction_shows_field_errors(alice, alice_client):
    contact = make_contact(alice)
    response = alice_client.post(
        reverse("contacts:log-interaction", args=[contact.pk]),
        {"direction": "sideways", "kind": "note", "channel": "email", "occurred_at": "soon"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in page
    assert "Enter a valid date/time" in page
    assert not Interaction.objects.filter(contact=contact).exists()


def test_logging_an_interaction_refuses_another_users_application(alice, bob, bob_client):
    contact = make_contact(bob)
    theirs = make_application(alice)
    response = bob_client.post(
        reverse("contacts:log-interaction", args=[contact.pk]),
        {
            "direction": "inbound",
            "kind": "other",
            "channel": "email",
            "occurred_at": "2026-07-01T10:30",
            "application": theirs.pk,
        },
    )
    assert response.status_code == 200
    assert not Interaction.objects.filter(contact=contact).exists()


def test_logging_an_interaction_for_another_users_contact_is_not_found(alice, bob_client):
    contact = make_contact(alice)
    url = reverse("contacts:log-interaction", args=[contact.pk])
    assert bob_client.get(url).status_code == 404
    payload = {"direction": "inbound", "kind": "other", "channel": "email"}
    assert bob_client.post(url, {**payload, "occurred_at": "2026-07-01T10:30"}).status_code == 404


def test_contact_pages_need_a_login(client, alice):
    contact = make_contact(alice)
    for url in (
        reverse("contacts:list"),
        reverse("contacts:create"),
        reverse("contacts:detail", args=[contact.pk]),
        reverse("contacts:log-interaction", args=[contact.pk]),
    ):
        assert client.get(url).status_code == 302


def test_the_company_filter_keeps_the_choice_and_lists_no_companies(alice, bob, alice_client):
    mine = make_company(alice, name="Northwind")
    make_company(alice, name="Other Co")
    make_company(bob, name="Bobco")
    for url in ("/contacts/", "/applications/"):
        page = alice_client.get(url, {"company": mine.pk}).content.decode()
        assert 'name="company_name"' in page and 'value="Northwind"' in page, url
        assert "Other Co" not in page and "Bobco" not in page, url
