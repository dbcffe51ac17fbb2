"""What a sync costs in IMAP commands, counted on a real Dovecot: an idle sync (no new
mail) sends one command besides connecting, logging in and out, as one NOOP would."""

from __future__ import annotations

import imaplib
import re

import pytest

from followups.mailbox import sync as sync_module
from followups.mailbox.sync import sync_mailbox
from followups.models import MailboxFolder, MailMessage
from tests.factories import make_contact
from tests.mailbox import dovecot as dovecot_module
from tests.mailbox.conftest import connect_mailbox, mail, new_account, require_dovecot

# What imaplib sends for any session: its CAPABILITY on connecting, LOGIN, LOGOUT.
SESSION = ["CAPABILITY", "LOGIN", "LOGOUT"]


# A command line starts with imaplib's tag (four letters and a number), then its name;
# literals and IDLE's DONE are sent without one.
COMMAND_LINE = re.compile(rb"^[A-Z]{4}\d+ (?:UID )?([A-Z]+)")


@pytest.fixture
def commands(monkeypatch) -> list[str]:
    """The name of every IMAP command written to the socket. Counted at imaplib's send():
    IMAPClient sends SEARCH, FETCH and LIST-STATUS itself, past imaplib's _command."""
    sent: list[str] = []
    original = imaplib.IMAP4.send

    def counting(imap, data):
        match = COMMAND_LINE.match(data)
        if match:
            sent.append(match.group(1).decode())
        return original(imap, data)

    monkeypatch.setattr(imaplib.IMAP4, "send", counting)
    return sent


def fill(account) -> None:
    account.append(
        "INBOX",
        mail(
            sender="Priya Raman <priya@northwind.example>",
            to=account.address,
            subject="Your application",
            body="Unfortunately we will not move forward with your application.",
        ),
    )
    account.append(
        "Sent",
        mail(
            sender=account.address,
            to="priya@northwind.example",
            subject="Re: Your application",
            body="Thank you, Priya. Could you share any feedback?",
        ),
    )


def test_an_idle_sync_sends_one_command_like_a_noop(alice, imap, mailbox, commands):
    make_contact(alice, first_name="Priya", email="priya@northwind.example")
    fill(imap)
    first = sync_mailbox(mailbox)
    assert first.kept == 2 and not first.error
    commands.clear()
    idle = sync_mailbox(mailbox)
    assert not idle.error and idle.read == 0
    # One LIST … RETURN (STATUS (UIDVALIDITY UIDNEXT)) for both folders; no SELECT,
    # no SEARCH, no STATUS per folder.
    assert commands == ["CAPABILITY", "LOGIN", "LIST", "LOGOUT"]
    idle_commands = list(commands)
    commands.clear()
    with imap.client() as client:
        client.noop()
    assert commands == ["CAPABILITY", "LOGIN", "NOOP", "LOGOUT"]
    assert len(idle_commands) == len(commands)


def test_new_mail_in_one_folder_reads_only_that_folder(alice, imap, mailbox, commands):
    make_contact(alice, first_name="Priya", email="priya@northwind.example")
    fill(imap)
    sync_mailbox(mailbox)
    imap.append(
        "INBOX",
        mail(
            sender="Priya Raman <priya@northwind.example>",
            to=imap.address,
            subject="Feedback",
            body="Happy to share some feedback on your interview.",
        ),
    )
    commands.clear()
    report = sync_mailbox(mailbox)
    assert report.kept == 1
    # The sent folder is unchanged: only the inbox is opened and searched.
    assert commands[:3] == ["CAPABILITY", "LOGIN", "LIST"]
    assert commands.count("EXAMINE") + commands.count("SELECT") == 1
    assert commands.count("SEARCH") == 1


@pytest.fixture
def dovecot_without_list_status():
    require_dovecot()
    server = dovecot_module.Dovecot(
        extra_config="imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE "
        "NAMESPACE UIDPLUS MULTIAPPEND SPECIAL-USE UNSELECT CHILDREN LIST-EXTENDED"
    ).start()
    yield server
    server.cleanup()


def test_a_server_without_list_status_gets_one_status_per_folder(
    alice, dovecot_without_list_status, commands
):
    account = new_account(dovecot_without_list_status)
    mailbox = connect_mailbox(alice, account)
    make_contact(alice, first_name="Priya", email="priya@northwind.example")
    fill(account)
    assert sync_mailbox(mailbox).kept == 2
    commands.clear()
    idle = sync_mailbox(mailbox)
    assert not idle.error and idle.read == 0
    assert commands == ["CAPABILITY", "LOGIN", "STATUS", "STATUS", "LOGOUT"]


def test_a_missing_folder_is_named_in_the_error(alice, imap):
    mailbox = connect_mailbox(alice, imap, sent_folder="Sent Items")
    report = sync_mailbox(mailbox)
    assert "'Sent Items'" in report.error


def test_headers_come_in_one_fetch_and_bodies_in_fetches_of_bounded_size(
    alice, imap, mailbox, commands, monkeypatch
):
    """A batch's headers are one FETCH; its bodies are split by size so a batch of big
    candidates is never held in memory at once, and every one of them is still read."""
    for n in range(3):
        imap.append(
            "INBOX",
            mail(
                sender=f"Recruiter {n} <recruiter{n}@acme-robotics.com>",
                to=imap.address,
                subject=f"Your application for Engineer {n}",
                body=f"Unfortunately we will not move forward with your application, {n}.",
            ),
        )
    for _ in range(5):
        imap.append(
            "INBOX",
            mail(sender="Shop <news@shop.example>", to=imap.address, subject="Weekly", body="x"),
        )
    real_bound = sync_module.BODY_FETCH_BYTES
    # Smaller than any message: each body in a FETCH of its own.
    monkeypatch.setattr(sync_module, "BODY_FETCH_BYTES", 10)
    commands.clear()
    report = sync_mailbox(mailbox)
    assert not report.error and report.read == 8 and report.kept == 3
    assert commands.count("FETCH") == 1 + 3
    bodies = sorted(m.body for m in MailMessage.objects.filter(owner=alice))
    assert bodies == [
        f"Unfortunately we will not move forward with your application, {n}." for n in range(3)
    ]

    # At the real bound, the three small bodies are one FETCH.
    monkeypatch.setattr(sync_module, "BODY_FETCH_BYTES", real_bound)
    MailMessage.objects.filter(owner=alice).delete()
    MailboxFolder.objects.filter(mailbox=mailbox).delete()
    commands.clear()
    again = sync_mailbox(mailbox)
    assert again.kept == 3
    assert commands.count("FETCH") == 1 + 1
