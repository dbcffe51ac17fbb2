"""R7: an interview is followed by a thank-you within a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from contacts.models import Interaction
from crm.models import Profile
from followups.models import FollowUp
from followups.rules import mark_sent
from tests.factories import make_application, make_contact, make_interaction

T = datetime(2026, 3, 4, 14, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T, tick=False):
        yield


def interview(owner, contact, **fields) -> Interaction:
    fields.setdefault("direction", Interaction.Direction.INBOUND)
    return make_interaction(
        owner, contact=contact, kind=Interaction.Kind.INTERVIEW, occurred_at=T, **fields
    )


def thank_yous():
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.THANK_YOU))


@pytest.mark.parametrize("direction", ["inbound", "outbound"])
def test_an_interview_schedules_a_thank_you_due_within_24_hours(alice, direction):
    contact, application = make_contact(alice), make_application(alice)
    meeting = interview(alice, contact, application=application, direction=direction)
    [thanks] = thank_yous()
    assert (thanks.contact, thanks.application, thanks.source) == (contact, application, meeting)
    assert thanks.due_at == T + timedelta(hours=24)
    assert thanks.deadline == T + timedelta(hours=48)


def test_marking_the_thank_you_sent_logs_a_thank_you_and_completes_it(alice):
    interview(alice, make_contact(alice))
    [thanks] = thank_yous()
    sent = mark_sent(thanks)
    thanks.refresh_from_db()
    assert (sent.kind, thanks.status, thanks.completed_by) == ("thank_you", "done", sent)


def test_another_outbound_kind_does_not_count_as_the_thank_you(alice):
    contact = make_contact(alice)
    interview(alice, contact)
    make_interaction(
        alice, contact=contact, direction="outbound", kind="other", occurred_at=T + timedelta(1)
    )
    assert [t.status for t in thank_yous()] == [FollowUp.Status.PENDING]


def test_moving_the_interview_moves_the_thank_you(alice):
    meeting = interview(alice, make_contact(alice))
    meeting.occurred_at = T + timedelta(days=1)
    meeting.save()
    [thanks] = thank_yous()
    assert thanks.due_at == T + timedelta(days=2)


def test_a_shorter_thank_you_window_applies_to_the_next_interview(alice):
    Profile.objects.filter(user=alice).update(thank_you_due_hours=6, thank_you_deadline_hours=20)
    interview(alice, make_contact(alice))
    [thanks] = thank_yous()
    assert (thanks.due_at, thanks.deadline) == (T + timedelta(hours=6), T + timedelta(hours=20))
