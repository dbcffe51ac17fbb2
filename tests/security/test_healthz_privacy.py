"""/healthz tells an anonymous visitor only whether reminders go out; the counts, times
and the last tick's note are for the operator's monitor with HEALTHZ_TOKEN (issue 13,
item 13), and they say what the mail server did (item 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from followups import scheduler
from followups.models import SchedulerTick
from tests.factories import make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def overdue(alice):
    SchedulerTick.objects.create(started_at=NOW - timedelta(minutes=1), note="follow-up 3: 451")
    make_followup(alice, due_at=NOW - timedelta(hours=1))
    make_followup(alice, due_at=NOW - timedelta(hours=1), send_attempts=2, last_error="451")
    make_followup(alice, due_at=NOW - timedelta(hours=1), send_attempts=scheduler.MAX_ATTEMPTS)


def test_an_anonymous_visitor_learns_only_ok_or_stale(overdue, settings):
    settings.HEALTHZ_TOKEN = "s3cret-monitor-token"
    with time_machine.travel(NOW, tick=False):
        for client in (Client(), Client(headers={"Authorization": "Bearer wrong"})):
            response = client.get(reverse("healthz"), {"token": "guess"})
            assert response.status_code == 200
            assert response.json() == {"status": "ok"}


def test_without_a_token_setting_nobody_gets_the_counts(overdue, settings):
    settings.HEALTHZ_TOKEN = ""
    with time_machine.travel(NOW, tick=False):
        body = Client().get(reverse("healthz"), {"token": ""}).json()
    assert body == {"status": "ok"}


def test_the_monitor_with_the_token_sees_what_the_mail_server_did(overdue, settings):
    settings.HEALTHZ_TOKEN = "s3cret-monitor-token"
    with time_machine.travel(NOW, tick=False):
        body = Client().get(reverse("healthz"), {"token": "s3cret-monitor-token"}).json()
    assert body["overdue_unsent_reminders"] == 3
    assert (body["reminders_retrying"], body["reminders_given_up"]) == (1, 1)
    assert body["last_tick_note"] == "follow-up 3: 451"
    assert body["last_tick_age_seconds"] == 60


def test_a_stale_scheduler_still_says_how_to_start_it(settings):
    settings.HEALTHZ_TOKEN = "s3cret-monitor-token"
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "stale" and "qcluster" in response.json()["hint"]
    assert "last_tick_at" not in response.json()
