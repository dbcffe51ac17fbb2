"""Memory and start-up (issue 19, aim 7): RSS of gunicorn workers and of qcluster, idle and
after load, and the time from start to the first answer.

    .venv/bin/python bench/bench_memory.py [--databases sqlite,postgres] [--seconds 5]
        [--concurrency 4] [--reminders 1000] [--startup-rounds 2] [--gunicorn-args ...]

For each database (SQLite in data/bench.sqlite3, PostgreSQL in --postgres-url), in a
process of its own, with the heavy user of bench_load.py / bench_dashboard.py:

- gunicorn as README's production command runs it (`--workers 3`, gunicorn.conf.py, DEBUG
  off, collected static files): each worker's RSS (VmRSS from /proc) when booted and idle,
  after a load run and after a second identical one. A load run is wrk at
  `--concurrency` for `--seconds` on each of the pages below, one after the other. A
  worker whose pid changed was replaced (max_requests) and is reported as such.
- qcluster (`manage.py qcluster`, the Redis broker in DB 12 on PostgreSQL, the ORM broker
  on SQLite): the RSS of each of its processes idle, then after a tick that sends
  `--reminders` due reminders (50 users) to an aiosmtpd sink on loopback, and after a
  second tick that sends them again.
- Then, on SQLite only, the seconds from starting to the first HTTP 200 of
  /accounts/login/ for `manage.py runserver` (development, with its autoreloader),
  gunicorn (README's command) and `bin/run` (which migrates and loads the demo first),
  `--startup-rounds` times each on a warm install. Each is started in its own process
  group and the whole group is killed. bin/run is run only when bin/setup would not run
  pip (the install's stamp is there).

Prints one table per database and the load average beside each figure.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ["baseline", "dashboard", "board", "app-list", "contacts", "contact", "stats", "ics-feed"]
SQLITE_URL = f"sqlite:///{ROOT / 'data' / 'bench.sqlite3'}"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/crm_ops-bench_mem"
REDIS_URL = "redis://127.0.0.1:6379/12"


def load() -> float:
    return os.getloadavg()[0]


def status(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(p) for p in found]


def tree(pid: int) -> list[int]:
    out = []
    for child in children(pid):
        out += [child, *tree(child)]
    return out


def rss_of(pids: list[int]) -> dict[int, float]:
    """MB per pid, for the pids still alive."""
    out = {}
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, KeyError):
            out[pid] = status(pid)["VmRSS"] / 1e6
    return out


def pss_total(pids: list[int]) -> float:
    """MB of proportional set size over the pids: forked processes share pages, which
    their RSS each count in full."""
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
    return total / 1e6


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return "?"
    return " ".join(part.decode() for part in raw.split(b"\0") if part)[:60]


def get_status(port: int, path: str, headers: dict[str, str] | None = None) -> int | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None


def stop_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


# gunicorn ---------------------------------------------------------------------------


def measure_gunicorn(options) -> dict:
    from bench import bench_load

    session, token, urls = bench_load.prepare()
    port = bench_load.free_port()
    extra = options.gunicorn_args.split() if options.gunicorn_args else []
    server = bench_load.start_gunicorn(port, 3, extra)
    base = f"http://127.0.0.1:{port}"
    headers = [f"Cookie: sessionid={session}", "X-Forwarded-Proto: https"]
    result: dict = {"gunicorn_args": extra}
    try:
        time.sleep(3)
        workers = children(server.pid)
        result["idle"] = rss_of(workers)
        result["idle_pss"] = pss_total(workers)
        result["idle_load"] = load()
        for run in range(1, options.runs + 1):
            requests = 0
            for page in PAGES:
                wrk = bench_load.run_wrk(
                    base + urls[page], options.concurrency, options.seconds, headers, post=False
                )
                requests += wrk["requests"]
                if wrk["bad"] or wrk["errors"]:
                    result.setdefault("bad", []).append((run, page, wrk["bad"], wrk["errors"]))
            time.sleep(1)
            now = children(server.pid)
            result[f"run{run}"] = rss_of(now)
            result[f"run{run}_pss"] = pss_total(now)
            result[f"run{run}_requests"] = requests
            result[f"run{run}_load"] = load()
            result[f"run{run}_replaced"] = sorted(set(now) - set(workers))
        result["master"] = rss_of([server.pid])
    finally:
        server.terminate()
        server.wait()
    return result


# qcluster ---------------------------------------------------------------------------


def run_sink(port: int, counter, ready) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def measure_qcluster(options, database_url: str) -> dict:
    from bench import bench_load, bench_reminders
    from followups.models import FollowUp

    smtp_port = bench_load.free_port()
    counter = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(smtp_port, counter, ready), daemon=True)
    sink.start()
    ready.wait(30)
    users = bench_reminders.bench_users(50)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    if database_url.startswith("postgres"):
        env["REDIS_URL"] = REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    log = open(ROOT / "data" / "bench_memory_qcluster.log", "w")  # noqa: SIM115
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    result: dict = {}
    try:
        time.sleep(8)  # the sentinel, pusher, monitor and workers up, the schedule's first look
        pids = [cluster.pid, *tree(cluster.pid)]
        result["names"] = {pid: command_line(pid) for pid in pids}
        result["idle"] = rss_of(pids)
        result["idle_pss"] = pss_total(pids)
        result["idle_load"] = load()
        for tick in (1, 2):
            FollowUp.objects.filter(owner__in=users).delete()
            bench_reminders.seed_due(users, options.reminders)
            start_count = counter.value
            start = time.monotonic()
            while counter.value - start_count < options.reminders:
                if time.monotonic() - start > 240:
                    raise SystemExit(f"tick {tick}: {counter.value - start_count} sent in 240 s")
                time.sleep(0.5)
            result[f"tick{tick}_seconds_to_all_sent"] = round(time.monotonic() - start, 1)
            time.sleep(2)
            now = [cluster.pid, *tree(cluster.pid)]
            result["names"].update({pid: command_line(pid) for pid in now})
            result[f"tick{tick}"] = rss_of(now)
            result[f"tick{tick}_pss"] = pss_total(now)
            result[f"tick{tick}_load"] = load()
    finally:
        stop_group(cluster)
        log.close()
        sink.terminate()
        FollowUp.objects.filter(owner__in=users).delete()
    return result


# start-up ---------------------------------------------------------------------------


def time_to_first_200(args: list[str], env: dict[str, str], port: int, https: bool) -> float:
    headers = {"X-Forwarded-Proto": "https"} if https else {}
    log = open(ROOT / "data" / "bench_memory_startup.log", "a")  # noqa: SIM115
    start = time.monotonic()
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        while time.monotonic() - start < 300:
            if get_status(port, "/accounts/login/", headers) == 200:
                return time.monotonic() - start
            if process.poll() is not None:
                raise SystemExit(f"{args} exited with {process.returncode}")
            time.sleep(0.05)
        raise SystemExit(f"{args}: no 200 in 300 s")
    finally:
        stop_group(process)
        log.close()


def warm_install() -> bool:
    import hashlib

    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    venv = ROOT / ".venv"
    return any((venv / f".installed-{digest}{suffix}").exists() for suffix in ("", "-dev"))


def measure_startup(options) -> dict:
    from bench import bench_load

    development = {
        k: v
        for k, v in os.environ.items()
        if k not in bench_load.SERVER_ENV and k not in ("DATABASE_URL", "REDIS_URL")
    }
    development |= {"DEBUG": "1", "DATA_DIR": str(ROOT / "data" / "bench_memory_dev")}
    results: dict[str, list[float]] = {"runserver": [], "gunicorn": [], "bin/run": []}
    for _ in range(options.startup_rounds):
        port = bench_load.free_port()
        results["runserver"].append(
            time_to_first_200(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
                {**development, "DATABASE_URL": SQLITE_URL},
                port,
                https=False,
            )
        )
        port = bench_load.free_port()
        gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "crm.wsgi"]
        gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", "3", "--no-control-socket"]
        results["gunicorn"].append(
            time_to_first_200(
                gunicorn, {**os.environ, "DATABASE_URL": SQLITE_URL}, port, https=True
            )
        )
        if warm_install():
            port = bench_load.free_port()
            results["bin/run"].append(
                time_to_first_200(
                    ["bin/run"], {**development, "PORT": str(port)}, port, https=False
                )
            )
    results["load"] = [load()]
    return results


# report -----------------------------------------------------------------------------


def report(database: str, gunicorn: dict, qcluster: dict | None) -> None:
    print(f"\n### {database}\n")
    print(f"gunicorn {' '.join(gunicorn['gunicorn_args']) or '(gunicorn.conf.py)'}:")
    runs = [key for key in ("run1", "run2", "run3", "run4", "run5", "run6") if key in gunicorn]
    last, before = runs[-1], runs[-2]
    print(
        "| worker | idle MB | "
        + " | ".join(f"after load {key[3:]} MB" for key in runs)
        + f" | growth {before[3:]}→{last[3:]} MB |"
    )
    print("|---|--:|" + "--:|" * len(runs) + "--:|")
    pids = set(gunicorn["idle"]).union(*(gunicorn[key] for key in runs))
    for pid in sorted(pids):
        cells = [gunicorn[key].get(pid) for key in ("idle", *runs)]
        growth = f"{cells[-1] - cells[-2]:+.1f}" if cells[-1] and cells[-2] else "replaced"
        text = " | ".join(f"{c:.1f}" if c else "–" for c in cells)
        print(f"| {pid} | {text} | {growth} |")
    pss = ", ".join(f"after load {key[3:]} {gunicorn[key + '_pss']:.1f}" for key in runs)
    print(
        f"workers' PSS in all: idle {gunicorn['idle_pss']:.1f}, {pss} MB; "
        f"master {list(gunicorn['master'].values())[0]:.1f} MB; requests per load run "
        f"{[gunicorn[key + '_requests'] for key in runs]}; replaced workers "
        f"{[gunicorn[key + '_replaced'] for key in runs]}; load average idle "
        f"{gunicorn['idle_load']:.1f}, after runs "
        f"{[round(gunicorn[key + '_load'], 1) for key in runs]}; non-2xx/errors "
        f"{gunicorn.get('bad', 0)}"
    )
    if qcluster is None:
        return
    print("\nqcluster:")
    print("| process | idle MB | after tick 1 MB | after tick 2 MB |")
    print("|---|--:|--:|--:|")
    for pid, name in qcluster["names"].items():
        cells = [qcluster[key].get(pid) for key in ("idle", "tick1", "tick2")]
        text = " | ".join(f"{c:.1f}" if c else "–" for c in cells)
        print(f"| {pid} {name} | {text} |")
    totals = [sum(qcluster[key].values()) for key in ("idle", "tick1", "tick2")]
    print(
        f"RSS total {totals[0]:.1f} / {totals[1]:.1f} / {totals[2]:.1f} MB, PSS total "
        f"{qcluster['idle_pss']:.1f} / {qcluster['tick1_pss']:.1f} / "
        f"{qcluster['tick2_pss']:.1f} MB; all sent in "
        f"{qcluster['tick1_seconds_to_all_sent']} s and {qcluster['tick2_seconds_to_all_sent']}"
        f" s; load average {qcluster['idle_load']:.1f}, {qcluster['tick1_load']:.1f}, "
        f"{qcluster['tick2_load']:.1f}"
    )


def child(options) -> None:
    import django

    from bench import bench_load  # noqa: F401  (the server's settings, before Django starts)

    django.setup()
    out = {"gunicorn": measure_gunicorn(options)}
    if not options.no_qcluster:
        out["qcluster"] = measure_qcluster(options, os.environ["DATABASE_URL"])
    if options.startup_rounds and os.environ["DATABASE_URL"].startswith("sqlite"):
        out["startup"] = measure_startup(options)
    print("RESULT " + json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--startup-rounds", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2, help="identical load runs, 2 to 6")
    parser.add_argument("--no-qcluster", action="store_true", help="gunicorn (and start-up) only")
    parser.add_argument("--gunicorn-args", default="", help="added to README's command")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options)
        return
    urls = {"sqlite": SQLITE_URL, "postgres": options.postgres_url}
    for database in options.databases.split(","):
        args = [sys.executable, __file__, "--child", *sys.argv[1:]]
        env = {**os.environ, "DATABASE_URL": urls[database]}
        print(f"{database}: load average {load():.1f} at the start", flush=True)
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode or not lines:
            print(done.stdout[-3000:], done.stderr[-5000:])
            raise SystemExit(f"{database}: the measuring process failed")
        out = json.loads(lines[-1][len("RESULT ") :])
        for part in ("gunicorn", "qcluster"):
            for key, value in list(out.get(part, {}).items()):
                if isinstance(value, dict) and key != "names" or key == "names":
                    out[part][key] = {int(pid): v for pid, v in value.items()}
        report(database, out["gunicorn"], out.get("qcluster"))
        if "startup" in out:
            print("\nstart to first 200 of /accounts/login/ (s, each round):")
            for name, seconds in out["startup"].items():
                if name != "load":
                    print(f"- {name}: {', '.join(f'{s:.2f}' for s in seconds) or 'not run'}")
            print(f"load average after: {out['startup']['load'][0]:.1f}")


if __name__ == "__main__":
    main()
