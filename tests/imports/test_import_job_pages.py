"""The import page lists the account's imports run by the worker (issue 13, item 10): a
person who left a job's page ("you may leave it and come back") finds it again there,
with its state, and only their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import ImportJob
from contacts.tasks import run_import
from tests.imports.test_import_jobs import applications_csv, confirm, failing_batch, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_jobs")]


def import_page(client) -> str:
    response = client.get(reverse("contacts:import"))
    assert response.status_code == 200
    return response.text


def test_with_no_job_the_import_page_lists_none(alice):
    assert "Imports run by the worker" not in import_page(signed_in("alice"))


def test_a_waiting_job_then_its_result_are_listed_with_a_link(alice, small_batches, queued):
    client = signed_in("alice")
    confirm(client, "applications", applications_csv(10), name="tracker.csv")
    job = ImportJob.objects.get(owner=alice)
    link = reverse("contacts:import-job", args=[job.pk])

    page = import_page(client)
    assert f'href="{link}">Applications: tracker.csv</a>' in page
    assert 'data-state="queued"' in page and "Waiting for the worker" in page

    run_import(job.pk)

    page = import_page(client)
    assert f'href="{link}">Applications: tracker.csv</a>' in page
    assert 'data-state="done"' in page and "Imported" in page


def test_a_full_disk_outside_the_database_is_said_as_such_and_listed(
    alice, small_batches, queued, monkeypatch
):
    client = signed_in("alice")
    confirm(client, "applications", applications_csv(10))
    job = ImportJob.objects.get()
    failing_batch(monkeypatch, 2, OSError(28, "No space left on device"))
    with pytest.raises(OSError):  # what qcluster runs; it logs the error
        run_import(job.pk)

    page = client.get(reverse("contacts:import-job", args=[job.pk])).text
    assert "Nothing was imported" in page
    assert "is full: free space on it" in page
    assert "unexpected error" not in page
    page = import_page(client)
    assert 'data-state="failed"' in page and "Not imported" in page


def test_another_users_jobs_are_not_listed(alice, bob, small_batches, queued):
    confirm(signed_in("alice"), "applications", applications_csv(10), name="alice.csv")

    page = import_page(signed_in("bob"))

    assert "alice.csv" not in page and "Imports run by the worker" not in page


def test_the_list_shows_the_newest_five_in_constant_queries(
    alice, small_batches, django_assert_max_num_queries
):
    client = signed_in("alice")
    for number in range(7):
        confirm(client, "applications", applications_csv(6), name=f"file-{number}.csv")
    assert ImportJob.objects.filter(owner=alice, state=ImportJob.State.DONE).count() == 7

    with django_assert_max_num_queries(12):
        page = import_page(client)

    assert page.count('data-state="done"') == 5
    assert "file-6.csv" in page and "file-2.csv" in page and "file-1.csv" not in page


def test_each_upload_form_on_the_import_page_labels_its_own_input(alice):
    page = import_page(signed_in("alice"))

    assert page.count('id="id_linkedin_file"') == 1 and 'for="id_linkedin_file"' in page
    assert page.count('id="id_applications_file"') == 1 and 'for="id_applications_file"' in page
    assert 'id="id_file"' not in page
