"""Exports at 1× and 10× the heavy account: time and peak memory of the JSON backup and the
contacts and applications CSV.

    .venv/bin/python bench/bench_export.py --scales 1,10 --rounds 2
    .venv/bin/python bench/bench_export.py --scales 1 --rounds 2 --old c2d01ad
    .venv/bin/python bench/bench_export.py --scales 10 --exports backup --http
    .venv/bin/python bench/bench_export.py --scales 1,10 --http --worker-classes conf,sync

The heavy users live in data/bench_export.sqlite3 (or DATABASE_URL), generated once:
`bench-heavy` (2,000 applications, 5,000 contacts, 50,000 interactions, 5,000 follow-ups)
and `bench-heavy-10x` (ten times each). Each measurement runs in a fresh process: wall and
CPU seconds and the growth of peak RSS over the process before the export (VmHWM, reset
just before it), then the Python peak from tracemalloc in a second pass. The file is
hashed as it is written, never kept. `--old REV` also measures that revision's backup.py
(the whole document in memory, loaded beside the new one) and the resources' in-memory
CSV, in the same run; the order alternates round by round. `--http` downloads the backup
through gunicorn started as README's production command does (3 workers, gunicorn.conf.py)
and reports status, time, size and the answering worker's RSS idle and at its peak (VmRSS,
VmHWM from /proc); `--worker-classes conf,sync` also runs the old sync workers.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench_export.sqlite3'}")

BASE_SIZES = {"applications": 2000, "contacts": 5000, "interactions": 50000, "followups": 5000}
USERS = {1: "bench-heavy", 10: "bench-heavy-10x"}


def ensure_users(scales: list[int]) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a new database has no tables to look in yet
    users = get_user_model().objects
    for scale in scales:
        if not users.filter(username=USERS[scale]).exists():
            sizes = {key: n * scale for key, n in BASE_SIZES.items()}
            print(f"Generating {sizes} for {USERS[scale]} (once per database)…", flush=True)
            call_command("generate_data", user=USERS[scale], verbosity=0, **sizes)


def _status(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(name)


def _pieces(export: str, user, old_module: str | None):
    """The export's output as an iterable of str/bytes pieces."""
    from contacts.models import Contact
    from contacts.resources import ContactResource
    from crm.models import JobApplication
    from crm.resources import JobApplicationResource
    from followups.export import backup
    from followups.export.views import _resource_csv

    if export == "backup":
        if old_module:
            spec = importlib.util.spec_from_file_location("old_backup", old_module)
            assert spec and spec.loader
            old = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(old)
            return [old.export_json(user)]
        return backup.iter_backup_json(user)
    model, resource = {
        "contacts-csv": (Contact, ContactResource),
        "applications-csv": (JobApplication, JobApplicationResource),
    }[export]
    rows = model.objects.filter(owner=user).select_related("company").order_by("pk")
    if old_module:
        return [resource(user=user).export(rows).csv]
    return _resource_csv(resource(user=user), rows)


def measure_one(export: str, username: str, old_module: str | None) -> dict:
    """In this (fresh) process: one export, timed, then again under tracemalloc."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    _consume(_pieces(export, get_user_model().objects.get(username=USERS[1]), old_module), 1)
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    rss_before = _status("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    size, digest = _consume(_pieces(export, user, old_module))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss_growth = _status("VmHWM") - rss_before
    tracemalloc.start()
    _consume(_pieces(export, user, old_module))
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "bytes": size,
        "sha256": digest,
        "wall": wall,
        "cpu": cpu,
        "rss_growth": rss_growth,
        "python_peak": python_peak,
    }


def _consume(pieces, limit: int | None = None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for n, piece in enumerate(pieces, start=1):
        data = piece.encode() if isinstance(piece, str) else piece
        digest.update(data)
        size += len(data)
        if limit and n >= limit:
            break
    return size, digest.hexdigest()


def old_backup_file(rev: str, folder: str) -> str:
    source = subprocess.run(
        ["git", "show", f"{rev}:followups/export/backup.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(folder) / "old_backup.py"
    path.write_text(source)
    return str(path)


def run_child(export: str, scale: int, old_module: str | None) -> dict:
    args = [sys.executable, __file__, "--child", export, "--user", USERS[scale]]
    if old_module:
        args += ["--old-module", old_module]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def _worker_memory(master: int) -> dict[int, tuple[int, int]]:
    """Each gunicorn worker's (VmRSS, VmHWM) in bytes, read from /proc."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    memory = {}
    for pid in map(int, children):
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        memory[pid] = tuple(int(fields[k].split()[0]) * 1024 for k in ("VmRSS", "VmHWM"))
    return memory


def download_through_gunicorn(scale: int, worker_class: str) -> dict:
    """The backup downloaded through gunicorn as README's production command runs it
    (gunicorn.conf.py from the project root); `worker_class` "sync" is the old command."""
    import http.client

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERS[scale]))
    session = client.cookies["sessionid"].value
    from bench import bench_load

    port = bench_load.free_port()
    extra = ["--worker-class", "sync", "--threads", "1"] if worker_class == "sync" else []
    server = bench_load.start_gunicorn(port, 3, extra)
    try:
        idle = _worker_memory(server.pid)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        start = time.perf_counter()
        connection.request(
            "GET",
            reverse("followups:export-backup"),
            headers={"Cookie": f"sessionid={session}", "X-Forwarded-Proto": "https"},
        )
        response = connection.getresponse()
        first_byte = time.perf_counter() - start
        size = 0
        digest = hashlib.sha256()
        error = ""
        try:
            while chunk := response.read(1 << 20):
                size += len(chunk)
                digest.update(chunk)
        except (http.client.IncompleteRead, ConnectionError) as exc:
            error = f"cut off: {exc!r}"[:80]
        seconds = time.perf_counter() - start
        after = _worker_memory(server.pid)
        # The worker that answered: the one whose peak grew most (a killed worker is gone).
        grown = {pid: after[pid][1] - idle[pid][1] for pid in after if pid in idle}
        pid = max(grown, key=grown.__getitem__) if grown else None
        return {
            "worker_class": worker_class,
            "status": response.status,
            "complete": not error,
            "error": error,
            "first_byte": round(first_byte, 2),
            "seconds": round(seconds, 2),
            "bytes": size,
            "worker_rss_idle_mb": round(idle[pid][0] / 1e6, 1) if pid else None,
            "worker_peak_rss_mb": round(after[pid][1] / 1e6, 1) if pid else None,
            "workers_replaced": len(set(after) - set(idle)),
            "loadavg": os.getloadavg()[0],
        }
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--exports", default="backup,contacts-csv,applications-csv")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--old", help="a git revision whose in-memory exports to measure too")
    parser.add_argument("--http", action="store_true", help="download the backup via gunicorn")
    parser.add_argument(
        "--worker-classes",
        default="conf",
        help="with --http: conf (gunicorn.conf.py's gthread), sync (the old command), or both",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    parser.add_argument("--old-module", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure_one(options.child, options.user, options.old_module)))
        return

    if options.http:  # before Django starts: the server's settings, its SECRET_KEY
        from bench import bench_load  # noqa: F401
    scales = [int(s) for s in options.scales.split(",")]
    exports = options.exports.split(",")
    ensure_users(scales)
    if options.http:
        for scale in scales:
            for worker_class in options.worker_classes.split(","):
                result = download_through_gunicorn(scale, worker_class)
                print(f"backup through gunicorn at {scale}×:", result, flush=True)
        return
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        old_module = old_backup_file(options.old, folder) if options.old else None
        variants = ["new", "old"] if options.old else ["new"]
        # The old code at 10× holds a 2.8 GB document: it runs at 1× only.
        runs = [
            (e, s, v) for e in exports for s in scales for v in variants if v == "new" or s == 1
        ]
        results: dict[tuple, list[dict]] = {run: [] for run in runs}
        for n in range(options.rounds):
            for export, scale, variant in runs if n % 2 == 0 else reversed(runs):
                result = run_child(export, scale, old_module if variant == "old" else None)
                results[export, scale, variant].append(result)
                print(f"round {n + 1}: {export} {scale}× {variant}: {result}", flush=True)
    print(f"load average after: {os.getloadavg()}")
    print()
    print(
        "| export | rows | variant | size MB | CPU s med | wall s min/med/max | "
        "peak RSS growth MB | Python peak MB |"
    )
    print("|---|--:|---|--:|--:|---|--:|--:|")
    for (export, scale, variant), rs in results.items():
        walls = sorted(r["wall"] for r in rs)
        print(
            f"| {export} | {scale}× | {variant} | {rs[0]['bytes'] / 1e6:.1f} "
            f"| {statistics.median(r['cpu'] for r in rs):.2f} "
            f"| {walls[0]:.2f} / {statistics.median(walls):.2f} / {walls[-1]:.2f} "
            f"| {statistics.median(r['rss_growth'] for r in rs) / 1e6:.1f} "
            f"| {statistics.median(r['python_peak'] for r in rs) / 1e6:.1f} |"
        )
        if len({r["sha256"] for r in rs}) != 1:
            print(f"  note: {export} {scale}× {variant} differed between rounds")


if __name__ == "__main__":
    main()
