"""Time and peak memory of the JSON backup and the contacts CSV at 1× and 10× the heavy
account: linear in rows, flat in memory.

    .venv/bin/python bench/bench_export.py [--scales 1,10] [--rounds 3] [--old main]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_19 \
        .venv/bin/python bench/bench_export.py

Each scale is its own user ("bench-export-x1", "-x10"), generated once per database with
`generate_data` at that multiple of 2,000 applications, 5,000 contacts, 50,000
interactions and 5,000 follow-ups. Every measurement runs in a fresh child process (its
peak RSS, VmHWM, reset just before the export): the export's chunks are drained to a
byte counter, as a WSGI server would send them. Reported per run: seconds (wall and
CPU), megabytes written, peak RSS over the RSS before the export, and the peak of Python
allocations (tracemalloc, in a second pass because it slows the code down about 2×).
Rounds alternate the order of the variants. `--old REV` also runs the backup of that git
revision (its followups/export/backup.py loaded beside the new one) for a before/after.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench.sqlite3'}")

BASE = {"applications": 2000, "contacts": 5000, "interactions": 50000, "followups": 5000}


def _setup():
    import django

    django.setup()


def user_for(scale: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from followups.models import FollowUp

    name = f"bench-export-x{scale}"
    user = get_user_model().objects.filter(username=name).first()
    if user is None or not FollowUp.objects.filter(owner=user).exists():
        sizes = {key: n * scale for key, n in BASE.items()}
        print(f"Generating {sizes} for {name} (once per database)…", flush=True)
        call_command("generate_data", user=name, verbosity=0, **sizes)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        user = get_user_model().objects.get(username=name)
    return user


def _status_mb(field: str) -> float:
    """VmRSS or VmHWM (peak RSS) of this process in MB. Not getrusage's ru_maxrss, which
    Linux carries over exec from the parent that forked us."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def _reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)


def _chunks(variant: str, user, old_rev: str | None):
    if variant == "backup":
        from followups.export.backup import iter_backup_json

        return iter_backup_json(user)
    if variant == "backup-old":
        source = subprocess.run(
            ["git", "show", f"{old_rev}:followups/export/backup.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        path = Path(tempfile.mkdtemp()) / "old_backup.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("old_backup", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return [module.export_json(user)]
    if variant == "contacts-csv":
        from django.test import Client
        from django.urls import reverse

        client = Client()
        client.force_login(user)
        return client.get(reverse("followups:export-contacts-csv")).streaming_content
    raise SystemExit(f"unknown variant {variant}")


def child(variant: str, scale: int, old_rev: str | None, trace: bool) -> None:
    """One measurement, printed as JSON on the last line."""
    _setup()
    user = user_for(scale)
    _reset_peak_rss()
    before = _status_mb("VmRSS")
    if trace:
        import tracemalloc

        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    written = 0
    for chunk in _chunks(variant, user, old_rev):
        written += len(chunk.encode() if isinstance(chunk, str) else chunk)
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "cpu": time.process_time() - cpu_start, "mb": written / 2**20}
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    else:
        result["rss_growth_mb"] = _status_mb("VmHWM") - before
    print(json.dumps(result))


def run_child(variant: str, scale: int, old_rev: str | None, trace: bool) -> dict:
    args = [sys.executable, __file__, "--child", variant, "--scales", str(scale)]
    if old_rev:
        args += ["--old", old_rev]
    if trace:
        args.append("--trace")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old", metavar="REV", help="also time the backup of this revision")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    if args.child:
        child(args.child, scales[0], args.old, args.trace)
        return
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    for scale in scales:
        user_for(scale)
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f}")
    connection.close()
    variants = ["backup", "contacts-csv"] + (["backup-old"] if args.old else [])
    results: dict[tuple[str, int], list[dict]] = {}
    for n in range(args.rounds):
        order = variants if n % 2 == 0 else variants[::-1]
        for scale in scales:
            for variant in order:
                timing = run_child(variant, scale, args.old, trace=False)
                traced = run_child(variant, scale, args.old, trace=True)
                timing["traced_peak_mb"] = traced["traced_peak_mb"]
                results.setdefault((variant, scale), []).append(timing)
    print(
        f"{'variant':>13} {'scale':>5} {'MB':>7} {'wall s min/med/max':>20} "
        f"{'CPU s med':>9} {'peak RSS growth MB':>18} {'traced peak MB':>15}"
    )
    for (variant, scale), runs in sorted(results.items()):
        secs = sorted(r["seconds"] for r in runs)
        print(
            f"{variant:>13} {scale:>4}x {runs[0]['mb']:7.1f} "
            f"{secs[0]:6.2f}/{statistics.median(secs):6.2f}/{secs[-1]:6.2f} "
            f"{statistics.median(r['cpu'] for r in runs):9.2f} "
            f"{max(r['rss_growth_mb'] for r in runs):18.1f} "
            f"{max(r['traced_peak_mb'] for r in runs):15.1f}"
        )
    for variant in variants:
        if len(scales) == 2 and (variant, scales[1]) in results:
            small = statistics.median(r["cpu"] for r in results[(variant, scales[0])])
            big = statistics.median(r["cpu"] for r in results[(variant, scales[1])])
            times = scales[1] // scales[0]
            print(f"{variant}: {times}x the rows took {big / small:.1f}x the CPU time")


if __name__ == "__main__":
    main()
