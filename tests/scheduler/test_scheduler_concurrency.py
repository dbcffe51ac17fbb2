"""Many workers at once, and a worker killed mid-batch: every reminder exactly once.

These tests run real `manage.py send_reminders` processes against a real database with
committed data (an SQLite file, and PostgreSQL when it answers on 127.0.0.1:5432) and a
real SMTP server, and count what the server received, by Message-ID.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parents[2]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"

SEED = """
import sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from crm.models import Profile
from followups.models import FollowUp
count = int(sys.argv[1])
user = get_user_model().objects.create_user("worker", "worker@example.com", "x")
Profile.objects.update_or_create(user=user, defaults={"digest_hour": None})
due = timezone.now() - timedelta(minutes=1)
FollowUp.objects.bulk_create(
    [FollowUp(owner=user, kind="custom", due_at=due, draft_subject="Hello",
              draft_body=f"Draft {n}") for n in range(count)],
    batch_size=500,
)
"""

# A tick as a worker would run it after the lease of a killed worker ran out.
TICK_LATER = """
import sys
from datetime import timedelta
import django
django.setup()
import time_machine
from django.utils import timezone
from followups import scheduler
with time_machine.travel(timezone.now() + timedelta(minutes=float(sys.argv[1]))):
    print(scheduler.tick().summary())
"""

# The web server writing while workers send: every request must succeed (no "database is
# locked" reaching a user). Switching the digest off is a write that leaves reminders be.
WEB_WRITES = """
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from followups.scheduler.emails import DIGEST, unsubscribe_token
user = get_user_model().objects.get(username="worker")
url = reverse("followups:unsubscribe", args=[unsubscribe_token(user.pk, DIGEST)])
statuses = {Client().post(url).status_code for _ in range(int(sys.argv[1]))}
statuses |= {Client().get(reverse("healthz")).status_code in (200, 503) and 200}
print(sorted(statuses))
"""

COUNT_UNSENT = """
import django
django.setup()
from followups.models import FollowUp
print(FollowUp.objects.filter(notified_at__isnull=True).count())
"""


def environment(database_url: str, smtp_port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",  # development settings (its own secret key), as bin/run starts them
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "LOG_LEVEL": "ERROR",
    }
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def prepare(database_url: str, count: int) -> None:
    env = environment(database_url, 25)
    run(["manage.py", "migrate", "--noinput", "-v0"], env)
    run(["-c", SEED, str(count)], env)


def start_workers(n: int, env: dict[str, str]) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "send_reminders"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]


def finish(workers: list[subprocess.Popen]) -> list[str]:
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-3000:]
        outputs.append(out)
    return outputs


def reported(outputs: list[str], what: str) -> int:
    return sum(int(re.search(rf"(\d+) {what}", out).group(1)) for out in outputs)


def assert_exactly_once(database_url: str, workers: int, count: int, web_writes: int = 0) -> None:
    prepare(database_url, count)
    with smtp_sink() as (sink, port):
        env = environment(database_url, port)
        running = start_workers(workers, env)
        if web_writes:  # while the workers send (2,000 reminders take them seconds)
            assert run(["-c", WEB_WRITES, str(web_writes)], env).strip() == "[200]"
        outputs = finish(running)
        unsent = int(run(["-c", COUNT_UNSENT], env))
    ids = sink.message_ids()
    assert sink.count() == count, outputs
    assert len(ids) == count and set(ids.values()) == {1}
    assert unsent == 0
    assert reported(outputs, "reminder") == count
    senders = sum(reported([out], "reminder") > 0 for out in outputs)
    if database_url.startswith("postgres"):
        # FOR UPDATE SKIP LOCKED: the workers shared the work and never fought over a row.
        assert senders > 1 and reported(outputs, "lost race") == 0, outputs
    else:
        # The workers really ran at once: both sent, or one lost a batch to the other
        # (a batch claim that loses a race counts its rows as lost races).
        assert senders > 1 or reported(outputs, "lost race") > 0, outputs


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'workers.sqlite3'}"


@pytest.fixture
def postgres_url():
    psycopg = pytest.importorskip("psycopg")
    name = f"fcrm_sched_workers_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL does not answer on 127.0.0.1:5432: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_four_workers_on_postgresql_send_2000_reminders_exactly_once(postgres_url):
    assert_exactly_once(postgres_url, workers=4, count=2000)


def test_two_workers_on_sqlite_send_2000_reminders_exactly_once_beside_the_web(sqlite_url):
    assert_exactly_once(sqlite_url, workers=2, count=2000, web_writes=50)


def test_a_worker_killed_mid_batch_repeats_at_most_the_reminder_in_flight(sqlite_url):
    count = 300
    prepare(sqlite_url, count)
    with smtp_sink(delay=0.01) as (sink, port):
        env = environment(sqlite_url, port)
        (worker,) = start_workers(1, env)
        deadline = time.monotonic() + 60
        while sink.count() < 40 and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = sink.count()
        assert 40 <= killed_at < count
        # A tick right away leaves the dead worker's leased reminder alone…
        run(["-c", TICK_LATER, "0"], env)
        # …and one after the lease ran out sends it too.
        run(["-c", TICK_LATER, "6"], env)
        unsent = int(run(["-c", COUNT_UNSENT], env))
    ids = sink.message_ids()
    assert len(ids) == count and unsent == 0
    twice = [mid for mid, n in ids.items() if n > 1]
    assert len(twice) <= 1 and max(ids.values()) <= 2
