"""A big import run by a real qcluster on a real SQLite file while another user keeps
writing through the web server (issue 13, item 10). Before, the import was committed in
the request in one transaction, so every other writer waited for the whole file; now each
batch is its own short transaction, and a write waits for one batch at most."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from tests.export.test_restore_worker_processes import free_port, signed_in, state_of

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ROWS = 4000

SEED = """
import django; django.setup()
from tests.factories import make_user
make_user("carol"); make_user("dora")
"""


def applications_csv(n: int) -> bytes:
    lines = ["Company,Title,Status,Date Applied"]
    lines += [f"Company {i % 97},Role {i},Applied,2026-11-{1 + i % 18:02d}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def test_a_big_import_in_the_worker_leaves_other_writers_waiting_one_batch_at_most(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "REDIS_URL")}
    env |= {
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Well under what the whole import takes: a writer that waited for all of it
        # would fail with "database is locked".
        "SQLITE_BUSY_TIMEOUT": "5",
        "Q_WORKERS": "1",
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def run(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]

    run("manage.py", "migrate", "-v0")
    run("-c", SEED)
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
        for _ in range(120):
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        carol = signed_in(base, "carol")
        carol.post(
            reverse("contacts:import-upload", kwargs={"kind": "applications"}),
            data={"csrfmiddlewaretoken": carol.cookies["csrftoken"]},
            files={"file": ("tracker.csv", applications_csv(ROWS), "text/csv")},
        )
        preview = reverse("contacts:import-preview", kwargs={"kind": "applications"})
        response = carol.post(preview, data={"csrfmiddlewaretoken": carol.cookies["csrftoken"]})
        assert response.status_code == 302, response.text[:2000]
        job_page = response.headers["location"]
        assert "/import/jobs/" in job_page

        waits: list[tuple[float, float, int]] = []  # (start, seconds, status)
        stop = threading.Event()
        dora = signed_in(base, "dora")

        def another_user_keeps_writing() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                start = time.monotonic()
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
                waits.append((start, time.monotonic() - start, saved.status_code))

        other = threading.Thread(target=another_user_keeps_writing)
        other.start()
        writing: list[tuple[float, int]] = []  # (when, rows done)
        state, started = "queued", time.monotonic()
        try:
            while state not in ("done", "failed") and time.monotonic() - started < 400:
                page = carol.get(job_page).text
                state = state_of(page)
                if state == "writing" and (done := re.search(r"([\d,]+) of [\d,]+ rows", page)):
                    writing.append((time.monotonic(), int(done.group(1).replace(",", ""))))
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
    assert f"Created {ROWS:,} applications" in page
    assert len(writing) >= 2, "the import was never seen writing"
    span = writing[-1][0] - writing[0][0]
    during = [
        (seconds, code) for at, seconds, code in waits if writing[0][0] <= at <= writing[-1][0]
    ]
    assert len(during) >= 3, (len(during), span)
    assert {code for _, _, code in waits} == {302}, waits  # every save went through
    assert "database is locked" not in (tmp_path / "web.log").read_text()
    longest = max(seconds for seconds, _ in during)
    rows_per_second = (writing[-1][1] - writing[0][1]) / span if span else float("inf")
    # Each statement of a save waits one batch (IMPORT_BATCH_SECONDS) at most, well under
    # the busy timeout; far from the whole import.
    assert longest < span / 3, (longest, span)
    print(
        f"import of {ROWS} applications: {elapsed:.1f} s in all, seen writing {span:.1f} s "
        f"({rows_per_second:.0f} rows/s); another user's {len(during)} saves meanwhile, "
        f"the slowest {longest:.2f} s; load {os.getloadavg()}"
    )
