"""The migration that makes posting URLs unique per owner keeps every URL it finds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("crm", "0001_initial")]
AFTER = [("crm", "0002_capture_documents")]


@pytest.mark.django_db(transaction=True)
def test_repeated_posting_urls_of_one_owner_move_to_the_notes_of_the_later_ones():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    Company = old.get_model("crm", "Company")
    JobApplication = old.get_model("crm", "JobApplication")
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    acme = Company.objects.create(owner=alice, name="Acme")
    bobs = Company.objects.create(owner=bob, name="Acme")
    url = "https://acme.example/jobs/1"
    first = JobApplication.objects.create(owner=alice, company=acme, title="A", posting_url=url)
    second = JobApplication.objects.create(
        owner=alice, company=acme, title="B", posting_url=url, notes="Phone screen"
    )
    theirs = JobApplication.objects.create(owner=bob, company=bobs, title="A", posting_url=url)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("crm", "JobApplication")

    assert new.objects.get(pk=first.pk).posting_url == url
    moved = new.objects.get(pk=second.pk)
    assert (moved.posting_url, moved.notes) == ("", f"Phone screen\nPosting: {url}")
    assert new.objects.get(pk=theirs.pk).posting_url == url
