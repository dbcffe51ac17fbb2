"""A backup download that takes longer than gunicorn's worker timeout arrives whole through
the repository's gunicorn.conf.py (issue 19, aim 3).

A sync worker sends the arbiter no heartbeat while it writes a response, so the arbiter
killed it once a download had run for `--timeout` seconds: a big account's backup, or any
backup read by a slow client, was cut off mid-file. The config's gthread worker keeps
heartbeating from its main thread while a pool thread writes. Here the client reads slowly
through a small receive window, so the server's write blocks for several times the short
`--timeout` given on the command line; the second test shows that the same download is cut
off with the sync worker class (what README's command ran before).

Real gunicorn on a loopback port, reading the test database: on SQLite a file copy of the
in-memory test database, on PostgreSQL the test database itself (committed rows:
transactional_db).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from contacts.models import Interaction
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 2  # gunicorn's --timeout for this test, seconds
# 12 MB, read at ~2 MB/s: the kernel's socket buffers take up to ~4 MB of it, so the
# server's writes stay blocked on the client for several times TIMEOUT.
BODIES = 24
BODY_SIZE = 500_000
READ_SIZE = 65536
READ_PAUSE = 0.03


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SlowClientConnection(http.client.HTTPConnection):
    """A client with a small receive window: the server can send only as fast as it reads."""

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, READ_SIZE)
        self.sock.settimeout(self.timeout)
        self.sock.connect((self.host, self.port))


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        copy = tmp_path / "db.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    params = connection.settings_dict
    return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


@pytest.fixture
def account(transactional_db, tmp_path):
    """A signed-in user with a 3 MB backup; the server's environment."""
    user = make_user("slowreader")
    contact = make_contact(owner=user)
    Interaction.objects.bulk_create(
        Interaction(
            owner=user,
            contact=contact,
            direction=Interaction.Direction.INBOUND,
            occurred_at="2026-11-02T09:00:00Z",
            subject=f"Letter {n}",
            body=chr(ord("a") + n) * BODY_SIZE,
        )
        for n in range(BODIES)
    )
    client = Client()
    client.force_login(user)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "GUNICORN_CMD_ARGS")}
    env |= {
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SECRET_KEY": settings.SECRET_KEY,  # the session's auth hash is signed with it
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(tmp_path),
    }
    return client.cookies["sessionid"].value, env


def _download(session: str, env: dict[str, str], tmp_path: Path, *extra: str) -> dict:
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    # README's production command, run from the project root (so gunicorn reads
    # gunicorn.conf.py), with a short timeout.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", str(TIMEOUT), "--no-control-socket", *extra],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        # Up, and its first request (which imports the URLconf) answered.
        for _ in range(300):
            try:
                warm_up = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                warm_up.request("GET", "/healthz")
                warm_up.getresponse().read()
                break
            except OSError:
                time.sleep(0.05)
        http_connection = SlowClientConnection("127.0.0.1", port, timeout=30)
        start = time.monotonic()
        http_connection.request(
            "GET", reverse("followups:export-backup"), headers={"Cookie": f"sessionid={session}"}
        )
        response = http_connection.getresponse()
        assert response.status == 200
        received = bytearray()
        error = None
        try:
            while chunk := response.read(READ_SIZE):
                received += chunk
                time.sleep(READ_PAUSE)
        except (http.client.IncompleteRead, ConnectionError) as exc:
            error = exc
        return {"body": bytes(received), "seconds": time.monotonic() - start, "error": error}
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def test_a_backup_download_longer_than_the_worker_timeout_arrives_whole(account, tmp_path):
    session, env = account
    result = _download(session, env, tmp_path)
    assert result["error"] is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
    assert result["seconds"] > 2 * TIMEOUT  # long enough that the sync worker is killed
    document = json.loads(result["body"])
    bodies = sorted(row["body"] for row in document["interactions"])
    assert bodies == [chr(ord("a") + n) * BODY_SIZE for n in range(BODIES)]


def test_the_sync_worker_cuts_the_same_download_off(account, tmp_path):
    # Why the config names gthread: README's command with the sync worker class, as before.
    session, env = account
    result = _download(session, env, tmp_path, "--worker-class", "sync", "--threads", "1")
    assert isinstance(result["error"], http.client.IncompleteRead)
    with pytest.raises(json.JSONDecodeError):
        json.loads(result["body"])
    assert "WORKER TIMEOUT" in (tmp_path / "gunicorn.log").read_text()
