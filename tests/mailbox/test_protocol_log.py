"""The user's mail never reaches the log: IMAPClient would hand every line the server
sends to its `imapclient.imaplib` logger at DEBUG level (transport.without_protocol_log)."""

from __future__ import annotations

import logging

from followups.mailbox.sync import sync_mailbox
from followups.mailbox.transport import check_connection
from followups.models import MailMessage
from tests.mailbox.conftest import mail

SECRET_LINE = "Our offer for you is 98,765 a year, please keep it between us."


def test_a_sync_with_debug_logging_on_logs_none_of_the_mail(alice, imap, mailbox, caplog):
    imap.append(
        "INBOX",
        mail(
            sender="Dana Reyes <dana@acme-robotics.com>",
            to=imap.address,
            subject="Your offer from Acme Robotics",
            body=f"Dear Sam,\n\nWe are delighted to offer you the role. {SECRET_LINE}\n",
        ),
    )
    with caplog.at_level(logging.DEBUG):
        report = sync_mailbox(mailbox)

    assert report.kept == 1, report
    assert SECRET_LINE in MailMessage.objects.get(owner=alice).body
    # Neither the body nor the headers went to any logger (imapclient's included).
    assert "98,765" not in caplog.text
    assert "Your offer from Acme Robotics" not in caplog.text
    assert "dana@acme-robotics.com" not in caplog.text


def test_the_connection_test_logs_no_protocol_lines(mailbox, caplog):
    with caplog.at_level(logging.DEBUG, logger="imapclient"):
        result = check_connection(mailbox)

    assert result.ok, result.message
    # IMAPClient's own one-line notes may stay; what the server said does not.
    assert not [r for r in caplog.records if r.name == "imapclient.imaplib"]
