"""Restoring a backup through the worker (issue 13, items 10, 11 and 3): the upload is
queued, checked whole, written in batches with progress on its page, and either all of
it is restored or nothing; values the app once accepted do not block the restore; every
limit is named when a file goes past it."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from contacts.models import Contact
from crm.models import Company, JobApplication
from followups.export import restore_jobs
from followups.models import RestoreJob
from followups.tasks import run_restore
from tests.factories import PASSWORD, make_company, make_user

pytestmark = pytest.mark.django_db


def backup_of(**sections) -> dict:
    return {"format": "followup-crm-backup", "version": 1, "profile": {}, **sections}


def companies(n: int) -> list[dict]:
    return [{"id": i, "name": f"Company {i}", "website": "", "notes": ""} for i in range(1, n + 1)]


def application(row_id: int, company: int, **fields) -> dict:
    return {"id": row_id, "company": company, "title": f"Role {row_id}", **fields}


def upload(client: Client, content: bytes | dict, *, name: str = "backup.json", **kwargs):
    if isinstance(content, dict):
        content = json.dumps(content).encode()
    return client.post(
        reverse("followups:restore"),
        {"file": SimpleUploadedFile(name, content, "application/json")},
        **kwargs,
    )


@pytest.fixture
def carol_client(client):
    make_user("carol")
    client.login(username="carol", password=PASSWORD)
    return client


def carol_owns_nothing() -> bool:
    return not any(
        model.objects.filter(owner__username="carol").exists()
        for model in (Company, JobApplication, Contact)
    )


# The page path ---------------------------------------------------------------------


def test_an_upload_is_queued_and_its_page_follows_the_worker_to_done(carol_client, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for the worker, as in production

    response = upload(carol_client, backup_of(companies=companies(3)))

    job = RestoreJob.objects.get(owner__username="carol")
    assert response.status_code == 302
    assert response["Location"] == reverse("followups:restore-job", args=[job.pk])
    page = carol_client.get(response["Location"]).text
    assert "Waiting for the worker" in page
    assert 'hx-trigger="every 1s"' in page  # the page polls while the job runs
    assert OrmQ.objects.count() == 1 and carol_owns_nothing()

    assert run_restore(job.pk) == "done"  # what qcluster runs

    status = carol_client.get(response["Location"], headers={"HX-Request": "true"}).text
    assert status.lstrip().startswith('<section id="restore-status"')  # the fragment
    assert "Restored 3 companies" in status
    assert "3 of 3 rows restored" in status
    assert "hx-trigger" not in status  # done: the polling stops
    assert Company.objects.filter(owner__username="carol").count() == 3


def test_a_task_handed_out_twice_restores_once(carol_client, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    upload(carol_client, backup_of(companies=companies(2)))
    job = RestoreJob.objects.get()

    assert run_restore(job.pk) == "done"
    assert run_restore(job.pk) == "done"
    assert Company.objects.filter(owner__username="carol").count() == 2


def test_the_progress_counts_every_batch(carol_client, settings):
    settings.RESTORE_BATCH_ROWS = 2

    page = upload(carol_client, backup_of(companies=companies(5)), follow=True).text

    job = RestoreJob.objects.get()
    assert "5 of 5 rows restored" in page
    assert [batch[0] for batch in job.written] == ["crm.company"] * 3  # 2 + 2 + 1


def test_another_user_cannot_see_a_restore(carol_client, bob):
    upload(carol_client, backup_of(companies=companies(1)))
    job = RestoreJob.objects.get()
    bobs = Client()
    bobs.login(username="bob", password=PASSWORD)

    assert bobs.get(reverse("followups:restore-job", args=[job.pk])).status_code == 404


def test_a_second_restore_waits_for_the_first(carol_client, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    upload(carol_client, backup_of(companies=companies(1)))

    response = upload(carol_client, backup_of(companies=companies(1)))

    assert response.status_code == 400
    assert "A restore is already running" in response.text
    assert RestoreJob.objects.count() == 1


# All or nothing --------------------------------------------------------------------


def test_every_bad_row_is_listed_and_nothing_is_written(carol_client):
    document = backup_of(
        companies=companies(2),
        applications=[
            application(1, 1, status="hired"),
            application(2, 1),
            application(3, 7),
        ],
    )

    page = upload(carol_client, document, follow=True).text

    assert "Nothing was restored" in page
    assert "applications row 1, field status" in page
    assert "applications row 3 refers to company 7, which is not in the file" in page
    assert carol_owns_nothing()
    assert RestoreJob.objects.get().state == "failed"


def test_a_batch_that_fails_midway_takes_back_the_batches_before_it(carol_client, settings):
    # The rows check out one by one, but the database refuses the same posting twice
    # (a unique constraint): by then the companies and the first application are written.
    settings.RESTORE_BATCH_ROWS = 1
    url = "https://jobs.example/1"
    document = backup_of(
        companies=companies(3),
        applications=[application(1, 1, posting_url=url), application(2, 2, posting_url=url)],
    )

    page = upload(carol_client, document, follow=True).text

    assert "Nothing was restored" in page
    assert "does not fit together" in page
    assert carol_owns_nothing()
    job = RestoreJob.objects.get()
    assert (job.state, job.written, job.rows_done) == ("failed", [], 0)


def test_an_interrupted_restore_is_taken_back_when_its_page_is_opened(carol_client, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    upload(carol_client, backup_of(companies=companies(2)))
    job = RestoreJob.objects.get()
    carol = job.owner
    # What a worker killed after its first batch leaves behind:
    written = [make_company(carol, name="Half"), make_company(carol, name="Way")]
    job.state = RestoreJob.State.WRITING
    job.written = [["crm.company", written[0].pk, written[1].pk]]
    job.save()
    make_company(make_user("dora"))  # another account's row in between is never touched

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        page = carol_client.get(reverse("followups:restore-job", args=[job.pk])).text

    assert "The restore was interrupted" in page
    assert carol_owns_nothing()
    assert Company.objects.filter(owner__username="dora").count() == 1


def test_restoring_into_an_account_with_data_is_refused_at_upload(carol_client):
    make_company(RestoreJob._meta.get_field("owner").related_model.objects.get(username="carol"))

    response = upload(carol_client, backup_of(companies=companies(1)))

    assert response.status_code == 400
    assert "only works into an empty account" in response.text


# Values the app once accepted (item 11) --------------------------------------------


def test_an_invalid_optional_url_is_left_out_with_a_warning(carol_client):
    document = backup_of(
        companies=[{"id": 1, "name": "Acme", "website": "javascript:alert(1)", "notes": ""}],
        applications=[application(4, 1, posting_url="javascript:alert(document.domain)")],
        contacts=[{"id": 1, "first_name": "Dana", "linkedin_url": "not a url"}],
    )

    page = upload(carol_client, document, follow=True).text

    assert "Restored 1 companies, 1 applications, 1 contacts" in page
    assert "applications row 1, field posting_url: Enter a valid URL" in page
    assert "The value was left out: &#x27;javascript:alert(document.domain)&#x27;" in page
    assert "companies row 1, field website" in page
    assert "contacts row 1, field linkedin_url" in page
    restored = JobApplication.objects.get(owner__username="carol")
    assert restored.posting_url == "" and restored.company.website == ""


def test_an_invalid_value_a_row_needs_still_refuses_the_file(carol_client):
    document = backup_of(companies=[{"id": 1, "name": "x" * 300, "website": "", "notes": ""}])

    page = upload(carol_client, document, follow=True).text

    assert "companies row 1, field name" in page and "Nothing was restored" in page
    assert carol_owns_nothing()


# Limits (item 3) ---------------------------------------------------------------------


def test_a_file_past_the_upload_limit_is_refused_before_it_is_stored(carol_client, settings):
    settings.BACKUP_MAX_UPLOAD_BYTES = 1024

    response = upload(carol_client, b" " * 2048)

    assert response.status_code == 400
    assert "The file is 2 KB; the limit for a backup file is 1 KB" in response.text
    assert not RestoreJob.objects.exists()


def test_a_gzipped_backup_restores(carol_client):
    content = gzip.compress(json.dumps(backup_of(companies=companies(2))).encode())

    page = upload(carol_client, content, name="backup.json.gz", follow=True).text

    assert "Restored 2 companies" in page


def test_a_gzip_bomb_is_stopped_at_the_uncompressed_limit(carol_client, settings):
    settings.BACKUP_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = gzip.compress(b" " * (50 * 1024 * 1024))  # 50 MB of spaces, 50 KB packed

    page = upload(carol_client, bomb, name="backup.json.gz", follow=True).text

    assert "unpacks to more than 1 MB; the limit is 1 MB uncompressed" in page
    assert carol_owns_nothing()


def test_nesting_past_the_depth_limit_is_named(carol_client, settings):
    settings.BACKUP_MAX_DEPTH = 5
    document = backup_of(companies=[{"id": 1, "name": "A", "notes": [[[[["deep"]]]]]}])

    page = upload(carol_client, document, follow=True).text

    assert "more than 5 levels deep" in page


def test_brackets_inside_text_do_not_count_as_nesting(carol_client, settings):
    settings.BACKUP_MAX_DEPTH = 5
    document = backup_of(companies=[{"id": 1, "name": "A", "notes": '[[[[[[{{{"\\"'}])

    page = upload(carol_client, document, follow=True).text

    assert "Restored 1 companies" in page


def test_a_section_past_the_row_limit_is_named(carol_client, settings):
    settings.BACKUP_MAX_ROWS = 2

    page = upload(carol_client, backup_of(companies=companies(3)), follow=True).text

    assert "The section companies has 3 rows; the limit is 2 rows per section" in page
    assert carol_owns_nothing()


def test_a_text_past_the_length_limit_is_named(carol_client, settings):
    settings.BACKUP_MAX_STRING_CHARS = 100
    document = backup_of(companies=[{"id": 1, "name": "A", "notes": "x" * 101}])

    page = upload(carol_client, document, follow=True).text

    assert "companies row 1, field notes: 101 characters; the limit is 100 per value" in page
    assert carol_owns_nothing()


def test_the_upload_is_deleted_once_the_restore_is_done(carol_client, settings):
    upload(carol_client, backup_of(companies=companies(1)), follow=True)

    assert list(restore_jobs.restore_dir().iterdir()) == []


def test_a_restore_no_worker_picks_up_gives_way_to_a_new_upload(carol_client, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    upload(carol_client, backup_of(companies=companies(1)))
    first = RestoreJob.objects.get()

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = upload(carol_client, backup_of(companies=companies(2)))

    first.refresh_from_db()
    assert first.state == "failed" and "No worker picked the restore up" in first.errors[0]
    assert response.status_code == 302
    assert run_restore(first.pk) == "failed"  # the worker, started late, leaves it alone
    assert carol_owns_nothing()


def test_the_database_allows_one_unfinished_restore_per_account(carol_client):
    from django.db import IntegrityError, transaction

    carol = RestoreJob._meta.get_field("owner").related_model.objects.get(username="carol")
    RestoreJob.objects.create(owner=carol, file_name="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        RestoreJob.objects.create(owner=carol, file_name="b")
