"""The posting's fields outside the capture pages: the admin, the CSV export and import,
and the JSON backup."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.importers import commit_applications, parse_applications, plan_applications
from crm.accounts import enable_admin_editing
from crm.models import JobApplication
from crm.resources import JobApplicationResource
from followups.export.backup import export_json, restore_user_data
from tests.factories import PASSWORD, make_application, make_company, make_user

pytestmark = pytest.mark.django_db

POSTING = {
    "location": "Porto",
    "remote": "hybrid",
    "employment_type": "PART_TIME",
    "salary_min": Decimal("41.50"),
    "salary_max": Decimal("48.00"),
    "salary_currency": "EUR",
    "salary_period": "hour",
    "closing_date": date(2026, 4, 30),
    "source": "Company site",
    "description": "Part-time data work.",
}


def test_the_admin_refuses_a_second_application_with_the_same_url_with_a_message(alice, client):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    company = make_company(alice, name="Acme")
    make_application(alice, company=company, posting_url="https://acme.example/jobs/1")

    response = client.post(
        reverse("admin:crm_jobapplication_add"),
        {
            "company": company.pk,
            "title": "Other",
            "status": "applied",
            "posting_url": "https://acme.example/jobs/1",
        },
    )

    assert response.status_code == 200
    assert "already has this posting URL" in response.content.decode()
    assert JobApplication.objects.count() == 1


def test_the_admin_list_shows_location_and_closing_date(alice, client):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    make_application(alice, **POSTING)

    page = client.get(reverse("admin:crm_jobapplication_changelist")).content.decode()

    assert "Porto" in page
    assert "April 30, 2026" in page or "Apr. 30, 2026" in page


def test_the_csv_export_carries_the_posting_columns(alice):
    make_application(alice, **POSTING)

    exported = JobApplicationResource(user=alice).export(JobApplication.objects.all())

    row = dict(zip(exported.headers, exported[0], strict=True))
    assert row["location"] == "Porto"
    assert row["remote"] == "hybrid"
    assert row["salary_min"] == "41.50"
    assert row["closing_date"] == "2026-04-30"
    assert row["description"] == "Part-time data work."


def test_the_json_backup_carries_the_posting_fields_and_restores_them(alice):
    make_application(alice, title="Analyst", posting_url="https://acme.example/a", **POSTING)

    document = export_json(alice)
    [saved] = json.loads(document)["applications"]
    assert saved["salary_min"] == "41.50"
    assert saved["closing_date"] == "2026-04-30"

    carol = make_user("carol")
    restore_user_data(carol, json.loads(document))
    restored = JobApplication.objects.get(owner=carol)
    assert {name: getattr(restored, name) for name in POSTING} == POSTING
    assert restored.posting_url == "https://acme.example/a"


def test_the_application_page_and_the_list_show_what_the_posting_says(alice, alice_client):
    application = make_application(alice, title="Analyst", **POSTING)

    detail = alice_client.get(reverse("crm:application-detail", args=[application.pk]))
    listing = alice_client.get(reverse("crm:application-list"))

    page = detail.content.decode()
    assert "Porto · Hybrid" in page
    assert "Part time" in page
    assert "41.50–48 EUR per hour" in page
    assert "Thu 30 Apr 2026" in page
    assert "Company site" in page
    assert "Part-time data work." in page
    assert "Porto · Hybrid" in listing.content.decode()
    assert "2026-04-30" in listing.content.decode()


def test_the_application_form_edits_the_posting_fields(alice, alice_client):
    application = make_application(alice, title="Analyst")

    response = alice_client.post(
        reverse("crm:application-edit", args=[application.pk]),
        {
            "company_name": application.company.name,
            "title": "Analyst",
            "status": "wishlist",
            "location": "Porto",
            "remote": "hybrid",
            "salary_min": "41.50",
            "salary_max": "48",
            "salary_currency": "eur",
            "salary_period": "hour",
            "closing_date": "2026-04-30",
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.salary_currency, application.salary_max) == ("EUR", Decimal("48"))
    assert application.closing_date == date(2026, 4, 30)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"salary_min": "90", "salary_max": "80"}, "salary_max", "below the minimum"),
        ({"salary_currency": "E1"}, "salary_currency", "three-letter currency code"),
        ({"salary_min": "-3"}, "salary_min", "greater than or equal to 0"),
        ({"remote": "moon"}, "remote", "Select a valid choice"),
    ],
)
def test_bad_posting_values_get_a_field_error(alice, alice_client, fields, field, message):
    data = {"company_name": "Acme", "title": "Analyst", "status": "wishlist", **fields}

    response = alice_client.post(reverse("crm:application-create"), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not JobApplication.objects.exists()


@pytest.mark.parametrize(
    ("fields", "where", "salary"),
    [
        ({}, "", ""),
        ({"remote": "remote"}, "Remote", ""),
        ({"location": "Oslo"}, "Oslo", ""),
        ({"salary_max": Decimal("60000"), "salary_currency": "NOK"}, "", "up to 60,000 NOK"),
        ({"salary_min": Decimal("550"), "salary_max": Decimal("550")}, "", "550"),
        ({"salary_min": Decimal("1234.5")}, "", "1,234.50"),
    ],
)
def test_the_posting_facts_read_as_a_person_writes_them(alice, fields, where, salary):
    application = make_application(alice, **fields)

    assert (application.where_text, application.salary_text) == (where, salary)


def test_the_applications_csv_export_imports_back_with_every_posting_field(
    alice, alice_client, settings, tmp_path
):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    make_application(alice, title="Data Engineer", notes="Met them at PyCon", **POSTING)
    exported = alice_client.get(reverse("followups:export-applications-csv")).getvalue()
    JobApplication.objects.all().delete()

    upload = alice_client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("applications.csv", exported)},
    )
    assert upload.status_code == 302
    mapping = parse_applications(exported).guess_mapping()
    alice_client.post(
        reverse("contacts:import-map"),
        {name: "" if index is None else str(index) for name, index in mapping.items()},
    )
    preview = reverse("contacts:import-preview", kwargs={"kind": "applications"})
    assert alice_client.get(preview).status_code == 200
    alice_client.post(preview)

    imported = JobApplication.objects.get(owner=alice)
    assert {name: getattr(imported, name) for name in POSTING} == POSTING
    assert imported.notes == "Met them at PyCon"


def test_an_import_reads_employment_type_and_the_job_description(alice):
    raw = (
        b"Company,Job Title,Job type,Job description\r\n"
        b'Acme,Engineer,Part-time,"<p>Build <b>robots</b></p><script>x()</script>"\r\n'
        b"Globex,Analyst,Gig,\r\n"
    )

    plan = plan_applications(alice, raw, parse_applications(raw).guess_mapping())
    commit_applications(plan)

    acme = JobApplication.objects.get(title="Engineer")
    assert (acme.employment_type, acme.description) == ("PART_TIME", "Build robots")
    assert "Employment type “Gig” not understood: left empty." in plan.rows[1].warnings
