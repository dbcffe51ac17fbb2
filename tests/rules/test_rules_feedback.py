"""R3 and R4: one nudge a week after asking for feedback; an answer stops it and
feedback earns a thank-you."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contacts.models import Interaction
from crm.models import Profile
from followups.models import FollowUp
from followups.rules import mark_sent
from tests.factories import make_application, make_contact, make_interaction, make_user

T = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # a Monday
In, Out = Interaction.Direction.INBOUND, Interaction.Direction.OUTBOUND


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T, tick=False):
        yield


def ask_for_feedback(owner, contact, at=T, **fields) -> Interaction:
    fields.setdefault("kind", Interaction.Kind.REPLY)
    return make_interaction(
        owner, contact=contact, direction=Out, requests_feedback=True, occurred_at=at, **fields
    )


def nudges(**filters):
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.FEEDBACK_NUDGE, **filters))


def thank_yous(**filters):
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.THANK_YOU, **filters))


# R3 --------------------------------------------------------------------------------------


def test_the_nudge_is_due_the_working_morning_a_week_later_with_a_two_week_deadline(alice):
    contact, application = make_contact(alice), make_application(alice)
    request = ask_for_feedback(alice, contact, application=application)
    [nudge] = nudges()
    assert (nudge.contact, nudge.application, nudge.source) == (contact, application, request)
    assert nudge.due_at == datetime(2026, 3, 9, 9, tzinfo=UTC)  # next Monday, 9:00
    assert nudge.deadline == T + timedelta(days=14)


def test_a_request_on_a_friday_evening_in_berlin_is_nudged_on_the_friday_after_dst_began(db):
    berlin = make_user("greta", time_zone="Europe/Berlin")
    friday_evening = datetime(2026, 3, 27, 18, tzinfo=ZoneInfo("Europe/Berlin"))  # CET
    ask_for_feedback(berlin, make_contact(berlin), at=friday_evening)
    [nudge] = nudges()
    local = nudge.due_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert local.replace(tzinfo=None) == datetime(2026, 4, 3, 9)  # CEST now
    assert nudge.due_at == datetime(2026, 4, 3, 7, tzinfo=UTC)
    assert nudge.deadline.astimezone(ZoneInfo("Europe/Berlin")).hour == 18


def test_a_request_on_saturday_is_nudged_on_monday(alice):
    saturday = datetime(2026, 3, 7, 15, tzinfo=UTC)
    ask_for_feedback(alice, make_contact(alice), at=saturday)
    [nudge] = nudges()
    assert nudge.due_at == datetime(2026, 3, 16, 9, tzinfo=UTC)


def test_a_message_without_a_feedback_request_schedules_no_nudge(alice):
    make_interaction(alice, contact=make_contact(alice), direction=Out, occurred_at=T)
    assert nudges() == []


def test_an_inbound_message_flagged_as_a_request_schedules_no_nudge(alice):
    make_interaction(
        alice, contact=make_contact(alice), direction=In, requests_feedback=True, occurred_at=T
    )
    assert nudges() == []


def test_sending_the_nudge_completes_it_and_schedules_no_second_nudge(alice):
    contact = make_contact(alice)
    ask_for_feedback(alice, contact)
    [nudge] = nudges()
    with time_machine.travel(nudge.due_at, tick=False):
        sent = mark_sent(nudge)
    # The nudge's text asks again (so it is logged as asking), yet R3 never nudges a nudge.
    assert (sent.kind, sent.direction, sent.requests_feedback) == ("nudge", "outbound", True)
    assert [(n.status, n.completed_by) for n in nudges()] == [(FollowUp.Status.DONE, sent)]


def test_a_nudge_logged_as_asking_for_feedback_still_schedules_no_nudge(alice):
    contact = make_contact(alice)
    ask_for_feedback(alice, contact)
    ask_for_feedback(alice, contact, at=T + timedelta(days=7), kind=Interaction.Kind.NUDGE)
    assert [n.status for n in nudges()] == [FollowUp.Status.DONE]


def test_saving_the_request_again_keeps_a_single_nudge(alice):
    request = ask_for_feedback(alice, make_contact(alice))
    request.save()
    Interaction.objects.get(pk=request.pk).save()
    assert len(nudges()) == 1


def test_a_second_request_while_a_nudge_is_pending_adds_no_second_nudge(alice):
    contact = make_contact(alice)
    ask_for_feedback(alice, contact)
    ask_for_feedback(alice, contact, at=T + timedelta(days=2))
    assert len(nudges(status=FollowUp.Status.PENDING)) == 1


def test_unticking_the_feedback_request_cancels_the_nudge(alice):
    request = ask_for_feedback(alice, make_contact(alice))
    request.requests_feedback = False
    request.save()
    assert [n.status for n in nudges()] == [FollowUp.Status.CANCELLED]


def test_the_nudge_rule_can_be_switched_off_and_its_offsets_changed(alice):
    Profile.objects.filter(user=alice).update(feedback_nudge_enabled=False)
    ask_for_feedback(alice, make_contact(alice))
    assert nudges() == []
    Profile.objects.filter(user=alice).update(
        feedback_nudge_enabled=True, nudge_after_days=3, nudge_deadline_days=5
    )
    ask_for_feedback(alice, make_contact(alice))
    [nudge] = nudges()
    assert nudge.due_at == datetime(2026, 3, 5, 9, tzinfo=UTC)
    assert nudge.deadline == T + timedelta(days=5)


# R4 --------------------------------------------------------------------------------------


def test_an_answer_from_the_contact_cancels_the_pending_nudge(alice):
    contact = make_contact(alice, first_name="Priya")
    ask_for_feedback(alice, contact)
    answer = make_interaction(
        alice, contact=contact, direction=In, occurred_at=T + timedelta(days=2)
    )
    [nudge] = nudges()
    assert nudge.status == FollowUp.Status.CANCELLED
    assert "Priya answered" in nudge.cancel_reason
    assert nudge.events.last().interaction == answer


def test_an_answer_from_someone_else_keeps_the_nudge(alice):
    ask_for_feedback(alice, make_contact(alice))
    make_interaction(alice, contact=make_contact(alice), direction=In, occurred_at=T + timedelta(1))
    assert [n.status for n in nudges()] == [FollowUp.Status.PENDING]


def test_feedback_received_schedules_a_thank_you_within_a_day(alice):
    contact = make_contact(alice)
    ask_for_feedback(alice, contact)
    at = T + timedelta(days=3)
    feedback = make_interaction(
        alice, contact=contact, direction=In, kind=Interaction.Kind.FEEDBACK, occurred_at=at
    )
    [thanks] = thank_yous()
    assert (thanks.contact, thanks.source, thanks.status) == (contact, feedback, "pending")
    assert (thanks.due_at, thanks.deadline) == (at + timedelta(hours=24), at + timedelta(hours=48))
    assert nudges()[0].status == FollowUp.Status.CANCELLED


def test_sending_a_thank_you_completes_it(alice):
    contact = make_contact(alice)
    make_interaction(alice, contact=contact, direction=In, kind="feedback", occurred_at=T)
    sent = make_interaction(
        alice, contact=contact, direction=Out, kind="thank_you", occurred_at=T + timedelta(hours=5)
    )
    assert [(t.status, t.completed_by) for t in thank_yous()] == [(FollowUp.Status.DONE, sent)]


def test_switching_thank_yous_off_schedules_none_for_feedback(alice):
    Profile.objects.filter(user=alice).update(thank_you_enabled=False)
    make_interaction(alice, contact=make_contact(alice), direction=In, kind="feedback")
    assert thank_yous() == []


def test_a_note_to_self_about_feedback_schedules_no_nudge(alice):
    ask_for_feedback(alice, make_contact(alice), kind=Interaction.Kind.NOTE)
    assert nudges() == []


def test_a_note_logged_as_inbound_is_not_an_answer(alice):
    contact = make_contact(alice)
    ask_for_feedback(alice, contact)
    make_interaction(
        alice, contact=contact, direction=In, kind="note", occurred_at=T + timedelta(1)
    )
    assert [n.status for n in nudges()] == [FollowUp.Status.PENDING]
