"""The import pages: upload, preview with per-row results, confirm, cancel."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from crm.models import Company
from tests.factories import make_contact
from tests.imports.test_import_linkedin import FIRST_EXPORT, linkedin_file


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.IMPORT_STAGING_DIR


def upload(client, kind: str, content: bytes, name: str = "Connections.csv"):
    return client.post(
        reverse("contacts:import-upload", kwargs={"kind": kind}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


PREVIEW = reverse("contacts:import-preview", kwargs={"kind": "linkedin"})


def test_the_import_page_offers_both_imports(alice_client):
    page = alice_client.get(reverse("contacts:import")).content.decode()

    assert "LinkedIn connections" in page
    assert "Applications" in page
    assert reverse("contacts:import-upload", kwargs={"kind": "linkedin"}) in page


def test_the_short_address_leads_to_the_import_page(alice_client):
    response = alice_client.get("/import/")

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:import")


def test_the_import_pages_need_a_login(client):
    response = client.get(reverse("contacts:import"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_uploading_shows_each_row_without_saving_anything(alice_client, alice):
    make_contact(alice, first_name="Tom", last_name="Berg", email="tom@example.com")

    response = upload(alice_client, "linkedin", FIRST_EXPORT)
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()

    assert "Priya" in page and "Lena" in page
    assert "2 new" in page
    assert "1 match existing" in page
    assert "Matches existing" in page
    assert "new company" in page
    assert "Import 3 contacts" in page
    assert Contact.objects.filter(owner=alice).count() == 1
    assert not Company.objects.filter(owner=alice).exists()


def test_rejected_rows_show_their_reason_in_the_preview(alice_client):
    upload(alice_client, "linkedin", linkedin_file(",,https://www.linkedin.com/in/x,,,,"))

    page = alice_client.get(PREVIEW).content.decode()

    assert "1 rejected" in page
    assert "No name" in page


def test_confirming_imports_the_rows_and_forgets_the_file(alice_client, alice, staging_dir):
    upload(alice_client, "linkedin", FIRST_EXPORT)

    response = alice_client.post(PREVIEW, follow=True)

    assert "Created 3 contacts, updated 0, rejected 0" in response.content.decode()
    assert Contact.objects.filter(owner=alice).count() == 3
    assert list(staging_dir.iterdir()) == []
    again = alice_client.post(PREVIEW, follow=True)
    assert "Upload a file first" in again.content.decode()
    assert Contact.objects.filter(owner=alice).count() == 3


def test_cancelling_writes_nothing(alice_client, alice, staging_dir):
    upload(alice_client, "linkedin", FIRST_EXPORT)

    alice_client.post(reverse("contacts:import-cancel", kwargs={"kind": "linkedin"}))

    assert alice_client.post(PREVIEW).status_code == 302
    assert not Contact.objects.filter(owner=alice).exists()
    assert list(staging_dir.iterdir()) == []


def test_another_user_cannot_confirm_someone_elses_upload(alice_client, alice, bob):
    upload(alice_client, "linkedin", FIRST_EXPORT)
    bob_client = Client()
    bob_client.force_login(bob)

    response = bob_client.post(PREVIEW, follow=True)

    assert "Upload a file first" in response.content.decode()
    assert not Contact.objects.exists()
    assert "3 new" in alice_client.get(PREVIEW).content.decode()


def test_a_database_failure_during_confirm_leaves_nothing_half_imported(
    alice_client, alice, monkeypatch
):
    upload(alice_client, "linkedin", FIRST_EXPORT)

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated failure after the companies were written")

    monkeypatch.setattr(Contact.objects, "bulk_create", refuse)
    response = alice_client.post(PREVIEW, follow=True)

    assert "Nothing was imported" in response.content.decode()
    assert not Company.objects.filter(owner=alice).exists()
    assert not Contact.objects.filter(owner=alice).exists()


def test_the_preview_is_paginated_for_large_files(alice_client):
    rows = [f"P{n},Q,https://www.linkedin.com/in/p{n},,,,01 Jan 2024" for n in range(250)]
    upload(alice_client, "linkedin", linkedin_file(*rows))

    first = alice_client.get(PREVIEW).content.decode()
    third = alice_client.get(PREVIEW + "?page=3").content.decode()

    assert "Page 1 of 3" in first
    assert "P0 Q" in first and "P249 Q" not in first
    assert "P249 Q" in third
