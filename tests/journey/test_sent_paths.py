"""Item 1 of issue 12 on the other paths that log a sent message: the follow-up admin's
"mark sent" action, the interaction admin (a visible choice, decided from the text by
default) and the interactions import decide `requests_feedback` as mark sent does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from crm.accounts import enable_admin_editing
from followups.models import FollowUp
from tests.factories import PASSWORD, make_contact, make_interaction
from tests.imports.test_import_admin import admin_import

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_client(client, alice):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    return client


def nudges() -> int:
    return FollowUp.objects.filter(kind="feedback_nudge", status="pending").count()


def test_the_follow_up_admins_mark_sent_logs_the_draft_and_schedules_the_nudge(admin_client, alice):
    contact = make_contact(alice, first_name="Priya")
    make_interaction(alice, contact=contact, kind="rejection", occurred_at=NOW - timedelta(hours=2))
    reply = FollowUp.objects.get(kind="reply")
    admin_client.post(
        reverse("admin:followups_followup_changelist"),
        {"action": "mark_sent_selected", "_selected_action": [reply.pk]},
    )
    reply.refresh_from_db()
    assert reply.status == "done"
    assert Interaction.objects.get(direction="outbound").requests_feedback
    assert nudges() == 1


def interaction_form(contact, **changes) -> dict:
    data = {
        "contact": contact.pk,
        "direction": "outbound",
        "channel": "email",
        "kind": "reply",
        "occurred_at_0": "2026-03-10",
        "occurred_at_1": "09:00:00",
        "subject": "Thank you",
        "body": "Thank you for letting me know. Any feedback would help me improve.",
        "requests_feedback": "",
    }
    return {**data, **changes}


def test_the_interaction_admin_decides_from_the_text_by_default(admin_client, alice):
    contact = make_contact(alice)
    page = admin_client.get(reverse("admin:contacts_interaction_add")).text
    assert "Decide from the text" in page
    response = admin_client.post(
        reverse("admin:contacts_interaction_add"), interaction_form(contact)
    )
    assert response.status_code == 302, response.text[:3000]
    assert Interaction.objects.get().requests_feedback is True
    assert nudges() == 1


def test_the_interaction_admin_lets_the_user_say_no(admin_client, alice):
    contact = make_contact(alice)
    admin_client.post(
        reverse("admin:contacts_interaction_add"),
        interaction_form(contact, requests_feedback="no"),
    )
    assert Interaction.objects.get().requests_feedback is False
    assert nudges() == 0


def test_an_imported_sent_message_without_the_column_is_read_from_its_text(admin_client, alice):
    make_contact(alice, first_name="Priya", email="priya@acme.example")
    content = (
        b"contact_email,direction,channel,kind,occurred_at,subject,body\n"
        b"priya@acme.example,outbound,email,reply,2026-03-09 10:00:00,Thanks,"
        b"Could you share any feedback?\n"
    )
    admin_import(admin_client, "contacts_interaction", content)
    assert Interaction.objects.get(owner=alice).requests_feedback is True
    assert nudges() == 1
