"""Extreme input answers with a message, never a 500 (issue 13, item 7): every date the
app accepts lies within 1970-2200, checked in the model layer so every path gets it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_q.conf import Conf

from contacts.models import Contact, Interaction
from crm.models import JobApplication, Profile
from followups.export.backup import export_json
from followups.models import FollowUp
from tests.factories import PASSWORD, make_application, make_contact, make_followup, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def restores_run_inline(monkeypatch, settings, tmp_path):
    """The restore's worker task runs in the request (django-q2's `sync`)."""
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.RESTORE_DIR = tmp_path / "restores"


@pytest.fixture
def safe_client(alice):
    """Answers a server error with its 500 page instead of raising it into the test."""
    client = Client(raise_request_exception=False)
    client.login(username="alice", password=PASSWORD)
    return client


def test_an_application_applied_on_9999_12_31_is_refused_with_a_message(safe_client):
    response = safe_client.post(
        reverse("crm:application-create"),
        {
            "company_name": "Acme",
            "title": "Engineer",
            "status": "applied",
            "applied_on": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "between 1970 and 2200" in response.content.decode()
    assert not JobApplication.objects.exists()


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"])
def test_an_interaction_at_9999_12_31_23_59_is_refused_with_a_message(safe_client, alice, zone):
    Profile.objects.filter(user=alice).update(time_zone=zone)
    contact = make_contact(alice)
    response = safe_client.post(
        reverse("contacts:log-interaction", args=[contact.pk]),
        {
            "direction": "inbound",
            "kind": "other",
            "channel": "email",
            "occurred_at": "9999-12-31T23:59",
        },
    )
    assert response.status_code == 200, response.content[:300]
    assert "between 1970 and 2200" in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_date_outside_1970_2200_is_refused_by_the_models(alice):
    contact = make_contact(alice)
    for row in (
        JobApplication(
            owner=alice,
            company=contact.company or make_application(alice).company,
            title="T",
            applied_on=date(1969, 12, 31),
        ),
        FollowUp(owner=alice, kind="custom", due_at="9999-01-01T00:00Z"),
    ):
        with pytest.raises(ValidationError, match="between 1970 and 2200"):
            row.full_clean()


def _restore(client: Client, document) -> str:
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    response = client.post(
        reverse("followups:restore"),
        {"file": SimpleUploadedFile("backup.json", content, "application/json")},
        follow=True,  # to the restore's page (the worker's task runs inline here)
    )
    assert response.status_code in (200, 400), response.status_code
    return response.content.decode()


def _backup_of_a_small_account() -> dict:
    carol = make_user("carol")
    contact = make_contact(carol, first_name="Dana")
    make_application(carol, company=contact.company)
    make_followup(carol, contact=contact)
    return json.loads(export_json(carol))


def test_a_restore_nested_100000_deep_names_the_depth_limit(safe_client):
    page = _restore(safe_client, b"[" * 100_000 + b"]" * 100_000)
    assert "more than 20 levels deep" in page


def test_a_restore_with_applications_5_on_a_contact_names_the_row(safe_client):
    document = _backup_of_a_small_account()
    document["contacts"][0]["applications"] = 5
    page = _restore(safe_client, document)
    assert "contacts row" in page and "applications" in page
    assert not Contact.objects.filter(owner__username="alice").exists()


def test_a_restored_follow_up_due_in_9999_is_refused(safe_client, alice):
    document = _backup_of_a_small_account()
    document["followups"][0]["due_at"] = "9999-12-31T23:59:00+00:00"
    page = _restore(safe_client, document)
    assert "between 1970 and 2200" in page
    assert not FollowUp.objects.filter(owner=alice).exists()
    assert safe_client.get("/").status_code == 200


def test_a_twenty_digit_id_answers_404(safe_client):
    for name in ("contacts:detail", "crm:application-detail", "followups:draft"):
        url = reverse(name, args=[99999999999999999999])
        assert safe_client.get(url).status_code == 404, url
        assert safe_client.post(url).status_code in (404, 405), url


def test_a_twenty_digit_id_in_the_admin_and_in_a_form_answers_without_a_500(safe_client, alice):
    from crm.accounts import enable_admin_editing

    enable_admin_editing(alice)
    huge = "99999999999999999999"
    for url in (
        f"/admin/contacts/contact/{huge}/change/",
        f"/admin/r/{huge}/{huge}/",
        f"/admin/contacts/contact/?company__id__exact={huge}",
    ):
        assert safe_client.get(url).status_code in (200, 302, 404), url
    contact = make_contact(alice)
    response = safe_client.post(
        reverse("contacts:log-interaction", args=[contact.pk]),
        {
            "direction": "inbound",
            "kind": "other",
            "channel": "email",
            "occurred_at": "2026-01-05T10:00",
            "application": huge,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("kind", ["linkedin", "applications"])
def test_a_nul_byte_deep_in_an_import_csv_is_a_message(safe_client, settings, tmp_path, kind):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    filler = "".join(f"Acme {n},Engineer {n},applied\r\n" for n in range(300))  # > 4,000 chars
    content = ("Company,Title,Status\r\n" + filler + "Glo\x00bex,Analyst,applied\r\n").encode()
    if kind == "linkedin":
        from tests.imports.test_import_linkedin import LINKEDIN_HEADER

        rows = "".join(
            f"Ana{n},Lee,https://www.linkedin.com/in/a{n},,Acme,Dev,05 Nov 2024\r\n"
            for n in range(100)
        )
        content = (LINKEDIN_HEADER + rows + "Bo\x00b,X,,,Acme,Dev,05 Nov 2024\r\n").encode()
    response = safe_client.post(
        reverse("contacts:import-upload", kwargs={"kind": kind}),
        {"file": SimpleUploadedFile("rows.csv", content, content_type="text/csv")},
    )
    if response.status_code == 302:  # staged: the preview and the import must cope too
        response = safe_client.post(reverse("contacts:import-preview", kwargs={"kind": kind}))
    assert response.status_code == 400, response.status_code
    assert "NUL character" in response.content.decode()
    assert not Contact.objects.exists() and not JobApplication.objects.exists()
