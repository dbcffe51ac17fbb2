"""Growth: each page and the calendar feed at 1× and 10× the heavy account, in-process.

    .venv/bin/python bench/bench_growth.py \
        --db1 postgres://postgres@127.0.0.1:5432/crm_bench \
        --db10 postgres://postgres@127.0.0.1:5432/crm_bench10 [--rounds 5] [--requests 15] \\
        [--pages board,stats,growth]

Issue 19, aim 3: a page shows a page of rows, so its time must not follow the account's
size (aim: 10×/1× ≤ 1.5 for every page). 1× is `generate_data`'s heavy account (2,000
applications, 5,000 contacts, 50,000 interactions, 5,000 pending follow-ups) as
bench_dashboard.py makes it; 10× is ten times each size in a database of its own, made
once (`--generate` fills an empty one; that takes minutes) and reused.

Each round runs one child process per scale, the order alternating round by round. A child
sets Django up with DEBUG off (bench/settings.py, as bench_load.py's gunicorn), logs the
user in, and sends every page through Django's WSGI handler, the object gunicorn calls:
`close_old_connections` runs at each request's start and end as in production (the test
client disconnects it), so each request pays for its connection as a real one does. After
two warm-up requests per page, `--requests` GETs of each page interleaved; the child
reports each page's median. `--pages` times only the pages named (comma-separated, from
PAGES; the baseline is always timed). The parent prints, per page, the 1× and 10× medians and the
ratio 10×/1× of each round (min/median/max over rounds), with the load average.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-growth-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "https://127.0.0.1",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "LOG_LEVEL": "WARNING",
}
PAGES = [
    "baseline",
    "dashboard",
    "board",
    "app list",
    "contacts",
    "contact",
    "stats",
    "growth",
    "export page",
    "ics feed",
]
TEN_TIMES = {"applications": 20000, "contacts": 50000, "interactions": 500000, "followups": 50000}


def child(requests: int, generate: bool, pages: list[str]) -> None:
    """Runs in the child: times every page for the database in DATABASE_URL."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench import bench_dashboard

    if generate and not get_user_model().objects.filter(username="bench-heavy").exists():
        call_command("migrate", verbosity=0)
        call_command("generate_data", user="bench-heavy", verbosity=0, **TEN_TIMES)
    user = bench_dashboard.heavy_user()
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    urls = {
        "baseline": reverse("bench-baseline"),
        "dashboard": reverse("home"),
        **bench_dashboard.other_pages(user),
    }
    handler = WSGIHandler()

    def get(url: str) -> float:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": url,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "HTTP_X_FORWARDED_PROTO": "https",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        start = time.perf_counter()
        body = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            for _ in body:
                pass
        finally:
            body.close()  # request_finished: close_old_connections, as gunicorn does
        elapsed = (time.perf_counter() - start) * 1000
        if not status[0].startswith("200"):
            raise SystemExit(f"{url} answered {status[0]}")
        return elapsed

    for url in (urls[name] for name in pages):
        get(url)
        get(url)
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(requests):
        for name in pages:
            times[name].append(get(urls[name]))
    print(json.dumps({name: statistics.median(values) for name, values in times.items()}))


def run_child(
    database_url: str, requests: int, generate: bool, pages: list[str]
) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", "--requests", str(requests)]
    args += ["--pages", ",".join(pages)]
    if generate:
        args.append("--generate")
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    result = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def mmm(values: list[float], digits: int = 1) -> str:
    values = sorted(values)
    return "/".join(f"{v:.{digits}f}" for v in (values[0], statistics.median(values), values[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db1", help="DATABASE_URL of the 1x account")
    parser.add_argument("--db10", help="DATABASE_URL of the 10x account")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=15, help="GETs of each page per child")
    parser.add_argument("--generate", action="store_true", help="fill an empty 10x database")
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help="comma-separated, among: " + ", ".join(PAGES) + " (the baseline always runs)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    wanted = {name.strip() for name in args.pages.split(",")}
    if unknown := wanted - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    pages = [name for name in PAGES if name in wanted or name == "baseline"]
    if args.child:
        child(args.requests, args.generate, pages)
        return
    if not (args.db1 and args.db10):
        parser.error("--db1 and --db10 are both needed")
    loads = [os.getloadavg()[0]]
    results: dict[str, list[dict[str, float]]] = {"1x": [], "10x": []}
    for n in range(args.rounds):
        order = [("1x", args.db1), ("10x", args.db10)]
        for scale, url in order if n % 2 == 0 else order[::-1]:
            generate = args.generate and scale == "10x"
            results[scale].append(run_child(url, args.requests, generate, pages))
        loads.append(os.getloadavg()[0])
    print(
        f"{args.rounds} rounds x {args.requests} requests per page and scale; load average "
        f"{min(loads):.1f}-{max(loads):.1f}; medians in ms, min/median/max over rounds"
    )
    print(f"{'page':>12}  {'1x ms':>17}  {'10x ms':>17}  10x/1x (aim <= 1.5)")
    for page in pages:
        ones = [r[page] for r in results["1x"]]
        tens = [r[page] for r in results["10x"]]
        ratios = [t / o for o, t in zip(ones, tens, strict=True)]
        verdict = "met" if statistics.median(ratios) <= 1.5 else "MISSED"
        print(f"{page:>12}  {mmm(ones):>17}  {mmm(tens):>17}  {mmm(ratios, 2)}  {verdict}")


if __name__ == "__main__":
    main()
