"""A read-only data folder or a full disk: a 503 page and /healthz say what is wrong, and
send_reminders and the worker exit non-zero saying it (issue 13, item 14).

How the storage is made read-only, so that it holds as root too (CI runs as root, where
chmod stops no write):
- in-process (pages, /healthz): the database connection itself refuses writes, with the
  database's own error: SQLite's `PRAGMA query_only` ("attempt to write a readonly
  database") and `max_page_count` ("database or disk is full"), PostgreSQL's
  `default_transaction_read_only` ("cannot execute INSERT in a read-only transaction");
- the commands: a real read-only folder, a read-only bind mount of the data folder in a
  private mount namespace (`unshare -rm`), where even root gets EROFS. Skipped where the
  kernel allows no user namespaces.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def read_only_database():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET default_transaction_read_only = on")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = OFF")
        else:
            cursor.execute("SET default_transaction_read_only = off")


def test_saving_on_a_read_only_database_answers_a_503_that_says_so(
    alice_client, read_only_database
):
    response = alice_client.post(
        reverse("crm:application-create"),
        {"company_name": "Globex", "title": "SRE", "status": "applied"},
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert "cannot save right now" in page
    if connection.vendor == "sqlite":
        assert "is read-only" in page and "writable" in page
    else:
        assert "refuses writes" in page
    assert "Traceback" not in page


def test_healthz_says_the_storage_is_read_only_not_start_the_worker(read_only_database):
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "stale" and body["storage"] == "read-only"
    assert "read-only" in body["hint"] and "qcluster" not in body["hint"]


def test_a_full_disk_answers_a_503_that_says_so(alice_client):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's max_page_count stands in for a full disk")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        response = alice_client.post(
            reverse("crm:application-create"),
            {"company_name": "Globex", "title": "SRE", "status": "applied", "notes": "n" * 50_000},
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    assert response.status_code == 503
    assert "is full: free space" in response.content.decode()


# The commands, on a really read-only folder ------------------------------------------------


def read_only_run(data: Path, command: list[str], env: dict[str, str]):
    """Runs `manage.py <command>` with `data` mounted read-only (for root too)."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    script = (
        f'mount --bind "{data}" "{data}" && mount -o remount,bind,ro "{data}" && '
        f'touch "{data}/probe" 2>/dev/null && exit 99; exec "$@"'
    )
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, "manage.py", *command],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode == 99 or "mount:" in done.stderr or "unshare:" in done.stderr:
        pytest.skip(f"cannot mount the folder read-only here: {done.stderr[-300:]}")
    return done


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory, migrated_sqlite_template) -> tuple[Path, dict[str, str]]:
    data = tmp_path_factory.mktemp("data")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",
        "SECRET_KEY": "storage-fault-test-key",
        "DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "SITE_URL": "http://127.0.0.1:8000",
        "LOG_LEVEL": "ERROR",
    }
    # As `manage.py migrate` leaves it (tests/conftest.py makes the file once per run).
    shutil.copyfile(migrated_sqlite_template, data / "db.sqlite3")
    return data, env


@pytest.mark.slow
@pytest.mark.parametrize("command", [["send_reminders"], ["qcluster"]])
def test_the_commands_exit_non_zero_saying_the_data_folder_is_read_only(data_folder, command):
    data, env = data_folder
    done = read_only_run(data, command, env)
    assert done.returncode != 0
    assert f"The data folder {data.resolve()} is read-only" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


# /healthz on a really full disk ------------------------------------------------------------

HEALTHZ_PROBE = """
import json, sqlite3, sys, django
django.setup()
from django.conf import settings
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
if sys.argv[1] == "in-use":
    # The web server's connection, open before the disk filled up (its -wal file exists).
    held = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    held.execute("PRAGMA journal_mode=WAL")
    held.execute("SELECT count(*) FROM django_migrations").fetchall()
with open(sys.argv[2] + "/filler", "wb") as filler:
    try:
        while True:
            filler.write(b"\\0" * 65536)
            filler.flush()
    except OSError:
        pass
response = Client().get("/healthz")
page = Client(raise_request_exception=False).post(
    "/accounts/login/", {"username": "nobody", "password": "wrong"}
)
print(json.dumps({
    "status_code": response.status_code,
    "body": response.json(),
    "page": [page.status_code, page.content.decode()],
}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("database", ["in-use", "closed"])
def test_on_a_full_disk_healthz_and_pages_say_the_disk_is_full_not_start_the_worker(
    data_folder, tmp_path, database
):
    # A real full disk: the data folder on a 16 MB tmpfs, filled up, in a private mount
    # namespace. SQLite's probe write is rolled back before it reaches the -wal file, so
    # only the disk itself can tell.
    import json

    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    source, env = data_folder
    full = tmp_path / "full"
    full.mkdir()
    env = {
        **env,
        "DATA_DIR": str(full),
        "DATABASE_URL": f"sqlite:///{full / 'db.sqlite3'}",
        "PYTHONPATH": str(BASE_DIR),
    }
    script = (
        f'mount -t tmpfs -o size=16m tmpfs "{full}" && cp "{source}/db.sqlite3" "{full}/" '
        f'&& exec "$@"'
    )
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, "-c", HEALTHZ_PROBE,
         database, str(full)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if "mount:" in done.stderr or "unshare:" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status_code"] == 503
    assert answer["body"]["storage"] == "full", answer
    assert "full" in answer["body"]["hint"] and "qcluster" not in answer["body"]["hint"]
    # A page that reads the database (a login) answers the 503 page, not a 500.
    status, page = answer["page"]
    assert status == 503 and "is full: free space" in page, page[-2000:]
