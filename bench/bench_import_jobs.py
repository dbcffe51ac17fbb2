"""How long a big import holds the database: in the request (one transaction) against the
worker's batches (contacts/importers/jobs.py), side by side in one run.

    mkdir -p /tmp/bench_import_jobs
    DATABASE_URL=sqlite:////tmp/bench_import_jobs/db.sqlite3 DATA_DIR=/tmp/bench_import_jobs \\
        .venv/bin/python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/bench_import_jobs/db.sqlite3 DATA_DIR=/tmp/bench_import_jobs \\
        .venv/bin/python bench/bench_import_jobs.py [--rows 5000] [--rounds 2]

Imports the same applications CSV (recent "Applied" rows, so the rules schedule a check
for each) into a fresh user twice per round: once as the in-request confirm does (plan
and commit under the owner's lock, one transaction), once as the worker does (a job run
by run_import, each batch timed). Prints the seconds in all and the longest time one
transaction held the lock: what another writer (a save, the scheduler) waits at most.
Bench users are deleted afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts import importers  # noqa: E402
from contacts.importers import jobs  # noqa: E402
from contacts.models import ImportJob  # noqa: E402
from crm.concurrency import atomic_for_owner  # noqa: E402


def applications_csv(n: int) -> bytes:
    lines = ["Company,Title,Status,Date Applied"]
    today = timezone.now().date()
    for i in range(n):
        day = today - timedelta(days=i % 10)
        lines.append(f"Company {i % 97},Role {i},Applied,{day.isoformat()}")
    return ("\n".join(lines) + "\n").encode()


def in_request(raw: bytes) -> tuple[float, float]:
    user = User.objects.create_user(f"bench-req-{secrets.token_hex(4)}")
    mapping = importers.parse_applications(raw).guess_mapping()
    started = time.perf_counter()
    with atomic_for_owner(user):  # what the confirm did for every import
        plan = importers.plan_applications(user, raw, mapping)
        importers.commit_applications(plan)
    total = time.perf_counter() - started
    user.delete()
    return total, total


def run_timed(job: ImportJob, parts: list[str] | None = None) -> tuple[float, list[float]]:
    """Runs the job as the worker does; its seconds in all, and each batch's transaction
    (BEGIN IMMEDIATE, the lock, to COMMIT) in seconds. `parts`, if given, gets the part
    of the job each batch wrote (read before its transaction, outside the timing)."""
    held: list[float] = []
    real = jobs.atomic_for_owner

    @contextlib.contextmanager
    def timed(owner):
        if parts is not None:
            parts.append(ImportJob.objects.get(pk=job.pk).part)
        started = time.perf_counter()
        try:
            with real(owner):
                yield
        finally:
            held.append(time.perf_counter() - started)

    jobs.atomic_for_owner = timed  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        assert jobs.run_import(job.pk) == "done"
    finally:
        jobs.atomic_for_owner = real
    return time.perf_counter() - started, held


def in_worker(raw: bytes) -> tuple[float, float]:
    user = User.objects.create_user(f"bench-job-{secrets.token_hex(4)}")
    token = importers.stage_upload(user, raw)
    mapping = importers.parse_applications(raw).guess_mapping()
    job = ImportJob.objects.create(
        owner=user, kind="applications", token=token, options={"mapping": mapping}
    )
    total, held = run_timed(job)
    user.delete()
    return total, max(held)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    settings.IMPORT_STAGING_DIR = Path(settings.DATA_DIR) / "import-staging"
    raw = applications_csv(args.rows)
    print(f"{args.rows} applications, {len(raw) / 1e6:.2f} MB; load {os.getloadavg()}")
    for round_ in range(1, args.rounds + 1):
        request_total, request_held = in_request(raw)
        worker_total, worker_held = in_worker(raw)
        print(
            f"round {round_}: in the request {request_total:.1f} s, the lock held "
            f"{request_held:.2f} s; in the worker {worker_total:.1f} s, the longest batch "
            f"{worker_held:.2f} s (lock held {request_held / worker_held:.0f}x shorter, "
            f"{worker_total / request_total:.2f}x the time in all); load {os.getloadavg()}"
        )


if __name__ == "__main__":
    main()
