"""Reminders over real SMTP (aiosmtpd on 127.0.0.1): delivery, refusals, outages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.urls import reverse

from crm.models import Profile
from followups import scheduler
from followups.models import FollowUp
from tests.factories import make_contact, make_followup, make_user
from tests.smtp_sink import free_port, smtp_sink

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def smtp(port: int):
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1",
        port=port,
        use_tls=False,
        timeout=5,
    )


def tick_at(at: datetime, port: int) -> scheduler.TickReport:
    with time_machine.travel(at, tick=False):
        return scheduler.tick(mail_connection=smtp(port))


@pytest.fixture
def reminders(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    contact = make_contact(alice, first_name="Dana", email="dana@globex.com")
    return [
        make_followup(alice, contact=contact, due_at=NOW - timedelta(minutes=n)) for n in range(5)
    ]


def unsent() -> int:
    return FollowUp.objects.filter(notified_at__isnull=True).count()


def test_reminders_arrive_over_smtp_as_multipart_messages(reminders):
    with smtp_sink() as (sink, port):
        report = tick_at(NOW, port)
    assert report.reminders_sent == 5 and sink.count() == 5
    message = sink.parsed()[0]
    assert message["To"] == "alice@example.com"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.get_payload()] == ["text/plain", "text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(sink.message_ids()) == 5  # one Message-ID each
    assert unsent() == 0


def test_one_smtp_connection_carries_all_reminders_of_a_tick(reminders):
    with smtp_sink() as (sink, port):
        tick_at(NOW, port)
    assert (sink.count(), sink.connections) == (5, 1)


def test_a_tick_with_nothing_due_does_not_connect():
    with smtp_sink() as (sink, port):
        tick_at(NOW, port)
    assert sink.connections == 0


def test_a_deferred_reminder_is_retried_with_backoff_and_not_marked_sent(reminders):
    carol = make_user("carol", digest_hour=None)
    refused = make_followup(carol, due_at=NOW - timedelta(minutes=2))
    with smtp_sink(defer={"carol@example.com"}) as (sink, port):
        report = tick_at(NOW, port)
        assert (report.reminders_sent, report.reminders_failed) == (5, 1)
        refused.refresh_from_db()
        assert refused.notified_at is None and refused.send_attempts == 1
        assert "451" in refused.last_error
        # Not before the backoff runs out…
        assert tick_at(NOW + timedelta(minutes=1), port).reminders_failed == 0
        # …then again, and it succeeds once the address is accepted.
        sink.defer.clear()
        report = tick_at(NOW + scheduler.retry_delay(1) + timedelta(seconds=30), port)
    assert report.reminders_sent == 1
    refused.refresh_from_db()
    assert refused.notified_at is not None and refused.send_attempts == 2
    assert refused.last_error == ""
    assert sink.message_ids().most_common(1)[0][1] == 1


def test_after_the_last_attempt_the_error_is_kept_and_shown(client):
    carol = make_user("carol", digest_hour=None)
    refused = make_followup(carol, due_at=NOW - timedelta(minutes=2))
    at = NOW
    with smtp_sink(refuse={"carol@example.com"}) as (sink, port):
        for attempt in range(1, scheduler.MAX_ATTEMPTS + 2):
            tick_at(at, port)
            at += scheduler.retry_delay(attempt) + timedelta(minutes=1)
    refused.refresh_from_db()
    assert refused.send_attempts == scheduler.MAX_ATTEMPTS and refused.notified_at is None
    assert "Mailbox unavailable" in refused.last_error
    client.force_login(carol)
    with time_machine.travel(at, tick=False):
        page = client.get(reverse("crm:preferences")).text
    assert "1 reminder email could not be sent" in page and "Mailbox unavailable" in page


def test_mail_server_down_then_back_delivers_every_reminder_once(reminders, client, settings):
    settings.HEALTHZ_TOKEN = "monitor-token"
    port = free_port()  # nothing listens yet
    report = tick_at(NOW, port)
    assert report.reminders_sent == 0 and report.failures == 1
    assert "cannot reach the mail server" in report.errors[0]
    # Nothing was marked sent, nothing used up an attempt, and /healthz counts them.
    assert unsent() == 5
    assert set(FollowUp.objects.values_list("send_attempts", flat=True)) == {0}
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):
        health = client.get(reverse("healthz"), {"token": "monitor-token"}).json()
        assert health["overdue_unsent_reminders"] == 5
    tick_at(NOW + timedelta(minutes=1), port)
    with smtp_sink(port=port) as (sink, _):
        report = tick_at(NOW + timedelta(minutes=2), port)
        tick_at(NOW + timedelta(minutes=3), port)
    assert report.reminders_sent == 5
    assert sorted(sink.message_ids().values()) == [1] * 5
    assert unsent() == 0


def test_a_server_that_disconnects_mid_batch_loses_no_reminder(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    for n in range(10):
        make_followup(alice, due_at=NOW - timedelta(minutes=n))
    with smtp_sink() as (sink, port):
        sink.hang_up_after = 4
        report = tick_at(NOW, port)
        assert report.reminders_sent == 4 and unsent() == 6
        sink.hang_up_after = None
        tick_at(NOW + timedelta(minutes=10), port)
    assert unsent() == 0
    assert sorted(sink.message_ids().values()) == [1] * 10


def test_owner_without_a_usable_address_never_blocks_the_queue(alice):
    get_user_model().objects.filter(pk=alice.pk).update(email="")
    bob = make_user("bob2", digest_hour=None)
    make_followup(alice, due_at=NOW - timedelta(minutes=3))
    make_followup(bob, due_at=NOW - timedelta(minutes=2))
    with smtp_sink() as (sink, port):
        tick_at(NOW, port)
    assert [m["To"] for m in sink.parsed()] == ["bob2@example.com"]
