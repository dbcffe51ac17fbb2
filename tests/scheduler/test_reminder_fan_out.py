"""The scheduled tick fans a big queue out as tasks for every worker to share; a small
one it sends itself. The queued tasks, run, send each reminder exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
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
