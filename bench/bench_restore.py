"""How long a big restore takes, step by step, and how long each batch holds the lock.

    .venv/bin/python manage.py migrate   # with the same DATABASE_URL first
    DATABASE_URL=sqlite:////tmp/bench_restore/db.sqlite3 DATA_DIR=/tmp/bench_restore \\
        .venv/bin/python bench/bench_restore.py [--contacts 3000] [--batch 500]

Generates an account (generate_data) once, exports it, and restores the backup into a
fresh user as the worker does (followups/export/restore_jobs.py): parse with the limits,
plan (check and build every row, no writes), then write in batches. Prints the file's
size, the rows, each step's seconds and the longest batch (the longest time another
writer waits for the lock). Bench users are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from followups.export import backup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    source = User.objects.filter(username="bench-restore-source").first()
    if source is None:
        call_command(
            "generate_data",
            user="bench-restore-source",
            applications=args.contacts // 3,
            contacts=args.contacts,
            interactions=args.contacts * 3,
            followups=args.contacts,
            verbosity=0,
        )
        source = User.objects.get(username="bench-restore-source")
    raw = backup.export_json(source).encode()
    target = User.objects.create_user("bench-restore-target")
    try:
        started = time.perf_counter()
        document = backup.parse_backup(raw)
        parsed = time.perf_counter()
        plan = backup.plan_restore(target, document)
        planned = time.perf_counter()
        batches: list[float] = []
        last = [time.perf_counter()]

        def timed(model, objs) -> None:
            now = time.perf_counter()
            batches.append(now - last[0])
            last[0] = now

        backup.write_plan(plan, batch_rows=args.batch, on_batch=timed)
        written = time.perf_counter()
        print(
            f"{len(raw) / 1e6:.1f} MB, {plan.rows_total:,} rows: parse {parsed - started:.1f} s, "
            f"check {planned - parsed:.1f} s, write {written - planned:.1f} s in "
            f"{len(batches)} batches of {args.batch} (longest {max(batches):.2f} s)"
        )
    finally:
        target.delete()


if __name__ == "__main__":
    main()
