"""The duplicate check, on every way an application is created: the form, capture and
the CSV import. Same URL, or same company and title within 90 days, is flagged before
anything is saved."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from contacts.importers import commit_applications, parse_applications, plan_applications
from crm.models import JobApplication
from tests.factories import make_application, make_company

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def new_application(client, **fields):
    data = {"company_name": "Acme", "title": "Backend Engineer", "status": "applied"}
    data.update(fields)
    return client.post(reverse("crm:application-create"), data)


def test_the_same_company_and_title_within_90_days_is_flagged_before_saving(alice, alice_client):
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC)):
        existing = make_application(
            alice, company=make_company(alice, name="Acme"), applied_on=date(2026, 3, 5)
        )

    response = new_application(alice_client, company_name="acme", title="backend engineer")

    assert response.status_code == 200
    page = response.content.decode()
    assert "You already have the same job at the same company" in page
    assert "You saved this on 3 Mar; you applied on 5 Mar." in page
    assert reverse("crm:application-detail", args=[existing.pk]) in page
    assert JobApplication.objects.count() == 1


def test_ticking_save_anyway_saves_a_second_opening(alice, alice_client):
    make_application(alice, company=make_company(alice, name="Acme"))

    response = new_application(alice_client, save_anyway="on")

    assert response.status_code == 302
    assert JobApplication.objects.count() == 2


def test_the_same_title_more_than_90_days_ago_is_not_a_duplicate(alice, alice_client):
    with time_machine.travel(datetime(2025, 11, 1, 9, tzinfo=UTC)):
        make_application(
            alice, company=make_company(alice, name="Acme"), applied_on=date(2025, 11, 1)
        )

    assert new_application(alice_client).status_code == 302


def test_the_same_posting_url_is_refused_on_the_url_field(alice, alice_client):
    make_application(alice, posting_url="https://acme.example/jobs/1")

    response = new_application(
        alice_client, title="Other title", posting_url="https://acme.example/jobs/1#apply"
    )

    assert response.status_code == 200
    assert "You already have this posting" in response.context["form"].errors["posting_url"][0]
    assert JobApplication.objects.count() == 1


def test_editing_an_application_does_not_flag_itself(alice, alice_client):
    application = make_application(
        alice, company=make_company(alice, name="Acme"), posting_url="https://acme.example/j"
    )

    response = alice_client.post(
        reverse("crm:application-edit", args=[application.pk]),
        {
            "company_name": "Acme",
            "title": "Backend Engineer",
            "status": "interviewing",
            "posting_url": "https://acme.example/j",
        },
    )

    assert response.status_code == 302


def test_bobs_applications_are_never_duplicates_of_alices(alice_client, bob):
    make_application(bob, company=make_company(bob, name="Acme"), posting_url="https://a.example/1")

    assert new_application(alice_client, posting_url="https://a.example/1").status_code == 302


def test_the_database_keeps_one_application_per_posting_url_and_owner(alice, bob):
    make_application(alice, posting_url="https://acme.example/jobs/1")
    make_application(bob, posting_url="https://acme.example/jobs/1")
    make_application(alice, posting_url="")
    make_application(alice, posting_url="")

    with pytest.raises(IntegrityError):
        make_application(alice, posting_url="https://acme.example/jobs/1")


def test_the_capture_review_warns_about_the_same_job_saved_without_a_link(
    alice, alice_client, capture_settings, posting_server
):
    make_application(
        alice, company=make_company(alice, name="Acme Robotics"), title="Senior Backend Engineer"
    )

    response = alice_client.post(
        reverse("crm:capture"), {"url": f"{posting_server.base}/jobs/backend"}
    )

    assert 'id="duplicate-warning"' in response.content.decode()
    assert "You already have the same job at the same company" in response.content.decode()


CSV = (
    b"Company,Job Title,Status,URL,Location,Salary min,Salary max,Currency,Closing date\r\n"
    b"Acme,Backend Engineer,Wishlist,https://acme.example/jobs/1,Berlin,70000,90000,EUR,"
    b"2026-03-31\r\n"
    b"Globex,Data Engineer,Applied,https://globex.example/7,,,,,\r\n"
    b"Initech,Designer,Applied,https://globex.example/7,,,,,\r\n"
)


def test_an_import_row_that_repeats_an_application_is_flagged_in_the_preview(alice):
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC)):
        make_application(alice, posting_url="https://acme.example/jobs/1", status="wishlist")

    plan = plan_applications(alice, CSV, parse_applications(CSV).guess_mapping())

    first, second, third = plan.rows
    assert first.status == "match"
    assert "Already in your applications. You saved this on 3 Mar." in first.warnings
    assert second.status == "new"
    assert third.is_rejected
    assert "The same posting URL as line 3." in third.errors


def test_the_import_pages_carry_the_posting_columns_and_show_the_duplicate(
    alice, alice_client, tmp_path, settings
):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC)):
        make_application(alice, posting_url="https://acme.example/jobs/1", status="wishlist")
    raw = CSV[: CSV.index(b"Globex")]
    alice_client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("apps.csv", raw)},
    )
    mapping = parse_applications(raw).guess_mapping()
    alice_client.post(
        reverse("contacts:import-map"),
        {name: "" if index is None else str(index) for name, index in mapping.items()},
    )
    preview_url = reverse("contacts:import-preview", kwargs={"kind": "applications"})

    preview = alice_client.get(preview_url).content.decode()
    assert "Already in your applications. You saved this on 3 Mar." in preview

    alice_client.post(preview_url)
    application = JobApplication.objects.get(owner=alice)
    assert application.location == "Berlin"
    assert (application.salary_min, application.salary_max) == (70000, 90000)
    assert application.salary_currency == "EUR"
    assert application.closing_date == date(2026, 3, 31)


def import_preview(client, raw: bytes) -> str:
    """Upload a CSV on the import pages, keep the guessed columns: the preview page."""
    client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("apps.csv", raw)},
    )
    mapping = parse_applications(raw).guess_mapping()
    client.post(
        reverse("contacts:import-map"),
        {name: "" if index is None else str(index) for name, index in mapping.items()},
    )
    return client.get(reverse("contacts:import-preview", kwargs={"kind": "applications"}))


def confirm_import(client):
    return client.post(reverse("contacts:import-preview", kwargs={"kind": "applications"}))


@pytest.fixture
def staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def test_an_import_row_of_a_job_saved_within_90_days_is_flagged_and_updates_it(
    alice, alice_client, staging
):
    with time_machine.travel(datetime(2026, 1, 20, 9, tzinfo=UTC)):
        existing = make_application(
            alice, company=make_company(alice, name="Acme"), title="Backend Engineer"
        )
    raw = b"Company,Job Title,Status,Location\r\nACME,backend engineer,Applied,Berlin\r\n"

    preview = import_preview(alice_client, raw).content.decode()
    confirm_import(alice_client)

    assert "Already in your applications. You saved this on 20 Jan." in preview
    existing.refresh_from_db()
    assert (existing.status, existing.location) == ("applied", "Berlin")
    assert JobApplication.objects.filter(owner=alice).count() == 1


def test_an_import_row_of_a_job_saved_more_than_90_days_ago_is_a_new_application(
    alice, alice_client, staging
):
    with time_machine.travel(datetime(2025, 11, 1, 9, tzinfo=UTC)):
        old = make_application(
            alice,
            company=make_company(alice, name="Acme"),
            title="Backend Engineer",
            status="rejected",
            applied_on=date(2025, 11, 1),
        )
    raw = b"Company,Job Title,Status\r\nAcme,Backend Engineer,Wishlist\r\n"

    preview = import_preview(alice_client, raw).content.decode()
    confirm_import(alice_client)

    assert "Already in your applications" not in preview
    assert (
        "You have this job from 1 Nov 2025, more than 90 days apart: "
        "this row adds a new application." in preview
    )
    assert JobApplication.objects.filter(owner=alice).count() == 2
    old.refresh_from_db()
    assert old.status == "rejected"


def test_a_trackers_history_imported_again_months_later_matches_by_its_applied_dates(alice):
    raw = b"Company,Job Title,Status,Date Applied\r\nAcme,Backend Engineer,Applied,2025-05-20\r\n"
    with time_machine.travel(datetime(2025, 6, 1, 9, tzinfo=UTC)):
        commit_applications(plan_applications(alice, raw, parse_applications(raw).guess_mapping()))

    plan = plan_applications(alice, raw, parse_applications(raw).guess_mapping())

    assert plan.rows[0].status == "match"


def test_one_file_may_hold_a_reapplication_months_after_the_first(alice):
    raw = (
        b"Company,Job Title,Status,Date Applied\r\n"
        b"Acme,Backend Engineer,Rejected,2025-01-10\r\n"
        b"Acme,Backend Engineer,Applied,2025-09-01\r\n"
        b"Acme,Backend Engineer,Applied,2025-09-20\r\n"
    )

    plan = plan_applications(alice, raw, parse_applications(raw).guess_mapping())

    first, second, third = plan.rows
    assert not first.is_rejected and not second.is_rejected
    assert "The same company and job title as line 3." in third.errors


def test_the_form_flags_an_application_logged_late_beside_the_same_old_one(alice, alice_client):
    with time_machine.travel(datetime(2025, 11, 1, 9, tzinfo=UTC)):
        make_application(
            alice, company=make_company(alice, name="Acme"), applied_on=date(2025, 11, 1)
        )

    late = new_application(alice_client, applied_on="2025-11-03")
    other = new_application(alice_client, applied_on="2025-06-01")

    assert "You already have the same job at the same company" in late.content.decode()
    assert other.status_code == 302
    assert JobApplication.objects.count() == 2
