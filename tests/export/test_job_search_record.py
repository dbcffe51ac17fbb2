"""Applications as CSV, and the job-search record of a date range (CSV and a printable
page): every application, status change and contact with an employer in it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from crm.spreadsheets import FORMULA_STARTS
from tests.factories import make_application, make_company, make_contact, make_interaction

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def rows_of(response) -> list[list[str]]:
    # getvalue(): the applications CSV streams, the record does not.
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


@pytest.fixture
def march_search(alice, bob):
    with time_machine.travel(MARCH, tick=False):
        acme = make_company(alice, name="Acme")
        backend = make_application(
            alice, company=acme, title="Backend Engineer", applied_on=date(2026, 3, 2)
        )
        dana = make_contact(alice, first_name="Dana", last_name="Lee", company=acme)
    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=UTC), tick=False):
        make_interaction(
            alice, contact=dana, application=backend, kind="interview", channel="video"
        )
        backend.status = "interviewing"
        backend.save()
    with time_machine.travel(datetime(2026, 4, 20, 9, 0, tzinfo=UTC), tick=False):
        backend.status = "rejected"
        backend.save()
    make_application(bob, title="Bob's job", applied_on=date(2026, 3, 3))
    return backend


def test_the_record_lists_applications_status_changes_and_contacts_in_the_range(
    alice_client, march_search
):
    url = reverse("followups:job-search-record")

    response = alice_client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "format": "csv"})

    rows = rows_of(response)
    assert rows[0][:4] == ["Date", "Employer", "Position", "What happened"]
    assert [row[:4] for row in rows[1:]] == [
        ["2026-03-02", "Acme", "Backend Engineer", "Applied"],
        ["2026-03-09", "Acme", "Backend Engineer", "Interview (from Dana Lee)"],
        ["2026-03-09", "Acme", "Backend Engineer", "Status: Applied → Interviewing"],
    ]
    assert rows[2][4:6] == ["Dana Lee", "Video call"]
    assert "Bob" not in response.content.decode()


def test_the_printable_page_shows_the_same_record(alice_client, march_search):
    page = alice_client.get(
        reverse("followups:job-search-record"), {"start": "2026-04-01", "end": "2026-04-30"}
    ).content.decode()

    assert "Status: Interviewing → Rejected" in page
    assert "Applied</td>" not in page
    assert "@media print" in page


def test_a_backwards_range_is_explained(alice_client):
    response = alice_client.get(
        reverse("followups:job-search-record"), {"start": "2026-04-01", "end": "2026-03-01"}
    )

    assert response.status_code == 400
    assert "must be on or before" in response.content.decode()


def test_the_applications_csv_holds_alices_applications_formula_safe(alice_client, alice, bob):
    make_application(alice, company=make_company(alice, name="=cmd|' /C calc'!A0"), title="@SUM(1)")
    make_application(bob, title="Bob's job")

    rows = rows_of(alice_client.get(reverse("followups:export-applications-csv")))

    assert rows[0][:3] == ["company", "title", "status"]
    assert len(rows) == 2
    assert rows[1][:2] == ["'=cmd|' /C calc'!A0", "'@SUM(1)"]
    assert not any(c.startswith(FORMULA_STARTS) for row in rows for c in row)


def test_the_record_csv_is_formula_safe(alice_client, alice):
    make_application(
        alice, company=make_company(alice, name="+Evil"), title="-1+1", applied_on=date.today()
    )

    rows = rows_of(
        alice_client.get(
            reverse("followups:job-search-record"),
            {"start": date.today().isoformat(), "end": date.today().isoformat(), "format": "csv"},
        )
    )

    assert rows[1][1:3] == ["'+Evil", "'-1+1"]
