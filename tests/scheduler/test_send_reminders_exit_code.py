"""send_reminders says so in its exit code when the mail server cannot be reached (issue
13, item 14): cron and monitors must not read a lost connection as success."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from crm.models import Profile
from tests.factories import make_followup
from tests.smtp_sink import free_port, smtp_sink

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def due(alice, settings):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = "127.0.0.1", False, 5
    return make_followup(alice, due_at=timezone.now() - timedelta(minutes=5))


def test_an_unreachable_mail_server_makes_the_command_fail(due, settings):
    settings.EMAIL_PORT = free_port()  # nothing listens
    with pytest.raises(CommandError, match="Reminders were not sent: cannot reach the mail server"):
        call_command("send_reminders")
    due.refresh_from_db()
    assert due.notified_at is None and due.send_attempts == 0


def test_a_reachable_mail_server_lets_the_command_succeed(due, settings):
    with smtp_sink() as (sink, port):
        settings.EMAIL_PORT = port
        call_command("send_reminders", verbosity=0)
    assert sink.count() == 1


def test_the_process_exits_non_zero_without_a_mail_server(tmp_path, migrated_sqlite):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env |= {
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),
        "EMAIL_USE_TLS": "0",
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    migrated_sqlite(tmp_path / "db.sqlite3")  # as `manage.py migrate` leaves it
    seed = (
        "import django; django.setup(); from datetime import timedelta; "
        "from django.utils import timezone; from tests.factories import make_user, make_followup; "
        "make_followup(make_user('dora', digest_hour=None), "
        "due_at=timezone.now() - timedelta(minutes=5))"
    )
    assert run("-c", seed).returncode == 0
    result = run("manage.py", "send_reminders")
    assert result.returncode == 1
    assert "cannot reach the mail server" in result.stderr
