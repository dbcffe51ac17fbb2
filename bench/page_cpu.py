"""CPU time of one page for the heavy user: process time per GET, which a loaded machine
disturbs far less than wall time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench1 \
        .venv/bin/python bench/page_cpu.py /applications/board/ [--requests 40]

In-process through the test client and the full middleware stack with DEBUG off
(bench/settings.py), after three warm-up GETs; prints the page's query count and the
min and median CPU milliseconds per request. Run it from two trees one after the other
to compare a change with its base.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench.sqlite3'}")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.bench_dashboard import heavy_user  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    client = Client()
    client.force_login(heavy_user())
    for _ in range(3):
        assert client.get(args.url, secure=True).status_code == 200, args.url
    # Counted by an execute wrapper: the request_started signal empties queries_log.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(args.url, secure=True)
    cpu = []
    for _ in range(args.requests):
        start = time.process_time()
        client.get(args.url, secure=True)
        cpu.append((time.process_time() - start) * 1000)
    print(
        f"{args.url}: {len(queries)} queries; CPU ms per request min {min(cpu):.1f}, "
        f"median {statistics.median(cpu):.1f}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
