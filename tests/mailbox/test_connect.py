"""Preferences → Mailbox: connecting, "Test connection" saying exactly what failed, and
the password kept encrypted and never shown back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followups.export.backup import export_json
from followups.mailbox import crypto
from followups.mailbox.transport import check_connection
from followups.models import Mailbox
from tests.mailbox.dovecot import HOST, free_port

URL = reverse("followups:mailbox")


def form_data(imap, **overrides) -> dict:
    data = {
        "action": "save",
        "host": HOST,
        "port": imap.server.port,
        "security": "plain",
        "username": imap.user,
        "password": imap.password,
        "inbox_folder": "INBOX",
        "sent_folder": "",
        "enabled": "on",
        "first_sync_days": 90,
    }
    data.update(overrides)
    return data


def test_connecting_stores_the_password_encrypted_and_never_shows_it_back(alice_client, imap):
    response = alice_client.post(URL, form_data(imap))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert imap.password not in mailbox.password_encrypted
    assert crypto.decrypt(mailbox.password_encrypted) == imap.password
    page = alice_client.get(URL).content.decode()
    assert imap.password not in page
    assert "A password is saved." in page
    assert imap.password not in export_json(mailbox.owner)
    assert mailbox.password_encrypted not in export_json(mailbox.owner)


def test_saving_again_without_a_password_keeps_the_stored_one(alice_client, imap):
    alice_client.post(URL, form_data(imap))
    alice_client.post(URL, form_data(imap, password="", inbox_folder="INBOX"))
    assert crypto.decrypt(Mailbox.objects.get().password_encrypted) == imap.password


def test_a_new_mailbox_needs_a_password(alice_client, imap):
    response = alice_client.post(URL, form_data(imap, password=""))
    assert "Enter the app password" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_test_connection_with_the_right_password_names_the_folders(alice_client, imap):
    response = alice_client.post(URL, form_data(imap, action="test"))
    page = response.content.decode()
    assert f"Connected to {HOST} as {imap.user}" in page
    assert "sent folder &#x27;Sent&#x27;" in page
    assert not Mailbox.objects.exists()  # testing saves nothing


def test_test_connection_with_a_wrong_password_says_the_server_refused_it(alice_client, imap):
    response = alice_client.post(URL, form_data(imap, action="test", password="wrong"))
    page = response.content.decode()
    assert f"{HOST} refused the user name or password for {imap.user}" in page
    assert "app password" in page
    assert "wrong" not in page.split('id="connection-check"')[1].split("</div>")[0]


def test_test_connection_to_a_closed_port_says_it_was_refused(alice_client, imap):
    response = alice_client.post(URL, form_data(imap, action="test", port=free_port()))
    assert "refused the connection on port" in response.content.decode()


def test_test_connection_to_an_unknown_server_says_the_name_was_not_found(alice_client, imap):
    data = form_data(imap, action="test", host="no-such-host.invalid", security="ssl")
    response = alice_client.post(URL, data)
    assert "no-such-host.invalid was not found (DNS)" in response.content.decode()


def test_a_missing_folder_is_named_with_the_folders_there_are(alice_client, imap):
    response = alice_client.post(URL, form_data(imap, action="test", sent_folder="Sent Items"))
    page = response.content.decode()
    assert "The folder &#x27;Sent Items&#x27; does not exist" in page
    assert "INBOX" in page


def test_a_connection_without_tls_is_refused_to_another_machine(alice_client, imap):
    response = alice_client.post(URL, form_data(imap, host="imap.example.com"))
    assert "Without TLS your password would cross the network" in response.content.decode()
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_an_untrusted_certificate_is_reported_as_such(alice, imap, security):
    port = imap.server.tls_port if security == "ssl" else imap.server.port
    mailbox = Mailbox(owner=alice, host=HOST, port=port, security=security, username=imap.user)
    mailbox.set_password(imap.password)
    check = check_connection(mailbox)
    assert not check.ok
    assert f"The certificate of {HOST} is not trusted" in check.message


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_and_starttls_connect_with_a_trusted_certificate(alice, imap, security, settings):
    settings.MAILBOX_CA_FILE = str(imap.server.cert_path)
    port = imap.server.tls_port if security == "ssl" else imap.server.port
    mailbox = Mailbox(owner=alice, host=HOST, port=port, security=security, username=imap.user)
    mailbox.set_password(imap.password)
    check = check_connection(mailbox)
    assert check.ok, check.message


def test_tls_against_a_plain_port_says_tls_failed(alice, imap, settings):
    settings.MAILBOX_CA_FILE = str(imap.server.cert_path)
    mailbox = Mailbox(
        owner=alice, host=HOST, port=imap.server.port, security="ssl", username=imap.user
    )
    mailbox.set_password(imap.password)
    check = check_connection(mailbox)
    assert not check.ok
    assert f"TLS with {HOST}:{imap.server.port} failed" in check.message


def test_a_password_from_an_old_key_still_works_and_is_reencrypted(alice, imap, settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MAILBOX_KEY = [old]
    mailbox = Mailbox(owner=alice, host=HOST, port=imap.server.port, security="plain")
    mailbox.username = imap.user
    mailbox.set_password(imap.password)
    mailbox.save()
    settings.MAILBOX_KEY = [new, old]
    from followups.mailbox.sync import sync_mailbox

    assert not sync_mailbox(mailbox).error
    mailbox.refresh_from_db()
    settings.MAILBOX_KEY = [new]
    assert crypto.decrypt(mailbox.password_encrypted) == imap.password


def test_a_password_no_key_can_read_asks_for_the_password_again(alice, imap, settings):
    from cryptography.fernet import Fernet

    settings.MAILBOX_KEY = [Fernet.generate_key().decode()]
    mailbox = Mailbox(owner=alice, host=HOST, port=imap.server.port, security="plain")
    mailbox.username = imap.user
    mailbox.set_password(imap.password)
    settings.MAILBOX_KEY = [Fernet.generate_key().decode()]
    check = check_connection(mailbox)
    assert "enter the password again" in check.message


def test_the_password_is_never_logged_even_at_debug_level(alice, imap, caplog):
    import logging

    from followups.mailbox.sync import sync_mailbox

    mailbox = Mailbox(owner=alice, host=HOST, port=imap.server.port, security="plain")
    mailbox.username = imap.user
    mailbox.set_password(imap.password)
    mailbox.save()
    with caplog.at_level(logging.DEBUG):
        assert not sync_mailbox(mailbox).error
        mailbox.set_password("wrong-" + imap.password)
        mailbox.save()
        assert sync_mailbox(mailbox).error
    # IMAPClient did log the login (not the protocol lines: tests/mailbox/test_protocol_log.py).
    assert f"Logged in as {imap.user}" in caplog.text
    assert imap.password not in caplog.text


def test_a_server_without_starttls_is_refused_rather_than_used_in_clear(alice):
    from tests.mailbox.conftest import require_dovecot
    from tests.mailbox.dovecot import Dovecot

    require_dovecot()
    server = Dovecot(tls=False).start()
    try:
        user, password = server.new_user()
        mailbox = Mailbox(
            owner=alice, host=HOST, port=server.port, security="starttls", username=user
        )
        mailbox.set_password(password)
        check = check_connection(mailbox)
    finally:
        server.cleanup()
    assert not check.ok
    assert f"{HOST} did not accept STARTTLS" in check.message
