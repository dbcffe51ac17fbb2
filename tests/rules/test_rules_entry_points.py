"""The rules fire however an interaction is written: the ORM, the admin and the forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission

from contacts.forms import InteractionForm
from contacts.models import Interaction
from followups.models import FollowUp
from tests.factories import PASSWORD, make_application, make_contact

T = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T + timedelta(hours=1), tick=False):
        yield


@pytest.fixture
def staff_client(client, alice):
    alice.is_staff = True
    alice.save()
    alice.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="contacts",
            codename__in=["add_interaction", "change_interaction", "view_interaction"],
        )
    )
    client.login(username="alice", password=PASSWORD)
    return client


def test_an_interaction_added_in_the_admin_schedules_its_follow_up(staff_client, alice):
    contact, application = make_contact(alice), make_application(alice)
    response = staff_client.post(
        "/admin/contacts/interaction/add/",
        {
            "contact": contact.pk,
            "application": application.pk,
            "direction": "inbound",
            "channel": "email",
            "kind": "rejection",
            "occurred_at_0": "2026-03-02",
            "occurred_at_1": "10:00:00",
            "subject": "Your application",
            "body": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rejection = Interaction.objects.get(owner=alice)
    [reply] = FollowUp.objects.filter(kind="reply")
    assert (reply.owner, reply.contact, reply.source) == (alice, contact, rejection)
    assert reply.due_at == rejection.occurred_at + timedelta(hours=24)


def test_editing_the_time_in_the_admin_moves_the_follow_up(staff_client, alice):
    contact = make_contact(alice)
    rejection = Interaction.objects.create(
        owner=alice, contact=contact, direction="inbound", kind="rejection", occurred_at=T
    )
    response = staff_client.post(
        f"/admin/contacts/interaction/{rejection.pk}/change/",
        {
            "contact": contact.pk,
            "direction": "inbound",
            "channel": "email",
            "kind": "rejection",
            "occurred_at_0": "2026-03-01",
            "occurred_at_1": "10:00:00",
            "subject": "",
            "body": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [reply] = FollowUp.objects.filter(kind="reply")
    rejection.refresh_from_db()
    assert reply.due_at == rejection.occurred_at + timedelta(hours=24)
    assert reply.due_at == T  # a day earlier than first logged


def test_an_interaction_logged_through_the_form_schedules_its_follow_up(alice):
    contact = make_contact(alice)
    form = InteractionForm(
        data={
            "direction": "outbound",
            "kind": "interview",
            "channel": "video",
            "occurred_at": "2026-03-02T09:00",
            "requests_feedback": "",
            "subject": "",
            "body": "",
        },
        owner=alice,
        contact=contact,
    )
    assert form.is_valid(), form.errors
    interview = form.save()
    [thanks] = FollowUp.objects.filter(kind="thank_you")
    assert (thanks.contact, thanks.source) == (contact, interview)
    assert thanks.due_at == interview.occurred_at + timedelta(hours=24)


def test_the_orm_alone_is_enough(alice):
    contact = make_contact(alice)
    Interaction(
        owner=alice, contact=contact, direction="inbound", kind="rejection", occurred_at=T
    ).save()
    assert FollowUp.objects.filter(kind="reply", contact=contact).count() == 1
