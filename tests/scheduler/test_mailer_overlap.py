"""One reminder over the open SMTP connection (mailer.sendmail_overlapping): what the
server receives and answers is what smtplib.sendmail gives, while the next reminder is
written as the server takes the current one in (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core.mail import get_connection

from crm.models import Profile
from followups import scheduler
from followups.models import FollowUp
from followups.scheduler.mailer import sendmail_overlapping
from tests.factories import make_followup, make_user
from tests.smtp_sink import free_port

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
# A line starting with a dot (dot-stuffed on the wire) and no final line end.
RAW = b"Subject: hi\r\nFrom: crm@example.com\r\n\r\nHello\r\n.hidden line\r\n..two\r\nend"


class Recorder:
    """Keeps every envelope as the server saw it; refuses or holds on request."""

    def __init__(self) -> None:
        self.received: list[tuple] = []
        self.refuse_sender = ""
        self.refuse_data = False
        self.release: threading.Event | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address == self.refuse_sender:
            return "553 5.7.1 Sender not allowed"
        envelope.mail_from, envelope.mail_options = address, mail_options
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone"):
            return "550 5.1.1 Mailbox unavailable"
        if address.startswith("busy"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.release is not None:  # answer only once the client says it is waiting
            for _ in range(500):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.01)
            else:
                return "451 4.3.0 Nobody was listening"
        if self.refuse_data:
            return "554 5.6.0 Message refused"
        self.received.append(
            (
                envelope.mail_from,
                envelope.mail_options,
                envelope.rcpt_tos,
                envelope.original_content,
            )
        )
        return "250 Message accepted"


@pytest.fixture
def server():
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def refusal(send) -> tuple[type, object]:
    with pytest.raises(smtplib.SMTPException) as caught:
        send()
    error = caught.value
    return type(error), getattr(error, "recipients", None) or getattr(error, "smtp_code", None)


def test_the_server_receives_what_sendmail_sends(server):
    recorder, port = server
    smtp = smtplib.SMTP("127.0.0.1", port)
    smtp.sendmail("crm@example.com", ["alice@example.com", "bob@example.com"], RAW)
    sendmail_overlapping(smtp, "crm@example.com", ["alice@example.com", "bob@example.com"], RAW)
    smtp.quit()
    assert len(recorder.received) == 2
    assert recorder.received[0] == recorder.received[1]
    assert recorder.received[1][3].endswith(b".hidden line\r\n..two\r\nend\r\n")


@pytest.mark.parametrize(
    "sender, recipients, data",
    [
        ("crm@example.com", ["gone@example.com"], False),  # 550: refused for good
        ("crm@example.com", ["busy@example.com"], False),  # 451: try again later
        ("crm@example.com", ["gone@example.com", "busy@example.com"], False),
        ("refused@example.com", ["alice@example.com"], False),  # the sender refused
        ("crm@example.com", ["alice@example.com"], True),  # the message refused
    ],
)
def test_a_refusal_raises_what_sendmail_raises_and_the_connection_goes_on(
    server, sender, recipients, data
):
    recorder, port = server
    recorder.refuse_sender, recorder.refuse_data = "refused@example.com", data
    smtp = smtplib.SMTP("127.0.0.1", port)
    expected = refusal(lambda: smtp.sendmail(sender, recipients, RAW))
    assert refusal(lambda: sendmail_overlapping(smtp, sender, recipients, RAW)) == expected
    recorder.refuse_data = False
    sendmail_overlapping(smtp, "crm@example.com", ["alice@example.com"], RAW)
    smtp.quit()
    assert [r[2] for r in recorder.received] == [["alice@example.com"]]


def test_the_work_in_between_runs_while_the_server_takes_the_message_in(server):
    recorder, port = server
    recorder.release = threading.Event()  # the server answers only after `meanwhile` ran
    smtp = smtplib.SMTP("127.0.0.1", port)
    started = time.monotonic()
    sendmail_overlapping(smtp, "crm@example.com", ["alice@example.com"], RAW, recorder.release.set)
    smtp.quit()
    assert time.monotonic() - started < 4 and len(recorder.received) == 1


@pytest.mark.django_db
def test_a_bad_row_between_two_good_ones_over_smtp_fails_alone(server, alice):
    # The next reminder is written while the server takes in the current one: a row
    # whose email cannot be built fails on its own turn, and the one after still goes.
    recorder, port = server
    Profile.objects.filter(user=alice).update(digest_hour=None)
    carol = make_user("carol", digest_hour=None)
    get_user_model().objects.filter(pk=carol.pk).update(email="carol@example.com\nBcc: x")
    first = make_followup(alice, due_at=NOW - timedelta(minutes=3))
    bad = make_followup(carol, due_at=NOW - timedelta(minutes=2))
    last = make_followup(alice, due_at=NOW - timedelta(minutes=1))
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port, timeout=5
    )
    with time_machine.travel(NOW, tick=False):
        report = scheduler.tick(mail_connection=connection)
    assert report.reminders_sent == 2 and report.reminders_failed == 1
    sent = set(FollowUp.objects.filter(notified_at__isnull=False).values_list("pk", flat=True))
    assert sent == {first.pk, last.pk}
    assert FollowUp.objects.get(pk=bad.pk).next_attempt_at is not None
    assert [r[2] for r in recorder.received] == [[alice.email], [alice.email]]


class Watching(Recorder):
    """Notes, as each message arrives, how many reminders the database shows as sent."""

    def __init__(self) -> None:
        super().__init__()
        self.marked_when_data_arrived: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        def marked() -> int:
            from django.db import connection

            try:
                return FollowUp.objects.filter(notified_at__isnull=False).count()
            finally:
                connection.close()

        self.marked_when_data_arrived.append(await asyncio.to_thread(marked))
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_every_accepted_reminder_is_marked_sent_before_the_next_message_goes_out(alice):
    # Marking overlaps the next message's MAIL command, never its content: when message k
    # reaches the server, the k - 1 it accepted before are all marked sent, so a worker
    # killed at any moment repeats at most one email.
    watching, port = Watching(), free_port()
    controller = Controller(watching, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        Profile.objects.filter(user=alice).update(digest_hour=None)
        for n in range(6):
            make_followup(alice, due_at=NOW - timedelta(minutes=n + 1))
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port, timeout=5
        )
        with time_machine.travel(NOW, tick=False):
            report = scheduler.tick(mail_connection=connection)
    finally:
        controller.stop()
    assert report.reminders_sent == 6
    assert watching.marked_when_data_arrived == [0, 1, 2, 3, 4, 5]
    assert FollowUp.objects.filter(notified_at__isnull=True).count() == 0
