"""A big restore run by a real qcluster on a real SQLite file while the web server keeps
answering (issue 13, item 10). Before, the restore ran in the request in one transaction:
other writers waited on SQLite's lock past their busy timeout and failed with "database is
locked". Now every batch is its own short transaction."""

from __future__ import annotations

import pytest

from tests.site_processes import (
    AnotherUser,
    run_python,
    signed_in,
    site_env,
    watch_job,
    web_and_worker,
)

pytestmark = pytest.mark.slow

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


def test_a_big_restore_in_the_worker_leaves_the_site_answering(tmp_path, migrated_sqlite):
    # Production's 30 s busy timeout: the restore in one request held the lock for 46 s.
    env = site_env(tmp_path, SQLITE_BUSY_TIMEOUT="30", Q_WORKERS="1")
    migrated_sqlite(tmp_path / "db.sqlite3")  # as `manage.py migrate` leaves it
    backup = tmp_path / "big.json"
    run_python(env, "-c", SEED.replace("import django;", "import sys, django;", 1), str(backup))
    with web_and_worker(tmp_path, env) as base:
        carol = signed_in(base, "carol")
        response = carol.post(
            "/export/restore/",
            data={"csrfmiddlewaretoken": carol.cookies["csrftoken"]},
            files={"file": ("backup.json", backup.read_bytes(), "application/json")},
        )
        assert response.status_code == 302, response.text[:2000]
        # Dora saves an application and opens her dashboard, again and again.
        with AnotherUser(signed_in(base, "dora"), open_dashboard=True).working() as dora:
            job = watch_job(carol, response.headers["location"])

    worker_log = (tmp_path / "worker.log").read_text()
    assert job.state == "done", job.page[-3000:] + worker_log[-3000:]
    assert job.writing, "the restore was never seen writing"
    first, last = job.writing[0][0], job.writing[-1][0]
    while_writing = dora.between(first, last)
    assert len(while_writing) >= 2, (len(while_writing), last - first)
    assert {r.status for r in dora.requests} == {200, 302}, dora.requests
    assert "database is locked" not in (tmp_path / "web.log").read_text()
    assert "400 applications, " in job.page and "Restored " in job.page
    print(f"restore of {backup.stat().st_size / 1e6:.1f} MB: {job.elapsed:.1f} s, "
          f"writing {last - first:.1f} s; {len(dora.requests)} requests (saves, dashboards) "
          f"of another user meanwhile ({len(while_writing)} while writing), all 200")  # fmt: skip
