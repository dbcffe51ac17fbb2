"""The admin pages of mailbox sync: owner-scoped like every admin, the password write-only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.accounts import enable_admin_editing
from followups.mailbox import crypto
from followups.models import Mailbox, MailMessage
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SECRET_PASSWORD = "app-password-Quokka-42"


def make_mailbox(owner, username: str) -> Mailbox:
    mailbox = Mailbox(owner=owner, host="imap.example.com", username=username)
    mailbox.set_password(SECRET_PASSWORD)
    mailbox.save()
    return mailbox


def make_message(mailbox: Mailbox, subject: str) -> MailMessage:
    return MailMessage.objects.create(
        owner=mailbox.owner,
        mailbox=mailbox,
        message_key=f"<{subject}@example.com>",
        folder="INBOX",
        uid=1,
        direction=MailMessage.Direction.INBOUND,
        subject=subject,
        sent_at=timezone.now(),
    )


@pytest.fixture
def staff_client(client, bob):
    enable_admin_editing(bob)
    client.login(username="bob", password=PASSWORD)
    return client


def form_data(**changes) -> dict:
    data = {
        "host": "imap.example.com",
        "port": 993,
        "security": "ssl",
        "username": "bob@example.com",
        "new_password": "",
        "inbox_folder": "INBOX",
        "sent_folder": "Sent",
        "enabled": "on",
        "first_sync_days": 90,
    }
    data.update(changes)
    return data


def test_a_staff_user_lists_only_their_own_mailboxes_and_messages(staff_client, alice, bob):
    mine = make_mailbox(bob, "bob@example.com")
    theirs = make_mailbox(alice, "alice-secret@example.com")
    make_message(mine, "Bobs rejection")
    make_message(theirs, "Alices rejection")
    page = staff_client.get(reverse("admin:followups_mailbox_changelist")).text
    assert "bob@example.com" in page
    assert "alice-secret@example.com" not in page
    page = staff_client.get(reverse("admin:followups_mailmessage_changelist")).text
    assert "Bobs rejection" in page
    assert "Alices rejection" not in page


def test_another_users_mailbox_and_message_answer_404(staff_client, alice):
    theirs = make_mailbox(alice, "alice@example.com")
    message = make_message(theirs, "Alices rejection")
    for url in (
        reverse("admin:followups_mailbox_change", args=[theirs.pk]),
        reverse("admin:followups_mailbox_delete", args=[theirs.pk]),
        reverse("admin:followups_mailmessage_change", args=[message.pk]),
        reverse("admin:followups_mailmessage_delete", args=[message.pk]),
    ):
        assert staff_client.get(url).status_code == 404, url
        assert staff_client.post(url, {"post": "yes"}).status_code == 404, url
    assert Mailbox.objects.filter(pk=theirs.pk).exists()
    assert MailMessage.objects.filter(pk=message.pk).exists()


def test_the_password_is_never_shown_only_whether_it_is_set(staff_client, bob):
    mailbox = make_mailbox(bob, "bob@example.com")
    page = staff_client.get(reverse("admin:followups_mailbox_change", args=[mailbox.pk])).text
    assert SECRET_PASSWORD not in page
    assert mailbox.password_encrypted not in page
    assert 'name="password_encrypted"' not in page
    assert 'name="owner"' not in page
    assert "App password" in page and ">set<" in page.replace("\n", "")


def test_saving_without_a_new_password_keeps_the_stored_one(staff_client, bob):
    mailbox = make_mailbox(bob, "bob@example.com")
    url = reverse("admin:followups_mailbox_change", args=[mailbox.pk])
    response = staff_client.post(url, form_data(sent_folder="Sent Items"))
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox.refresh_from_db()
    assert mailbox.sent_folder == "Sent Items"
    assert crypto.decrypt(mailbox.password_encrypted) == SECRET_PASSWORD


def test_a_new_password_is_stored_through_set_password(staff_client, bob):
    mailbox = make_mailbox(bob, "bob@example.com")
    url = reverse("admin:followups_mailbox_change", args=[mailbox.pk])
    staff_client.post(url, form_data(new_password="a-brand-new-one"))
    mailbox.refresh_from_db()
    assert crypto.decrypt(mailbox.password_encrypted) == "a-brand-new-one"
    assert "a-brand-new-one" not in mailbox.password_encrypted


def test_adding_a_mailbox_makes_it_yours_and_needs_a_password(staff_client, alice, bob):
    url = reverse("admin:followups_mailbox_add")
    page = staff_client.get(url).text
    assert 'name="owner"' not in page
    response = staff_client.post(url, form_data())
    assert "Enter the app password" in response.text
    response = staff_client.post(url, form_data(new_password="secret", owner=alice.pk))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.owner == bob
    assert crypto.decrypt(mailbox.password_encrypted) == "secret"


def test_plain_imap_to_a_remote_host_is_refused_with_a_reason(staff_client):
    response = staff_client.post(
        reverse("admin:followups_mailbox_add"),
        form_data(security="plain", port=143, new_password="secret"),
    )
    assert response.status_code == 200
    assert "in clear" in response.text
    assert not Mailbox.objects.exists()


def test_a_kept_message_is_read_only_in_the_admin(staff_client, bob):
    message = make_message(make_mailbox(bob, "bob@example.com"), "Bobs rejection")
    url = reverse("admin:followups_mailmessage_change", args=[message.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "Bobs rejection" in response.text
    assert 'name="status"' not in response.text
    staff_client.post(url, {"status": "ignored"})
    message.refresh_from_db()
    assert message.status == MailMessage.Status.WAITING


def test_the_admin_checks_the_server_name_and_port_as_preferences_does(staff_client):
    response = staff_client.post(
        reverse("admin:followups_mailbox_add"),
        form_data(host="imap.example.com/inbox", port=70000, new_password="secret"),
    )
    assert response.status_code == 200
    assert "Enter the server&#x27;s name only" in response.text
    assert "A port is a number from 1 to 65535" in response.text
    assert not Mailbox.objects.exists()
