"""The scheduler's health records: written by the scheduler alone, read-only in the admin
for everyone, and free of other accounts' data (issue 13, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.urls import reverse

from crm.accounts import enable_admin_editing
from followups import scheduler
from followups.models import SchedulerTick
from tests.factories import PASSWORD, make_followup, make_user
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def root_client(client):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client.login(username="root", password=PASSWORD)
    return client


@pytest.fixture
def old_tick():
    return SchedulerTick.objects.create(started_at=NOW - timedelta(hours=1))


def test_a_superuser_cannot_forge_a_tick_in_the_admin(root_client, old_tick):
    url = reverse("admin:followups_schedulertick_change", args=[old_tick.pk])
    page = root_client.get(url)
    assert page.status_code == 200
    assert 'name="started_at' not in page.text  # shown, not editable
    response = root_client.post(
        url, {"started_at_0": "2099-01-01", "started_at_1": "00:00:00", "note": "forged"}
    )
    assert response.status_code == 403
    old_tick.refresh_from_db()
    assert old_tick.started_at == NOW - timedelta(hours=1) and old_tick.note == ""
    with time_machine.travel(NOW, tick=False):
        assert root_client.get(reverse("healthz")).json()["status"] == "stale"


def test_nobody_adds_or_deletes_ticks_in_the_admin(root_client, old_tick):
    assert root_client.get(reverse("admin:followups_schedulertick_add")).status_code == 403
    delete = reverse("admin:followups_schedulertick_delete", args=[old_tick.pk])
    assert root_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:followups_schedulertick_changelist")
    response = root_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [old_tick.pk], "post": "yes"}
    )
    assert SchedulerTick.objects.filter(pk=old_tick.pk).exists()
    assert "delete_selected" not in root_client.get(changelist).text
    assert response.status_code in (200, 302)


def test_an_ordinary_account_cannot_open_the_ticks_at_all(client, bob, old_tick):
    enable_admin_editing(bob)
    client.login(username="bob", password=PASSWORD)
    url = reverse("admin:followups_schedulertick_change", args=[old_tick.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:followups_schedulertick_changelist")).status_code == 403


def test_a_tick_note_never_holds_a_users_address(alice):
    carol = make_user("carol", digest_hour=None)
    make_followup(carol, due_at=NOW - timedelta(minutes=2))
    with smtp_sink(refuse={"carol@example.com"}) as (_sink, port):
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host="127.0.0.1",
            port=port,
            use_tls=False,
            timeout=5,
        )
        with time_machine.travel(NOW, tick=False):
            report = scheduler.tick(mail_connection=connection)
    assert report.failures == 1
    tick = SchedulerTick.objects.get()
    assert tick.failures == 1 and tick.note
    assert "carol" not in tick.note and "@" not in tick.note
    assert "550" in tick.note
