"""The scheduler survives an SQLite database another process holds locked (issue 13,
item 10): a reminder the mail server accepted is marked sent once the lock is gone, so it
is never sent twice. Real processes on a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

SEED = (
    "import django; django.setup(); from datetime import timedelta; "
    "from django.utils import timezone; from tests.factories import make_user, make_followup; "
    "make_followup(make_user('dora', digest_hour=None), "
    "due_at=timezone.now() - timedelta(minutes=5))"
)


def test_a_lock_held_while_a_reminder_is_sent_delays_its_mark_but_never_repeats_it(
    tmp_path, migrated_sqlite
):
    db = migrated_sqlite(tmp_path / "db.sqlite3")  # as `manage.py migrate` leaves it
    with smtp_sink(delay=3.0) as (sink, port):
        env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
        env |= {
            "DEBUG": "1",
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{db}",
            "SQLITE_BUSY_TIMEOUT": "1",  # give up waiting for the lock after one second
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "0",
            "DJANGO_SETTINGS_MODULE": "crm.settings",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )

        assert run("-c", SEED).returncode == 0

        def hold_the_write_lock() -> None:
            while sink.connections == 0:  # the tick connects, then claims, then sends
                time.sleep(0.05)
            time.sleep(0.8)  # claimed; the server is taking its 3 s over the message
            other = sqlite3.connect(db, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            time.sleep(5.0)  # past the send: its "sent" mark meets the lock
            other.execute("COMMIT")
            other.close()

        locker = threading.Thread(target=hold_the_write_lock)
        locker.start()
        result = run("manage.py", "send_reminders")
        locker.join()
        assert result.returncode == 0, result.stderr
        assert sink.count() == 1
        with sqlite3.connect(db) as check:
            notified = check.execute("SELECT notified_at FROM followups_followup").fetchall()
        assert notified[0][0] is not None  # marked: no later tick sends it again
        again = run("manage.py", "send_reminders")
        assert again.returncode == 0 and sink.count() == 1
