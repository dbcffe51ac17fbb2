"""Settings of the load benchmark's gunicorn: the production settings (DEBUG off, from the
environment bench_load.py sets) plus the baseline page's URLconf."""

from __future__ import annotations

from crm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
