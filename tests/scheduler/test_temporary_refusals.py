"""Temporary and permanent mail failures told apart (issue 13, item 2): a 4xx answer, a
refused connection or a timeout is retried with backoff for at least four days (RFC 5321
§4.5.4.1); only a 5xx refusal, or four days of trying, gives up. Against a real SMTP
server on 127.0.0.1 that answers 451, then 250."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail import get_connection
from django.urls import reverse

from crm.models import Profile
from followups import scheduler
from followups.models import FollowUp
from tests.factories import make_contact, make_followup
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def tick_at(at: datetime, port: int) -> scheduler.TickReport:
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1",
        port=port,
        use_tls=False,
        timeout=5,
    )
    with time_machine.travel(at, tick=False):
        return scheduler.tick(mail_connection=connection)


@pytest.fixture
def twenty(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    contact = make_contact(alice, first_name="Dana", email="dana@globex.com")
    return [
        make_followup(alice, contact=contact, due_at=NOW - timedelta(minutes=1)) for _ in range(20)
    ]


def unsent() -> int:
    return FollowUp.objects.filter(notified_at__isnull=True).count()


def next_retry() -> datetime | None:
    return (
        FollowUp.objects.filter(notified_at__isnull=True, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def test_ninety_minutes_of_451_then_recovery_delivers_every_reminder_once(twenty):
    with smtp_sink(defer={"*"}) as (sink, port):
        at = NOW
        while at < NOW + timedelta(minutes=90):  # the worker ticks every minute
            tick_at(at, port)
            at += timedelta(minutes=1)
        assert sink.count() == 0 and unsent() == 20
        sink.defer.clear()
        for _ in range(6 * 12):  # the next six hours, every five minutes
            at += timedelta(minutes=5)
            tick_at(at, port)
    assert unsent() == 0
    assert sorted(sink.message_ids().values()) == [1] * 20


def test_three_days_of_451_still_end_in_delivery(twenty):
    with smtp_sink(defer={"*"}) as (sink, port):
        at = NOW
        tries = 0
        while at < NOW + timedelta(days=3) and tries < 500:
            tick_at(at, port)
            tries += 1
            # The worker ticks every minute: the first tick after the earliest retry.
            at = max(next_retry() or at, at) + timedelta(minutes=1)
        sink.defer.clear()
        tick_at(at + timedelta(hours=2), port)  # every reminder's next try has come
    assert unsent() == 0 and sink.count() == 20
    # Backoff: a few dozen ticks with work over three days, not one a minute.
    assert 10 < tries < 200


def test_after_four_days_of_451_the_reminder_gives_up_and_says_why(alice, alice_client):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    followup = make_followup(alice, due_at=NOW - timedelta(minutes=1), draft_subject="Lou")
    with smtp_sink(defer={"*"}) as (sink, port):
        at = NOW
        for _ in range(200):
            tick_at(at, port)
            retry = next_retry()
            if retry is None or retry <= at:  # nothing left to try
                break
            at = retry
        gave_up_at = at
        tick_at(at + timedelta(days=1), port)  # nothing more is tried
    followup.refresh_from_db()
    assert followup.notified_at is None and sink.count() == 0
    assert timedelta(days=4) <= gave_up_at - NOW < timedelta(days=4, hours=3)
    assert "451" in followup.last_error
    with time_machine.travel(gave_up_at + timedelta(minutes=1), tick=False):
        page = alice_client.get("/").text
    assert "The reminder email could not be sent" in page
    assert "gave up after 4 days" in page


def test_a_permanent_550_gives_up_at_once(alice, alice_client):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    followup = make_followup(alice, due_at=NOW - timedelta(minutes=1))
    with smtp_sink(refuse={"alice@example.com"}) as (sink, port):
        tick_at(NOW, port)
        sink.refuse.clear()
        tick_at(NOW + timedelta(hours=2), port)
    followup.refresh_from_db()
    assert followup.notified_at is None and sink.count() == 0
    assert followup.next_attempt_at is None
    assert "550" in followup.last_error
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        page = alice_client.get(reverse("followups:draft", args=[followup.pk])).text
    assert "The reminder email could not be sent" in page and "refused it for good" in page


def test_a_deferred_reminder_shows_what_happened_and_when_it_is_tried_again(alice, alice_client):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    followup = make_followup(alice, due_at=NOW - timedelta(minutes=1))
    with smtp_sink(defer={"*"}) as (_sink, port):
        tick_at(NOW, port)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        editor = alice_client.get(reverse("followups:draft", args=[followup.pk])).text
        dashboard = alice_client.get("/").text
    for page in (editor, dashboard):
        assert "The reminder email is delayed" in page
        assert "451" in page and "tries again" in page
        assert "could not be sent" not in page


def test_a_timeout_is_a_temporary_failure(alice):
    import socket

    Profile.objects.filter(user=alice).update(digest_hour=None)
    followup = make_followup(alice, due_at=NOW - timedelta(minutes=1))
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host="127.0.0.1",
            port=silent.getsockname()[1],
            timeout=1,
        )
        with time_machine.travel(NOW, tick=False):
            report = scheduler.tick(mail_connection=connection)
    assert report.failures == 1
    followup.refresh_from_db()
    assert followup.notified_at is None and followup.send_attempts == 0
    assert scheduler.claimable_reminders(NOW + timedelta(minutes=1)).filter(pk=followup.pk)
