"""FollowUp state changes only through its methods, each leaving a history row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from followups.drafts import draft_for
from followups.models import FollowUp, FollowUpEvent
from tests.factories import make_contact, make_interaction

T = datetime(2026, 3, 2, 10, tzinfo=UTC)
S = FollowUp.Status


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T, tick=False):
        yield


@pytest.fixture
def followup(alice) -> FollowUp:
    return FollowUp.schedule(
        owner=alice,
        kind=FollowUp.Kind.CUSTOM,
        contact=make_contact(alice),
        due_at=T + timedelta(days=1),
        draft=draft_for,
        reason="Made by hand",
    )


def history(followup: FollowUp) -> list[tuple[str, str, str]]:
    return [(e.old_status, e.new_status, e.reason) for e in followup.events.all()]


def test_scheduling_fills_the_draft_and_records_the_creation(followup):
    assert followup.draft_body
    assert history(followup) == [("", S.PENDING, "Made by hand")]


def test_completing_records_the_interaction_and_the_time(followup):
    sent = make_interaction(followup.owner, contact=followup.contact, direction="inbound")
    assert followup.complete(sent) is True
    followup.refresh_from_db()
    assert (followup.status, followup.completed_by, followup.completed_at) == (S.DONE, sent, T)
    event = followup.events.last()
    assert (event.old_status, event.new_status, event.interaction, event.at) == (
        S.PENDING,
        S.DONE,
        sent,
        T,
    )


def test_completing_without_an_interaction_is_marked_done(followup):
    assert followup.complete() is True
    assert history(followup)[-1] == (S.PENDING, S.DONE, "Marked done")


def test_cancelling_keeps_the_reason(followup):
    assert followup.cancel("No longer relevant") is True
    followup.refresh_from_db()
    assert (followup.status, followup.cancel_reason) == (S.CANCELLED, "No longer relevant")
    assert history(followup)[-1] == (S.PENDING, S.CANCELLED, "No longer relevant")


def test_snoozing_moves_the_reminder_and_re_arms_its_email(followup):
    FollowUp.objects.filter(pk=followup.pk).update(notified_at=T, send_attempts=2)
    followup.refresh_from_db()
    later = T + timedelta(days=3)
    assert followup.snooze(later) is True
    followup.refresh_from_db()
    assert (followup.status, followup.due_at, followup.notified_at) == (S.PENDING, later, None)
    assert followup.send_attempts == 0
    assert history(followup)[-1][:2] == (S.PENDING, S.PENDING)
    assert "Snoozed" in history(followup)[-1][2]


def test_dismissing_then_reopening_goes_back_to_pending(followup):
    assert followup.dismiss() is True
    assert followup.reopen() is True
    followup.refresh_from_db()
    assert followup.status == S.PENDING
    assert [h[:2] for h in history(followup)] == [
        ("", S.PENDING),
        (S.PENDING, S.DISMISSED),
        (S.DISMISSED, S.PENDING),
    ]


def test_reopening_a_completed_follow_up_clears_its_completion(followup):
    followup.complete()
    followup.reopen()
    followup.refresh_from_db()
    assert (followup.completed_at, followup.completed_by, followup.status) == (
        None,
        None,
        S.PENDING,
    )


@pytest.mark.parametrize("first", ["complete", "dismiss", "cancel"])
def test_a_closed_follow_up_cannot_be_closed_again(followup, first):
    getattr(followup, first)(*(["why"] if first == "cancel" else []))
    events = followup.events.count()
    assert followup.complete() is False
    assert followup.dismiss() is False
    assert followup.cancel("again") is False
    assert followup.snooze(T + timedelta(days=9)) is False
    assert followup.events.count() == events


def test_a_pending_follow_up_cannot_be_reopened(followup):
    assert followup.reopen() is False
    assert followup.events.count() == 1


def test_two_copies_completing_at_once_complete_once(followup):
    stale = FollowUp.objects.get(pk=followup.pk)
    assert followup.complete() is True
    assert stale.complete() is False
    assert stale.status == S.DONE  # the stale copy now shows the row as it is
    assert FollowUpEvent.objects.filter(followup=followup, new_status=S.DONE).count() == 1


def test_a_check_in_cannot_be_reopened_while_a_newer_one_is_pending(alice):
    contact = make_contact(alice, check_in_months=3)
    make_interaction(alice, contact=contact, occurred_at=T)
    first = FollowUp.objects.get(contact=contact, kind="check_in")
    make_interaction(alice, contact=contact, direction="outbound", occurred_at=T + timedelta(1))
    first.refresh_from_db()
    assert first.status == S.DONE
    assert first.reopen() is False
    assert FollowUp.objects.filter(contact=contact, kind="check_in", status="pending").count() == 1
