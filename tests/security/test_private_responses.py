"""Small leaks closed (issue 13, item 13): private pages and files are never cached, and
the calendar feed's token never reaches the access log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_contact
from tests.smtp_sink import free_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "contacts:list",
        "followups:export",
        "followups:export-contacts-csv",
        "followups:export-contacts-vcard",
        "followups:export-backup",
        "crm:preferences",
    ],
)
def test_signed_in_pages_and_exports_are_not_stored_by_caches(alice_client, alice, name):
    make_contact(alice)
    response = alice_client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_calendar_feed_keeps_its_own_private_caching(alice):
    from crm.models import Profile

    token = Profile.for_user(alice).calendar_token
    response = (
        __import__("django.test", fromlist=["Client"])
        .Client()
        .get(reverse("followups:calendar-feed", args=[token]))
    )
    assert response["Cache-Control"] == "private, max-age=300"


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env |= {"DEBUG": "1", "DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "crm.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture
def migrated_data_dir(tmp_path, migrated_sqlite) -> Path:
    migrated_sqlite(tmp_path / "db.sqlite3")  # what `manage.py migrate` makes there
    return tmp_path


def _serve_and_fetch(command: list[str], port: int, data_dir: Path, path: str) -> str:
    env = _server_env(data_dir)
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
            except urllib.error.HTTPError:
                break  # answered (404 for an unknown token)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
                continue
            break
        time.sleep(0.5)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    return output


SECRET_PATH = "/calendar/s3cretFeedToken-abcdef123.ics"


def test_runserver_logs_the_feed_path_without_its_token(migrated_data_dir):
    port = free_port()
    log = _serve_and_fetch(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        port,
        migrated_data_dir,
        SECRET_PATH,
    )
    assert "GET /calendar/<token>.ics" in log, log
    assert "s3cretFeedToken" not in log


def test_gunicorn_logs_the_feed_path_without_its_token(migrated_data_dir):
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = _serve_and_fetch(
        [gunicorn, "crm.wsgi", "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"],
        port,
        migrated_data_dir,
        SECRET_PATH,
    )
    assert "GET /calendar/<token>.ics" in log, log
    assert "s3cretFeedToken" not in log
