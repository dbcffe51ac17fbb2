"""R1: a rejection schedules one reply, due in a day, at the latest in two."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from contacts.models import Interaction
from crm.models import JobApplication, Profile
from followups.models import FollowUp
from tests.factories import make_application, make_contact, make_interaction, make_user

T = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T, tick=False):
        yield


def reject(owner, contact, application=None, at=T, **fields) -> Interaction:
    return make_interaction(
        owner,
        contact=contact,
        application=application,
        kind=Interaction.Kind.REJECTION,
        direction=Interaction.Direction.INBOUND,
        occurred_at=at,
        **fields,
    )


def replies(**filters):
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.REPLY, **filters))


def test_reply_is_due_a_day_after_the_rejection_with_a_two_day_deadline(alice):
    contact = make_contact(alice, first_name="Priya")
    application = make_application(alice)
    rejection = reject(alice, contact, application)

    [reply] = replies()
    assert reply.status == FollowUp.Status.PENDING
    assert (reply.contact, reply.application, reply.source) == (contact, application, rejection)
    assert reply.due_at == T + timedelta(hours=24)
    assert reply.deadline == T + timedelta(hours=48)
    assert reply.owner == alice


def test_the_reply_draft_greets_the_contact_by_first_name(alice):
    reject(alice, make_contact(alice, first_name="Priya"))
    [reply] = replies()
    assert "Priya" in reply.draft_body.splitlines()[0]
    assert reply.draft_subject


def test_a_rejection_marks_the_application_rejected(alice):
    application = make_application(alice, status=JobApplication.Status.INTERVIEWING)
    reject(alice, make_contact(alice), application)
    application.refresh_from_db()
    assert application.status == JobApplication.Status.REJECTED


def test_a_rejection_without_a_contact_closes_the_application_but_asks_no_reply(alice):
    application = make_application(alice, status=JobApplication.Status.APPLIED)
    Interaction.objects.create(
        owner=alice,
        application=application,
        direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.REJECTION,
        occurred_at=T,
    )
    application.refresh_from_db()
    assert application.status == JobApplication.Status.REJECTED
    assert replies() == []


def test_an_outbound_message_of_kind_rejection_schedules_no_reply(alice):
    make_interaction(
        alice,
        contact=make_contact(alice),
        kind=Interaction.Kind.REJECTION,
        direction=Interaction.Direction.OUTBOUND,
        occurred_at=T,
    )
    assert replies() == []


def test_scheduling_the_reply_is_recorded_in_its_history(alice):
    rejection = reject(alice, make_contact(alice))
    [reply] = replies()
    [event] = reply.events.all()
    assert (event.old_status, event.new_status, event.interaction) == ("", "pending", rejection)
    assert event.at == T


# Idempotency, edits and deletes ----------------------------------------------------------


def test_saving_the_rejection_again_creates_nothing_new(alice):
    rejection = reject(alice, make_contact(alice), make_application(alice))
    rejection.save()
    Interaction.objects.get(pk=rejection.pk).save()
    rejection.body = "Edited the text"
    rejection.save()
    assert len(replies()) == 1
    assert FollowUp.objects.filter(source=rejection).count() == 1
    assert replies()[0].events.count() == 1  # nothing moved, nothing to record


def test_a_dismissed_reply_stays_dismissed_when_the_rejection_is_saved_again(alice):
    rejection = reject(alice, make_contact(alice))
    [reply] = replies()
    reply.dismiss()
    Interaction.objects.get(pk=rejection.pk).save()
    assert [r.status for r in replies()] == [FollowUp.Status.DISMISSED]


def test_editing_the_rejection_time_moves_its_reply(alice):
    rejection = reject(alice, make_contact(alice))
    earlier = T - timedelta(hours=5)
    loaded = Interaction.objects.get(pk=rejection.pk)
    loaded.occurred_at = earlier
    loaded.save()
    [reply] = replies()
    assert (reply.due_at, reply.deadline) == (
        earlier + timedelta(hours=24),
        earlier + timedelta(hours=48),
    )
    assert reply.events.last().reason == "Its interaction was edited"


def test_moving_the_reply_re_arms_a_reminder_already_sent(alice):
    rejection = reject(alice, make_contact(alice))
    FollowUp.objects.update(notified_at=T)
    rejection.occurred_at = T + timedelta(hours=2)
    rejection.save()
    [reply] = replies()
    assert reply.notified_at is None


def test_moving_the_rejection_to_another_contact_readdresses_the_reply(alice):
    rejection = reject(alice, make_contact(alice, first_name="Priya"))
    other = make_contact(alice, first_name="Tomasz")
    rejection.contact = other
    rejection.save()
    [reply] = replies()
    assert (reply.contact, reply.status) == (other, FollowUp.Status.PENDING)
    assert "Tomasz" in reply.draft_body and "Priya" not in reply.draft_body


def test_changing_the_kind_away_from_rejection_cancels_the_reply(alice):
    rejection = reject(alice, make_contact(alice))
    rejection.kind = Interaction.Kind.OTHER
    rejection.save()
    [reply] = replies()
    assert reply.status == FollowUp.Status.CANCELLED


def test_deleting_the_rejection_cancels_its_reply(alice):
    rejection = reject(alice, make_contact(alice))
    rejection.delete()
    [reply] = replies()
    assert reply.status == FollowUp.Status.CANCELLED
    assert "deleted" in reply.cancel_reason
    assert [e.new_status for e in reply.events.all()] == ["pending", "cancelled"]


def test_deleting_rejections_in_bulk_cancels_their_replies(alice):
    contact = make_contact(alice)
    reject(alice, contact, make_application(alice))
    reject(alice, contact, make_application(alice))
    Interaction.objects.filter(owner=alice).delete()
    assert {r.status for r in replies()} == {FollowUp.Status.CANCELLED}


def test_deleting_the_contact_removes_its_follow_ups_without_errors(alice):
    contact = make_contact(alice)
    reject(alice, contact)
    contact.delete()
    assert replies() == []


# Settings, several applications, several users --------------------------------------------


def test_custom_reply_hours_apply_to_the_next_rejection(alice):
    Profile.objects.filter(user=alice).update(reply_due_hours=4, reply_deadline_hours=12)
    reject(alice, make_contact(alice))
    [reply] = replies()
    assert (reply.due_at, reply.deadline) == (T + timedelta(hours=4), T + timedelta(hours=12))


def test_switching_the_reply_rule_off_schedules_no_reply_but_keeps_earlier_ones(alice):
    contact = make_contact(alice)
    first = reject(alice, contact, make_application(alice))
    Profile.objects.filter(user=alice).update(reply_enabled=False)
    reject(alice, contact, make_application(alice))
    first.occurred_at = T + timedelta(minutes=1)
    first.save()
    assert [(r.source, r.status) for r in replies()] == [(first, FollowUp.Status.PENDING)]


def test_one_contact_rejecting_two_applications_gets_a_reply_for_each(alice):
    contact = make_contact(alice)
    first, second = make_application(alice), make_application(alice)
    reject(alice, contact, first)
    reject(alice, contact, second)
    assert {r.application for r in replies(contact=contact)} == {first, second}


def test_logging_the_same_rejection_twice_still_asks_for_one_reply(alice):
    contact, application = make_contact(alice), make_application(alice)
    reject(alice, contact, application)
    reject(alice, contact, application, at=T + timedelta(minutes=3))
    assert len(replies(status=FollowUp.Status.PENDING)) == 1


def test_two_users_never_see_each_others_follow_ups(alice, bob):
    reject(alice, make_contact(alice))
    reject(bob, make_contact(bob))
    assert [r.owner for r in replies(owner=alice)] == [alice]
    assert all(r.contact.owner == r.owner for r in replies())
    assert len(replies()) == 2


def test_the_reply_is_computed_in_the_owners_time_zone_but_stored_in_utc(db):
    auckland = make_user("kiri", time_zone="Pacific/Auckland")
    reject(auckland, make_contact(auckland))
    [reply] = replies()
    assert reply.due_at == T + timedelta(hours=24)
    assert reply.due_at.utcoffset() == timedelta(0)


# Transactions ------------------------------------------------------------------------------


def test_a_rolled_back_rejection_leaves_no_reply_behind(alice):
    contact = make_contact(alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        reject(alice, contact)
        assert len(replies()) == 1  # visible inside the saving transaction
        raise RuntimeError("the form failed after saving")
    assert replies() == []
    assert not Interaction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_reply_exists_once_the_saving_transaction_commits():
    owner = make_user("carol")
    contact = make_contact(owner)
    with transaction.atomic():
        reject(owner, contact)
    assert len(replies(owner=owner)) == 1
