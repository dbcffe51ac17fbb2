"""Pages under load: gunicorn as README's production section runs it, wrk as the client.

    .venv/bin/python bench/bench_load.py [--pages dashboard] [--concurrency 1,4,16]
        [--seconds 10] [--rounds 3] [--workers 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_19 \
        .venv/bin/python bench/bench_load.py --pages dashboard,quick-log

Needs wrk (`apt-get install -y wrk`). The heavy user "bench-heavy" is generated once per
database as bench_dashboard.py does (2,000 applications, 5,000 contacts, 50,000
interactions, 5,000 pending). gunicorn runs `crm.wsgi` with DEBUG off, collected static
files and `--workers 3` (bench/settings.py only adds the baseline page, a login-required
page rendering base.html). Requests carry the session cookie of a real login and
`X-Forwarded-Proto: https`, as behind the TLS proxy of a production site.

For each concurrency, each round runs wrk for `--seconds` against every page, the order
alternating round by round; wrk's own latency histogram gives p50/p95/p99 (a Lua `done`
hook), and requests/s and non-2xx/3xx answers are counted. Prints min/median/max over
rounds and each page's p95 over the baseline's p95 in the same round.

`quick-log` POSTs the rejection form; every 16 consecutive requests name the same new
company, contact and job, the race that answered 500 before (issue 19, aim 5).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench.sqlite3'}")
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-load-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "https://127.0.0.1",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)

REPORT = """
done = function(summary, latency, requests)
  local out = io.open(os.getenv("WRK_REPORT"), "w")
  out:write(string.format(
    '{"p50": %f, "p95": %f, "p99": %f, "requests": %d, "seconds": %f, "bad": %d, "errors": %d}',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.duration / 1e6,
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
  out:close()
end
"""

QUICK_LOG = """
counter = 0
request = function()
  counter = counter + 1
  local n = math.floor(counter / 16)
  local body = "action=save&csrfmiddlewaretoken=" .. os.getenv("CSRF_TOKEN")
    .. "&contact_name=Dana+Load" .. n .. "&contact_email=dana" .. n .. "%40load.example"
    .. "&company_name=Load+Co+" .. os.getenv("RUN_ID") .. "+" .. n
    .. "&job_title=Engineer&occurred_at=2026-03-09T16%3A12&channel=email"
    .. "&subject=Your+application&body=No."
  -- nil headers: wrk.headers, which hold the -H cookies and this content type
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", nil, nil, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare() -> tuple[str, str, dict[str, str]]:
    """Migrates, generates the heavy user, collects static files; a session cookie, a CSRF
    token and the page URLs."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils.crypto import get_random_string

    from bench.bench_dashboard import heavy_user, other_pages

    user = heavy_user()
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    # The CSRF cookie and the form field carry the same unmasked secret (Django accepts it).
    token = get_random_string(32, string.ascii_letters + string.digits)
    pages = {
        "baseline": reverse("bench-baseline"),
        "dashboard": reverse("home"),
        "quick-log": reverse("followups:log-rejection"),
        **{name.replace(" ", "-"): url for name, url in other_pages(user).items()},
    }
    return session, token, pages


def start_gunicorn(port: int, workers: int, extra: list[str] | None = None) -> subprocess.Popen:
    """README's production command (gunicorn.conf.py read from the project root); no
    control socket, which would be shared with any other gunicorn on the machine."""
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "crm.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-control-socket",
            *(extra or []),
        ],
        cwd=ROOT,
        env={**os.environ, **SERVER_ENV},
    )
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            connection.getresponse().read()  # any answer (503: no tick ran) means it is up
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _interactions() -> int:
    from contacts.models import Interaction

    return Interaction.objects.count()


def run_wrk(url: str, concurrency: int, seconds: int, headers: list[str], post: bool) -> dict:
    before = _interactions() if post else 0
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "script.lua"
        script.write_text((QUICK_LOG if post else "") + REPORT)
        report = Path(tmp) / "report.json"
        args = ["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{seconds}s"]
        args += ["--timeout", "30s", "-s", str(script)]
        for header in headers:
            args += ["-H", header]
        env = {**os.environ, "WRK_REPORT": str(report), "RUN_ID": str(time.time_ns())}
        subprocess.run([*args, url], check=True, capture_output=True, env=env)
        result = json.loads(report.read_text())
    if post:  # a POST that lands on the login page would be fast and wrong
        result["created"] = _interactions() - before
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages", default="dashboard", help="besides the baseline, comma-separated"
    )
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    session, token, urls = prepare()
    pages = ["baseline", *args.pages.split(",")]
    port = free_port()
    server = start_gunicorn(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    headers = [
        f"Cookie: sessionid={session}; csrftoken={token}",
        "X-Forwarded-Proto: https",
        f"Origin: https://127.0.0.1:{port}",
    ]
    os.environ["CSRF_TOKEN"] = token
    from django.db import connection

    print(
        f"database: {connection.vendor}; gunicorn --workers {args.workers}; wrk "
        f"{args.seconds} s per run; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    try:
        for page in pages:  # warm every worker's caches and connections
            run_wrk(base + urls[page], 4, 2, headers, post=page == "quick-log")
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            results: dict[str, list[dict]] = {page: [] for page in pages}
            for n in range(args.rounds):
                order = pages if n % 2 == 0 else pages[::-1]
                for page in order:
                    post = page == "quick-log"
                    results[page].append(
                        run_wrk(base + urls[page], concurrency, args.seconds, headers, post)
                    )
            print(f"\nconcurrency {concurrency} ({args.rounds} rounds, min/median/max)")
            for page in pages:
                runs = results[page]

                def mmm(key: str, runs=runs) -> str:
                    values = sorted(r[key] for r in runs)
                    return f"{values[0]:.0f}/{statistics.median(values):.0f}/{values[-1]:.0f}"

                ratios = sorted(
                    r["p95"] / b["p95"] for r, b in zip(runs, results["baseline"], strict=True)
                )
                bad = sum(r["bad"] + r["errors"] for r in runs)
                if page == "quick-log":
                    created = sum(r["created"] for r in runs)
                    print(f"  quick-log: {created} of {sum(r['requests'] for r in runs)} saved")
                print(
                    f"  {page:>10}: p50 {mmm('p50'):>14} ms  p95 {mmm('p95'):>14} ms  "
                    f"p99 {mmm('p99'):>14} ms  {mmm('rps'):>12} req/s  "
                    f"p95/baseline {ratios[0]:.2f}/{statistics.median(ratios):.2f}/"
                    f"{ratios[-1]:.2f}  non-2xx/3xx or socket errors: {bad}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
