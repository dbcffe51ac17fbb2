"""The Inbox triage page, "Sync now", disconnecting, health: what a user sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Interaction
from followups.mailbox.sync import sync_mailbox
from followups.models import FollowUp, Mailbox, MailMessage
from tests.factories import make_contact, make_interaction
from tests.mailbox.conftest import mail

INBOX = reverse("followups:inbox")

REJECTION = """\
Dear Sam,

Thank you for applying to the Product Designer position. Unfortunately we will not be
moving forward with your application at this time.

Kind regards,
Dana Reyes
Recruiter | Acme Robotics
"""


def rejection(imap, **overrides):
    fields = {
        "sender": "Dana Reyes <dana@acme-robotics.com>",
        "to": imap.address,
        "subject": "Your application for Product Designer",
        "body": REJECTION,
    }
    fields.update(overrides)
    return mail(**fields)


@pytest.fixture
def waiting(alice, imap, mailbox) -> MailMessage:
    imap.append("INBOX", rejection(imap))
    sync_mailbox(mailbox)
    return MailMessage.objects.get(owner=alice)


def test_sync_now_reads_the_mailbox_and_opens_the_inbox(alice_client, imap, mailbox):
    imap.append("INBOX", rejection(imap))
    response = alice_client.post(
        reverse("followups:mailbox-sync"), {"mailbox": mailbox.pk}, follow=True
    )
    page = response.content.decode()
    assert "Read 1 new message: kept 1, logged 0, 1 waiting for you." in page
    assert "Rejection from Dana Reyes, Acme Robotics, Product Designer" in page


def test_the_mailbox_page_shows_the_last_sync_and_the_counts(alice_client, waiting):
    page = alice_client.get(reverse("followups:mailbox")).content.decode()
    assert "1 read, 1 kept, 0 logged" in page
    assert "1 waiting for you" in page
    assert "Never" not in page.split('id="mailbox-status"')[1].split("</section>")[0]


def test_ignore_takes_the_message_off_the_inbox(alice_client, waiting):
    alice_client.post(reverse("followups:inbox-ignore", args=[waiting.pk]))
    assert "Nothing is waiting for you." in alice_client.get(INBOX).content.decode()
    waiting.refresh_from_db()
    assert waiting.status == MailMessage.Status.IGNORED
    assert not Interaction.objects.exists()


def test_confirming_twice_logs_once(alice_client, waiting):
    url = reverse("followups:inbox-confirm", args=[waiting.pk])
    alice_client.post(url)
    response = alice_client.post(url, follow=True)
    assert "already dealt with" in response.content.decode()
    assert Interaction.objects.count() == 1
    assert FollowUp.objects.filter(kind=FollowUp.Kind.REPLY).count() == 1


def test_change_logs_what_the_user_corrected_through_quick_log(alice_client, alice, waiting):
    url = reverse("followups:inbox-change", args=[waiting.pk])
    page = alice_client.get(url).content.decode()
    assert 'value="Dana Reyes"' in page and 'value="Acme Robotics"' in page
    data = {
        "action": "save",
        "direction": "inbound",
        "kind": "feedback",
        "channel": "email",
        "contact_name": "Dana Reyes",
        "contact_email": "dana@acme-robotics.com",
        "company_name": "Acme Robotics",
        "job_title": "Product Designer",
        "occurred_at": timezone.localtime(waiting.sent_at).strftime("%Y-%m-%dT%H:%M"),
        "subject": waiting.subject,
        "body": "They said my portfolio lacked research.",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 302
    interaction = Interaction.objects.get(owner=alice)
    assert interaction.kind == "feedback"
    assert FollowUp.objects.filter(kind=FollowUp.Kind.THANK_YOU, source=interaction).exists()
    waiting.refresh_from_db()
    assert waiting.status == MailMessage.Status.LOGGED and waiting.interaction == interaction


def test_confirm_without_a_name_asks_for_the_missing_details(alice_client, alice, imap, mailbox):
    imap.append("INBOX", rejection(imap, sender="Careers <careers@acme-robotics.com>"))
    sync_mailbox(mailbox)
    message = MailMessage.objects.get(owner=alice)
    response = alice_client.post(reverse("followups:inbox-confirm", args=[message.pk]), follow=True)
    page = response.content.decode()
    assert "Some details are missing; complete them and save." in page
    assert "This field is required." in page
    assert not Interaction.objects.exists()


def test_another_users_messages_and_mailbox_answer_404(bob_client, waiting, mailbox):
    for name in ("inbox-confirm", "inbox-ignore", "inbox-change"):
        assert bob_client.post(reverse(f"followups:{name}", args=[waiting.pk])).status_code == 404
    delete = bob_client.post(reverse("followups:mailbox-delete", args=[mailbox.pk]))
    assert delete.status_code == 404
    sync = bob_client.post(reverse("followups:mailbox-sync"), {"mailbox": mailbox.pk})
    assert sync.status_code == 404
    assert "Dana Reyes" not in bob_client.get(INBOX).content.decode()
    assert mailbox.username not in bob_client.get(reverse("followups:mailbox")).content.decode()


def test_disconnecting_deletes_the_kept_messages_but_not_what_was_logged(
    alice_client, alice, waiting, mailbox
):
    alice_client.post(reverse("followups:inbox-confirm", args=[waiting.pk]))
    alice_client.post(reverse("followups:mailbox-delete", args=[mailbox.pk]))
    assert not Mailbox.objects.exists()
    assert not MailMessage.objects.exists()
    assert Interaction.objects.filter(owner=alice, kind="rejection").count() == 1


def test_rejections_are_logged_without_asking_when_the_user_says_so(alice, imap, mailbox):
    make_contact(alice, first_name="Dana", last_name="Reyes", email="dana@acme-robotics.com")
    mailbox.log_rejections_without_asking = True
    mailbox.save()
    imap.append("INBOX", rejection(imap))
    report = sync_mailbox(mailbox)
    assert (report.logged, report.waiting) == (1, 0)
    assert FollowUp.objects.filter(kind=FollowUp.Kind.REPLY, status="pending").count() == 1


@pytest.mark.parametrize("without_asking", [True, False])
def test_a_rejection_logged_by_hand_is_matched_not_logged_again(
    alice, alice_client, imap, mailbox, without_asking
):
    dana = make_contact(alice, first_name="Dana", last_name="Reyes", email="dana@acme-robotics.com")
    sent_at = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    by_hand = make_interaction(
        alice, contact=dana, kind="rejection", direction="inbound", occurred_at=sent_at
    )
    mailbox.log_rejections_without_asking = without_asking
    mailbox.save()
    imap.append("INBOX", rejection(imap, sent_at=sent_at))
    sync_mailbox(mailbox)
    assert Interaction.objects.filter(owner=alice).count() == 1
    assert MailMessage.objects.get().interaction == by_hand
    assert "Nothing is waiting for you." in alice_client.get(INBOX).content.decode()


def test_a_mailbox_failing_for_an_hour_shows_a_banner_and_healthz_counts_it(
    alice_client, mailbox, settings
):
    settings.HEALTHZ_TOKEN = "monitor-token"
    Mailbox.objects.filter(pk=mailbox.pk).update(
        failing_since=timezone.now() - timedelta(minutes=30), last_error="Login refused"
    )
    assert "mailbox-failing-banner" not in alice_client.get(INBOX).content.decode()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        failing_since=timezone.now() - timedelta(minutes=61)
    )
    page = alice_client.get(reverse("home")).content.decode()
    assert "mailbox-failing-banner" in page and "Login refused" in page
    monitor = Client(headers={"Authorization": "Bearer monitor-token"})
    health = monitor.get(reverse("healthz")).json()["mailboxes"]
    assert health["enabled"] == 1 and health["failing_for_an_hour"] == 1


def test_a_wrong_password_is_recorded_in_words_and_clears_on_success(alice_client, imap, mailbox):
    mailbox.set_password("not-the-password")
    mailbox.save()
    report = sync_mailbox(mailbox)
    assert "refused the user name or password" in report.error
    mailbox.refresh_from_db()
    assert mailbox.failing_since is not None
    page = alice_client.get(reverse("followups:mailbox")).content.decode()
    assert "refused the user name or password" in page
    mailbox.set_password(imap.password)
    mailbox.save()
    assert not sync_mailbox(mailbox).error
    mailbox.refresh_from_db()
    assert mailbox.failing_since is None and mailbox.last_error == ""


def test_the_command_says_which_mailbox_failed(alice, mailbox, capsys):
    from django.core.management import CommandError, call_command

    mailbox.set_password("nope")
    mailbox.save()
    with pytest.raises(CommandError):
        call_command("sync_mailbox", "--user", "alice")
    assert "refused the user name or password" in capsys.readouterr().err


def test_a_known_contacts_unrelated_mail_waits_rather_than_vanishes(alice, imap, mailbox):
    Contact.objects.create(owner=alice, first_name="Dana", email="dana@acme-robotics.com")
    imap.append(
        "INBOX",
        rejection(imap, subject="Lunch?", body="Are you free on Thursday for lunch?"),
    )
    report = sync_mailbox(mailbox)
    assert report.waiting == 1
    assert MailMessage.objects.get().summary == "Message from Dana, Acme Robotics"


def test_sync_now_on_a_paused_mailbox_says_it_is_paused(alice_client, mailbox):
    mailbox.enabled = False
    mailbox.save()
    response = alice_client.post(
        reverse("followups:mailbox-sync"), {"mailbox": mailbox.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("followups:mailbox")
    assert "This mailbox is paused" in response.content.decode()


# Sent mail to someone not yet a contact -----------------------------------------------

REPLY_TO_DANA = """\
Hi Dana,

Thank you for letting me know. I would be grateful for any feedback on my application.

Best,
Sam
"""


@pytest.fixture
def sent_reply(alice, imap, mailbox) -> MailMessage:
    """Dana's rejection waits in the Inbox (she is no contact yet), and so does the reply
    the user sent her from their mail client."""
    imap.append("INBOX", rejection(imap, message_id="<rejection-1@acme-robotics.com>"))
    imap.append(
        "Sent",
        mail(
            sender=f"Sam <{imap.address}>",
            to="Dana Reyes <dana@acme-robotics.com>",
            subject="Re: Your application for Product Designer",
            body=REPLY_TO_DANA,
            in_reply_to="<rejection-1@acme-robotics.com>",
        ),
    )
    report = sync_mailbox(mailbox)
    assert (report.kept, report.logged, report.waiting) == (2, 0, 2), report
    return MailMessage.objects.get(owner=alice, direction=MailMessage.Direction.OUTBOUND)


def test_a_reply_sent_to_someone_not_yet_a_contact_waits_in_the_inbox(alice_client, sent_reply):
    page = alice_client.get(INBOX).content.decode()
    assert "Reply to dana@acme-robotics.com, Acme Robotics, Product Designer" in page
    assert "Would create the contact dana@acme-robotics.com" in page
    assert reverse("followups:inbox-change", args=[sent_reply.pk]) in page


def test_sent_mail_to_a_stranger_is_not_kept(alice, imap, mailbox):
    imap.append(
        "Sent",
        mail(
            sender=imap.address,
            to="friend@example.net",
            subject="Dinner on Friday?",
            body="Shall we meet at eight?",
        ),
    )
    assert sync_mailbox(mailbox).kept == 0
    assert not MailMessage.objects.exists()


def test_change_a_sent_message_kind_and_contact_before_it_is_logged(
    alice_client, alice, sent_reply
):
    url = reverse("followups:inbox-change", args=[sent_reply.pk])
    page = alice_client.get(url).content.decode()
    # Filled in as sent: to Dana (her name from the message she wrote), asking feedback.
    assert 'value="Dana Reyes"' in page and 'value="dana@acme-robotics.com"' in page
    assert 'value="outbound" checked' in page or 'value="outbound" selected' in page
    data = {
        "action": "save",
        "direction": "outbound",
        "kind": "thank_you",
        "channel": "email",
        "contact_name": "Dana Reyes-Moreno",
        "contact_email": "dana@acme-robotics.com",
        "company_name": "Acme Robotics",
        "job_title": "Product Designer",
        "occurred_at": timezone.localtime(sent_reply.sent_at).strftime("%Y-%m-%dT%H:%M"),
        "subject": sent_reply.subject,
        "body": REPLY_TO_DANA,
        "requests_feedback": "on",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    interaction = Interaction.objects.get(owner=alice)
    assert interaction.direction == "outbound" and interaction.kind == "thank_you"
    assert interaction.requests_feedback
    assert interaction.contact.full_name == "Dana Reyes-Moreno"
    # Asking for feedback schedules the nudge, as mark sent would (R3).
    assert FollowUp.objects.filter(kind=FollowUp.Kind.FEEDBACK_NUDGE, source=interaction).exists()
    sent_reply.refresh_from_db()
    assert sent_reply.status == MailMessage.Status.LOGGED
    assert sent_reply.interaction == interaction
    # The rejection still waits for its own decision.
    assert MailMessage.objects.filter(status=MailMessage.Status.WAITING).count() == 1


def test_confirm_a_sent_reply_logs_it_as_a_reply_asking_for_feedback(
    alice_client, alice, sent_reply
):
    response = alice_client.post(reverse("followups:inbox-confirm", args=[sent_reply.pk]))
    assert response.status_code == 302
    interaction = Interaction.objects.get(owner=alice)
    assert (interaction.direction, interaction.kind) == ("outbound", "reply")
    assert interaction.requests_feedback
    assert interaction.contact.email == "dana@acme-robotics.com"
