"""Import rate of a 10,000-row LinkedIn Connections.csv against a plain bulk_create, in one run.

    .venv/bin/python bench/bench_import.py          # SQLite in data/bench_import.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcrm_bench \
        .venv/bin/python bench/bench_import.py [--rows 10000] [--rounds 3]

Each round imports the same file into a fresh user three ways, alternating so noise on
the machine hits all alike:

- `import`: the real import (decode, find the header, validate, match, plan, commit);
- `re-import`: a newer export into that user, where every position changed, so every
  row matches and is updated;
- `bulk_create`: the floor: csv.reader over the rows, then Company and Contact
  bulk_create with the same batch size and no validation or matching.

Prints the median rows per second of each, the import's split into parse/plan/commit, the
queries it made, and the ratio import / bulk_create. Bench users are deleted afterwards.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")  # development settings: a key in ./data, no setup
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench_import.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from contacts import importers  # noqa: E402
from contacts.models import Contact  # noqa: E402
from crm.models import Company  # noqa: E402

NOTES = (
    'Notes:\r\n"When exporting your connection data, some email addresses may be missing."\r\n\r\n'
)
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
PREFIX = "bench-import-"


def linkedin_file(rows: int, position: str = "Engineer") -> bytes:
    """A Connections.csv as LinkedIn writes it: notes, mostly empty emails, 700 companies."""
    lines = [
        f"First{n},Last{n},https://www.linkedin.com/in/person-{n},"
        f"{f'person{n}@example.com' if n % 3 == 0 else ''},"
        f'"Company {n % 700}, Inc.",{position},{1 + n % 28:02d} Nov 2024\r\n'
        for n in range(rows)
    ]
    return (NOTES + HEADER + "".join(lines)).encode()


def fresh_user(label: str):
    return get_user_model().objects.create_user(f"{PREFIX}{label}-{time.monotonic_ns()}")


def run_import(raw: bytes, user) -> dict[str, float]:
    """The real import, timed step by step; returns seconds per step and the queries."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        importers.parse_linkedin(raw)
        parsed = time.perf_counter()
        plan = importers.plan_linkedin(user, raw)  # parses again: the page does too
        planned = time.perf_counter()
        result = importers.commit_linkedin(plan)
        done = time.perf_counter()
    assert result.rejected == 0, importers.rejected_lines(plan.rows)[:3]
    return {
        "parse": parsed - start,
        "plan": planned - parsed,
        "commit": done - planned,
        "total": done - parsed,  # parse_linkedin alone is only shown for the split
        "queries": len(queries),
    }


def run_bulk_create(raw: bytes, user) -> float:
    """The floor: the same rows into the same tables, no checks, no matching."""
    start = time.perf_counter()
    text = raw.decode()
    records = list(csv.reader(io.StringIO(text[text.index(HEADER) :], newline="")))[1:]
    companies: dict[str, Company] = {}
    contacts = []
    for first, last, url, email, company, position, _connected in records:
        if company not in companies:
            companies[company] = Company(owner=user, name=company)
        contacts.append(
            Contact(
                owner=user,
                first_name=first,
                last_name=last,
                linkedin_url=url,
                email=email,
                title=position,
                company=companies[company],
                role=Contact.Role.PEER,
            )
        )
    with transaction.atomic():
        Company.objects.bulk_create(companies.values(), batch_size=importers.BATCH_SIZE)
        Contact.objects.bulk_create(contacts, batch_size=importers.BATCH_SIZE)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    raw = linkedin_file(args.rows)
    newer = linkedin_file(args.rows, position="Senior Engineer")
    imports, reimports, floors = [], [], []
    try:
        for _ in range(args.rounds):
            user = fresh_user("import")
            imports.append(run_import(raw, user))
            reimports.append(run_import(newer, user))
            floors.append(run_bulk_create(raw, fresh_user("floor")))
    finally:
        get_user_model().objects.filter(username__startswith=PREFIX).delete()

    def rate(seconds: float) -> float:
        return args.rows / seconds

    vendor = connection.vendor
    import_s = statistics.median(r["total"] for r in imports)
    reimport_s = statistics.median(r["total"] for r in reimports)
    floor_s = statistics.median(floors)
    print(f"{args.rows:,} LinkedIn rows on {vendor}, median of {args.rounds} rounds")
    print(f"  import       {rate(import_s):10,.0f} rows/s  ({import_s:.2f} s)")
    for step in ("parse", "plan", "commit"):
        print(f"    {step:<8} {statistics.median(r[step] for r in imports):.2f} s")
    print(f"    queries  {imports[0]['queries']}")
    print(f"  re-import    {rate(reimport_s):10,.0f} rows/s  ({reimport_s:.2f} s)")
    print(f"    queries  {reimports[0]['queries']}")
    print(f"  bulk_create  {rate(floor_s):10,.0f} rows/s  ({floor_s:.2f} s)")
    print(f"  ratio import / bulk_create rate: {rate(import_s) / rate(floor_s):.2f}")


if __name__ == "__main__":
    main()
