"""Item 5 of issue 12: a snooze or a reschedule never leaves the deadline before the due
time, and the page says when a snooze goes past the original window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from followups.models import FollowUp
from tests.factories import make_contact, make_followup, make_interaction

# Friday 4 December 2026, 06:42 UTC: a rejection; the reply's window ends Sunday 06:42.
REJECTED = datetime(2026, 12, 4, 6, 42, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(REJECTED + timedelta(hours=25), tick=False) as traveller:
        yield traveller


@pytest.fixture
def reply(alice) -> FollowUp:
    make_interaction(
        alice,
        contact=make_contact(alice, first_name="Dana"),
        kind=Interaction.Kind.REJECTION,
        occurred_at=REJECTED,
    )
    return FollowUp.objects.get(kind="reply")


def test_snoozing_past_the_deadline_moves_the_deadline_with_it(reply):
    until = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert reply.snooze(until)
    reply.refresh_from_db()
    assert reply.due_at == until and reply.deadline == until


def test_snoozing_within_the_window_keeps_the_deadline(reply):
    until = reply.deadline - timedelta(hours=5)
    deadline = reply.deadline
    reply.snooze(until)
    reply.refresh_from_db()
    assert reply.deadline == deadline


def test_reschedule_never_sets_a_deadline_before_the_due_time(alice):
    followup = make_followup(alice, due_at=REJECTED, deadline=REJECTED + timedelta(hours=1))
    followup.reschedule(
        REJECTED + timedelta(days=2), deadline=REJECTED + timedelta(hours=1), reason="test"
    )
    followup.refresh_from_db()
    assert followup.deadline == followup.due_at == REJECTED + timedelta(days=2)


def test_the_dashboard_says_when_a_snooze_goes_past_the_window(reply, alice_client):
    response = alice_client.post(
        reverse("followups:snooze", args=[reply.pk]), {"choice": "next_week"}, **HTMX
    )
    html = response.content.decode()
    assert "Snoozed until Mon 7 Dec, 09:00" in html
    assert "past its original window, which ended Sun 6 Dec, 06:42" in html
    assert "deadline Sun 6 Dec" not in html  # the row shows the moved deadline
