"""The API's follow-up list against the same query serialised by hand, in one run.

    .venv/bin/python bench/bench_api.py                      # SQLite in data/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcrm_bench .venv/bin/python bench/bench_api.py

Uses the heavy user of bench_dashboard.py ("bench-heavy": 5,000 pending follow-ups among
50,000 interactions; generated once per database). Both endpoints answer a page of 100
pending follow-ups with the same fields, through the full middleware stack with DEBUG
off and a Bearer token, alternating request by request. Prints requests per second of
each, their ratio (the issue's target: API / hand >= 0.5), and the queries per page for
several page sizes and pages, which must not grow with them.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench.sqlite3'}")
os.environ.setdefault("API_RATE_LIMIT", "1000000/min")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.bench_dashboard import heavy_user  # noqa: E402
from followups.models import ApiToken, FollowUp  # noqa: E402

API = "/api/v1/followups/?status=pending&page_size={size}&page={page}"
HAND = "/bench/hand-followups/?page_size={size}&page={page}"


def timed_get(client: Client, url: str, headers: dict) -> float:
    start = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return elapsed


def queries(client: Client, url: str, headers: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers=headers)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=100, help="requests per endpoint")
    args = parser.parse_args()
    user = heavy_user()
    pending = FollowUp.objects.filter(owner=user, status="pending").count()
    _, raw = ApiToken.issue(user, name="bench")
    headers = {"Authorization": f"Bearer {raw}"}
    with override_settings(ROOT_URLCONF="bench.api_urls", DEBUG=False):
        client = Client()
        pages = {"api": API.format(size=100, page=1), "hand": HAND.format(size=100, page=1)}
        for url in pages.values():
            for _ in range(5):
                timed_get(client, url, headers)
        times: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.rounds):
            for name, url in pages.items():
                times[name].append(timed_get(client, url, headers))
        counts = {
            (size, page): queries(client, API.format(size=size, page=page), headers)
            for size, page in ((10, 1), (100, 1), (200, 1), (100, 40))
        }
    print(
        f"database: {connection.vendor}; {pending} pending follow-ups; pages of 100; "
        f"{args.rounds} rounds"
    )
    rates = {}
    for name in pages:
        median = statistics.median(times[name])
        rates[name] = 1 / median
        print(f"{name:>5}: median {median * 1000:6.1f} ms, {rates[name]:6.1f} requests/s")
    print(
        f"ratio: {rates['api'] / rates['hand']:.2f} (API requests/s / hand requests/s; aim >= 0.5)"
    )
    print(
        "queries per API page: "
        + ", ".join(f"size {size} page {page}: {n}" for (size, page), n in counts.items())
    )


if __name__ == "__main__":
    main()
