"""Scheduler health: /healthz for monitors and a banner on every page when ticks stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups import scheduler
from followups.models import SchedulerTick
from tests.factories import make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
TOKEN = "monitor-token-0123456789"


@pytest.fixture(autouse=True)
def healthz_token(settings):
    settings.HEALTHZ_TOKEN = TOKEN


def monitor() -> Client:
    """The operator's uptime monitor, which sends the token and sees the details."""
    return Client(headers={"Authorization": f"Bearer {TOKEN}"})


def test_healthz_is_ok_while_the_scheduler_ticks():
    SchedulerTick.objects.create(started_at=NOW - timedelta(minutes=2))
    with time_machine.travel(NOW, tick=False):
        response = monitor().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "last_tick_at": "2026-03-10T13:58:00+00:00",
        "last_tick_age_seconds": 120,
        "overdue_unsent_reminders": 0,
        "mailboxes": {"enabled": 0, "failing_for_an_hour": 0, "last_success_at": None},
        "reminders_retrying": 0,
        "reminders_given_up": 0,
        "last_tick_note": "",
    }


def test_healthz_answers_503_when_no_tick_ran_for_ten_minutes(alice):
    SchedulerTick.objects.create(started_at=NOW - timedelta(minutes=11))
    make_followup(alice, due_at=NOW - timedelta(minutes=30))
    make_followup(alice, due_at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW, tick=False):
        response = monitor().get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "stale" and body["last_tick_age_seconds"] == 660
    assert body["overdue_unsent_reminders"] == 1
    assert "python manage.py qcluster" in body["hint"]


def test_healthz_says_stale_within_three_minutes_of_the_last_tick_not_ten():
    # Ticks start every minute, give or take django-q2's 30 s scheduler loop (issue 13,
    # item 12): a tick 2 minutes ago is one late tick; 3 minutes is a stopped worker.
    SchedulerTick.objects.create(started_at=NOW)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        assert Client().get(reverse("healthz")).json() == {"status": "ok"}
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        response = Client().get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["status"] == "stale"


def test_healthz_answers_503_before_the_first_tick():
    response = monitor().get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["last_tick_at"] is None


def test_a_tick_makes_healthz_ok_again():
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
        assert Client().get(reverse("healthz")).status_code == 200


@pytest.mark.parametrize(
    "name", ["home", "crm:preferences", "contacts:list", "crm:application-list", "followups:stats"]
)
def test_every_page_says_reminders_are_not_going_out_when_ticks_stopped(alice_client, name):
    SchedulerTick.objects.create(started_at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False):
        page = alice_client.get(reverse(name)).text
    assert "Reminder emails are not going out." in page
    assert "The scheduler last ran 2\xa0hours ago." in page
    assert "python manage.py qcluster" in page


def test_no_banner_while_the_scheduler_ticks(alice_client):
    SchedulerTick.objects.create(started_at=NOW - timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        page = alice_client.get(reverse("crm:preferences")).text
    assert "not going out" not in page


def test_the_banner_costs_one_query(alice):
    SchedulerTick.objects.create(started_at=NOW - timedelta(minutes=1))
    banner = scheduler.SchedulerBanner(alice, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        assert (banner.stale, banner.given_up, banner.last_error) == (False, 0, "")
    assert len(queries) == 1


def test_the_login_page_shows_no_banner_to_strangers():
    page = Client().get(reverse("login")).text
    assert "not going out" not in page


def test_reminders_refused_too_often_are_shown_with_the_last_error(alice_client, alice):
    SchedulerTick.objects.create(started_at=NOW - timedelta(minutes=1))
    make_followup(
        alice,
        due_at=NOW - timedelta(hours=3),
        send_attempts=scheduler.MAX_ATTEMPTS,
        last_error="SMTPRecipientsRefused: 550 5.1.1 Mailbox unavailable",
    )
    with time_machine.travel(NOW, tick=False):
        page = alice_client.get(reverse("crm:preferences")).text
    assert "1 reminder email could not be sent" in page
    assert "550 5.1.1 Mailbox unavailable" in page
