"""Importing LinkedIn's archive takes memory for its preview (the connections), not for
its size (issue 14, "Measure"): messages and invitations are streamed from the zip and
written in batches. Measured through the command with tracemalloc, as
bench/bench_linkedin_archive.py does at full size."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from contacts.models import Interaction
from tests.factories import make_user

ME = "https://www.linkedin.com/in/memory-me"
START = datetime(2026, 1, 1, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def write_archive(path: Path, *, connections: int, messages: int) -> Path:
    people = [
        [f"First{n}", f"Last{n}", f"https://www.linkedin.com/in/m-{n}", "", f"Co {n % 50}",
         "Engineer", "05 Nov 2024"]
        for n in range(connections)
    ]  # fmt: skip
    rows = [["CONVERSATION ID", "FROM", "SENDER PROFILE URL", "TO", "RECIPIENT PROFILE URLS",
             "DATE", "CONTENT"]]  # fmt: skip
    for m in range(messages):
        n = m % connections
        other = f"https://www.linkedin.com/in/m-{n}"
        inbound = m % 2 == 0
        rows.append(
            [f"conv-{n}", f"First{n}" if inbound else "Me", other if inbound else ME,
             "Me" if inbound else f"First{n}", ME if inbound else other,
             (START + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:%S UTC"),
             f"Message {m} about the role, the team and the next steps. " * 3]
        )  # fmt: skip
    header = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
              "Connected On"]  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Connections.csv", csv_bytes([header, *people]))
        zf.writestr("messages.csv", csv_bytes(rows))
    return path


def traced_import(path: Path) -> int:
    """Peak traced memory of one import by the command, into a fresh user."""
    user = make_user()
    tracemalloc.start()
    try:
        call_command("import_linkedin", str(path), "--user", user.username, stdout=io.StringIO())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert Interaction.objects.filter(owner=user).count() > 0
    return peak


def test_peak_memory_for_twice_the_rows_stays_within_a_third_more(tmp_path):
    once = write_archive(tmp_path / "once.zip", connections=50, messages=2_000)
    twice = write_archive(tmp_path / "twice.zip", connections=100, messages=4_000)
    traced_import(write_archive(tmp_path / "warm.zip", connections=10, messages=600))  # caches

    peak_once, peak_twice = traced_import(once), traced_import(twice)

    print(f"peak traced memory: {peak_once:,} bytes, twice the rows {peak_twice:,}")
    assert peak_twice <= 1.3 * peak_once, (peak_once, peak_twice)
