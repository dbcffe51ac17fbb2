"""A big import run by a real qcluster on a real SQLite file while another user keeps
writing through the web server (issue 13, item 10). Before, the import was committed in
the request in one transaction, so every other writer waited for the whole file; now each
batch is its own short transaction, and a write waits for one batch at most."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from tests.site_processes import (
    AnotherUser,
    JobWatch,
    run_python,
    signed_in,
    site_env,
    watch_job,
    web_and_worker,
)

pytestmark = pytest.mark.slow
ROWS = 4000

SEED = """
import django; django.setup()
from tests.factories import make_user
make_user("carol"); make_user("dora")
"""

# Well under what a whole import takes: a writer that waited for all of it would fail
# with "database is locked".
BUSY_TIMEOUT = "5"


def confirm_import(client: httpx.Client, kind: str, file: tuple[str, bytes, str]) -> str:
    """Uploads the file on the import page, confirms the preview, returns the job's page."""
    client.post(
        reverse("contacts:import-upload", kwargs={"kind": kind}),
        data={"csrfmiddlewaretoken": client.cookies["csrftoken"]},
        files={"file": file},
    )
    preview = reverse("contacts:import-preview", kwargs={"kind": kind})
    response = client.post(preview, data={"csrfmiddlewaretoken": client.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:2000]
    job_page = response.headers["location"]
    assert "/import/jobs/" in job_page
    return job_page


def assert_others_waited_one_batch_at_most(folder: Path, job: JobWatch, dora: AnotherUser) -> str:
    """Every save of the other user went through while the job wrote, none waiting long;
    returns a line of figures to print."""
    worker_log = (folder / "worker.log").read_text()
    assert job.state == "done", job.page[-3000:] + worker_log[-3000:]
    assert len(job.writing) >= 2, "the import was never seen writing"
    (first, first_rows), (last, last_rows) = job.writing[0], job.writing[-1]
    span = last - first
    during = dora.between(first, last)
    assert len(during) >= 3, (len(during), span)
    assert {r.status for r in dora.requests} == {302}, dora.requests  # every save went through
    assert "database is locked" not in (folder / "web.log").read_text()
    longest = max(r.seconds for r in during)
    # Each statement of a save waits one batch (IMPORT_BATCH_SECONDS) at most, well under
    # the busy timeout; far from the whole import.
    assert longest < span / 3, (longest, span)
    rows = (last_rows or 0) - (first_rows or 0)
    rows_per_second = rows / span if span else float("inf")
    return (
        f"{job.elapsed:.1f} s in all, seen writing {span:.1f} s ({rows_per_second:.0f} rows/s); "
        f"another user's {len(during)} saves meanwhile, the slowest {longest:.2f} s; "
        f"load {os.getloadavg()}"
    )


def applications_csv(n: int) -> bytes:
    lines = ["Company,Title,Status,Date Applied"]
    lines += [f"Company {i % 97},Role {i},Applied,2026-11-{1 + i % 18:02d}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def test_a_big_import_in_the_worker_leaves_other_writers_waiting_one_batch_at_most(
    tmp_path, migrated_sqlite
):
    env = site_env(tmp_path, SQLITE_BUSY_TIMEOUT=BUSY_TIMEOUT, Q_WORKERS="1")
    migrated_sqlite(tmp_path / "db.sqlite3")
    run_python(env, "-c", SEED)
    with web_and_worker(tmp_path, env) as base:
        carol = signed_in(base, "carol")
        job_page = confirm_import(
            carol, "applications", ("tracker.csv", applications_csv(ROWS), "text/csv")
        )
        with AnotherUser(signed_in(base, "dora")).working() as dora:
            job = watch_job(carol, job_page)

    figures = assert_others_waited_one_batch_at_most(tmp_path, job, dora)
    assert f"Created {ROWS:,} applications" in job.page
    print(f"import of {ROWS} applications: {figures}")
