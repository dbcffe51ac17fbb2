"""The whole loop against a real Dovecot: a rejection arrives, is confirmed on the Inbox
page, the reply sent from a mail client completes it and schedules the nudge, and the
recruiter's answer cancels the nudge; nobody clicks "mark sent"."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.models import JobApplication
from followups.models import FollowUp, MailMessage
from tests.mailbox.conftest import mail

PRIYA = "Priya Raman <priya.raman@northwind-labs.com>"
REJECTION_ID = "<rejection-1@northwind-labs.com>"
REPLY_ID = "<reply-1@example.org>"

REJECTION_TEXT = """\
Hi Sam,

Thank you for taking the time to interview for the Senior Data Analyst role.
Unfortunately, we have decided to move forward with another candidate whose
experience matches the team's needs more closely.

Best regards,
Priya Raman
Talent Partner | Northwind Labs
"""

REPLY_TEXT = """\
Hi Priya,

Thank you for letting me know, and for your time during the interviews. I enjoyed
meeting the team and I remain very interested in Northwind Labs.
If you have a moment, I would be grateful for any feedback on how I could improve.

Best wishes,
Sam

On Mon, Priya Raman wrote:
> Unfortunately, we have decided to move forward with another candidate.
"""

ANSWER_TEXT = """\
Hi Sam,

Of course. The panel liked your SQL work; we hired someone with more experience in
forecasting. I hope our paths cross again.

Priya
"""


def sync() -> None:
    call_command("sync_mailbox", "--user", "alice", verbosity=0)


def test_a_rejection_becomes_a_reply_a_nudge_and_an_answer_without_marking_anything_sent(
    alice_client, alice, imap, mailbox
):
    now = timezone.now()
    imap.append(
        "INBOX",
        mail(
            sender=PRIYA,
            to=imap.address,
            subject="Your application for Senior Data Analyst",
            body=REJECTION_TEXT,
            sent_at=now - timedelta(hours=3),
            message_id=REJECTION_ID,
        ),
    )
    sync()

    page = alice_client.get(reverse("followups:inbox")).content.decode()
    assert "Rejection from Priya Raman, Northwind Labs, Senior Data Analyst" in page
    waiting = MailMessage.objects.get(owner=alice, status=MailMessage.Status.WAITING)

    response = alice_client.post(reverse("followups:inbox-confirm", args=[waiting.pk]))
    assert response.status_code == 302
    priya = Contact.objects.get(owner=alice, email="priya.raman@northwind-labs.com")
    assert priya.full_name == "Priya Raman"
    assert priya.company.name == "Northwind Labs"
    application = JobApplication.objects.get(owner=alice, title="Senior Data Analyst")
    assert application.status == JobApplication.Status.REJECTED
    reply = FollowUp.objects.get(contact=priya, kind=FollowUp.Kind.REPLY)
    assert reply.status == FollowUp.Status.PENDING
    assert (
        "nothing is waiting"
        in alice_client.get(reverse("followups:inbox")).content.decode().lower()
    )

    imap.append(
        "Sent",
        mail(
            sender=f"Sam <{imap.address}>",
            to=PRIYA,
            subject="Re: Your application for Senior Data Analyst",
            body=REPLY_TEXT,
            sent_at=now - timedelta(hours=1),
            message_id=REPLY_ID,
            in_reply_to=REJECTION_ID,
        ),
    )
    sync()

    reply.refresh_from_db()
    assert reply.status == FollowUp.Status.DONE
    sent = reply.completed_by
    assert sent.direction == Interaction.Direction.OUTBOUND
    assert sent.kind == Interaction.Kind.REPLY
    assert sent.requests_feedback is True
    assert "> Unfortunately" not in sent.body  # the quote is not what Sam wrote
    nudge = FollowUp.objects.get(contact=priya, kind=FollowUp.Kind.FEEDBACK_NUDGE)
    assert nudge.status == FollowUp.Status.PENDING

    imap.append(
        "INBOX",
        mail(
            sender=PRIYA,
            to=imap.address,
            subject="Re: Your application for Senior Data Analyst",
            body=ANSWER_TEXT,
            sent_at=now - timedelta(minutes=10),
            in_reply_to=REPLY_ID,
        ),
    )
    sync()

    nudge.refresh_from_db()
    assert nudge.status == FollowUp.Status.CANCELLED
    assert "Priya answered" in nudge.cancel_reason
    assert Interaction.objects.filter(owner=alice, contact=priya).count() == 3


def test_syncing_again_logs_nothing_twice(alice, imap, mailbox):
    priya = Contact.objects.create(
        owner=alice, first_name="Priya", last_name="Raman", email="priya.raman@northwind-labs.com"
    )
    imap.append(
        "Sent",
        mail(
            sender=imap.address,
            to=PRIYA,
            subject="Checking in",
            body="Hi Priya, I hope the quarter went well. Thanks again for your advice.",
        ),
    )
    for _ in range(3):
        sync()
    assert Interaction.objects.filter(contact=priya).count() == 1
    assert MailMessage.objects.filter(owner=alice).count() == 1
    mailbox.refresh_from_db()
    assert mailbox.messages_logged == 1
    assert mailbox.last_success_at is not None


def test_mail_from_strangers_about_nothing_is_not_kept(alice, imap, mailbox):
    imap.append(
        "INBOX",
        mail(
            sender="Newsletter <news@shop.example>",
            to=imap.address,
            subject="Our autumn sale",
            body="Everything half price.",
        ),
    )
    sync()
    assert not MailMessage.objects.exists()
    mailbox.refresh_from_db()
    assert (mailbox.messages_read, mailbox.messages_kept) == (1, 0)


def test_the_apps_own_reminder_emails_are_never_ingested(alice, imap, mailbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Follow-up CRM <reminders@crm.example>"
    imap.append(
        "INBOX",
        mail(
            sender="Follow-up CRM <reminders@crm.example>",
            to=imap.address,
            subject="Reply to Priya Raman about your application",
            body="Unfortunately you have not replied yet. Your draft: ...",
        ),
    )
    sync()
    assert not MailMessage.objects.exists()


def test_sending_the_nudge_draft_from_the_mail_client_completes_the_nudge(alice, imap, mailbox):
    priya = Contact.objects.create(
        owner=alice, first_name="Priya", last_name="Raman", email="priya.raman@northwind-labs.com"
    )
    Interaction.objects.create(
        owner=alice,
        contact=priya,
        direction="outbound",
        kind="reply",
        requests_feedback=True,
        occurred_at=timezone.now() - timedelta(days=8),
        subject="Thank you",
    )
    nudge = FollowUp.objects.get(contact=priya, kind=FollowUp.Kind.FEEDBACK_NUDGE)
    imap.append(
        "Sent",
        mail(
            sender=imap.address,
            to=PRIYA,
            subject=nudge.draft_subject,
            body=nudge.draft_body + "\n",
        ),
    )
    sync()
    nudge.refresh_from_db()
    assert nudge.status == FollowUp.Status.DONE
    assert nudge.completed_by.kind == Interaction.Kind.NUDGE
    # A nudge never schedules another nudge (R3), even though it asks for feedback.
    assert FollowUp.objects.filter(contact=priya, kind=FollowUp.Kind.FEEDBACK_NUDGE).count() == 1
