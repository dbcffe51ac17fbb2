"""A goal's deadline schedules a `goal` follow-up before it, and the two stay in step."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection

from followups.models import FollowUp, Goal
from tests.factories import make_application, make_user

# Monday 2 March 2026, noon UTC. Berlin switches to summer time on Sunday 29 March.
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def make_goal(owner, **fields) -> Goal:
    fields.setdefault("specific", "Do two mock interviews")
    fields.setdefault("deadline", date(2026, 3, 13))  # a Friday
    return Goal.objects.create(owner=owner, **fields)


def reminder_of(goal: Goal) -> FollowUp:
    return FollowUp.objects.get(pk=Goal.objects.get(pk=goal.pk).followup_id)


def test_a_goal_is_reminded_on_the_working_morning_two_days_before_its_deadline(db):
    owner = make_user(time_zone="Europe/Berlin")

    goal = make_goal(owner)

    reminder = reminder_of(goal)
    assert reminder.kind == FollowUp.Kind.GOAL
    assert reminder.status == FollowUp.Status.PENDING
    # Wednesday 11 March, 09:00 in Berlin (UTC+1) is 08:00 UTC.
    assert reminder.due_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
    # The window ends with the deadline day, in the owner's time zone.
    assert reminder.deadline == datetime(2026, 3, 13, 22, 59, tzinfo=UTC)
    assert "Do two mock interviews" in reminder.draft_subject


def test_the_reminder_follows_the_owners_time_zone_and_morning_hour(db):
    owner = make_user(time_zone="America/New_York", morning_hour=7)

    goal = make_goal(owner)

    # 07:00 in New York (UTC-5 until 8 March, UTC-4 after) on Wednesday 11 March.
    assert reminder_of(goal).due_at == datetime(2026, 3, 11, 11, 0, tzinfo=UTC)


def test_a_reminder_that_would_fall_on_a_weekend_moves_to_the_next_working_morning(db):
    owner = make_user(time_zone="Europe/Berlin")

    # Two days before Tuesday 31 March is Sunday 29 March: the reminder comes on Monday,
    # 09:00 summer time (UTC+2), so 07:00 UTC.
    goal = make_goal(owner, deadline=date(2026, 3, 31))

    assert reminder_of(goal).due_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_a_weekend_deadline_is_reminded_on_the_deadline_morning_not_after_it(db):
    owner = make_user(time_zone="Europe/Berlin")

    # Sunday 15 March with no days of notice: the next working morning is Monday, after
    # the deadline, so the reminder comes at 09:00 on the Sunday itself.
    goal = make_goal(owner, deadline=date(2026, 3, 15), remind_days_before=0)

    assert reminder_of(goal).due_at == datetime(2026, 3, 15, 8, 0, tzinfo=UTC)


def test_a_goal_set_close_to_its_deadline_is_reminded_now_not_in_the_past(db):
    owner = make_user(time_zone="Europe/Berlin")

    goal = make_goal(owner, deadline=date(2026, 3, 3), remind_days_before=5)

    assert reminder_of(goal).due_at == NOW


def test_the_days_of_notice_are_configurable_per_goal(db):
    owner = make_user(time_zone="Europe/Berlin")

    goal = make_goal(owner, remind_days_before=7)  # Friday 6 March

    assert reminder_of(goal).due_at == datetime(2026, 3, 6, 8, 0, tzinfo=UTC)


def test_a_goal_links_its_reminder_to_its_application(db):
    owner = make_user()
    application = make_application(owner)

    goal = make_goal(owner, application=application)

    assert reminder_of(goal).application == application


def test_marking_the_goal_done_completes_its_reminder(db):
    goal = make_goal(make_user())

    goal.mark_done()

    reminder = reminder_of(goal)
    assert reminder.status == FollowUp.Status.DONE
    assert reminder.completed_at == NOW
    assert goal.done_at == NOW


def test_reopening_a_done_goal_makes_its_reminder_pending_again(db):
    goal = make_goal(make_user())
    goal.mark_done()

    goal.reopen()

    assert reminder_of(goal).status == FollowUp.Status.PENDING
    assert Goal.objects.get(pk=goal.pk).status == Goal.Status.OPEN


def test_deleting_the_goal_cancels_its_reminder(db):
    goal = make_goal(make_user())
    reminder_pk = goal.followup_id

    goal.delete()

    reminder = FollowUp.objects.get(pk=reminder_pk)
    assert reminder.status == FollowUp.Status.CANCELLED
    assert "goal was deleted" in reminder.cancel_reason


def test_deleting_a_done_goal_leaves_its_reminder_done(db):
    goal = make_goal(make_user())
    goal.mark_done()
    reminder_pk = goal.followup_id

    goal.delete()

    assert FollowUp.objects.get(pk=reminder_pk).status == FollowUp.Status.DONE


def test_moving_the_deadline_moves_the_reminder_and_re_arms_its_email(db):
    owner = make_user(time_zone="Europe/Berlin")
    goal = make_goal(owner)
    FollowUp.objects.filter(pk=goal.followup_id).update(notified_at=NOW)

    goal.deadline = date(2026, 3, 20)
    goal.save()

    reminder = reminder_of(goal)
    assert reminder.due_at == datetime(2026, 3, 18, 8, 0, tzinfo=UTC)
    assert reminder.deadline == datetime(2026, 3, 20, 22, 59, tzinfo=UTC)
    assert reminder.notified_at is None
    assert FollowUp.objects.count() == 1


def test_rewording_a_goal_keeps_a_snoozed_reminder_where_the_user_put_it(db):
    goal = make_goal(make_user())
    snoozed_to = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
    reminder_of(goal).snooze(snoozed_to)

    goal.refresh_from_db()
    goal.specific = "Do three mock interviews"
    goal.save()

    reminder = reminder_of(goal)
    assert reminder.due_at == snoozed_to
    assert "Do three mock interviews" in reminder.draft_subject


def test_saving_a_goal_again_creates_no_second_reminder(db):
    goal = make_goal(make_user())

    goal.save()
    Goal.objects.get(pk=goal.pk).save()

    assert FollowUp.objects.filter(kind=FollowUp.Kind.GOAL).count() == 1


def test_a_goal_reminder_belongs_to_the_goals_owner(db):
    alice, bob = make_user(), make_user()

    make_goal(alice)

    assert FollowUp.objects.get().owner == alice
    assert not FollowUp.objects.filter(owner=bob).exists()


def test_deleting_the_owner_removes_goals_and_reminders_without_leftovers(db):
    owner = make_user()
    application = make_application(owner)
    make_goal(owner, application=application)

    owner.delete()

    assert not Goal.objects.exists()
    assert not FollowUp.objects.exists()
    connection.check_constraints()  # no history row left pointing at a deleted reminder


def test_deleting_the_application_keeps_the_goal(db):
    owner = make_user()
    application = make_application(owner)
    goal = make_goal(owner, application=application)

    application.delete()

    goal.refresh_from_db()
    assert goal.application is None
    assert reminder_of(goal).status == FollowUp.Status.PENDING
