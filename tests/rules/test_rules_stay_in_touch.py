"""R5: after replying to a rejection, start a check-in cadence and connect on LinkedIn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from contacts.models import Contact, Interaction
from crm.models import Profile
from followups.models import FollowUp, ReplyTemplate
from followups.rules import mark_sent
from tests.factories import make_contact, make_interaction, make_user

T = datetime(2026, 3, 6, 10, tzinfo=UTC)  # a Friday
LINKEDIN = "https://www.linkedin.com/in/priya-example"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T + timedelta(hours=4), tick=False):
        yield


def reply_to_rejection(owner, contact) -> Interaction:
    make_interaction(owner, contact=contact, kind="rejection", occurred_at=T)
    reply = FollowUp.objects.get(kind=FollowUp.Kind.REPLY, contact=contact, status="pending")
    return mark_sent(reply)


def connects(**filters):
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.CONNECT, **filters))


def test_replying_gives_the_contact_the_default_check_in_cadence(alice):
    Profile.objects.filter(user=alice).update(check_in_months=4)
    contact = make_contact(alice)
    reply_to_rejection(alice, contact)
    contact.refresh_from_db()
    assert contact.check_in_months == 4
    assert FollowUp.objects.filter(contact=contact, kind="check_in", status="pending").count() == 1


def test_replying_keeps_a_cadence_the_user_already_chose(alice):
    contact = make_contact(alice, check_in_months=6)
    reply_to_rejection(alice, contact)
    contact.refresh_from_db()
    assert contact.check_in_months == 6


def test_replying_keeps_never_check_in_as_never(alice):
    contact = make_contact(alice, check_in_months=0)
    reply_to_rejection(alice, contact)
    contact.refresh_from_db()
    assert contact.check_in_months == 0
    assert not FollowUp.objects.filter(contact=contact, kind="check_in").exists()


def test_a_contact_on_linkedin_gets_a_connect_follow_up_the_next_working_morning(alice):
    contact = make_contact(alice, linkedin_url=LINKEDIN)
    sent = reply_to_rejection(alice, contact)
    [connect] = connects()
    assert (connect.contact, connect.source, connect.status) == (contact, sent, "pending")
    # Replied Friday afternoon; a day later is Saturday, so Monday 9:00.
    assert connect.due_at == datetime(2026, 3, 9, 9, tzinfo=UTC)


def test_a_contact_without_linkedin_gets_no_connect_follow_up(alice):
    reply_to_rejection(alice, make_contact(alice))
    assert connects() == []


def test_the_connect_draft_fits_a_linkedin_note(alice):
    contact = make_contact(alice, first_name="P" * 90, linkedin_url=LINKEDIN)
    ReplyTemplate.objects.create(
        owner=alice, kind="connect", channel="linkedin", body="Hi [First Name], " + "nice " * 80
    )
    reply_to_rejection(alice, contact)
    [connect] = connects()
    assert 0 < len(connect.draft_body) <= 300


def test_connecting_completes_it_through_a_linkedin_interaction(alice):
    reply_to_rejection(alice, make_contact(alice, linkedin_url=LINKEDIN))
    [connect] = connects()
    sent = mark_sent(connect)
    assert (sent.kind, sent.channel) == ("connect", "linkedin")
    assert len(sent.body) <= 300
    assert [(c.status, c.completed_by) for c in connects()] == [("done", sent)]


def test_an_existing_connection_request_means_no_connect_follow_up(alice):
    contact = make_contact(alice, linkedin_url=LINKEDIN)
    make_interaction(
        alice, contact=contact, direction="outbound", kind="connect", occurred_at=T - timedelta(30)
    )
    reply_to_rejection(alice, contact)
    assert connects() == []


def test_a_second_reply_does_not_ask_to_connect_twice(alice):
    contact = make_contact(alice, linkedin_url=LINKEDIN)
    reply_to_rejection(alice, contact)
    reply_to_rejection(alice, contact)
    assert len(connects()) == 1


def test_the_connect_rule_can_be_switched_off(alice):
    Profile.objects.filter(user=alice).update(connect_enabled=False)
    reply_to_rejection(alice, make_contact(alice, linkedin_url=LINKEDIN))
    assert connects() == []


def test_a_connect_delay_of_three_days_lands_on_the_following_working_morning(alice):
    Profile.objects.filter(user=alice).update(connect_after_days=3)
    reply_to_rejection(alice, make_contact(alice, linkedin_url=LINKEDIN))
    [connect] = connects()
    assert connect.due_at == datetime(2026, 3, 9, 9, tzinfo=UTC)  # Friday + 3 = Monday


def test_an_outbound_message_with_no_reply_pending_sets_no_cadence(alice):
    contact = make_contact(alice, linkedin_url=LINKEDIN)
    make_interaction(alice, contact=contact, direction="outbound", occurred_at=T)
    assert Contact.objects.get(pk=contact.pk).check_in_months is None
    assert connects() == []


def test_another_users_reply_leaves_alices_contact_alone(alice):
    bob = make_user("bobby")
    alices = make_contact(alice, linkedin_url=LINKEDIN)
    reply_to_rejection(bob, make_contact(bob, linkedin_url=LINKEDIN))
    assert Contact.objects.get(pk=alices.pk).check_in_months is None
    assert [c.owner for c in connects()] == [bob]
