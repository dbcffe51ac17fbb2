"""Item 4 of issue 12, the rule: changing the time zone, the morning hour or the workdays
on any save of the Profile re-times the pending follow-ups due on a working morning;
times fixed by the clock stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from crm.models import Profile
from followups.models import FollowUp, Goal
from tests.factories import make_contact, make_interaction
from tests.htmx import as_shown
from tests.web.test_preferences import valid_data

# Tuesday 3 March 2026, 15:00 UTC.
NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def history(alice):
    """A rejection answered with a feedback request: a reply (fixed by the clock), then a
    nudge and a check-in (working mornings)."""
    dana = make_contact(alice, first_name="Dana")
    make_interaction(
        alice, contact=dana, kind=Interaction.Kind.REJECTION, occurred_at=NOW - timedelta(hours=1)
    )
    reply = FollowUp.objects.get(kind="reply")
    make_interaction(
        alice,
        contact=dana,
        direction=Interaction.Direction.OUTBOUND,
        kind=Interaction.Kind.REPLY,
        requests_feedback=True,
        occurred_at=NOW,
    )
    rejection_reply = FollowUp.objects.get(pk=reply.pk)
    make_interaction(  # another rejection, not yet answered: its reply stays pending
        alice,
        contact=make_contact(alice, first_name="Eli"),
        kind=Interaction.Kind.REJECTION,
        occurred_at=NOW - timedelta(hours=2),
    )
    return rejection_reply


def pending(kind: str) -> FollowUp:
    return FollowUp.objects.get(kind=kind, status="pending")


def local(followup: FollowUp, zone=NEW_YORK) -> tuple[date, int, int]:
    when = followup.due_at.astimezone(zone)
    return when.date(), when.hour, when.minute


def test_a_new_time_zone_keeps_the_local_date_at_the_morning_hour(alice, history):
    nudge_day = pending("feedback_nudge").due_at.date()
    check_in_day = pending("check_in").due_at.date()
    reply_due = pending("reply").due_at
    profile = Profile.objects.get(user=alice)
    profile.time_zone = "America/New_York"
    profile.save()
    assert local(pending("feedback_nudge")) == (nudge_day, 9, 0)
    assert local(pending("check_in")) == (check_in_day, 9, 0)
    assert pending("reply").due_at == reply_due  # 24 h after the rejection, by the clock


def test_a_new_morning_hour_moves_working_mornings_only(alice, history):
    reply_due = pending("reply").due_at
    profile = Profile.objects.get(user=alice)
    profile.morning_hour = 7
    profile.save()
    assert local(pending("feedback_nudge"), UTC)[1:] == (7, 0)
    assert local(pending("check_in"), UTC)[1:] == (7, 0)
    assert pending("reply").due_at == reply_due


def test_workdays_without_the_due_day_move_it_to_the_next_workday(alice, history):
    nudge = pending("feedback_nudge")  # Tuesday 10 March
    assert nudge.due_at.weekday() == 1
    profile = Profile.objects.get(user=alice)
    profile.workdays = [3, 4]  # Thursday and Friday
    profile.save()
    moved = pending("feedback_nudge").due_at
    assert moved.date() == nudge.due_at.date() + timedelta(days=2) and moved.hour == 9


def test_a_deadline_never_ends_up_before_the_moved_due_time(alice, history):
    nudge = pending("feedback_nudge")  # due 09:00; its window made to end at noon
    FollowUp.objects.filter(pk=nudge.pk).update(deadline=nudge.due_at + timedelta(hours=3))
    profile = Profile.objects.get(user=alice)
    profile.morning_hour = 17
    profile.save()
    moved = pending("feedback_nudge")
    assert moved.due_at.hour == 17 and moved.deadline >= moved.due_at


def test_a_snoozed_nudge_and_a_goal_reminder_follow_the_new_zone(alice, history):
    nudge = pending("feedback_nudge")
    tomorrow_morning = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    nudge.snooze(tomorrow_morning)
    goal = Goal.objects.create(owner=alice, specific="Rewrite my CV", deadline=date(2026, 3, 20))
    goal_day = goal.followup.due_at.date()
    profile = Profile.objects.get(user=alice)
    profile.time_zone = "America/New_York"
    profile.save()
    assert local(pending("feedback_nudge")) == (date(2026, 3, 4), 9, 0)
    assert local(pending("goal")) == (goal_day, 9, 0)


def test_saving_the_profile_without_a_timing_change_moves_nothing(alice, history):
    before = {f.pk: f.due_at for f in FollowUp.objects.filter(status="pending")}
    profile = Profile.objects.get(user=alice)
    profile.signature = "Alice"
    profile.save()
    assert {f.pk: f.due_at for f in FollowUp.objects.filter(status="pending")} == before


def test_the_preferences_page_re_times_pending_follow_ups(alice_client, alice, history):
    check_in_day = pending("check_in").due_at.date()
    response = alice_client.post(
        reverse("crm:preferences"),
        valid_data(time_zone="America/New_York", email="alice@example.com"),
    )
    assert response.status_code == 302
    assert local(pending("check_in")) == (check_in_day, 9, 0)
    page = as_shown(alice_client, reverse("home"))
    assert "Check in" in page


def test_another_users_follow_ups_do_not_move(alice, bob, history):
    make_interaction(
        bob,
        contact=make_contact(bob),
        direction=Interaction.Direction.OUTBOUND,
        kind=Interaction.Kind.REPLY,
        requests_feedback=True,
        occurred_at=NOW,
    )
    bobs = FollowUp.objects.get(owner=bob, kind="feedback_nudge")
    profile = Profile.objects.get(user=alice)
    profile.time_zone = "America/New_York"
    profile.save()
    assert FollowUp.objects.get(pk=bobs.pk).due_at == bobs.due_at


def test_a_profile_loaded_without_its_timing_fields_moves_nothing_when_saved(alice, history):
    before = {f.pk: f.due_at for f in FollowUp.objects.filter(status="pending")}
    profile = Profile.objects.only("id", "user", "signature").get(user=alice)
    profile.signature = "Alice"
    profile.save()
    assert {f.pk: f.due_at for f in FollowUp.objects.filter(status="pending")} == before
