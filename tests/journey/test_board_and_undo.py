"""Item 9 of issue 12: the board follows the rules (Rejected offers to log the rejection,
Wishlist → Applied sets the applied date) and every move and every mark sent has an Undo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from crm.models import JobApplication
from followups.models import FollowUp
from tests.factories import make_application, make_contact, make_interaction

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def move(client, application, status, **extra):
    return client.post(
        reverse("crm:application-move", args=[application.pk]), {"status": status, **extra}, **HTMX
    )


def test_wishlist_to_applied_sets_the_applied_date_to_today_and_says_it_can_be_changed(
    alice, alice_client
):
    application = make_application(alice, status="wishlist", applied_on=None)
    html = move(alice_client, application, "applied").text
    application.refresh_from_db()
    assert application.applied_on == date(2026, 3, 10)
    assert "Applied on Tue 10 Mar" in html
    assert reverse("crm:application-edit", args=[application.pk]) in html
    assert FollowUp.objects.filter(kind="application_check", application=application).exists()


def test_moving_to_rejected_offers_to_log_the_rejection_from_its_contact(alice, alice_client):
    application = make_application(alice, title="Product Designer", status="interviewing")
    priya = make_contact(alice, first_name="Priya", last_name="Shah")
    priya.applications.add(application)
    html = move(alice_client, application, "rejected").text
    assert "Log the rejection" in html
    offer = html.split("Log the rejection")[0].rsplit("href=", 1)[1]
    assert reverse("followups:log-rejection") in offer and f"application={application.pk}" in offer
    page = alice_client.get(f"{reverse('followups:log-rejection')}?application={application.pk}")
    assert 'value="Priya Shah"' in page.text and 'value="Product Designer"' in page.text


def test_a_move_can_be_undone(alice, alice_client):
    application = make_application(alice, status="wishlist", applied_on=None)
    html = move(alice_client, application, "applied").text
    assert "Undo" in html
    undo = html.split('name="undo"')[0].rsplit("<form", 1)[1]
    assert 'value="wishlist"' in undo
    move(alice_client, application, "wishlist", undo="1", clear_applied_on="1")
    application.refresh_from_db()
    assert (application.status, application.applied_on) == ("wishlist", None)
    assert not FollowUp.objects.filter(kind="application_check", status="pending").exists()


def test_undo_of_mark_sent_deletes_what_was_logged_and_brings_the_draft_back(alice, alice_client):
    contact = make_contact(alice, first_name="Priya")
    make_interaction(alice, contact=contact, kind="rejection", occurred_at=NOW - timedelta(hours=1))
    reply = FollowUp.objects.get(kind="reply")
    html = alice_client.post(reverse("followups:mark-sent", args=[reply.pk]), **HTMX).text
    assert reverse("followups:undo-sent", args=[reply.pk]) in html
    assert FollowUp.objects.filter(kind="feedback_nudge", status="pending").exists()
    html = alice_client.post(reverse("followups:undo-sent", args=[reply.pk]), **HTMX).text
    reply.refresh_from_db()
    assert reply.status == "pending"
    assert not Interaction.objects.filter(direction="outbound").exists()
    assert not FollowUp.objects.filter(kind="feedback_nudge", status="pending").exists()
    assert "Back on your list" in html


def test_undo_of_another_users_mark_sent_is_not_found(alice, bob_client):
    contact = make_contact(alice)
    make_interaction(alice, contact=contact, kind="rejection", occurred_at=NOW)
    reply = FollowUp.objects.get(kind="reply")
    assert bob_client.post(reverse("followups:undo-sent", args=[reply.pk])).status_code == 404
    assert JobApplication.objects.count() == 0


def test_mark_sent_from_the_draft_editor_can_be_undone_from_the_dashboard(alice, alice_client):
    contact = make_contact(alice, first_name="Priya")
    make_interaction(alice, contact=contact, kind="rejection", occurred_at=NOW - timedelta(hours=1))
    reply = FollowUp.objects.get(kind="reply")
    response = alice_client.post(
        reverse("followups:draft", args=[reply.pk]),
        {"subject": reply.draft_subject, "body": reply.draft_body, "mark_sent": "1"},
        follow=True,
    )
    undo_url = reverse("followups:undo-sent", args=[reply.pk])
    assert undo_url in response.text and "Undo mark sent" in response.text
    response = alice_client.post(undo_url, {"next": reverse("home")}, follow=True)
    assert "Back on your list" in response.text
    reply.refresh_from_db()
    assert reply.status == "pending"
    assert not Interaction.objects.filter(direction="outbound").exists()
