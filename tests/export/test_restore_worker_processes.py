"""A big restore run by a real qcluster on a real SQLite file while the web server keeps
answering (issue 13, item 10). Before, the restore ran in the request in one transaction:
other writers waited on SQLite's lock past their busy timeout and failed with "database is
locked". Now every batch is its own short transaction."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

SEED = """
import django; django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from followups.export.backup import export_json
from tests.factories import make_user
call_command("generate_data", user="big", applications=400, contacts=1200,
             interactions=3500, followups=1200, verbosity=0)
make_user("carol"); make_user("dora")
open(sys.argv[1], "w").write(export_json(User.objects.get(username="big")))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text[:500]
    return client


def state_of(page: str) -> str:
    match = re.search(r'data-state="(\w+)"', page)
    assert match, page[:2000]
    return match.group(1)


def test_a_big_restore_in_the_worker_leaves_the_site_answering(tmp_path, migrated_sqlite):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "REDIS_URL")}
    env |= {
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Production's 30 s: the restore in one request held the lock for 46 s.
        "SQLITE_BUSY_TIMEOUT": "30",
        "Q_WORKERS": "1",
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def run(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]

    migrated_sqlite(tmp_path / "db.sqlite3")  # as `manage.py migrate` leaves it
    backup = tmp_path / "big.json"
    run("-c", SEED.replace("import django;", "import sys, django;", 1), str(backup))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("web", "worker")}  # noqa: SIM115
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=logs["web"], stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT, env=env, stdout=logs["worker"], stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        carol = signed_in(base, "carol")
        response = carol.post(
            "/export/restore/",
            data={"csrfmiddlewaretoken": carol.cookies["csrftoken"]},
            files={"file": ("backup.json", backup.read_bytes(), "application/json")},
        )
        assert response.status_code == 302, response.text[:2000]
        job_page = response.headers["location"]

        answers: list[tuple[float, int]] = []
        stop = threading.Event()

        dora = signed_in(base, "dora")

        def another_user_keeps_working() -> None:
            # Records an application (a write, and the rules schedule its check) and opens
            # the dashboard, again and again, while the restore writes its batches.
            n = 0
            while not stop.is_set():
                n += 1
                saved = dora.post(
                    "/applications/new/",
                    data={
                        "csrfmiddlewaretoken": dora.cookies["csrftoken"],
                        "title": f"Role {n}",
                        "company_name": f"Company {n}",
                        "status": "applied",
                        "applied_on": "2026-11-20",
                    },
                )
                answers.append((time.monotonic(), saved.status_code))
                answers.append((time.monotonic(), dora.get("/").status_code))

        other = threading.Thread(target=another_user_keeps_working)
        other.start()
        writing: list[float] = []
        state, started = "queued", time.monotonic()
        try:
            while state not in ("done", "failed") and time.monotonic() - started < 400:
                state = state_of(carol.get(job_page).text)
                if state == "writing":
                    writing.append(time.monotonic())
                time.sleep(0.3)
        finally:
            stop.set()
            other.join()
        page = carol.get(job_page).text
        elapsed = time.monotonic() - started
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs.values():
            log.close()

    worker_log = (tmp_path / "worker.log").read_text()
    assert state == "done", page[-3000:] + worker_log[-3000:]
    assert writing, "the restore was never seen writing"
    while_writing = [code for at, code in answers if writing[0] <= at <= writing[-1]]
    assert len(while_writing) >= 2, (len(while_writing), writing[-1] - writing[0])
    assert {code for _, code in answers} == {200, 302}, answers
    assert "database is locked" not in (tmp_path / "web.log").read_text()
    assert "400 applications, " in page and "Restored " in page
    print(f"restore of {backup.stat().st_size / 1e6:.1f} MB: {elapsed:.1f} s, "
          f"writing {writing[-1] - writing[0]:.1f} s; {len(answers)} requests (saves, dashboards) "
          f"of another user meanwhile ({len(while_writing)} while writing), all 200")  # fmt: skip
