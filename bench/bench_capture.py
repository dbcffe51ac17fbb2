"""Time of crm.capture.read_posting on a small posting and on a page at the fetch cap.

    .venv/bin/python bench/bench_capture.py [--rounds 5]

Reads tests/capture/pages/jsonld.html as is (about 1 KB) and padded with paragraphs to
about 5 MB (CAPTURE_MAX_MB, the largest page a pasted link can bring), plus the hostile
fixture; prints the median milliseconds per call of each. No database.
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

import django  # noqa: E402

django.setup()

from crm.capture import read_posting  # noqa: E402

PAGES = ROOT / "tests" / "capture" / "pages"


def timed(html: str, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        read_posting(html, "https://jobs.example/1")
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    small = (PAGES / "jsonld.html").read_text(encoding="utf-8")
    filler = "<p>Responsibilities, benefits and the rest of a long page.</p>"
    big = small.replace("<body>", "<body>" + filler * (5 * 1024 * 1024 // len(filler)))
    hostile = (PAGES / "hostile.html").read_text(encoding="utf-8")
    for name, html, repeat in (
        (f"JSON-LD posting, {len(small):,} bytes", small, 200),
        (f"hostile description, {len(hostile):,} bytes", hostile, 200),
        (f"padded to the cap, {len(big):,} bytes", big, 3),
    ):
        runs = [timed(html, repeat) for _ in range(args.rounds)]
        print(f"{name}: {statistics.median(runs):.2f} ms per read_posting")


if __name__ == "__main__":
    main()
