"""LinkedIn's archive run by a real qcluster on a real SQLite file while another user keeps
writing through the web server (issue 13, item 10). Before, the archive was committed in
the request in one transaction (10,000 connections and 50,000 messages: 17 s of SQLite's
write lock); now each batch of connections or messages is its own short transaction, and
a write waits for one batch at most."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from tests.imports.test_import_jobs_processes import (
    BUSY_TIMEOUT,
    SEED,
    assert_others_waited_one_batch_at_most,
    confirm_import,
)
from tests.site_processes import (
    AnotherUser,
    run_python,
    signed_in,
    site_env,
    watch_job,
    web_and_worker,
)

pytestmark = pytest.mark.slow
CONNECTIONS, MESSAGES = 2000, 8000
ME = "https://www.linkedin.com/in/carol-me"


def linkedin_archive() -> bytes:
    def csv_bytes(rows) -> bytes:
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode()

    people = [["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
               "Connected On"]]  # fmt: skip
    people += [
        [f"First{n}", f"Last{n}", f"https://www.linkedin.com/in/c-{n}", "", f"Co {n % 90}",
         "Engineer", "05 Nov 2024"]
        for n in range(CONNECTIONS)
    ]  # fmt: skip
    messages = [["CONVERSATION ID", "FROM", "SENDER PROFILE URL", "TO",
                 "RECIPIENT PROFILE URLS", "DATE", "CONTENT"]]  # fmt: skip
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for m in range(MESSAGES):
        n, inbound = m % CONNECTIONS, m % 2 == 0
        other = f"https://www.linkedin.com/in/c-{n}"
        messages.append(
            [f"conv-{n}", f"First{n}" if inbound else "Me", other if inbound else ME,
             "Me" if inbound else f"First{n}", ME if inbound else other,
             (start + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:%S UTC"),
             f"Message {m} about the role."]
        )  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Connections.csv", csv_bytes(people))
        zf.writestr("messages.csv", csv_bytes(messages))
    return out.getvalue()


def test_an_archive_in_the_worker_leaves_other_writers_waiting_one_batch_at_most(
    tmp_path, migrated_sqlite
):
    env = site_env(tmp_path, SQLITE_BUSY_TIMEOUT=BUSY_TIMEOUT, Q_WORKERS="1")
    migrated_sqlite(tmp_path / "db.sqlite3")
    run_python(env, "-c", SEED)
    with web_and_worker(tmp_path, env) as base:
        carol = signed_in(base, "carol")
        job_page = confirm_import(
            carol, "linkedin", ("linkedin.zip", linkedin_archive(), "application/zip")
        )
        with AnotherUser(signed_in(base, "dora")).working() as dora:
            job = watch_job(carol, job_page)

    figures = assert_others_waited_one_batch_at_most(tmp_path, job, dora)
    assert f"Created {CONNECTIONS} contacts" in job.page and f"{MESSAGES} messages" in job.page
    print(f"archive of {CONNECTIONS} connections + {MESSAGES} messages: {figures}")
