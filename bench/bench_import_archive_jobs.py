"""How long LinkedIn's archive holds the database: in the request (one transaction) against
the worker's batches (contacts/importers/jobs.py, kind "archive"), side by side in one run.

    mkdir -p /tmp/bench_import_archive
    export DATABASE_URL=sqlite:////tmp/bench_import_archive/db.sqlite3 \\
        DATA_DIR=/tmp/bench_import_archive DEBUG=1
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python bench/bench_import_archive_jobs.py [--connections 10000] \\
        [--messages 50000] [--rounds 1] [--take-back] [--cadence]

Imports the same archive (bench_linkedin_archive.py's: connections, and messages with
them) into a fresh user: once as the in-request confirm does (plan and commit under the
owner's lock, one transaction), once as the worker does (a job run by run_import, each
batch's transaction timed). Prints the seconds in all and the longest time one
transaction held the lock: what another writer (a save, the scheduler) waits at most;
and the rules step's (the confirmed rejections and the rules on the latest messages)
seconds, batches and longest batch.
With --take-back, also the time to take the worker's finished import back out (what a
failure in its last part costs). With --cadence, the user has every connection as a
contact on a check-in cadence already, so the last part runs the rules for each of them.
Bench users are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

from bench.bench_import_jobs import run_timed  # noqa: E402
from bench.bench_linkedin_archive import archive  # noqa: E402
from contacts import importers  # noqa: E402
from contacts.importers import jobs  # noqa: E402
from contacts.models import Contact, ImportJob, Interaction  # noqa: E402
from crm.concurrency import atomic_for_owner  # noqa: E402


def with_contacts(user: User, connections: int) -> None:
    """The archive's people as contacts already, each on a three-month check-in cadence:
    the rules act on every contact's latest messages (--cadence)."""
    Contact.objects.bulk_create(
        Contact(
            owner=user,
            first_name=f"First{n}",
            last_name=f"Last{n}",
            linkedin_url=f"https://www.linkedin.com/in/p-{n}",
            check_in_months=3,
        )
        for n in range(connections)
    )


def in_request(path: Path, cadence: int) -> tuple[float, float]:
    user = User.objects.create_user(f"bench-req-{secrets.token_hex(4)}")
    if cadence:
        with_contacts(user, cadence)
    started = time.perf_counter()
    with atomic_for_owner(user):  # what the confirm does for an archive that stays
        plan = importers.plan_archive(user, path)
        importers.commit_archive(plan)
    total = time.perf_counter() - started
    user.delete()
    return total, total


def in_worker(raw: bytes, take_back: bool, cadence: int) -> tuple[float, list, list, float | None]:
    user = User.objects.create_user(f"bench-job-{secrets.token_hex(4)}")
    if cadence:
        with_contacts(user, cadence)
    token = importers.stage_upload(user, raw)
    job = ImportJob.objects.create(owner=user, kind="archive", token=token, file_name="a.zip")
    parts: list[str] = []
    total, held = run_timed(job, parts)
    assert Interaction.objects.filter(owner=user).exists()
    back = None
    if take_back:
        job.refresh_from_db()
        started = time.perf_counter()
        jobs.take_back(job)
        back = time.perf_counter() - started
        assert not Interaction.objects.filter(owner=user).exists()
    user.delete()
    return total, held, parts, back


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--take-back", action="store_true")
    parser.add_argument("--cadence", action="store_true")
    args = parser.parse_args()
    settings.IMPORT_STAGING_DIR = Path(settings.DATA_DIR) / "import-staging"
    raw = archive(args.connections, args.messages)
    path = Path(settings.DATA_DIR) / "bench-archive.zip"
    path.write_bytes(raw)
    print(
        f"{args.connections} connections + {args.messages} messages, {len(raw) / 1e6:.2f} MB "
        f"zip; load {os.getloadavg()}"
    )
    for round_ in range(1, args.rounds + 1):
        cadence = args.connections if args.cadence else 0
        request_total, request_held = in_request(path, cadence)
        worker_total, held, parts, back = in_worker(raw, args.take_back, cadence)
        worker_held = max(held)
        # The confirmed rejections and the rules: one part on main, two since.
        rules = [s for s, part in zip(held, parts, strict=True) if part in ("rejections", "rules")]
        print(
            f"round {round_}: in the request {request_total:.1f} s, the lock held "
            f"{request_held:.2f} s; in the worker {worker_total:.1f} s in {len(held)} "
            f"batches, the longest {worker_held:.2f} s (lock held "
            f"{request_held / worker_held:.0f}x shorter, {worker_total / request_total:.2f}x "
            f"the time in all); the rules step {sum(rules):.1f} s in {len(rules)} batches, "
            f"the longest {max(rules, default=0):.2f} s"
            + (f"; take-back {back:.1f} s" if back is not None else "")
            + f"; load {os.getloadavg()}"
        )
    path.unlink()


if __name__ == "__main__":
    main()
