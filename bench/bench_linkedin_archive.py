"""Import rate and memory of a LinkedIn archive (10,000 connections + 50,000 messages) through
`import_linkedin`, against a plain bulk_create of the same rows.

    .venv/bin/python bench/bench_linkedin_archive.py [--connections 10000] [--messages 50000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcrm_bench_arch \
        .venv/bin/python bench/bench_linkedin_archive.py

Each round: the archive (a zip made here with csv + zipfile) is imported by the command
into a fresh user; then the same contacts and interactions are written with a plain
bulk_create (no checks, no matching, no rules) as the floor. Prints rows/s of both
(a row is a connection or a message), their ratio, and the import's peak traced Python
memory (tracemalloc) at two archive sizes, to show how it grows with the file.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench_archive.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from contacts.importers import BATCH_SIZE  # noqa: E402
from contacts.models import Contact, Interaction  # noqa: E402
from crm.models import Company  # noqa: E402

PREFIX = "bench-archive-"
ME = "https://www.linkedin.com/in/bench-me"
START = datetime(2026, 1, 1, tzinfo=UTC)


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def archive(connections: int, messages: int) -> bytes:
    people = [
        [f"First{n}", f"Last{n}", f"https://www.linkedin.com/in/p-{n}", "", f"Company {n % 700}",
         "Engineer", "05 Nov 2024"]
        for n in range(connections)
    ]  # fmt: skip
    header = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
              "Connected On"]  # fmt: skip
    message_rows = [
        ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
         "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER"]
    ]  # fmt: skip
    for m in range(messages):
        n = m % connections
        other = f"https://www.linkedin.com/in/p-{n}"
        stamp = (START + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:%S UTC")
        inbound = m % 2 == 0
        message_rows.append(
            [f"conv-{n}", "", f"First{n}" if inbound else "Bench Me", other if inbound else ME,
             "Bench Me" if inbound else f"First{n}", ME if inbound else other, stamp, "",
             f"Message {m} about the role and the next steps.", "INBOX"]
        )  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Connections.csv", _csv([header, *people]))
        zf.writestr("messages.csv", _csv(message_rows))
    return out.getvalue()


def fresh_user(label: str):
    return get_user_model().objects.create_user(f"{PREFIX}{label}-{time.monotonic_ns()}")


def run_command(path: Path, *, trace: bool = False) -> tuple[float, int]:
    """Seconds of one import by the command; with `trace`, its peak traced memory too
    (tracemalloc slows Python down several times, so timed runs go without it)."""
    user = fresh_user("import")
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    call_command("import_linkedin", str(path), "--user", user.username, stdout=io.StringIO())
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    assert Interaction.objects.filter(owner=user).exists()
    return seconds, peak


def run_bulk_create(raw: bytes) -> float:
    """The floor: the same contacts and messages, csv.reader and bulk_create only."""
    user = fresh_user("floor")
    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        people = list(csv.reader(io.StringIO(zf.read("Connections.csv").decode())))[1:]
        messages = list(csv.reader(io.StringIO(zf.read("messages.csv").decode())))[1:]
    companies: dict[str, Company] = {}
    contacts: dict[str, Contact] = {}
    for first, last, url, _email, company, position, _on in people:
        companies.setdefault(company, Company(owner=user, name=company))
        contacts[url] = Contact(
            owner=user,
            first_name=first,
            last_name=last,
            linkedin_url=url,
            title=position,
            company=companies[company],
            role=Contact.Role.PEER,
        )
    with transaction.atomic():
        Company.objects.bulk_create(companies.values(), batch_size=BATCH_SIZE)
        Contact.objects.bulk_create(contacts.values(), batch_size=BATCH_SIZE)
        rows = []
        for row in messages:
            inbound = row[3] != ME
            rows.append(
                Interaction(
                    owner=user,
                    contact=contacts[row[3] if inbound else row[5]],
                    direction="inbound" if inbound else "outbound",
                    channel="linkedin",
                    occurred_at=datetime.fromisoformat(row[6].removesuffix(" UTC")).replace(
                        tzinfo=UTC
                    ),
                    body=row[8],
                )
            )
        Interaction.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    raw = archive(args.connections, args.messages)
    half = archive(args.connections // 2, args.messages // 2)
    path = ROOT / "data" / "bench_archive.zip"
    half_path = ROOT / "data" / "bench_archive_half.zip"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(raw)
    half_path.write_bytes(half)
    rows = args.connections + args.messages
    imports: list[float] = []
    floors: list[float] = []
    peaks: list[int] = []
    try:
        for _ in range(args.rounds):
            imports.append(run_command(path)[0])
            floors.append(run_bulk_create(raw))
        _, half_peak = run_command(half_path, trace=True)
        peaks.append(run_command(path, trace=True)[1])
    finally:
        get_user_model().objects.filter(username__startswith=PREFIX).delete()
        path.unlink(missing_ok=True)
        half_path.unlink(missing_ok=True)
    import_s, floor_s = statistics.median(imports), statistics.median(floors)
    print(f"{args.connections:,} connections + {args.messages:,} messages ({len(raw):,} bytes)")
    print(f"  import_linkedin  {rows / import_s:10,.0f} rows/s  ({import_s:.2f} s)")
    print(f"  bulk_create      {rows / floor_s:10,.0f} rows/s  ({floor_s:.2f} s)")
    print(f"  ratio import / bulk_create: {floor_s / import_s:.2f}")
    print(f"  peak traced memory: {max(peaks) / 2**20:.0f} MiB (half the archive: "
          f"{half_peak / 2**20:.0f} MiB)")  # fmt: skip


if __name__ == "__main__":
    main()
