"""Where a page's time goes: cProfile over N GETs of one page for the heavy user.

    .venv/bin/python bench/profile_page.py / [--requests 50] [--top 25]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_19 \
        .venv/bin/python bench/profile_page.py /bench/baseline/

Runs in-process through the test client and the full middleware stack with DEBUG off
(bench/settings.py), after three warm-up requests; prints the functions by cumulative
time, and the self time spent in the database driver, the template engine and the ORM.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench.sqlite3'}")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.test import Client, override_settings  # noqa: E402

from bench.bench_dashboard import heavy_user  # noqa: E402

SHARES = {
    "database driver (psycopg / sqlite3 execute+fetch)": ("psycopg", "sqlite3"),
    "template engine (django/template)": ("django/template",),
    "ORM query building (django/db/models/sql)": ("django/db/models/sql",),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    user = heavy_user()
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        for _ in range(3):
            assert client.get(args.url, secure=True).status_code == 200
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            client.get(args.url, secure=True)
        profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(f"{args.url}: {1000 * total / args.requests:.1f} ms per request under cProfile")
    for label, needles in SHARES.items():
        # Self time of the functions in each area: the areas never overlap.
        spent = sum(
            tottime
            for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items()
            if any(n in filename for n in needles)
        )
        print(f"  {label}: {100 * spent / total:.0f} % (self time)")
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
