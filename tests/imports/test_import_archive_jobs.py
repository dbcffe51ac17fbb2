"""LinkedIn's archive (.zip) through the worker (issue 13, item 10): past
IMPORT_IN_REQUEST_MAX_ROWS importable rows, messages counted, the confirmed archive becomes
a job the worker writes part by part in short batches (connections, applications, then
messages and invitations streamed from the staged zip, then the rules), with progress and
the result on its page; it leaves what the import in the request leaves; a batch that
fails takes back everything the job wrote; a resumed task writes nothing twice."""

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
from contacts.models import Contact, ImportJob, Interaction
from contacts.signals import interactions_imported
from contacts.tasks import run_import
from crm.models import Company, JobApplication
from followups.models import FollowUp
from tests.factories import PASSWORD, make_application, make_company, make_contact, make_user
from tests.imports.test_import_jobs import followups_as_they_are
from tests.imports.test_import_linkedin_archive import (
    CONNECTIONS,
    INVITATIONS,
    JOB_APPLICATIONS,
    ME,
    MESSAGES_HEADER,
    PRIYA,
    SAVED_JOBS,
    TOM,
    archive,
    csv_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_jobs")]
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
REJECTION = "Unfortunately we decided to move forward with other candidates."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def person(n: int) -> str:
    return f"https://www.linkedin.com/in/person-{n}"


def big_archive(*, tom_first: bool = False) -> bytes:
    """Priya and Tom of the small archive's tests and 6 more connections; 18 messages
    (Priya's no among them) and 2 invitations with contacts, a stranger's left out, and 2
    jobs: 30 rows to write. `tom_first`: Tom's message first in the file (so the rules
    see it in their first batch)."""
    connections = CONNECTIONS + [
        [f"First{n}", f"Last{n}", person(n), "", f"Firm {n % 3}", "Engineer", "05 Nov 2024"]
        for n in range(6)
    ]
    messages = [MESSAGES_HEADER]
    for m in range(16):
        n, inbound = m % 6, m % 2 == 0
        messages.append(
            [f"c-{n}", "", f"First{n}" if inbound else "Alice Me", person(n) if inbound else ME,
             "Alice Me" if inbound else f"First{n}", ME if inbound else person(n),
             (NOW - timedelta(days=40 - m)).strftime("%Y-%m-%d %H:%M:%S UTC"), "",
             f"Message {m} about the role.", "INBOX", "", "No"]
        )  # fmt: skip
    messages += [
        ["c-p", "", "Priya Natarajan", PRIYA, "Alice Me", ME, "2026-08-02 09:30:00 UTC", "",
         REJECTION, "INBOX", "", "No"],
        ["c-t", "", "Tom Berg", TOM, "Alice Me", ME, "2026-08-03 10:00:00 UTC", "Coffee?",
         "Coffee next week?", "INBOX", "", "No"],
        ["c-s", "", "Some Stranger", "https://www.linkedin.com/in/stranger", "Alice Me", ME,
         "2026-08-04 10:00:00 UTC", "", "Buy my course", "INBOX", "", "No"],
    ]  # fmt: skip
    if tom_first:
        messages.insert(1, messages.pop(-2))
    invitations = INVITATIONS + [
        ["First1", "Alice Me", "2/2/26, 9:00 AM", "Hello", "INCOMING", person(1), ME],
    ]
    return archive(
        {
            "Connections.csv": csv_bytes(connections),
            "messages.csv": csv_bytes(messages),
            "Invitations.csv": csv_bytes(invitations),
            "Jobs/Job Applications.csv": csv_bytes(JOB_APPLICATIONS),
            "Jobs/Saved Jobs.csv": csv_bytes(SAVED_JOBS),
        }
    )


def existing_rows(user) -> None:
    """What the user had before: Tom (asked for feedback, a nudge pending; a cadence), a
    saved job the archive says was applied for, Acme."""
    acme = make_company(user, name="Acme")
    make_application(user, company=acme, title="Backend Engineer", status="wishlist")
    tom = make_contact(
        user, first_name="Thomas", last_name="Berg", linkedin_url=TOM, check_in_months=3
    )
    FollowUp.objects.create(
        owner=user,
        contact=tom,
        kind=FollowUp.Kind.FEEDBACK_NUDGE,
        due_at=NOW + timedelta(days=2),
        draft_subject="Any feedback?",
        draft_body="Hi Tom",
    )


def signed_in(username: str) -> Client:
    client = Client()
    client.login(username=username, password=PASSWORD)
    return client


def upload(client: Client, content: bytes) -> str:
    client.post(
        reverse("contacts:import-upload", kwargs={"kind": "linkedin"}),
        {"file": SimpleUploadedFile("linkedin.zip", content, content_type="application/zip")},
    )
    preview = client.get(reverse("contacts:import-preview", kwargs={"kind": "linkedin"}))
    assert preview.status_code == 200
    return preview.text


def rejection_key(user, content: bytes | None = None) -> str:
    plan = importers.plan_archive(user, content or big_archive())
    (candidate,) = plan.rejection_candidates
    return candidate.key


def confirm(client: Client, user, content: bytes | None = None, *, rejection: bool = True):
    """Upload, preview, then confirm with Priya's no ticked, as a person does."""
    upload(client, content or big_archive())
    data = {"rejection": rejection_key(user, content)} if rejection else {}
    return client.post(reverse("contacts:import-preview", kwargs={"kind": "linkedin"}), data)


def job_page(client: Client, job: ImportJob, *, htmx: bool = False) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(reverse("contacts:import-job", args=[job.pk]), headers=headers).text


def what_the_import_left(owner) -> tuple[list, list, list, list]:
    contacts = sorted(
        (c.first_name, c.last_name, c.linkedin_url, c.company.name if c.company else "",
         c.check_in_months)
        for c in Contact.objects.filter(owner=owner).select_related("company")
    )  # fmt: skip
    interactions = sorted(
        (i.contact.linkedin_url, i.direction, i.kind, i.occurred_at, i.body,
         i.application.title if i.application else "")
        for i in Interaction.objects.filter(owner=owner).select_related("contact", "application")
    )  # fmt: skip
    followups = sorted(
        (f.kind, f.status, f.due_at, f.deadline, f.contact.linkedin_url if f.contact else "",
         f.application.title if f.application else "", f.cancel_reason)
        for f in FollowUp.objects.filter(owner=owner).select_related("contact", "application")
    )  # fmt: skip
    applications = sorted(
        (a.company.name, a.title, a.status, a.applied_on, a.posting_url)
        for a in JobApplication.objects.filter(owner=owner).select_related("company")
    )
    return contacts, interactions, followups, applications


# The page path -------------------------------------------------------------------------


def test_a_big_archive_goes_to_the_worker_and_its_page_shows_progress_then_the_result(
    alice, small_batches, queued
):
    client = signed_in("alice")

    assert "imported by the worker in small steps" in upload(client, big_archive())
    response = client.post(
        reverse("contacts:import-preview", kwargs={"kind": "linkedin"}),
        {"rejection": rejection_key(alice)},
    )

    job = ImportJob.objects.get(owner=alice)
    assert job.kind == "archive"
    assert response["Location"] == reverse("contacts:import-job", args=[job.pk])
    assert "Waiting for the worker" in job_page(client, job)
    assert OrmQ.objects.count() == 1
    assert not Contact.objects.filter(owner=alice).exists()

    assert run_import(job.pk) == "done"  # what qcluster runs

    status = job_page(client, job, htmx=True)
    assert "30 of 30 rows done" in status
    assert (
        "Created 8 contacts, updated 0, rejected 0 (new companies: 5); 18 messages, "
        "2 invitations, 2 new applications, 0 updated; 1 rejections confirmed."
    ) in status
    assert reverse("contacts:list") in status
    assert "hx-trigger" not in status
    rejection = Interaction.objects.get(owner=alice, kind="rejection")
    assert FollowUp.objects.filter(owner=alice, kind="reply", source=rejection).exists()
    assert list(importers.staging_dir().iterdir()) == []  # the staged zip went with the job


def test_the_page_counts_the_rows_of_every_committed_batch(alice, small_batches, monkeypatch):
    client = signed_in("alice")
    seen = []
    real = jobs.write_interactions

    def write_interactions(*args):
        seen.append(job_page(client, ImportJob.objects.get(), htmx=True))
        return real(*args)

    monkeypatch.setattr(jobs, "write_interactions", write_interactions)

    confirm(client, alice)

    # 8 connections and 2 applications are in before the first messages' batch.
    assert "Importing" in seen[0] and "10 of 30 rows done" in seen[0]
    assert "14 of 30 rows done" in seen[1]
    assert len(seen) == 6  # 19 messages and 3 invitations (a stranger's left out), 4 a batch
    assert "30 of 30 rows done" in job_page(client, ImportJob.objects.get())


def test_a_small_archive_stays_in_the_request(alice, queued):
    response = confirm(signed_in("alice"), alice)

    assert response["Location"] == reverse("contacts:list")
    assert Interaction.objects.filter(owner=alice, kind="rejection").count() == 1
    assert not ImportJob.objects.exists() and not OrmQ.objects.exists()


def test_another_user_gets_a_404_for_an_archive_job(alice, bob, small_batches, queued):
    confirm(signed_in("alice"), alice)
    job = ImportJob.objects.get()

    response = signed_in("bob").get(reverse("contacts:import-job", args=[job.pk]))

    assert response.status_code == 404


def test_a_second_import_waits_while_an_archive_is_in_the_worker(alice, small_batches, queued):
    client = signed_in("alice")
    confirm(client, alice)

    response = confirm(client, alice, archive())

    assert "An import is already running" in client.get(response["Location"]).text
    assert not Contact.objects.filter(owner=alice).exists()


# The rules fire as in the request ------------------------------------------------------


def test_the_worker_and_the_request_leave_the_same_contacts_interactions_and_follow_ups(
    settings,
):
    outcomes = []
    for username, in_request_max in (("inrequest", 1000), ("inworker", 5)):
        user = make_user(username)
        existing_rows(user)
        settings.IMPORT_IN_REQUEST_MAX_ROWS = in_request_max
        settings.IMPORT_BATCH_ROWS = 4

        confirm(signed_in(username), user)

        outcomes.append(what_the_import_left(user))
    assert ImportJob.objects.get().owner.username == "inworker"
    in_request, in_worker = outcomes
    assert in_worker == in_request
    followups = {(kind, status) for kind, status, *_ in in_request[2]}
    # Priya's no (R1: her reply, the job rejected), Tom answered (R4), his check-in
    # moved to three months after his message (R6).
    assert {("reply", "pending"), ("feedback_nudge", "cancelled"), ("check_in", "pending")} <= (
        followups
    )
    assert ("Acme", "Backend Engineer", "rejected") in {a[:3] for a in in_request[3]}


# All or nothing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failing",
    ["write_interactions", "save_rejections"],
    ids=["the third batch of messages", "the rules, after every message"],
)
def test_a_failure_in_a_later_batch_leaves_nothing_behind(
    alice, small_batches, monkeypatch, failing
):
    existing_rows(alice)
    before = what_the_import_left(alice)
    real, calls = getattr(jobs, failing), []

    def fails(*args):
        calls.append(1)
        if len(calls) == 3 or failing == "save_rejections":
            raise OperationalError("database or disk is full")
        return real(*args)

    monkeypatch.setattr(jobs, failing, fails)
    client = signed_in("alice")

    confirm(client, alice)

    job = ImportJob.objects.get()
    page = job_page(client, job)
    assert "Not imported" in page and "is full: free space on it" in page
    assert reverse("contacts:import-upload", kwargs={"kind": "linkedin"}) in page
    # Tom's name and company are his again, the saved job is saved again, his nudge is
    # still pending, and not one message, contact, company or follow-up is left.
    assert what_the_import_left(alice) == before
    assert Company.objects.filter(owner=alice).count() == 1
    assert (job.state, job.created, job.changed, job.done, job.carry) == ("failed", [], [], 0, {})


def test_an_archive_job_that_crashes_midway_takes_its_rows_back(alice, small_batches, monkeypatch):
    real, calls = jobs.write_interactions, []

    def crashes(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("a bug")
        return real(*args)

    monkeypatch.setattr(jobs, "write_interactions", crashes)
    client = signed_in("alice")

    with pytest.raises(RuntimeError):  # run in the request by sync mode; qcluster logs it
        confirm(client, alice)

    assert "The import stopped on an unexpected error" in job_page(client, ImportJob.objects.get())
    assert not Contact.objects.filter(owner=alice).exists()
    assert not Interaction.objects.filter(owner=alice).exists()
    assert not JobApplication.objects.filter(owner=alice).exists()


# Retries -------------------------------------------------------------------------------


def test_an_archive_task_handed_out_twice_imports_once(alice, small_batches, queued):
    confirm(signed_in("alice"), alice)
    job = ImportJob.objects.get()

    assert run_import(job.pk) == "done"
    assert run_import(job.pk) == "done"

    assert Interaction.objects.filter(owner=alice).count() == 20
    job.refresh_from_db()
    assert (job.counts["messages"], job.counts["invitations"]) == (18, 2)
    # The record of the bulk-written messages is a run of pks per batch, not a row each;
    # the no, saved in its own step, is one more.
    runs = [entry for entry in job.created if entry[0] == "contacts.interaction"]
    assert len(runs) <= 7
    assert sum(last - first + 1 for _, first, last in runs) == 20


def queued_after_reference(settings, monkeypatch, rules_calls=None):
    """The archive imported in the request by "reference" (what the worker must leave
    too), then confirmed by alice for the worker, 4 rows a batch, queued: her client and
    job. `rules_calls`, if given, is emptied of the reference's calls."""
    settings.IMPORT_IN_REQUEST_MAX_ROWS = 1000
    reference = make_user("reference")
    existing_rows(reference)
    confirm(signed_in("reference"), reference)
    if rules_calls is not None:
        rules_calls.clear()
    settings.IMPORT_IN_REQUEST_MAX_ROWS, settings.IMPORT_BATCH_ROWS = 5, 4
    alice = make_user("alice")
    existing_rows(alice)
    monkeypatch.setattr(Conf, "SYNC", False)
    client = signed_in("alice")
    confirm(client, alice)
    return alice, reference, client, ImportJob.objects.get()


def test_an_archive_task_run_again_after_its_worker_died_resumes_where_it_stopped(
    settings, monkeypatch
):
    alice, reference, client, job = queued_after_reference(settings, monkeypatch)
    real, calls = jobs.write_interactions, []

    def killed(*args):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit()  # the worker is killed in the third batch of messages
        return real(*args)

    monkeypatch.setattr(jobs, "write_interactions", killed)
    with pytest.raises(SystemExit):
        run_import(job.pk)
    job.refresh_from_db()
    assert (job.state, job.part, job.position) == ("writing", "messages", 8)
    monkeypatch.setattr(jobs, "write_interactions", real)

    assert run_import(job.pk) == "writing"  # still beating: not a dead worker's job yet
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        assert run_import(job.pk) == "done"  # qcluster hands the task out again
        page = job_page(client, job)

    assert "18 messages, 2 invitations" in page
    assert what_the_import_left(alice) == what_the_import_left(reference)


def test_a_failed_archive_takes_back_a_message_the_user_used_meanwhile(
    alice, small_batches, monkeypatch
):
    # Between two batches alice tags one imported message with a theme and makes a
    # (contact-less) follow-up from it: the take-back deletes the message (its rules, its
    # theme) and leaves her follow-up, pointing at nothing (what deleting a message always
    # does). A plain DELETE of the message would break the follow-up's foreign key.
    from followups.models import FeedbackTheme

    real, calls = jobs.write_interactions, []

    def write_interactions(*args):
        calls.append(1)
        if len(calls) == 2:
            message = Interaction.objects.filter(owner=alice).earliest("pk")
            FeedbackTheme.objects.create(owner=alice, interaction=message, theme="experience")
            FollowUp.objects.create(
                owner=alice, source=message, kind="custom",
                due_at=NOW + timedelta(days=1), draft_subject="Ask again", draft_body="Hi",
            )  # fmt: skip
        if len(calls) == 3:
            raise OperationalError("database or disk is full")
        return real(*args)

    monkeypatch.setattr(jobs, "write_interactions", write_interactions)

    confirm(signed_in("alice"), alice)

    assert ImportJob.objects.get().state == "failed"
    assert not Interaction.objects.filter(owner=alice).exists()
    assert not FeedbackTheme.objects.filter(owner=alice).exists()
    assert not Contact.objects.filter(owner=alice).exists()
    (kept,) = FollowUp.objects.filter(owner=alice)
    assert (kept.kind, kept.source) == ("custom", None)


# The rules part, in batches ------------------------------------------------------------


class RulesCalls(list):
    """The pks of the messages each call of the rules got (one call per batch of 4), and
    a hook run after each call, inside its batch: `then(number of the call)`."""

    def then(self, number: int) -> None:
        pass


@pytest.fixture
def rules_calls():
    calls = RulesCalls()

    def receiver(sender, interactions, **kwargs):
        calls.append([i.pk for i in interactions])
        calls.then(len(calls))

    interactions_imported.connect(receiver, dispatch_uid="test_rules_calls")
    yield calls
    interactions_imported.disconnect(dispatch_uid="test_rules_calls")


def history(owner) -> list[tuple]:
    return sorted(
        (f.kind, f.status, f.due_at, f.contact.linkedin_url if f.contact else "",
         tuple(e.reason for e in f.events.order_by("pk")))
        for f in FollowUp.objects.filter(owner=owner).select_related("contact")
    )  # fmt: skip


def test_a_failure_in_the_rules_part_puts_tom_s_follow_ups_back_as_they_were(
    alice, small_batches, rules_calls
):
    existing_rows(alice)
    tom = Contact.objects.get(owner=alice, linkedin_url=TOM)
    nudge = FollowUp.objects.get(contact=tom, kind="feedback_nudge")
    check_in = FollowUp.objects.get(contact=tom, kind="check_in", status="pending")
    before, left_before = followups_as_they_are(alice), what_the_import_left(alice)
    cancelled_in: list[int] = []

    def then(number: int) -> None:
        nudge.refresh_from_db()
        if nudge.status == "cancelled" and not cancelled_in:
            cancelled_in.append(number)
        elif cancelled_in:  # a later batch, once that one had committed
            raise OperationalError("database or disk is full")

    rules_calls.then = then
    client = signed_in("alice")

    confirm(client, alice, big_archive(tom_first=True))

    # The first batch of the rules answered Tom's nudge and moved his check-in, and
    # committed; the second failed.
    assert cancelled_in == [1] and len(rules_calls) == 2
    job = ImportJob.objects.get()
    page = job_page(client, job)
    assert "Not imported" in page and "is full: free space on it" in page
    # His nudge is pending again and his check-in due when it was, each with the
    # history it had, not a row more; nothing of the archive is left.
    assert followups_as_they_are(alice) == before
    check_in.refresh_from_db()
    assert (check_in.status, check_in.source, check_in.notified_at) == ("pending", None, None)
    assert what_the_import_left(alice) == left_before
    assert not job.rule_changes.exists()


def test_a_job_left_at_the_rules_by_the_code_before_batched_rules_still_runs_them(
    settings, monkeypatch
):
    """Before the rules were batched, the rules part saved the rejections and ran the
    rules in one transaction, with no list of latest messages kept: a job killed there
    (nothing of the part committed) is picked up after an upgrade from the rejections on."""
    alice, reference, _, job = queued_after_reference(settings, monkeypatch)

    def killed(*args, **kwargs):
        raise SystemExit()  # the worker dies before any rejection is saved

    with monkeypatch.context() as patch:
        patch.setattr(jobs, "_save_rejections", killed)
        with pytest.raises(SystemExit):
            run_import(job.pk)
    job.refresh_from_db()
    assert (job.part, job.position) == ("rejections", 0)
    # What the old code left: the rules part begun, no list of latest messages.
    job.part, job.carry = "rules", {k: v for k, v in job.carry.items() if k != "latest"}
    job.save(update_fields=["part", "carry"])

    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        assert run_import(job.pk) == "done"

    assert what_the_import_left(alice) == what_the_import_left(reference)
    assert history(alice) == history(reference)


def test_the_rules_part_commits_in_batches_and_resumes_without_running_a_rule_twice(
    settings, monkeypatch, rules_calls
):
    alice, reference, client, job = queued_after_reference(settings, monkeypatch, rules_calls)
    transactions: list[str] = []  # the part of each batch's transaction
    real_atomic = jobs.atomic_for_owner

    def atomic_for_owner(owner):
        transactions.append(ImportJob.objects.get(pk=job.pk).part)
        return real_atomic(owner)

    monkeypatch.setattr(jobs, "atomic_for_owner", atomic_for_owner)
    pages: list[str] = []

    def then(number: int) -> None:
        pages.append(job_page(client, job, htmx=True))
        if number == 3:
            raise SystemExit()  # the worker is killed in the rules' third batch

    rules_calls.then = then
    with pytest.raises(SystemExit):
        run_import(job.pk)
    job.refresh_from_db()
    latest = job.carry["latest"]
    assert (job.state, job.part, job.position) == ("writing", "rules", 8)
    assert len(latest) > 8
    assert (
        f"Applying the follow-up rules to each contact’s latest messages: 4 of {len(latest)}"
        in (pages[1])
    )
    del rules_calls.then

    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        assert run_import(job.pk) == "done"  # qcluster hands the task out again

    # One transaction per batch of 4 messages, the killed one included.
    assert transactions.count("rules") == 3 + (len(latest) - 8 + 3) // 4
    # Each latest message went through the rules once in a committed batch: the two
    # batches before the kill, then the rest from where they stopped (the killed
    # batch's, rolled back, again).
    committed = rules_calls[:2] + rules_calls[3:]
    assert sorted(pk for call in committed for pk in call) == sorted(latest)
    assert rules_calls[3] == rules_calls[2]
    assert what_the_import_left(alice) == what_the_import_left(reference)
    assert history(alice) == history(reference)
