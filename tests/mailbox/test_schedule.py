"""The django-q2 side: one schedule, due mailboxes only, and a bounded run."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule

from followups import tasks
from followups.drafts import asks_for_feedback
from followups.mailbox.sync import sync_mailbox
from followups.models import Mailbox, MailMessage
from tests.mailbox.conftest import mail


def rejection(imap, n: int):
    return mail(
        sender=f"Recruiter {n} <r{n}@acme-robotics.com>",
        to=imap.address,
        subject=f"Your application for Engineer {n}",
        body="Unfortunately we will not be moving forward with your application.",
    )


def test_migrate_keeps_exactly_one_mailbox_schedule(db):
    tasks.ensure_mailbox_schedule()
    tasks.ensure_mailbox_schedule()
    schedules = Schedule.objects.filter(func=tasks.MAILBOX_TASK)
    assert schedules.count() == 1
    assert schedules.get().minutes == 1


def test_the_task_syncs_mailboxes_whose_turn_it_is_only(alice, imap, mailbox):
    imap.append("INBOX", rejection(imap, 1))
    assert [r["read"] for r in tasks.sync_mailboxes()] == [1]
    imap.append("INBOX", rejection(imap, 2))
    assert tasks.sync_mailboxes() == []  # synced a moment ago: not its turn
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    assert [r["read"] for r in tasks.sync_mailboxes()] == [1]


def test_a_paused_mailbox_is_not_synced(alice, imap, mailbox):
    mailbox.enabled = False
    mailbox.save()
    imap.append("INBOX", rejection(imap, 1))
    assert tasks.sync_mailboxes() == []
    assert "paused" in sync_mailbox(mailbox).summary()
    assert not MailMessage.objects.exists()


def test_a_run_reads_at_most_its_limit_and_the_next_goes_on(alice, imap, mailbox):
    for n in range(5):
        imap.append("INBOX", rejection(imap, n))
    first = sync_mailbox(mailbox, limit=2)
    assert (first.read, first.more) == (2, True)
    assert first.summary().endswith("More next time.")
    second = sync_mailbox(mailbox, limit=10)
    assert (second.read, second.more) == (3, False)
    assert MailMessage.objects.count() == 5


def test_an_idle_sync_reads_nothing(alice, imap, mailbox):
    imap.append("INBOX", rejection(imap, 1))
    sync_mailbox(mailbox)
    report = sync_mailbox(mailbox)
    assert (report.read, report.kept, report.folders) == (0, 0, {})


def test_asking_for_feedback_is_the_draft_checkers_notion():
    assert asks_for_feedback("Would you share any feedback on my interview?")
    assert asks_for_feedback("I'd love to know where I could improve.")
    assert not asks_for_feedback("Thank you for letting me know. Best of luck to the team.")


def test_the_commands_dry_run_says_what_is_new_and_stores_nothing(alice, imap, mailbox, capsys):
    from django.core.management import call_command

    imap.append("INBOX", rejection(imap, 1))
    imap.append("INBOX", rejection(imap, 2))
    call_command("sync_mailbox", "--user", "alice", "--dry-run")
    out = capsys.readouterr().out
    assert "Would read up to: INBOX 2, Sent 0" in out
    assert not MailMessage.objects.exists()
    mailbox.refresh_from_db()
    assert mailbox.last_attempt_at is None
