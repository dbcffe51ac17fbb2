"""Big imports through the worker (issue 13, item 10): past IMPORT_IN_REQUEST_MAX_ROWS a
confirmed import becomes a job the worker commits in short batches, with progress and the
result on its page; the rules fire as for an import in the request; a batch that fails
takes back what the job wrote; a task run twice or resumed writes nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django_q.conf import Conf
from django_q.models import OrmQ

from contacts import importers
from contacts.importers import jobs
from contacts.models import Contact, ImportJob
from contacts.tasks import run_import
from crm.models import Company, JobApplication
from followups.models import FollowUp
from tests.factories import PASSWORD, make_application, make_company, make_contact, make_user
from tests.imports.test_import_linkedin import linkedin_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_jobs")]
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def applications_csv(n: int, *, first: str = "", extra: str = "") -> bytes:
    lines = ["Company,Title,Status,Date Applied", *([first] if first else [])]
    lines += [f"Company {i % 7},Role {i},Applied,2026-11-{1 + i % 18:02d}" for i in range(n)]
    return ("\n".join(lines) + "\n" + extra).encode()


def signed_in(username: str) -> Client:
    client = Client()
    client.login(username=username, password=PASSWORD)
    return client


def confirm(client: Client, kind: str, content: bytes, name: str = "export.csv"):
    """Upload, then confirm the preview (the guessed columns), as a person does."""
    client.post(
        reverse("contacts:import-upload", kwargs={"kind": kind}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )
    preview = reverse("contacts:import-preview", kwargs={"kind": kind})
    assert client.get(preview).status_code == 200
    return client.post(preview)


def job_page(client: Client, job: ImportJob, *, htmx: bool = False) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(reverse("contacts:import-job", args=[job.pk]), headers=headers).text


def failing_batch(monkeypatch, number: int, error: BaseException) -> None:
    """The job's batch `number` fails with `error` (a full disk, a crash)."""
    real = jobs.write_batch
    calls = []

    def write_batch(plan, journal):
        calls.append(1)
        if len(calls) == number:
            raise error
        return real(plan, journal)

    monkeypatch.setattr(jobs, "write_batch", write_batch)


# The page path -------------------------------------------------------------------------


def test_a_big_csv_goes_to_the_worker_and_its_page_shows_progress_then_the_result(alice, queued):
    client = signed_in("alice")

    response = confirm(client, "applications", applications_csv(600))

    job = ImportJob.objects.get(owner=alice)
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:import-job", args=[job.pk])
    page = job_page(client, job)
    assert "Waiting for the worker" in page
    assert 'hx-trigger="every 1s"' in page  # the page polls while the job runs
    assert OrmQ.objects.count() == 1
    assert not JobApplication.objects.filter(owner=alice).exists()

    assert run_import(job.pk) == "done"  # what qcluster runs

    status = job_page(client, job, htmx=True)
    assert status.lstrip().startswith('<section id="import-status"')  # the fragment
    assert "600 of 600 rows done" in status
    assert "Created 600 applications, updated 0, rejected 0 (new companies: 7)" in status
    assert reverse("crm:application-list") in status
    assert "hx-trigger" not in status  # done: the polling stops
    assert JobApplication.objects.filter(owner=alice).count() == 600
    assert list(importers.staging_dir().iterdir()) == []  # the staged file went with the job


def test_a_small_import_stays_in_the_request(alice, queued):
    response = confirm(signed_in("alice"), "applications", applications_csv(20))

    assert response["Location"] == reverse("crm:application-list")
    assert JobApplication.objects.filter(owner=alice).count() == 20
    assert not ImportJob.objects.exists() and not OrmQ.objects.exists()


def test_the_preview_says_a_big_file_goes_to_the_worker(alice, small_batches):
    client = signed_in("alice")
    client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("a.csv", applications_csv(6), content_type="text/csv")},
    )

    page = client.get(reverse("contacts:import-preview", kwargs={"kind": "applications"})).text

    assert "imported by the worker in small steps" in page


def test_the_page_counts_the_rows_of_every_committed_batch(alice, small_batches, monkeypatch):
    client = signed_in("alice")
    seen = []
    real = jobs.write_batch

    def write_batch(plan, journal):
        seen.append(job_page(client, ImportJob.objects.get(), htmx=True))
        return real(plan, journal)

    monkeypatch.setattr(jobs, "write_batch", write_batch)

    page = confirm(client, "applications", applications_csv(10))

    assert "Importing" in seen[1] and "4 of 10 rows done" in seen[1]
    assert "8 of 10 rows done" in seen[2]
    assert JobApplication.objects.filter(owner=alice).count() == 10
    assert page["Location"] == reverse("contacts:import-job", args=[ImportJob.objects.get().pk])


def test_a_big_linkedin_csv_goes_through_the_worker_too(alice, small_batches):
    make_contact(alice, first_name="Old", linkedin_url="https://www.linkedin.com/in/p3")
    rows = [
        f"Person,{i},https://www.linkedin.com/in/p{i},,Firm {i % 3},Engineer,01 Nov 2026"
        for i in range(9)
    ]
    client = signed_in("alice")

    confirm(client, "linkedin", linkedin_file(*rows), name="Connections.csv")

    job = ImportJob.objects.get()
    page = job_page(client, job)
    assert "Created 8 contacts, updated 1, rejected 0 (new companies: 3)" in page
    assert Contact.objects.filter(owner=alice).count() == 9
    assert Contact.objects.get(linkedin_url__endswith="/p3").first_name == "Person"


def test_another_user_gets_a_404_for_a_job(alice, bob, small_batches):
    confirm(signed_in("alice"), "applications", applications_csv(6))
    job = ImportJob.objects.get()

    response = signed_in("bob").get(reverse("contacts:import-job", args=[job.pk]))

    assert response.status_code == 404


def test_a_second_big_import_waits_for_the_first(alice, small_batches, queued):
    client = signed_in("alice")
    confirm(client, "applications", applications_csv(6))

    response = confirm(client, "applications", applications_csv(7))

    assert response.status_code == 302
    assert "An import is already running" in client.get(response["Location"]).text
    assert ImportJob.objects.count() == 1


def test_a_small_import_waits_for_a_big_one_in_the_worker(alice, small_batches, queued):
    # Planned now, it would add the rows the job is about to write a second time.
    client = signed_in("alice")
    confirm(client, "applications", applications_csv(6))

    response = confirm(client, "applications", applications_csv(3))

    assert "An import is already running" in client.get(response["Location"]).text
    assert not JobApplication.objects.filter(owner=alice).exists()


def test_cancelling_a_staged_big_import_still_imports_nothing(alice, small_batches):
    client = signed_in("alice")
    client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("a.csv", applications_csv(6), content_type="text/csv")},
    )

    client.post(reverse("contacts:import-cancel", kwargs={"kind": "applications"}))

    preview = client.get(reverse("contacts:import-preview", kwargs={"kind": "applications"}))
    assert preview.status_code == 302  # "Upload a file first."
    assert not ImportJob.objects.exists() and list(importers.staging_dir().iterdir()) == []


# The rules fire as in the request ------------------------------------------------------


def what_the_import_left(owner) -> tuple[list, list]:
    applications = sorted(
        (a.company.name, a.title, a.status, a.applied_on)
        for a in JobApplication.objects.filter(owner=owner).select_related("company")
    )
    followups = sorted(
        (f.kind, f.status, f.due_at, f.deadline, f.application.title if f.application else "")
        for f in FollowUp.objects.filter(owner=owner).select_related("application")
    )
    return applications, followups


def test_the_worker_and_the_request_leave_the_same_applications_and_follow_ups(settings):
    content = applications_csv(
        12,
        # An existing wishlist entry becomes applied; an applied one is rejected.
        extra="Acme,SRE,Applied,2026-11-18\nGlobex,Analyst,Rejected,2026-11-02\n",
    )
    outcomes = []
    for username, in_request_max in (("inrequest", 1000), ("inworker", 5)):
        user = make_user(username)
        make_application(
            user, company=make_company(user, name="Acme"), title="SRE", status="wishlist"
        )
        globex = make_company(user, name="Globex")
        make_application(
            user, company=globex, title="Analyst", applied_on=NOW.date() - timedelta(days=3)
        )
        settings.IMPORT_IN_REQUEST_MAX_ROWS = in_request_max
        settings.IMPORT_BATCH_ROWS = 4

        confirm(signed_in(username), "applications", content)

        outcomes.append(what_the_import_left(user))
    assert ImportJob.objects.get().owner.username == "inworker"
    in_request, in_worker = outcomes
    assert in_worker == in_request
    assert any(kind == "application_check" for kind, *_ in in_request[1])


# All or nothing ------------------------------------------------------------------------


def test_a_job_whose_third_batch_meets_a_full_disk_leaves_nothing_behind(
    alice, small_batches, monkeypatch
):
    before = make_application(
        alice, company=make_company(alice, name="Acme"), title="SRE", status="wishlist"
    )
    failing_batch(monkeypatch, 3, OperationalError("database or disk is full"))
    client = signed_in("alice")

    confirm(client, "applications", applications_csv(10, first="Acme,SRE,Applied,2026-11-18"))

    job = ImportJob.objects.get()
    page = job_page(client, job)
    assert "Not imported" in page
    assert "Nothing was imported; whatever the import had written was taken back out" in page
    assert "is full: free space on it" in page
    assert list(JobApplication.objects.filter(owner=alice)) == [before]
    before.refresh_from_db()
    assert before.status == "wishlist"  # the first batch's change is undone
    assert list(Company.objects.filter(owner=alice)) == [before.company]
    # Not even a cancelled check: the one the first batch's change scheduled is gone.
    assert not FollowUp.objects.filter(owner=alice).exists()
    assert (job.state, job.created, job.changed, job.position) == ("failed", [], [], 0)


def followups_as_they_are(owner) -> list[tuple]:
    """Every field of each of the owner's follow-ups but updated_at, with its history."""
    names = [f.attname for f in FollowUp._meta.concrete_fields if f.attname != "updated_at"]
    return [
        (
            {name: getattr(followup, name) for name in names},
            [
                (e.pk, e.old_status, e.new_status, e.reason, e.interaction_id, e.at)
                for e in followup.events.order_by("pk")
            ],
        )
        for followup in FollowUp.objects.filter(owner=owner).order_by("pk")
    ]


def test_a_failed_job_puts_back_the_follow_ups_its_rules_cancelled_or_moved(
    alice, small_batches, monkeypatch
):
    # Two applications alice has, each with its status check pending (R8). The file's
    # first batch moves one to interviewing (its check is cancelled) and the other's
    # date (its check moves); the third batch meets a full disk.
    applied = NOW.date() - timedelta(days=3)
    sre = make_application(alice, company=make_company(alice, name="Acme"), title="SRE",
                           applied_on=applied)  # fmt: skip
    analyst = make_application(alice, company=make_company(alice, name="Globex"),
                               title="Analyst", applied_on=applied)  # fmt: skip
    before = followups_as_they_are(alice)
    assert [f["kind"] for f, _ in before] == ["application_check"] * 2
    seen = []
    real = jobs.write_batch

    def write_batch(plan, journal):
        seen.append(sorted((f.status, f.due_at) for f in FollowUp.objects.filter(owner=alice)))
        if len(seen) == 3:
            raise OperationalError("database or disk is full")
        return real(plan, journal)

    monkeypatch.setattr(jobs, "write_batch", write_batch)
    client = signed_in("alice")

    confirm(
        client,
        "applications",
        applications_csv(
            10, first="Acme,SRE,Interviewing,2026-11-17\nGlobex,Analyst,Applied,2026-11-12"
        ),
    )

    # The first batch's rules had cancelled the one and moved the other, for good.
    assert seen[1][0][0] == "cancelled" and seen[1][1][1] != before[1][0]["due_at"]
    job = ImportJob.objects.get()
    assert "Not imported" in job_page(client, job)
    # Both checks are back as they were: pending, due when they were, the same history;
    # no second check was made for the application put back to applied.
    assert followups_as_they_are(alice) == before
    sre.refresh_from_db()
    analyst.refresh_from_db()
    assert (sre.status, sre.applied_on, analyst.applied_on) == ("applied", applied, applied)
    assert not job.rule_changes.exists()


def test_a_job_that_crashes_midway_takes_its_rows_back_and_says_so(
    alice, small_batches, monkeypatch
):
    failing_batch(monkeypatch, 3, RuntimeError("a bug"))
    client = signed_in("alice")

    with pytest.raises(RuntimeError):  # run in the request by sync mode; qcluster logs it
        confirm(client, "applications", applications_csv(10))

    job = ImportJob.objects.get()
    assert "The import stopped on an unexpected error" in job_page(client, job)
    assert not JobApplication.objects.filter(owner=alice).exists()
    assert not Company.objects.filter(owner=alice).exists()


# Retries -------------------------------------------------------------------------------


def test_a_task_handed_out_twice_imports_once(alice, small_batches, queued):
    confirm(signed_in("alice"), "applications", applications_csv(10))
    job = ImportJob.objects.get()

    assert run_import(job.pk) == "done"
    assert run_import(job.pk) == "done"

    assert JobApplication.objects.filter(owner=alice).count() == 10
    job.refresh_from_db()
    assert job.counts["created"] == 10


def test_a_task_run_again_after_its_worker_died_resumes_after_the_last_batch(
    alice, small_batches, queued, monkeypatch
):
    client = signed_in("alice")
    confirm(client, "applications", applications_csv(10))
    job = ImportJob.objects.get()
    failing_batch(monkeypatch, 3, SystemExit())  # the worker is killed in batch 3
    with pytest.raises(SystemExit):
        run_import(job.pk)
    job.refresh_from_db()
    assert (job.state, job.position) == ("writing", 8)
    monkeypatch.undo()
    monkeypatch.setattr(Conf, "SYNC", False)

    assert run_import(job.pk) == "writing"  # still beating: not a dead worker's job yet
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        assert run_import(job.pk) == "done"  # qcluster hands the task out again

        page = job_page(client, job)
    assert "Created 10 applications, updated 0" in page
    titles = list(JobApplication.objects.filter(owner=alice).values_list("title", flat=True))
    assert sorted(titles) == sorted(f"Role {i}" for i in range(10))


def test_an_interrupted_job_is_taken_back_when_its_page_is_opened_later(
    alice, small_batches, queued, monkeypatch
):
    client = signed_in("alice")
    confirm(client, "applications", applications_csv(10))
    job = ImportJob.objects.get()
    failing_batch(monkeypatch, 2, SystemExit())
    with pytest.raises(SystemExit):
        run_import(job.pk)
    dora = make_user("dora")
    make_company(dora)  # another account's rows are never touched

    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        page = job_page(client, job)

    assert "The import was interrupted" in page
    assert not JobApplication.objects.filter(owner=alice).exists()
    assert Company.objects.filter(owner=dora).count() == 1
    assert run_import(job.pk) == "failed"  # a late re-delivery leaves it alone


def test_a_job_no_worker_picks_up_says_to_start_the_worker(alice, small_batches, queued):
    client = signed_in("alice")
    confirm(client, "applications", applications_csv(10))
    job = ImportJob.objects.get()

    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        page = job_page(client, job)

    assert "No worker picked the import up" in page and "qcluster" in page
    assert run_import(job.pk) == "failed"
    assert not JobApplication.objects.filter(owner=alice).exists()


def test_the_database_allows_one_unfinished_import_per_account(alice):
    from django.db import IntegrityError, transaction

    ImportJob.objects.create(owner=alice, kind="applications", token="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportJob.objects.create(owner=alice, kind="applications", token="b")


@pytest.mark.django_db(transaction=True)
def test_the_confirm_of_a_big_file_plans_it_outside_any_transaction(
    alice, small_batches, queued, monkeypatch
):
    # On SQLite every transaction holds the write lock (BEGIN IMMEDIATE): planning 20,000
    # rows inside one kept every other writer waiting before the worker even started.
    from django.db import connection

    real = importers.plan_applications
    in_transaction = []

    def plan_applications(*args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(importers, "plan_applications", plan_applications)
    client = signed_in("alice")

    response = confirm(client, "applications", applications_csv(10))

    assert response["Location"] == reverse("contacts:import-job", args=[ImportJob.objects.get().pk])
    assert in_transaction == [False, False]  # the preview's, then the confirm's
