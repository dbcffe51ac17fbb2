"""The migration that makes posting URLs unique per owner keeps every URL it finds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("crm", "0001_initial")]
AFTER = [("crm", "0002_capture_documents")]


@pytest.fixture
def migrated_back_to_the_latest_after(transactional_db):
    """Every app back at its latest migration after the test. Left at crm 0002 (and
    without the later migrations of the apps that depend on it), the test database made
    later tests fail on missing columns, e.g. the MCP tool's "no such column:
    crm_company.updated_at" in tests/api/test_mcp_http.py (seed 3999528921)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert not MigrationExecutor(connection).migration_plan(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("migrated_back_to_the_latest_after")
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


@pytest.mark.django_db
def test_the_database_is_at_the_latest_migrations_again_afterwards():
    # Fails without the fixture when it runs after the test above (file order, or
    # -p no:randomly); the fixture's teardown checks the same whatever the order.
    executor = MigrationExecutor(connection)
    assert not executor.migration_plan(executor.loader.graph.leaf_nodes())
