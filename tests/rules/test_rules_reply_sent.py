"""R2: any outbound message to the contact completes the pending reply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from contacts.models import Interaction
from followups.models import FollowUp
from followups.rules import FollowUpNotPending, mark_sent
from tests.factories import make_application, make_contact, make_interaction

T = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T + timedelta(hours=3), tick=False):
        yield


def reject(owner, contact, application=None) -> FollowUp:
    make_interaction(
        owner,
        contact=contact,
        application=application,
        kind=Interaction.Kind.REJECTION,
        occurred_at=T,
    )
    return FollowUp.objects.get(kind=FollowUp.Kind.REPLY, contact=contact, application=application)


def send(owner, contact, application=None, kind=Interaction.Kind.REPLY, at=None, **fields):
    return make_interaction(
        owner,
        contact=contact,
        application=application,
        direction=Interaction.Direction.OUTBOUND,
        kind=kind,
        occurred_at=at or T + timedelta(hours=2),
        **fields,
    )


def fresh(followup: FollowUp) -> FollowUp:
    followup.refresh_from_db()
    return followup


def test_a_reply_sent_completes_the_pending_reply(alice):
    contact = make_contact(alice)
    reply = reject(alice, contact)
    sent = send(alice, contact)
    reply = fresh(reply)
    assert reply.status == FollowUp.Status.DONE
    assert reply.completed_by == sent
    assert reply.completed_at == T + timedelta(hours=3)
    assert [e.new_status for e in reply.events.all()] == ["pending", "done"]
    assert reply.events.last().interaction == sent


@pytest.mark.parametrize(
    "kind", [Interaction.Kind.OTHER, Interaction.Kind.FEEDBACK_REQUEST, Interaction.Kind.CHECK_IN]
)
def test_any_outbound_kind_completes_the_reply(alice, kind):
    contact = make_contact(alice)
    reply = reject(alice, contact)
    send(alice, contact, kind=kind, channel=Interaction.Channel.PHONE)
    assert fresh(reply).status == FollowUp.Status.DONE


def test_a_note_does_not_complete_the_reply(alice):
    contact = make_contact(alice)
    reply = reject(alice, contact)
    send(alice, contact, kind=Interaction.Kind.NOTE)
    assert fresh(reply).status == FollowUp.Status.PENDING


def test_an_inbound_message_does_not_complete_the_reply(alice):
    contact = make_contact(alice)
    reply = reject(alice, contact)
    make_interaction(alice, contact=contact, occurred_at=T + timedelta(hours=1))
    assert fresh(reply).status == FollowUp.Status.PENDING


def test_a_message_to_someone_else_does_not_complete_the_reply(alice):
    reply = reject(alice, make_contact(alice))
    send(alice, make_contact(alice))
    assert fresh(reply).status == FollowUp.Status.PENDING


def test_a_message_sent_before_the_rejection_does_not_answer_it(alice):
    contact = make_contact(alice)
    reply = reject(alice, contact)
    send(alice, contact, at=T - timedelta(days=2))
    assert fresh(reply).status == FollowUp.Status.PENDING


def test_a_reply_about_one_application_completes_only_that_applications_reply(alice):
    contact = make_contact(alice)
    first, second = make_application(alice), make_application(alice)
    reply_first, reply_second = reject(alice, contact, first), reject(alice, contact, second)
    send(alice, contact, first)
    assert fresh(reply_first).status == FollowUp.Status.DONE
    assert fresh(reply_second).status == FollowUp.Status.PENDING


def test_a_reply_without_an_application_completes_every_pending_reply_to_the_contact(alice):
    contact = make_contact(alice)
    replies = [reject(alice, contact, make_application(alice)) for _ in range(2)]
    send(alice, contact)
    assert {fresh(r).status for r in replies} == {FollowUp.Status.DONE}


def test_saving_the_sent_reply_again_changes_nothing(alice):
    contact = make_contact(alice)
    reply = reject(alice, contact)
    sent = send(alice, contact)
    sent.save()
    Interaction.objects.get(pk=sent.pk).save()
    assert fresh(reply).events.count() == 2


# Mark sent ---------------------------------------------------------------------------------


def test_mark_sent_logs_the_draft_as_an_outbound_reply_and_completes_it(alice):
    contact = make_contact(alice, first_name="Priya")
    application = make_application(alice)
    reply = reject(alice, contact, application)

    sent = mark_sent(reply)

    assert (sent.direction, sent.kind, sent.channel) == ("outbound", "reply", "email")
    assert (sent.contact, sent.application, sent.owner) == (contact, application, alice)
    assert (sent.subject, sent.body) == (reply.draft_subject, reply.draft_body)
    assert sent.occurred_at == T + timedelta(hours=3)
    reply = fresh(reply)
    assert (reply.status, reply.completed_by) == (FollowUp.Status.DONE, sent)


def test_mark_sent_keeps_the_text_the_user_edited(alice):
    reply = reject(alice, make_contact(alice))
    sent = mark_sent(reply, subject="Thanks!", body="Thank you, Priya.")
    assert (sent.subject, sent.body) == ("Thanks!", "Thank you, Priya.")


def test_mark_sent_twice_logs_one_interaction(alice):
    reply = reject(alice, make_contact(alice))
    stale = FollowUp.objects.get(pk=reply.pk)
    mark_sent(reply)
    with pytest.raises(FollowUpNotPending):
        mark_sent(stale)
    assert Interaction.objects.filter(direction="outbound").count() == 1


def test_mark_sent_completes_a_custom_follow_up_no_rule_completes(alice):
    contact = make_contact(alice)
    custom = FollowUp.schedule(owner=alice, kind=FollowUp.Kind.CUSTOM, contact=contact, due_at=T)
    sent = mark_sent(custom)
    custom = fresh(custom)
    assert (custom.status, custom.completed_by, sent.kind) == ("done", sent, "other")
