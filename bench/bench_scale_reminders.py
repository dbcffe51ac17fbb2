"""Reminder throughput with 1, 2 and 4 qcluster processes sharing a fanned-out queue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_perf_reminders_scale \
    REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/bench_scale_reminders.py [--reminders 5000] [--rounds 2]
        [--clusters 1,2,4] [--workers 1] [--sinks 1]

Each measurement re-arms the due reminders (50 users, distinct subjects and contacts, as
bench_reminders.py seeds them), starts N `manage.py qcluster` processes on Redis (each
with `--workers` workers, Q_WORKERS), waits until every cluster reports itself ready,
then runs the scheduled task once (`followups.tasks.send_reminders`: it fans the queue
out as tasks) and times until the aiosmtpd sink (its own process) has every message.
Rounds alternate the order (1, 2, 4 then 4, 2, 1). Prints messages per second per
cluster count (min/median/max), the speed-up over one cluster, the load average and the
CPU count, and per run the CPU shares (of all the machine's CPUs over the run) of the SMTP
sink, the clusters, their PostgreSQL backends and the whole machine (others' jobs
included): where they add up to the CPUs, the CPUs are the limit. Only this bench's
django_q keys in that Redis database are touched.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_perf_reminders_scale")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
# One key for this process and the clusters it starts: django-q2 signs each cluster's
# status with it, and with DEBUG on and no data folder yet (PostgreSQL) every process
# would make a key of its own and never see the clusters come up.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from bench import bench_reminders as base  # noqa: E402  (Django set up, sink port chosen)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (/proc/PID/stat), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (a qcluster's sentinel, monitor, pusher, workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def busy_cpu_seconds() -> float:
    """Every CPU's busy time on the machine so far (/proc/stat: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICKS


def database_backends() -> list[int]:
    """The PostgreSQL server processes serving this bench's database (the clusters')."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def clear_queue() -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter("django_q:*"):
        client.delete(key)


def start_clusters(count: int, workers: int, ports: list[int]) -> list[subprocess.Popen]:
    """`count` clusters, the n-th mailing the SMTP server on ports[n % len(ports)]."""
    from django_q.status import Stat

    env = {**os.environ, "Q_WORKERS": str(workers), "LOG_LEVEL": "WARNING"}
    clusters = [
        subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env={**env, "EMAIL_PORT": str(ports[n % len(ports)])},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready = [s for s in Stat.get_all() if s.status in ("Idle", "Working")]
        if len(ready) >= count:
            return clusters
        time.sleep(0.2)
    raise SystemExit("the clusters did not come up in 120 s")


def stop(clusters: list[subprocess.Popen]) -> None:
    for cluster in clusters:
        cluster.send_signal(signal.SIGTERM)
    for cluster in clusters:
        cluster.wait(timeout=60)


def measure(count: int, workers: int, reminders: int, counter, users, sinks) -> tuple:
    """(seconds, {what: CPU seconds}) of one run: the SMTP sink's, the clusters' (every
    process of theirs), their PostgreSQL backends' and the whole machine's busy time."""
    from followups.tasks import send_reminders

    base.rearm(users)
    clear_queue()
    clusters = start_clusters(count, workers, [port for port, _ in sinks])
    sink_pids = [process.pid for _, process in sinks]
    try:
        processes = [pid for c in clusters for pid in descendants(c.pid)]
        backends = database_backends() if base.connection.vendor == "postgresql" else []
        before = counter.value
        cpu_before = {
            "sink": sum(map(cpu_seconds, sink_pids)),
            "clusters": sum(map(cpu_seconds, processes)),
            "database": sum(map(cpu_seconds, backends)),
            "machine": busy_cpu_seconds(),
        }
        start = time.perf_counter()
        send_reminders()
        while counter.value - before < reminders:
            if time.perf_counter() - start > 600:
                raise SystemExit(f"only {counter.value - before} of {reminders} arrived")
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        # Backends the workers opened during the run count from zero.
        backends = sorted(set(backends) | set(database_backends()))
        cpu = {
            "sink": sum(map(cpu_seconds, sink_pids)) - cpu_before["sink"],
            "clusters": sum(map(cpu_seconds, processes)) - cpu_before["clusters"],
            "database": sum(map(cpu_seconds, backends)) - cpu_before["database"],
            "machine": busy_cpu_seconds() - cpu_before["machine"],
        }
        return elapsed, cpu
    finally:
        stop(clusters)


def shares(cpu: dict[str, float], elapsed: float) -> str:
    """Each one's CPU as a share of the machine's CPUs over the run (100 % = all busy)."""
    capacity = elapsed * (os.cpu_count() or 1)
    return ", ".join(f"{what} {seconds / capacity:4.0%}" for what, seconds in cpu.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clusters", default="1,2,4")
    parser.add_argument("--workers", type=int, default=1, help="Q_WORKERS of each cluster")
    parser.add_argument(
        "--sinks", type=int, default=1, help="SMTP server processes (cluster n mails n %% N)"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.clusters.split(",")]

    from django.core.management import call_command
    from django_q.models import Schedule

    call_command("migrate", verbosity=0)
    Schedule.objects.all().delete()  # only the one run below: no tick of the clusters' own
    context = multiprocessing.get_context("fork")
    counter = context.Value("l", 0)
    # aiosmtpd is one process on one CPU: with --sinks N, N of them (one port each), the
    # clusters spread over them, so that the SMTP server is not what stops the curve.
    sinks = []
    for n in range(args.sinks):
        port = base.SMTP_PORT if n == 0 else base.free_port()
        ready = context.Event()
        process = context.Process(target=base.run_sink, args=(port, counter, ready), daemon=True)
        process.start()
        ready.wait(10)
        sinks.append((port, process))
    print(f"database: {base.connection.vendor}; {os.cpu_count()} CPUs")
    times: dict[int, list[float]] = {n: [] for n in counts}
    try:
        users = base.bench_users(50)
        base.seed_due(users, args.reminders)
        for round_ in range(args.rounds):
            for n in counts if round_ % 2 == 0 else counts[::-1]:
                elapsed, cpu = measure(n, args.workers, args.reminders, counter, users, sinks)
                times[n].append(elapsed)
                print(
                    f"round {round_ + 1}: {n} cluster(s) {args.reminders / elapsed:6.0f} msg/s, "
                    f"load {os.getloadavg()[0]:.1f}; CPU of {os.cpu_count()} CPUs: "
                    f"{shares(cpu, elapsed)}"
                )
        one = statistics.median(args.reminders / t for t in times[counts[0]])
        for n in counts:
            rates = sorted(args.reminders / t for t in times[n])
            median = statistics.median(rates)
            print(
                f"{n} cluster(s) x {args.workers} worker(s): msg/s min {rates[0]:.0f} "
                f"median {median:.0f} max {rates[-1]:.0f}; {median / one:.2f}x of "
                f"{counts[0]}"
            )
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        base.FollowUp.objects.filter(owner__in=users).delete()
        clear_queue()
        for _, process in sinks:
            process.terminate()


if __name__ == "__main__":
    main()
