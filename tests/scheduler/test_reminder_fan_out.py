"""The scheduled tick fans a big queue out as tasks for every worker to share; a small
one it sends itself. The queued tasks, run, send each reminder exactly once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_q.models import OrmQ

from crm.models import Profile
from followups import scheduler
from followups.models import FollowUp
from followups.tasks import send_reminder_batches, send_reminders

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def seed(owner, count: int) -> None:
    Profile.objects.filter(user=owner).update(digest_hour=None)
    FollowUp.objects.bulk_create(
        FollowUp(
            owner=owner,
            kind=FollowUp.Kind.CUSTOM,
            due_at=NOW - timedelta(minutes=1),
            draft_subject=f"Subject {n}",
            draft_body=f"Draft {n}",
        )
        for n in range(count)
    )


def test_more_than_a_batch_is_fanned_out_as_tasks_that_send_each_reminder_once(alice):
    seed(alice, scheduler.BATCH_SIZE + 50)
    with time_machine.travel(NOW, tick=False):
        result = send_reminders()
        assert result["reminders_sent"] == 0 and mail.outbox == []
        assert (result["reminders_queued"], result["reminder_tasks"]) == (250, 2)
        assert OrmQ.objects.count() == 2
        first, second = send_reminder_batches(), send_reminder_batches()
    # The first task to run takes batch after batch; the second finds nothing left.
    assert (first["reminders_sent"], second["reminders_sent"]) == (250, 0)
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == len(set(ids)) == 250
    assert not FollowUp.objects.filter(notified_at__isnull=True).exists()


def test_a_small_queue_is_sent_by_the_tick_itself(alice):
    seed(alice, 3)
    with time_machine.travel(NOW, tick=False):
        result = send_reminders()
    assert result["reminders_sent"] == 3 and result["reminder_tasks"] == 0
    assert OrmQ.objects.count() == 0


def test_the_command_never_fans_out_it_has_sent_its_mail_when_it_returns(alice):
    seed(alice, scheduler.BATCH_SIZE + 1)
    with time_machine.travel(NOW, tick=False):
        report = scheduler.tick()
    assert report.reminders_sent == scheduler.BATCH_SIZE + 1 and OrmQ.objects.count() == 0


def test_a_batch_is_claimed_by_one_worker_only(alice):
    seed(alice, 5)
    from followups.scheduler.claims import claim_batch

    got, lost = claim_batch(NOW, NOW)
    again, lost_again = claim_batch(NOW, NOW)
    assert len(got) == 5 and again == []
    assert FollowUp.objects.filter(send_attempts=1, claimed_until__isnull=False).count() == 5


def test_a_batch_is_never_sent_past_its_lease_the_rest_is_claimed_afresh(alice, monkeypatch):
    """A slow mail server: a batch of 200 takes longer than the 45-second lease, after
    which another worker may claim the same rows. The worker gives the untried back when
    half the lease is gone and claims a fresh batch, so no email goes out on an expired
    lease. Here the lease is 0.5 s and each email takes 0.05 s."""
    from followups.scheduler import claims, reminders

    monkeypatch.setattr(claims, "LEASE", timedelta(seconds=0.5))
    monkeypatch.setattr(reminders, "LEASE", timedelta(seconds=0.5))
    Profile.objects.filter(user=alice).update(digest_hour=None)
    now = timezone.now()
    FollowUp.objects.bulk_create(
        FollowUp(owner=alice, kind=FollowUp.Kind.CUSTOM, due_at=now - timedelta(minutes=1))
        for _ in range(16)
    )
    original, claims_made, late = reminders._send_one_reminder, [], []
    real_claim = reminders.claim_batch

    def slow_send(followup, claimed_at, clock, report, mailer, *rest):
        lease = FollowUp.objects.get(pk=followup.pk).claimed_until
        if clock() >= lease:
            late.append(followup.pk)
        original(followup, claimed_at, clock, report, mailer, *rest)
        time.sleep(0.05)

    def counting_claim(*args, **kwargs):
        got = real_claim(*args, **kwargs)
        claims_made.append(len(got[0]))
        return got

    monkeypatch.setattr(reminders, "_send_one_reminder", slow_send)
    monkeypatch.setattr(reminders, "claim_batch", counting_claim)
    report = scheduler.tick()

    assert report.reminders_sent == 16 and late == []
    assert len([n for n in claims_made if n]) > 1  # the rest was claimed again, not sent late
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == len(set(ids)) == 16
    assert FollowUp.objects.filter(notified_at__isnull=True).count() == 0
    assert set(FollowUp.objects.values_list("send_attempts", flat=True)) == {1}
