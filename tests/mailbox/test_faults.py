"""Bad mail and bad moments: a server that dies mid-sync, a reset UIDVALIDITY, duplicates,
missing Message-IDs, broken MIME, unknown charsets, a 20 MB attachment, two syncs at once."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from contacts.models import Interaction
from followups.mailbox import sync as sync_module
from followups.mailbox.sync import claim, release, sync_mailbox
from followups.models import MailboxFolder, MailMessage
from tests.factories import make_contact
from tests.mailbox.conftest import connect_mailbox, mail, new_account

REJECTION = "Unfortunately we have decided not to move forward with your application."


def rejection(account, n: int, **overrides):
    fields = {
        "sender": f"Recruiter {n} <recruiter{n}@acme-robotics.com>",
        "to": account.address,
        "subject": f"Your application for Engineer {n}",
        "body": f"Hi Sam,\n\n{REJECTION}\n\nBest regards,\nRecruiter {n}\n",
        "message_id": f"<rejection-{n}@acme-robotics.com>",
    }
    fields.update(overrides)
    return mail(**fields)


def test_a_server_stopped_mid_sync_is_resumed_by_the_next_run_with_nothing_twice(
    alice, private_dovecot, monkeypatch
):
    account = new_account(private_dovecot)
    mailbox = connect_mailbox(alice, account)
    for n in range(1, 7):
        account.append("INBOX", rejection(account, n))
    monkeypatch.setattr(sync_module, "FETCH_BATCH", 2)

    def stop_after_first_batch(report):
        if report.read == 2:
            private_dovecot.stop()

    first = sync_mailbox(mailbox, progress=stop_after_first_batch)
    assert "connection to 127.0.0.1 was lost" in first.error
    assert first.kept == 2
    assert MailMessage.objects.count() == 2
    mailbox.refresh_from_db()
    assert mailbox.failing_since is not None and mailbox.leased_until is None

    private_dovecot.start()
    second = sync_mailbox(mailbox)
    assert not second.error
    assert second.read == 4  # resumed after the last finished batch
    assert MailMessage.objects.count() == 6
    keys = set(MailMessage.objects.values_list("message_key", flat=True))
    assert keys == {f"<rejection-{n}@acme-robotics.com>" for n in range(1, 7)}


def test_a_server_stopped_while_the_next_batch_is_fetched_loses_and_repeats_nothing(
    alice, private_dovecot, monkeypatch
):
    # The server stops while the first batch is stored, before it commits: that batch
    # still commits, and the next batch's header FETCH fails the sync.
    account = new_account(private_dovecot)
    mailbox = connect_mailbox(alice, account, log_rejections_without_asking=True)
    make_contact(alice, email="recruiter1@acme-robotics.com")
    for n in range(1, 7):
        account.append("INBOX", rejection(account, n, sender="R <recruiter1@acme-robotics.com>"))
    monkeypatch.setattr(sync_module, "FETCH_BATCH", 2)
    keep = sync_module.Run.keep
    stopped = []

    def stop_while_storing_the_first_batch(run, messages, tally):
        if not stopped:
            stopped.append(True)
            private_dovecot.stop()
        keep(run, messages, tally)

    monkeypatch.setattr(sync_module.Run, "keep", stop_while_storing_the_first_batch)
    first = sync_mailbox(mailbox)
    assert "connection to 127.0.0.1 was lost" in first.error
    # The second batch's headers may have come in before the server went: never stored.
    assert (first.kept, first.logged) == (2, 2)
    assert Interaction.objects.filter(owner=alice).count() == 2

    monkeypatch.setattr(sync_module.Run, "keep", keep)
    private_dovecot.start()
    second = sync_mailbox(mailbox)
    assert not second.error
    assert (second.read, second.kept, second.logged) == (4, 4, 4)  # from the third on
    assert MailMessage.objects.count() == 6
    # Each message logged once: six rejections, six interactions.
    assert Interaction.objects.filter(owner=alice, kind="rejection").count() == 6


def test_a_reset_uidvalidity_rereads_the_folder_without_duplicating(alice, imap, mailbox):
    priya = make_contact(alice, first_name="Priya", email="priya@northwind.example")
    sent = mail(
        sender=imap.address,
        to="Priya <priya@northwind.example>",
        subject="Thank you",
        body="Hi Priya, thank you for the chat today. I would value any feedback.",
        message_id="<thanks-1@example.org>",
    )
    imap.append("Sent", sent)
    sync_mailbox(mailbox)
    before = MailboxFolder.objects.get(mailbox=mailbox, name="Sent").uidvalidity

    with imap.client() as client:  # the folder is recreated: a new UIDVALIDITY
        client.delete_folder("Sent")
        client.create_folder("Sent")
        client.append("Sent", sent.as_bytes())
        client.append(
            "Sent",
            mail(
                sender=imap.address,
                to="priya@northwind.example",
                subject="One more thing",
                body="Hi Priya, I forgot to attach my portfolio link: example.org/sam.",
            ).as_bytes(),
        )
    report = sync_mailbox(mailbox)
    assert MailboxFolder.objects.get(mailbox=mailbox, name="Sent").uidvalidity != before
    assert report.read == 2 and report.logged == 1
    assert Interaction.objects.filter(contact=priya).count() == 2


def test_the_same_message_twice_in_the_inbox_is_kept_once(alice, imap, mailbox):
    imap.append("INBOX", rejection(imap, 1))
    imap.append("INBOX", rejection(imap, 1))
    report = sync_mailbox(mailbox)
    assert report.read == 2 and report.kept == 1
    assert MailMessage.objects.count() == 1


def test_a_message_you_sent_with_yourself_in_cc_is_logged_once_as_sent(alice, imap, mailbox):
    dana = make_contact(alice, first_name="Dana", email="dana@acme-robotics.com")
    alice.email = imap.address
    alice.save()
    message = mail(
        sender=imap.address,
        to="dana@acme-robotics.com",
        subject="Re: Your application for Product Designer",
        body="Hi Dana, thank you for letting me know. Any feedback would help me.",
    )
    message["Cc"] = imap.address
    imap.append("INBOX", message)
    imap.append("Sent", message)
    sync_mailbox(mailbox)
    logged = Interaction.objects.get(contact=dana)
    assert logged.direction == "outbound" and logged.requests_feedback


def test_messages_without_message_id_are_told_apart_and_kept_once_each(alice, imap, mailbox):
    sent_at = timezone.now() - timedelta(hours=1)
    first = rejection(imap, 1, message_id=None, sent_at=sent_at)
    second = rejection(imap, 2, message_id=None, sent_at=sent_at)
    for message in (first, first, second):
        imap.append("INBOX", message)
    report = sync_mailbox(mailbox)
    assert report.kept == 2
    keys = list(MailMessage.objects.values_list("message_key", flat=True))
    assert all(key.startswith("sha256:") for key in keys) and len(set(keys)) == 2
    assert sync_mailbox(mailbox).read == 0


def test_malformed_mime_is_listed_with_what_could_be_read(alice, imap, mailbox):
    raw = (
        b"From: Dana Reyes <dana@acme-robotics.com>\r\n"
        b"To: " + imap.address.encode() + b"\r\n"
        b"Subject: Your application for Product Designer\r\n"
        b"Message-ID: <broken-1@acme-robotics.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"VW5mb3J0dW5hdGVseSB3ZSB3aWxsIG5vdCBiZSBtb3ZpbmcgZm9yd2FyZC4=!!\r\n"
    )
    imap.append("INBOX", raw)
    sync_mailbox(mailbox)
    message = MailMessage.objects.get()
    assert message.guess == "rejection"
    assert "Unfortunately we will not be moving forward" in message.body
    assert message.problem


def test_an_unknown_charset_is_decoded_by_guessing_and_said_so(alice, imap, mailbox):
    text = "Leider müssen wir Ihnen mitteilen: unfortunately we chose another candidate who"
    raw = (
        b"From: J\xc3\xbcrgen <juergen@acme-robotics.com>\r\n"
        b"To: " + imap.address.encode() + b"\r\n"
        b"Subject: Your application for Data Engineer\r\n"
        b"Message-ID: <charset-1@acme-robotics.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + (text * 3).encode("latin-1") + b"\r\n"
    )
    imap.append("INBOX", raw)
    sync_mailbox(mailbox)
    message = MailMessage.objects.get()
    assert "müssen" in message.body
    assert message.guess == "rejection"


def sayable(text: str, charset: str) -> str:
    """`text` as far as `charset` can say it (what it cannot becomes "?")."""
    return text.encode(charset, "replace").decode(charset)


def test_single_part_mail_in_every_transfer_encoding_and_charset_is_read_right(
    alice, imap, mailbox
):
    # One text part, as most job mail is: read without the full MIME parser
    # (mime._single_text_part), which must give what the parser gives.
    text = "Unfortunately we chose another candidate. Grüße, Zoë — l’équipe"
    ways = [
        ("utf-8", "quoted-printable"),
        ("iso-8859-15", "quoted-printable"),
        ("utf-8", "base64"),
        ("windows-1252", "8bit"),
        ("koi8-u", "base64"),
    ]
    for n, (charset, encoding) in enumerate(ways):
        message = rejection(imap, n, body="")
        message.set_content(sayable(text, charset), charset=charset, cte=encoding)
        imap.append("INBOX", message.as_bytes().replace(b"\n", b"\r\n"))
    imap.append(
        "INBOX",
        b"From: Dana <dana@acme-robotics.com>\r\nTo: " + imap.address.encode() + b"\r\n"
        b"Subject: Your application\r\nMessage-ID: <html-single@acme-robotics.com>\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Hi Sam,</p><p>Unfortunately we chose another candidate.</p>\r\n",
    )

    report = sync_mailbox(mailbox)

    assert report.kept == len(ways) + 1, report
    bodies = dict(MailMessage.objects.values_list("message_key", "body"))
    for n, (charset, _encoding) in enumerate(ways):
        assert bodies[f"<rejection-{n}@acme-robotics.com>"] == sayable(text, charset), charset
    assert bodies["<html-single@acme-robotics.com>"] == (
        "Hi Sam,\n\nUnfortunately we chose another candidate."
    )
    assert not MailMessage.objects.exclude(problem="").exists()


def test_html_only_mail_is_kept_as_text(alice, imap, mailbox):
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Hi Sam,</p>"
        "<p>Unfortunately we will not be moving forward &amp; wish you luck.</p></body></html>"
    )
    imap.append("INBOX", rejection(imap, 1, body="", html=html))
    sync_mailbox(mailbox)
    body = MailMessage.objects.get().body
    assert "Unfortunately we will not be moving forward & wish you luck." in body
    assert "<p>" not in body and "color" not in body


def test_a_20_mb_attachment_is_not_downloaded_or_stored(alice, imap, mailbox):
    message = rejection(imap, 1)
    message.add_attachment(
        b"\x00" * (20 * 1024 * 1024),
        maintype="application",
        subtype="pdf",
        filename="portfolio.pdf",
    )
    imap.append("INBOX", message)
    report = sync_mailbox(mailbox)
    assert report.kept == 1
    stored = MailMessage.objects.get()
    assert REJECTION in stored.body
    assert len(stored.body) < 1000
    assert "attachment not stored" in stored.problem


def test_a_sync_while_another_holds_the_lease_reads_nothing(alice, imap, mailbox):
    imap.append("INBOX", rejection(imap, 1))
    token = claim(mailbox.pk, timezone.now())
    assert sync_mailbox(mailbox).busy
    assert not MailMessage.objects.exists()
    release(mailbox.pk, token)
    assert sync_mailbox(mailbox).kept == 1


# Threads here share pytest-django's test database. On SQLite that is an in-memory
# database in shared-cache mode, where a second writer gets SQLITE_LOCKED ("database
# table is locked") at once: SQLite's busy timeout only waits on a file lock, so that
# would test the in-memory mode, not the app. On SQLite the same race runs as two
# `manage.py sync_mailbox` processes on a database file, below.
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite: see the two-process test on a file below"
)
@pytest.mark.django_db(transaction=True)
def test_two_syncs_at_once_log_each_message_once(imap):
    from tests.factories import make_user

    owner = make_user("carol")
    make_contact(owner, first_name="Dana", email="dana@acme-robotics.com")
    mailbox = connect_mailbox(owner, imap)
    for n in range(1, 21):
        imap.append(
            "Sent",
            mail(
                sender=imap.address,
                to="dana@acme-robotics.com",
                subject=f"Note {n}",
                body=f"Hi Dana, note number {n}.",
            ),
        )
    reports = []

    def run():
        from followups.models import Mailbox

        reports.append(sync_mailbox(Mailbox.objects.get(pk=mailbox.pk)))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.logged for r in reports) == 20
    assert Interaction.objects.filter(owner=owner).count() == 20


SEED_SENT_MAIL_OWNER = """
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from contacts.models import Contact
from followups.models import Mailbox
host, port, user, password = sys.argv[1:5]
owner = get_user_model().objects.create_user("carol", "carol@example.com", "x")
Contact.objects.create(owner=owner, first_name="Dana", email="dana@acme-robotics.com")
mailbox = Mailbox(owner=owner, host=host, port=int(port), security="plain", username=user)
mailbox.set_password(password)
mailbox.save()
"""


@pytest.mark.slow
def test_two_sync_processes_on_a_sqlite_file_log_each_message_once(imap, tmp_path, migrated_sqlite):
    """Two workers (`manage.py sync_mailbox`, started together) on one SQLite file."""
    import sqlite3
    import subprocess
    import sys

    from tests.mailbox.dovecot import HOST

    base = Path(__file__).resolve().parents[2]
    db = tmp_path / "workers.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{db}",
        "SECRET_KEY": "two-workers-" + "x" * 40,  # the same key decrypts the password
        "LOG_LEVEL": "ERROR",
    }

    def run(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, *args], cwd=base, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-3000:]

    migrated_sqlite(db)  # as `manage.py migrate` leaves it
    run("-c", SEED_SENT_MAIL_OWNER, HOST, str(imap.server.port), imap.user, imap.password)
    for n in range(1, 41):
        imap.append(
            "Sent",
            mail(
                sender=imap.address,
                to="dana@acme-robotics.com",
                subject=f"Note {n}",
                body=f"Hi Dana, note number {n}.",
            ),
        )
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "sync_mailbox"],
            cwd=base,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-3000:]
        outputs.append(out)
    with sqlite3.connect(db) as check:
        logged = check.execute("SELECT count(*) FROM contacts_interaction").fetchone()[0]
        stored = check.execute("SELECT count(*) FROM followups_mailmessage").fetchone()[0]
    assert (logged, stored) == (40, 40), outputs
    # Each sync either read the 40 or stood back (the lease) or found nothing new.
    said = " ".join(outputs)
    assert "Read 40 new messages" in said, outputs
    assert said.count("Read 40") == 1, outputs


def test_a_body_over_1_mb_is_cut_and_said_so(alice, imap, mailbox):
    long_text = REJECTION + "\n" + ("All work and no play makes a long letter. " * 36000)
    imap.append("INBOX", rejection(imap, 1, body=long_text))
    sync_mailbox(mailbox)
    stored = MailMessage.objects.get()
    assert len(stored.body) <= 1_000_000
    assert "text cut at 1 MB" in stored.problem


@pytest.mark.slow
def test_a_mailbox_of_20000_messages_is_read_a_bounded_slice_per_run(
    alice, imap, mailbox, settings
):
    settings.MAILBOX_MAX_MESSAGES = 2000
    rejection_raw = rejection(imap, 0).as_bytes()
    letter = (
        "From: Shop <news@shop.example>\r\nTo: {to}\r\nSubject: Letter {n}\r\n"
        "Message-ID: <letter-{n}@shop.example>\r\n\r\nNew arrivals.\r\n"
    )
    raws = [
        rejection_raw.replace(b"rejection-0@", f"rejection-{n}@".encode())
        if n % 100 == 0
        else letter.format(to=imap.address, n=n).encode()
        for n in range(20000)
    ]
    with imap.client() as client:
        for start in range(0, len(raws), 1000):
            client.multiappend("INBOX", raws[start : start + 1000])
    runs = []
    while not runs or runs[-1].more:
        runs.append(sync_mailbox(mailbox))
        assert runs[-1].read <= 2000 and not runs[-1].error
        assert len(runs) <= 11
    assert sum(r.read for r in runs) == 20000
    assert MailMessage.objects.count() == 200
    assert sync_mailbox(mailbox).read == 0


def test_an_unexpected_error_is_recorded_as_a_failure_not_a_success(
    alice, imap, mailbox, monkeypatch
):
    imap.append("INBOX", rejection(imap, 1))

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(sync_module.classify, "guess", broken)
    report = sync_mailbox(mailbox)
    assert "unexpected error (ZeroDivisionError)" in report.error
    mailbox.refresh_from_db()
    assert mailbox.last_success_at is None and mailbox.failing_since is not None
    assert mailbox.leased_until is None
