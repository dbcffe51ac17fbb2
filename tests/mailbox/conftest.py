"""Mailbox tests run against a real Dovecot (tests/mailbox/dovecot.py) on loopback.

Without Dovecot installed they skip, unless CI=true, where a missing server is a failure
(.ci/run installs dovecot-imapd). One server serves the session; each test gets its own
IMAP user, so no test sees another's mail.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from followups.models import Mailbox
from tests.mailbox import dovecot as dovecot_module


def require_dovecot() -> None:
    if not dovecot_module.available():
        reason = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, and CI=true says the mailbox tests must run.")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def dovecot():
    require_dovecot()
    server = dovecot_module.Dovecot().start()
    yield server
    server.cleanup()


@pytest.fixture
def private_dovecot():
    """A server of the test's own, which the test may stop and start again."""
    require_dovecot()
    server = dovecot_module.Dovecot().start()
    yield server
    server.cleanup()


@dataclass
class Account:
    """One IMAP user on a running Dovecot: what the test appends mail with."""

    server: dovecot_module.Dovecot
    user: str
    password: str
    address: str

    def append(self, folder: str, message: EmailMessage | bytes, when=None) -> int:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        return self.server.append(self.user, self.password, folder, raw, when=when)

    def client(self):
        return self.server.client(self.user, self.password)


def new_account(server) -> Account:
    user, password = server.new_user()
    return Account(server, user, password, f"{user}@example.org")


@pytest.fixture
def imap(dovecot) -> Account:
    return new_account(dovecot)


def connect_mailbox(owner, account: Account, **fields) -> Mailbox:
    mailbox = Mailbox(
        owner=owner,
        host=dovecot_module.HOST,
        port=account.server.port,
        security=Mailbox.Security.PLAIN,
        username=account.user,
        **fields,
    )
    mailbox.set_password(account.password)
    mailbox.save()
    return mailbox


@pytest.fixture
def mailbox(alice, imap) -> Mailbox:
    return connect_mailbox(alice, imap)


def mail(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    sent_at: datetime | None = None,
    message_id: str | None = "",
    in_reply_to: str = "",
    html: str = "",
) -> EmailMessage:
    """A message as a mail client would write it; message_id=None leaves it out."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at or timezone.now())
    if message_id is not None:
        message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    if body:
        message.set_content(body)
    if html:
        if body:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    return message
