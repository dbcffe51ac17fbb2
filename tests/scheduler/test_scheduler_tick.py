"""The scheduler's tick: which reminders go out, exactly once, and what it records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django_q.models import Schedule

from crm.models import Profile
from followups import scheduler
from followups.models import FollowUp, SchedulerTick
from followups.tasks import TASK, ensure_schedule, send_reminders
from tests.factories import make_contact, make_followup, make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_digests(alice):
    # Digests have their own file; here every email is a reminder.
    Profile.objects.filter(user=alice).update(digest_hour=None)


@pytest.fixture
def due(alice):
    return make_followup(alice, contact=make_contact(alice), due_at=NOW - timedelta(minutes=1))


def refreshed(followup: FollowUp) -> FollowUp:
    return FollowUp.objects.get(pk=followup.pk)


def test_a_due_follow_up_sends_one_reminder_to_its_owner(due):
    with time_machine.travel(NOW, tick=False):
        report = scheduler.tick()
    assert report.reminders_sent == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert NOW <= refreshed(due).notified_at < NOW + timedelta(seconds=5)


def test_a_follow_up_not_yet_due_sends_nothing(alice):
    make_followup(alice, due_at=NOW + timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    assert mail.outbox == []


def test_a_second_tick_does_not_send_the_same_reminder_again(due):
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        report = scheduler.tick()
    assert report.reminders_sent == 0
    assert len(mail.outbox) == 1


def test_no_reminder_when_the_owner_switched_reminder_emails_off(due, alice):
    Profile.objects.filter(user=alice).update(email_reminders=False)
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    assert mail.outbox == []
    assert refreshed(due).notified_at is None


def test_no_reminder_for_an_owner_without_an_email_address(due, alice):
    get_user_model().objects.filter(pk=alice.pk).update(email="")
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["done", "dismissed", "cancelled"])
def test_follow_ups_that_are_no_longer_pending_send_no_reminder(alice, status):
    make_followup(alice, due_at=NOW - timedelta(hours=1), status=status)
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    assert mail.outbox == []


def test_snoozing_re_arms_the_reminder(due):
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
        refreshed(due).snooze(NOW + timedelta(days=1))
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        scheduler.tick()
    assert len(mail.outbox) == 1
    with time_machine.travel(NOW + timedelta(days=1, minutes=1), tick=False):
        scheduler.tick()
    assert len(mail.outbox) == 2


def test_only_one_of_two_racing_claims_wins(due):
    assert scheduler.claim_reminder(due.pk, NOW) is True
    assert scheduler.claim_reminder(due.pk, NOW) is False


def test_a_reminder_leased_by_a_running_tick_is_left_to_it(due):
    scheduler.claim_reminder(due.pk, NOW)
    with time_machine.travel(NOW + scheduler.LEASE - timedelta(seconds=1), tick=False):
        report = scheduler.tick()
    assert report.reminders_sent == 0 and mail.outbox == []


def test_a_lease_left_by_a_killed_tick_runs_out_and_the_reminder_goes_out(due):
    scheduler.claim_reminder(due.pk, NOW)  # the tick that took it died before sending
    with time_machine.travel(NOW + scheduler.LEASE + timedelta(seconds=1), tick=False):
        report = scheduler.tick()
    assert report.reminders_sent == 1
    assert refreshed(due).send_attempts == 2


def test_reminders_missed_while_the_worker_was_down_go_out_late_once(alice):
    # Both were scheduled well before they fell due; no tick ran for the first one.
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        missed = make_followup(alice, due_at=NOW - timedelta(hours=3))
        on_time = make_followup(alice, due_at=NOW - timedelta(seconds=30))
    with time_machine.travel(NOW, tick=False):
        report = scheduler.tick()
        scheduler.tick()
    assert (report.reminders_sent, report.reminders_late) == (2, 1)
    assert (refreshed(missed).sent_late, refreshed(on_time).sent_late) == (True, False)
    late_mail = [m for m in mail.outbox if m.subject.startswith("[Late]")]
    assert len(mail.outbox) == 2 and len(late_mail) == 1
    assert "comes late" in late_mail[0].body


def test_a_bad_row_does_not_stop_the_others(alice):
    broken_owner = make_user("carol", digest_hour=None)
    # A header injection attempt in the address: building this message must fail.
    get_user_model().objects.filter(pk=broken_owner.pk).update(email="carol@example.com\nBcc: x")
    bad = make_followup(broken_owner, due_at=NOW - timedelta(minutes=5))
    good = [make_followup(alice, due_at=NOW - timedelta(minutes=n)) for n in (4, 3)]
    with time_machine.travel(NOW, tick=False):
        report = scheduler.tick()
    assert report.reminders_sent == 2 and report.reminders_failed == 1
    assert all(refreshed(f).notified_at for f in good)
    bad = refreshed(bad)
    assert bad.notified_at is None and bad.send_attempts == 1 and bad.claimed_until is None
    retry_at = NOW + scheduler.retry_delay(1)
    assert retry_at <= bad.next_attempt_at < retry_at + timedelta(seconds=5)
    assert bad.last_error


def test_each_tick_is_recorded(due):
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    tick = SchedulerTick.objects.get()
    assert (tick.started_at, tick.reminders_sent, tick.failures) == (NOW, 1, 0)
    assert tick.finished_at >= tick.started_at


def test_ticks_older_than_a_week_are_pruned():
    SchedulerTick.objects.create(started_at=NOW - timedelta(days=8))
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    assert list(SchedulerTick.objects.values_list("started_at", flat=True)) == [NOW]


def test_a_dry_run_lists_the_reminder_but_sends_claims_and_records_nothing(due):
    with time_machine.travel(NOW, tick=False):
        report = scheduler.tick(dry_run=True)
    assert report.reminders_sent == 1 and "would remind alice@example.com" in report.lines[0]
    due = refreshed(due)
    assert mail.outbox == [] and due.notified_at is None and due.send_attempts == 0
    assert not SchedulerTick.objects.exists()


def test_the_command_sends_and_says_what_it_sent(due, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("send_reminders", verbosity=2)
    out = capsys.readouterr().out
    assert f"reminder {due.pk} to alice@example.com" in out
    assert "sent 1 reminder(s)" in out
    assert len(mail.outbox) == 1


def test_the_command_with_dry_run_sends_nothing(due, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("send_reminders", "--dry-run")
    assert "would send 1 reminder(s)" in capsys.readouterr().out
    assert mail.outbox == []


def test_the_django_q_task_runs_a_tick_and_returns_its_report(due):
    with time_machine.travel(NOW, tick=False):
        result = send_reminders()
    assert result["reminders_sent"] == 1 and len(mail.outbox) == 1


def test_one_minute_schedule_exists_once_however_often_migrate_runs():
    # The test database was migrated, which created it; migrating again changes nothing.
    ensure_schedule()
    ensure_schedule()
    schedule = Schedule.objects.get(func=TASK)
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)


def test_a_duplicate_schedule_made_by_hand_is_removed_on_migrate():
    Schedule.objects.create(func=TASK, schedule_type=Schedule.MINUTES, minutes=1)
    ensure_schedule()
    assert Schedule.objects.filter(func=TASK).count() == 1


def test_django_q_never_retries_or_replays_a_tick():
    cluster = settings.Q_CLUSTER
    assert cluster["catch_up"] is False
    assert cluster["max_attempts"] == 1
    assert cluster["retry"] > cluster["timeout"]
