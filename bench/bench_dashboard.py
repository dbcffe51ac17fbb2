"""Server time of the dashboard for a heavy user against a minimal page, in one run.

    .venv/bin/python bench/bench_dashboard.py                     # SQLite in data/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcrm_bench \
        .venv/bin/python bench/bench_dashboard.py

The first run migrates the bench database and fills the user "bench-heavy" with
`generate_data` (2,000 applications, 5,000 contacts, 50,000 interactions, 5,000 pending
follow-ups); later runs reuse it. Both pages go through the full middleware stack with
DEBUG off, via Django's test client, alternating request by request so that noise on
the machine hits both alike. Prints the median and 90th percentile of each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")  # development settings: a key in ./data, no setup
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from followups.models import FollowUp  # noqa: E402

USERNAME = "bench-heavy"
SIZES = {"applications": 2000, "contacts": 5000, "interactions": 50000, "followups": 5000}


def heavy_user():
    """The benchmark user, generated once per database."""
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.filter(username=USERNAME).first()
    if user is None or not FollowUp.objects.filter(owner=user).exists():
        print(f"Generating {SIZES} for {USERNAME} (once per database)…", flush=True)
        call_command("generate_data", user=USERNAME, verbosity=0, **SIZES)
        user = get_user_model().objects.get(username=USERNAME)
    return user


def timed_get(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed * 1000


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def other_pages(user) -> dict[str, str]:
    from crm.models import Profile

    token = Profile.for_user(user).calendar_token
    return {
        "board": reverse("crm:application-board"),
        "app list": reverse("crm:application-list"),
        "contacts": reverse("contacts:list"),
        "stats": reverse("followups:stats"),
        "ics feed": reverse("followups:calendar-feed", args=[token]),
        # The heavy user's busiest contact: the most interactions on one page.
        "contact": reverse("contacts:detail", args=[busiest_contact(user)]),
        "growth": reverse("followups:growth"),
        "export page": reverse("followups:export"),
    }


def busiest_contact(user) -> int:
    from django.db.models import Count

    from contacts.models import Contact

    contacts = Contact.objects.filter(owner=user).annotate(n=Count("interactions"))
    return contacts.order_by("-n", "pk").values_list("pk", flat=True)[0]


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=50, help="requests per page")
    parser.add_argument(
        "--all", action="store_true", help="also time the board, the lists, stats and the feed"
    )
    args = parser.parse_args()
    user = heavy_user()
    pending = FollowUp.objects.filter(owner=user, status="pending").count()
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        client = Client()
        client.force_login(user)
        pages = {"dashboard": reverse("home"), "baseline": reverse("bench-baseline")}
        if args.all:
            pages.update(other_pages(user))
        for url in pages.values():  # warm caches, template loaders, connections
            for _ in range(3):
                timed_get(client, url)
        times: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.rounds):
            for name, url in pages.items():
                times[name].append(timed_get(client, url))
        queries = {name: query_count(client, url) for name, url in pages.items()}
    vendor = connection.vendor
    print(
        f"database: {vendor}; user {USERNAME}: {pending} pending follow-ups; {args.rounds} rounds"
    )
    for name in pages:
        print(
            f"{name:>9}: median {statistics.median(times[name]):7.1f} ms, "
            f"p90 {p90(times[name]):7.1f} ms, {queries[name]} queries"
        )
    ratio = statistics.median(times["dashboard"]) / statistics.median(times["baseline"])
    print(f"    ratio: {ratio:.2f}x (dashboard median / baseline median; aim <= 3x)")


if __name__ == "__main__":
    main()
