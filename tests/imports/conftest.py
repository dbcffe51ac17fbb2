"""Fixtures of the import-job tests (test_import_jobs.py, test_import_archive_jobs.py)."""

from __future__ import annotations

import pytest
from django_q.conf import Conf


@pytest.fixture
def import_jobs(settings, tmp_path, monkeypatch):
    """Staged files in a folder of the test's, no pause between batches, and the task run
    at once in the request (django-q2's sync mode) unless the test also asks `queued`."""
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    settings.IMPORT_BATCH_PAUSE_SECONDS = 0
    monkeypatch.setattr(Conf, "SYNC", True)
    return settings.IMPORT_STAGING_DIR


@pytest.fixture
def small_batches(settings):
    """Imports of more than 5 rows go to the worker, 4 rows a batch."""
    settings.IMPORT_IN_REQUEST_MAX_ROWS = 5
    settings.IMPORT_BATCH_ROWS = 4


@pytest.fixture
def queued(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for the worker, as in production
