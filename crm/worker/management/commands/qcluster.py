"""Starts the django-q2 cluster (the scheduler's worker), hardened: a killed worker is
replaced without stalling the others, and SIGTERM stops everything within seconds.

Replaces django-q2's own `qcluster` (crm.worker comes first in INSTALLED_APPS) with the
same options; see crm/worker/cluster.py for what differs and why.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django_q.management.commands.qcluster import Command as DjangoQCommand

from crm.storage import check_writable


class Command(DjangoQCommand):
    help = "Start the worker: the django-q2 cluster that runs the reminder schedule."

    def handle(self, *args, **options) -> None:
        from django_q.signals import post_spawn

        from crm.worker.cluster import HardenedCluster, on_worker_spawn

        settings.SECRET_KEY  # noqa: B018 (signing needs it: fail before forking, as django-q2)
        # A read-only data folder or a full disk: every task would fail; say so and exit
        # non-zero instead of running without effect (issue 13, item 14).
        if fault := check_writable():
            raise CommandError(f"The worker cannot run: {fault}")
        connections.close_all()  # not shared with the forked processes
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        post_spawn.connect(on_worker_spawn, dispatch_uid="crm.worker.on_worker_spawn")
        cluster = HardenedCluster()
        cluster.start()
        if options.get("run_once"):
            cluster.stop()
