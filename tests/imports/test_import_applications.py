"""Importing applications from another tracker's CSV, with a column-mapping step."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.importers import commit_applications, parse_applications, plan_applications
from crm.models import Company, JobApplication
from tests.factories import make_application, make_company

# Column names as a Huntr/Teal-style tracker writes them, semicolon-separated as a
# European Excel saves it.
TRACKER_EXPORT = (
    b"Employer;Job Position;Stage;Date Applied;Job Link;Comments\r\n"
    b"Acme Corp;Backend Engineer;Interview;05 Nov 2024;https://acme.example/jobs/1;"
    b'"Phone screen went well; second round next week"\r\n'
    b"Globex;Data Engineer;Applied;2024-10-01;;\r\n"
    b"Initech;Platform Engineer;Ghosted;2024-09-15;;\r\n"
    b"acme corp;SRE;Not Selected;14/10/2024;;\r\n"
)


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def guessed_plan(owner, raw=TRACKER_EXPORT):
    return plan_applications(owner, raw, parse_applications(raw).guess_mapping())


def test_the_columns_of_other_trackers_are_recognised():
    mapping = parse_applications(TRACKER_EXPORT).guess_mapping()

    assert mapping == {
        "company": 0,
        "title": 1,
        "status": 2,
        "applied_on": 3,
        "posting_url": 4,
        "notes": 5,
        # The posting's columns (crm/capture/): none in this file.
        "location": None,
        "remote": None,
        "salary_min": None,
        "salary_max": None,
        "salary_currency": None,
        "salary_period": None,
        "closing_date": None,
        "source": None,
        "employment_type": None,
        "description": None,
    }


def test_known_status_words_are_translated_and_unknown_ones_reported(alice):
    plan = guessed_plan(alice)

    assert [row.status for row in plan.rows] == ["new", "new", "new", "new"]
    assert [c.get("status") for c in plan.cleaned] == [
        "interviewing",
        "applied",
        "applied",  # Ghosted: no answer yet, so the check-in rule still reminds you
        "rejected",
    ]
    unknown = guessed_plan(alice, b"Company,Title,Status\nAcme,Engineer,Parked\n")
    assert "Unknown status “Parked”" in unknown.rows[0].errors[0]


def test_confirming_creates_the_applications_with_their_companies(alice):
    make_company(alice, name="ACME CORP")

    result = commit_applications(guessed_plan(alice))

    assert (result.created, result.updated, result.rejected) == (4, 0, 0)
    backend = JobApplication.objects.get(owner=alice, title="Backend Engineer")
    assert backend.company.name == "ACME CORP"
    assert backend.status == "interviewing"
    assert backend.applied_on == date(2024, 11, 5)
    assert backend.posting_url == "https://acme.example/jobs/1"
    assert backend.notes == "Phone screen went well; second round next week"
    sre = JobApplication.objects.get(owner=alice, title="SRE")
    assert sre.applied_on == date(2024, 10, 14)
    assert Company.objects.filter(owner=alice).count() == 3


def test_an_existing_application_is_matched_and_updated(alice):
    existing = make_application(
        alice, company=make_company(alice, name="Globex"), title="data engineer", status="wishlist"
    )

    plan = guessed_plan(alice)
    result = commit_applications(plan)

    assert plan.rows[1].status == "match"
    assert result.updated == 1
    existing.refresh_from_db()
    assert existing.status == "applied"
    assert JobApplication.objects.filter(owner=alice, company__name="Globex").count() == 1


def test_an_ambiguous_date_is_asked_not_guessed(alice):
    raw = b"Company,Title,Date Applied\nAcme,Engineer,03/04/2024\n"

    plan = guessed_plan(alice, raw)

    assert plan.date_order_needed
    assert any("day/month or month/day" in w for w in plan.rows[0].warnings)


def test_rows_without_company_or_title_are_rejected(alice):
    raw = b"Company,Title\n,Engineer\nAcme,\n"

    plan = guessed_plan(alice, raw)

    assert [row.errors for row in plan.rows] == [["Company is empty."], ["Job title is empty."]]


# Pages ------------------------------------------------------------------------------


def test_the_mapping_step_guesses_columns_and_the_preview_follows_the_choice(alice_client, alice):
    raw = b"Org,Role,Where\nAcme,Engineer,https://acme.example/1\n"
    response = alice_client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("apps.csv", raw)},
    )
    assert response["Location"] == reverse("contacts:import-map")
    mapping_page = alice_client.get(response["Location"]).content.decode()
    assert '<option value="0" selected>Org</option>' in mapping_page
    assert "Where" in mapping_page

    response = alice_client.post(
        reverse("contacts:import-map"),
        {"company": "0", "title": "1", "posting_url": "2", "status": "", "applied_on": ""},
    )
    preview_url = reverse("contacts:import-preview", kwargs={"kind": "applications"})
    assert response["Location"] == preview_url
    preview = alice_client.get(preview_url).content.decode()
    assert "https://acme.example/1" in preview
    assert not JobApplication.objects.exists()

    alice_client.post(preview_url)

    application = JobApplication.objects.get(owner=alice)
    assert application.posting_url == "https://acme.example/1"
    assert application.status == "applied"


def test_the_mapping_step_requires_company_and_title(alice_client):
    alice_client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("apps.csv", b"Company,Title\nAcme,Engineer\n")},
    )

    response = alice_client.post(reverse("contacts:import-map"), {"company": "0", "title": ""})

    assert response.status_code == 200
    assert "Choose the column that holds the job title" in response.content.decode()
