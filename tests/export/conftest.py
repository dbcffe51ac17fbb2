"""Restores through the pages run their worker task in the request (django-q2's `sync`),
with the uploads kept in a temporary folder."""

from __future__ import annotations

import pytest
from django_q.conf import Conf


@pytest.fixture(autouse=True)
def restores_run_inline(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.RESTORE_DIR = tmp_path / "restores"
