"""Two real qcluster processes on Redis share a fanned-out queue of reminders: a real SMTP
server receives each reminder exactly once (issue 19, aim 4).

Skipped with a message when Redis does not answer on 127.0.0.1:6379 (REDIS_TEST_URL
picks another database); required in CI. PostgreSQL when it answers, else an SQLite file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.scheduler.test_scheduler_concurrency import (
    BASE_DIR,
    COUNT_UNSENT,
    PG_SERVER,
    environment,
    run,
)
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
COUNT = 1200  # six batches: both clusters get some

SEED = """
import sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from crm.models import Profile
from followups.models import FollowUp
users = []
for n in range(10):
    user = get_user_model().objects.create_user(f"q{n}", f"q{n}@example.com", "x")
    Profile.objects.update_or_create(user=user, defaults={"digest_hour": None})
    users.append(user)
due = timezone.now() - timedelta(minutes=1)
FollowUp.objects.bulk_create(
    [FollowUp(owner=users[n % 10], kind="custom", due_at=due, draft_subject=f"S{n}",
              draft_body=f"Draft {n}") for n in range(int(sys.argv[1]))],
    batch_size=500,
)
"""

FAN_OUT = """
import django
django.setup()
from followups.tasks import send_reminders
print(send_reminders())
"""


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({REDIS_URL}): {exc}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}: {exc}")
    # Only this test's queue and schedule keys, never the whole server.
    for key in client.scan_iter("django_q:*"):
        client.delete(key)
    yield REDIS_URL
    for key in client.scan_iter("django_q:*"):
        client.delete(key)


@pytest.fixture
def database_url(tmp_path):
    try:
        import psycopg

        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except Exception:
        yield f"sqlite:///{tmp_path / 'qcluster.sqlite3'}"
        return
    name = f"fcrm_qcluster_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_qclusters_on_redis_send_each_fanned_out_reminder_exactly_once(redis_url, database_url):
    with smtp_sink() as (sink, port):
        env = {**environment(database_url, port), "REDIS_URL": redis_url, "Q_WORKERS": "2"}
        run(["manage.py", "migrate", "--noinput", "-v0"], env)
        run(["-c", SEED, str(COUNT)], env)
        clusters = [
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            queued = run(["-c", FAN_OUT], env)
            assert "'reminder_tasks': 6" in queued, queued
            deadline = time.monotonic() + 120
            while sink.count() < COUNT and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # a duplicate would arrive now
        finally:
            for cluster in clusters:
                cluster.send_signal(signal.SIGTERM)
            errors = [cluster.communicate(timeout=60)[1] for cluster in clusters]
        unsent = int(run(["-c", COUNT_UNSENT], env))
    ids = sink.message_ids()
    assert sink.count() == COUNT, errors[0][-2000:]
    assert len(ids) == COUNT and set(ids.values()) == {1}
    assert unsent == 0
    # Both clusters' workers sent: more than one SMTP connection delivered mail.
    assert sink.connections >= 2
