"""The downloads stream: the JSON backup and the CSV exports are written row by row through a
database cursor, so memory stays flat as an account grows (issue 19), and the files are the
same as the in-memory versions were."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, Interaction
from contacts.resources import ContactResource
from crm.models import ApplicationStatusChange, Company, JobApplication
from crm.resources import JobApplicationResource
from followups.export import backup
from followups.export.backup import export_user_data, iter_backup_json
from followups.models import DigestDelivery
from tests.export.test_export_backup import build_a_job_search, without_metadata
from tests.factories import make_application, make_company, make_contact, make_user

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def downloaded(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming, "the download should stream, not be built in memory"
    return b"".join(response.streaming_content)


def add_rows(owner, n: int) -> None:
    """n companies, applications, contacts and interactions with some text in each."""
    start = Company.objects.filter(owner=owner).count()
    companies = Company.objects.bulk_create(
        Company(owner=owner, name=f"Firm {i}", notes="n" * 100) for i in range(start, start + n)
    )
    applications = JobApplication.objects.bulk_create(
        JobApplication(
            owner=owner,
            company=c,
            title=f"Engineer {i}",
            salary_min=Decimal("50000.50"),
            notes="a" * 200,
        )
        for i, c in enumerate(companies)
    )
    contacts = Contact.objects.bulk_create(
        Contact(owner=owner, first_name=f"First{i}", last_name="Last", company=c, notes="c" * 200)
        for i, c in enumerate(companies)
    )
    Contact.applications.through.objects.bulk_create(
        Contact.applications.through(contact=c, jobapplication=a)
        for c, a in zip(contacts, applications, strict=True)
    )
    Interaction.objects.bulk_create(
        Interaction(
            owner=owner,
            contact=c,
            application=a,
            direction="outbound",
            channel="email",
            kind="note",
            occurred_at=NOW - timedelta(minutes=i),
            subject=f"Subject {i}",
            body="b" * 300,
        )
        for i, (c, a) in enumerate(zip(contacts, applications, strict=True))
    )


# The backup --------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_backup_download_streams_the_document_export_user_data_describes(alice_client, alice):
    build_a_job_search(alice)

    content = downloaded(alice_client.get(reverse("followups:export-backup")))

    assert json.loads(content) == export_user_data(alice, now=NOW)


@time_machine.travel(NOW, tick=False)
def test_two_downloads_of_the_same_data_are_byte_identical(alice_client, alice):
    build_a_job_search(alice)
    add_rows(alice, 30)

    first = downloaded(alice_client.get(reverse("followups:export-backup")))
    second = downloaded(alice_client.get(reverse("followups:export-backup")))

    assert first == second
    assert b"\n]" in first  # one row a line: readable, and still the C encoder


def test_the_streamed_backup_keeps_decimals_status_changes_digests_and_links(alice, monkeypatch):
    monkeypatch.setattr(backup, "CHUNK_SIZE", 7)  # links and ids across many chunks
    build_a_job_search(alice)
    add_rows(alice, 40)
    DigestDelivery.objects.create(owner=alice, local_date=NOW.date())

    document = json.loads(b"".join(iter_backup_json(alice, now=NOW)))

    assert document["applications"][-1]["salary_min"] == "50000.50"
    assert (
        len(document["application_status_changes"])
        == ApplicationStatusChange.objects.filter(application__owner=alice).count()
    )
    assert [d["local_date"] for d in document["digest_deliveries"]] == [NOW.date().isoformat()]
    # The 40 added contacts each link to their own application, by document id.
    added = document["contacts"][-40:]
    applications = document["applications"]
    for contact in added:
        (linked,) = contact["applications"]
        number = contact["first_name"].removeprefix("First")
        assert applications[linked - 1]["title"] == f"Engineer {number}"
    interaction = document["interactions"][-1]
    assert document["contacts"][interaction["contact"] - 1]["first_name"] == "First39"


def test_a_streamed_backup_restores_into_an_empty_account_and_exports_the_same(alice, client):
    build_a_job_search(alice)
    add_rows(alice, 25)
    content = b"".join(iter_backup_json(alice, now=NOW))
    carol = make_user("carol")
    client.force_login(carol)

    response = client.post(
        reverse("followups:restore"),
        {"file": SimpleUploadedFile("backup.json", content, "application/json")},
    )

    assert response.status_code == 302
    again = json.loads(b"".join(iter_backup_json(carol, now=NOW)))
    assert without_metadata(again) == without_metadata(json.loads(content))


def test_a_link_to_another_owners_row_is_exported_as_empty(alice, bob):
    theirs = make_application(bob, title="Not yours")
    contact = make_contact(alice, first_name="Mia")
    contact.applications.add(theirs)
    make_application(alice, title="Yours")

    document = json.loads(b"".join(iter_backup_json(alice, now=NOW)))

    assert document["contacts"][0]["applications"] == []


def peak_memory_of(consume) -> int:
    """The least Python peak of two runs (a stray allocation elsewhere, a cache filled
    once, should not decide the test)."""
    peaks = []
    for _ in range(2):
        tracemalloc.start()
        try:
            consume()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(peaks)


def test_the_backup_does_not_take_more_memory_with_twice_the_rows(alice, monkeypatch):
    monkeypatch.setattr(backup, "CHUNK_SIZE", 100)
    add_rows(alice, 600)

    def consume() -> None:
        for _ in iter_backup_json(alice, now=NOW):
            pass

    consume()  # warm: imports, query compilation caches
    with_600 = peak_memory_of(consume)
    add_rows(alice, 600)
    with_1200 = peak_memory_of(consume)

    assert with_1200 < 1.3 * with_600, (with_600, with_1200)


# The CSV exports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "resource", "model"),
    [
        ("followups:export-contacts-csv", ContactResource, Contact),
        ("followups:export-applications-csv", JobApplicationResource, JobApplication),
    ],
)
def test_a_streamed_csv_is_the_file_the_resource_writes(alice_client, alice, url, resource, model):
    add_rows(alice, 700)  # more than one piece
    make_contact(alice, first_name="=cmd()", company=make_company(alice, name="@Evil"))
    make_application(alice, title="+Danger", notes='He said "hi",\nthen left')

    content = downloaded(alice_client.get(reverse(url)))

    rows = model.objects.filter(owner=alice).select_related("company").order_by("pk")
    assert content.decode() == resource(user=alice).export(rows).csv


def test_the_contacts_csv_does_not_take_more_memory_with_twice_the_rows(alice, alice_client):
    add_rows(alice, 1000)
    url = reverse("followups:export-contacts-csv")

    def consume() -> None:
        for _ in alice_client.get(url).streaming_content:
            pass

    consume()
    with_1000 = peak_memory_of(consume)
    add_rows(alice, 1000)
    with_2000 = peak_memory_of(consume)

    assert with_2000 < 1.3 * with_1000, (with_1000, with_2000)
