"""R6: one pending check-in per contact, a few months after you last were in touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from contacts.models import Interaction
from crm.models import Profile
from followups.models import FollowUp
from followups.rules import mark_sent
from tests.factories import make_contact, make_followup, make_interaction, make_user

T = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T, tick=False):
        yield


def check_ins(**filters):
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.CHECK_IN, **filters))


def pending_check_in(contact) -> FollowUp:
    [check_in] = check_ins(contact=contact, status=FollowUp.Status.PENDING)
    return check_in


def touch(contact, at, direction="inbound", kind="other") -> Interaction:
    return make_interaction(
        contact.owner, contact=contact, direction=direction, kind=kind, occurred_at=at
    )


def test_the_check_in_is_due_the_working_morning_months_after_the_last_interaction(alice):
    contact = make_contact(alice, check_in_months=3)
    last = touch(contact, T - timedelta(days=1))  # Sunday 1 March
    check_in = pending_check_in(contact)
    assert check_in.source == last
    assert check_in.due_at == datetime(2026, 6, 1, 9, tzinfo=UTC)  # Monday 1 June


def test_november_30th_plus_three_months_is_the_end_of_february(alice):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, datetime(2026, 11, 30, 15, tzinfo=UTC))
    # 28 February 2027 is a Sunday: the next working morning is Monday 1 March.
    assert pending_check_in(contact).due_at == datetime(2027, 3, 1, 9, tzinfo=UTC)


def test_january_31st_plus_one_month_in_a_leap_year_is_february_29th(alice):
    contact = make_contact(alice, check_in_months=1)
    touch(contact, datetime(2028, 1, 31, 12, tzinfo=UTC))
    assert pending_check_in(contact).due_at == datetime(2028, 2, 29, 9, tzinfo=UTC)  # Tuesday


def test_check_ins_in_new_york_stay_at_nine_local_across_dst(db):
    owner = make_user("nyc", time_zone="America/New_York")
    contact = make_contact(owner, check_in_months=1)
    touch(contact, datetime(2026, 2, 10, 15, tzinfo=UTC))  # EST
    due = pending_check_in(contact).due_at
    assert due == datetime(2026, 3, 10, 13, tzinfo=UTC)  # EDT, UTC-4
    assert due.astimezone(ZoneInfo("America/New_York")).hour == 9


def test_every_new_interaction_moves_the_single_check_in(alice):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T - timedelta(days=10))
    latest = touch(contact, T, direction="inbound")
    check_in = pending_check_in(contact)
    assert check_in.source == latest
    assert check_in.due_at == datetime(2026, 6, 2, 9, tzinfo=UTC)
    assert len(check_ins(contact=contact)) == 1


def test_an_older_interaction_logged_later_does_not_move_the_check_in_back(alice):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T)
    touch(contact, T - timedelta(days=40))
    assert pending_check_in(contact).due_at == datetime(2026, 6, 2, 9, tzinfo=UTC)


def test_a_note_is_not_contact_and_does_not_move_the_check_in(alice):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T - timedelta(days=1))
    touch(contact, T + timedelta(days=20), kind=Interaction.Kind.NOTE)
    assert pending_check_in(contact).due_at == datetime(2026, 6, 1, 9, tzinfo=UTC)


def test_checking_in_completes_it_and_schedules_the_next(alice):
    contact = make_contact(alice, check_in_months=2)
    touch(contact, T)
    first = pending_check_in(contact)
    with time_machine.travel(first.due_at, tick=False):
        sent = mark_sent(first)
    first.refresh_from_db()
    assert (first.status, first.completed_by, sent.kind) == ("done", sent, "check_in")
    following = pending_check_in(contact)
    assert following.source == sent
    # Due Saturday 2 May, so sent Monday 4 May; 4 July is a Saturday again.
    assert first.due_at == datetime(2026, 5, 4, 9, tzinfo=UTC)
    assert following.due_at == datetime(2026, 7, 6, 9, tzinfo=UTC)


def test_any_outbound_message_counts_as_checking_in(alice):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T)
    first = pending_check_in(contact)
    touch(contact, T + timedelta(days=30), direction="outbound", kind="other")
    first.refresh_from_db()
    assert first.status == FollowUp.Status.DONE
    assert pending_check_in(contact).due_at == datetime(2026, 7, 1, 9, tzinfo=UTC)


def test_a_cadence_set_on_a_contact_you_never_talked_to_counts_from_today(alice):
    contact = make_contact(alice)
    contact.check_in_months = 3
    contact.save()
    assert pending_check_in(contact).due_at == datetime(2026, 6, 2, 9, tzinfo=UTC)


def test_changing_the_cadence_moves_the_check_in(alice):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T)
    contact.check_in_months = 6
    contact.save()
    assert pending_check_in(contact).due_at == datetime(2026, 9, 2, 9, tzinfo=UTC)


@pytest.mark.parametrize("cadence", [0, None])
def test_removing_the_cadence_cancels_the_check_in(alice, cadence):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T)
    contact.check_in_months = cadence
    contact.save()
    assert [c.status for c in check_ins(contact=contact)] == [FollowUp.Status.CANCELLED]
    touch(contact, T + timedelta(days=1))
    assert check_ins(contact=contact, status=FollowUp.Status.PENDING) == []


def test_deleting_the_latest_interaction_counts_from_the_one_before(alice):
    contact = make_contact(alice, check_in_months=3)
    earlier = touch(contact, T - timedelta(days=1))
    touch(contact, T + timedelta(days=10)).delete()
    check_in = pending_check_in(contact)
    assert (check_in.source, check_in.due_at) == (earlier, datetime(2026, 6, 1, 9, tzinfo=UTC))


def test_editing_the_latest_interaction_moves_the_check_in(alice):
    contact = make_contact(alice, check_in_months=3)
    latest = touch(contact, T)
    latest.occurred_at = T + timedelta(days=7)
    latest.save()
    assert pending_check_in(contact).due_at == datetime(2026, 6, 9, 9, tzinfo=UTC)


def test_switched_off_check_ins_are_not_scheduled(alice):
    Profile.objects.filter(user=alice).update(check_in_enabled=False)
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T)
    assert check_ins() == []


def test_the_database_refuses_a_second_pending_check_in(alice):
    contact = make_contact(alice, check_in_months=3)
    touch(contact, T)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_followup(alice, contact=contact, kind=FollowUp.Kind.CHECK_IN)


def test_saving_interactions_again_keeps_one_pending_check_in(alice):
    contact = make_contact(alice, check_in_months=3)
    for day in range(5):
        touch(contact, T + timedelta(days=day)).save()
    contact.save()
    assert len(check_ins(contact=contact)) == 1
