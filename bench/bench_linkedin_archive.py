"""Import rate and memory of a LinkedIn archive (10,000 connections + 50,000 messages) through
`import_linkedin`, against a plain bulk_create of the same rows, at 1x, 2x and 4x the
messages, side by side in one run.

    .venv/bin/python bench/bench_linkedin_archive.py [--connections 10000] [--messages 50000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcrm_bench_arch \
        .venv/bin/python bench/bench_linkedin_archive.py

For each size the archive (a zip made here with csv + zipfile) is imported by the command
into a fresh user in a process of its own: one timed run (no tracemalloc, which slows
Python several times) whose peak resident memory above the process's resident memory
before the import is read from /proc (VmHWM after resetting it), one traced run for the
peak traced Python memory (tracemalloc), then the same contacts and interactions are
written with a plain bulk_create (no checks, no matching, no rules) as the floor.
The connections stay at --connections: they are the preview (capped at IMPORT_MAX_ROWS);
the messages are what grows with the file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
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

from django.conf import settings  # noqa: E402

# DEBUG keeps every query's SQL (up to 9,000), memory that grows with the import and is
# not the importer's: the figures are those of production.
settings.DEBUG = False

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


def _vm(field: str) -> int:
    """A size in bytes from /proc/self/status (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def run_command(path: Path, *, trace: bool = False) -> tuple[float, int]:
    """Seconds of one import by the command, and its peak memory: traced Python memory
    with `trace`, else the resident memory's peak above what it was before the import."""
    user = fresh_user("import")
    if trace:
        tracemalloc.start()
    else:
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux)
    before = _vm("VmRSS")
    start = time.perf_counter()
    call_command("import_linkedin", str(path), "--user", user.username, stdout=io.StringIO())
    seconds = time.perf_counter() - start
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        peak = _vm("VmHWM") - before
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


def measure(path: Path, rounds: int) -> dict:
    """One size, in this process: rows/s of the command and of bulk_create, peak RSS
    growth and peak traced memory of the command."""
    raw = path.read_bytes()
    imports, floors, rss = [], [], []
    for _ in range(rounds):
        seconds, grown = run_command(path)
        imports.append(seconds)
        rss.append(grown)
        floors.append(run_bulk_create(raw))
    _, traced = run_command(path, trace=True)
    return {
        "import_s": statistics.median(imports),
        "floor_s": statistics.median(floors),
        "rss": max(rss),
        "traced": traced,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--sizes", default="1,2,4", help="Multiples of --messages.")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one size, in its own process
    args = parser.parse_args()
    if args.child:
        try:
            print(json.dumps(measure(Path(args.child), args.rounds)))
        finally:
            get_user_model().objects.filter(username__startswith=PREFIX).delete()
        return
    call_command("migrate", verbosity=0)
    (ROOT / "data").mkdir(exist_ok=True)
    print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}")
    print(
        f"{'size':>4} {'rows':>8} {'zip bytes':>11} {'import rows/s':>14} "
        f"{'bulk_create rows/s':>19} {'ratio':>6} {'peak RSS growth':>16} {'peak traced':>12}"
    )
    for factor in [int(f) for f in args.sizes.split(",")]:
        messages = args.messages * factor
        path = ROOT / "data" / f"bench_archive_{factor}x_{os.getpid()}.zip"
        path.write_bytes(archive(args.connections, messages))
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(path), "--rounds", str(args.rounds)],
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            size = path.stat().st_size
            path.unlink(missing_ok=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows = args.connections + messages
        print(
            f"{factor:>3}x {rows:>8,} {size:>11,} "
            f"{rows / result['import_s']:>8,.0f} ({result['import_s']:.1f} s) "
            f"{rows / result['floor_s']:>12,.0f} ({result['floor_s']:.1f} s) "
            f"{result['floor_s'] / result['import_s']:>6.2f} "
            f"{result['rss'] / 2**20:>12.0f} MiB {result['traced'] / 2**20:>8.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
