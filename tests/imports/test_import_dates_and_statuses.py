"""Dates and statuses as other tools write them: the date order inferred per file (asked
once when the file never says), both importers alike; other trackers' status words
mapped and changeable in the preview; URLs pasted without https://."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.importers import (
    ImportFileError,
    commit_applications,
    import_linkedin,
    parse_applications,
    plan_applications,
    plan_linkedin,
)
from contacts.models import Contact
from crm.models import JobApplication

LINKEDIN_HEADER = [
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
]


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def applications(*rows: list[str]) -> bytes:
    return csv_bytes([["Company", "Job Title", "Status", "Date Applied", "Link"], *rows])


def connections(*dates: str) -> bytes:
    return csv_bytes(
        [LINKEDIN_HEADER]
        + [
            [f"P{i}", "Lee", f"https://www.linkedin.com/in/p{i}", "", "Acme", "Dev", d]
            for i, d in enumerate(dates)
        ]
    )


def plan_for(owner, raw: bytes, **kwargs):
    return plan_applications(owner, raw, parse_applications(raw).guess_mapping(), **kwargs)


def connected_on(owner, first_name: str) -> str:
    return Contact.objects.get(owner=owner, first_name=first_name).notes


# Date order -------------------------------------------------------------------------


def test_a_google_sheets_file_is_month_first_when_one_row_proves_it(alice):
    raw = applications(
        ["Acme", "Dev", "Applied", "05/01/2024", ""],
        ["Globex", "SRE", "Applied", "1/22/2024", ""],
    )

    plan = plan_for(alice, raw)
    commit_applications(plan)

    assert not plan.date_order_needed
    assert dict(JobApplication.objects.values_list("title", "applied_on")) == {
        "Dev": date(2024, 5, 1),
        "SRE": date(2024, 1, 22),
    }


def test_linkedin_dates_follow_the_file_just_like_applications(alice):
    import_linkedin(alice, connections("05/01/2024", "22/01/2024"))

    assert connected_on(alice, "P0") == "Connected on LinkedIn on 05 Jan 2024."
    assert connected_on(alice, "P1") == "Connected on LinkedIn on 22 Jan 2024."


def test_a_file_that_never_says_asks_once_and_imports_nothing_before(alice):
    raw = applications(["Acme", "Dev", "Applied", "05/01/2024", ""])

    plan = plan_for(alice, raw)

    assert plan.date_order_needed
    with pytest.raises(ImportFileError, match="choose the date order"):
        commit_applications(plan)
    assert not JobApplication.objects.exists()
    linkedin = plan_linkedin(alice, connections("05/01/2024"))
    assert linkedin.date_order_needed


def test_the_preview_asks_the_date_order_and_imports_with_the_answer(alice_client, alice):
    raw = connections("05/01/2024", "03/04/2024")
    alice_client.post(
        reverse("contacts:import-upload", kwargs={"kind": "linkedin"}),
        {"file": SimpleUploadedFile("Connections.csv", raw)},
    )
    preview_url = reverse("contacts:import-preview", kwargs={"kind": "linkedin"})

    page = alice_client.get(preview_url).content.decode()
    assert "Every date in this file could be day/month or month/day" in page
    refused = alice_client.post(preview_url, follow=True)
    assert "Choose the date order first" in refused.content.decode()
    assert not Contact.objects.exists()

    alice_client.post(
        reverse("contacts:import-choices", kwargs={"kind": "linkedin"}), {"date_order": "mdy"}
    )
    page = alice_client.get(preview_url).content.decode()
    assert "Every date in this file could be" not in page
    alice_client.post(preview_url)

    assert connected_on(alice, "P0") == "Connected on LinkedIn on 01 May 2024."
    assert connected_on(alice, "P1") == "Connected on LinkedIn on 04 Mar 2024."


def test_the_command_needs_the_date_order_only_when_the_file_never_says(alice, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(connections("05/01/2024"))

    with pytest.raises(CommandError, match="--date-order"):
        call_command("import_linkedin", str(path), "--user", "alice")
    call_command(
        "import_linkedin", str(path), "--user", "alice", "--date-order", "dmy", stdout=io.StringIO()
    )

    assert connected_on(alice, "P0") == "Connected on LinkedIn on 05 Jan 2024."


# Status words of other trackers -----------------------------------------------------


def test_other_trackers_status_words_are_understood(alice):
    raw = applications(
        ["Acme", "A", "Ghosted", "", ""],
        ["Acme", "B", "Interview scheduled", "", ""],
        ["Acme", "C", "No Response", "", ""],
        ["Acme", "D", "Applying", "", ""],
        ["Acme", "E", "Not Selected", "", ""],
        ["Acme", "F", "Bookmarked", "", ""],
    )

    commit_applications(plan_for(alice, raw))

    assert dict(JobApplication.objects.values_list("title", "status")) == {
        "A": "applied",
        "B": "interviewing",
        "C": "applied",
        "D": "wishlist",
        "E": "rejected",
        "F": "wishlist",
    }


def test_the_preview_shows_the_status_mapping_and_the_user_can_change_it(alice_client, alice):
    raw = applications(["Acme", "A", "Ghosted", "", ""], ["Acme", "B", "Parked", "", ""])
    alice_client.post(
        reverse("contacts:import-upload", kwargs={"kind": "applications"}),
        {"file": SimpleUploadedFile("tracker.csv", raw)},
    )
    mapping = parse_applications(raw).guess_mapping()
    alice_client.post(
        reverse("contacts:import-map"),
        {k: "" if v is None else str(v) for k, v in mapping.items()},
    )
    preview_url = reverse("contacts:import-preview", kwargs={"kind": "applications"})

    page = alice_client.get(preview_url).content.decode()
    assert "“Ghosted” means" in page
    assert '<option value="applied" selected>Applied</option>' in page
    assert "Unknown status “Parked”" in page

    alice_client.post(
        reverse("contacts:import-choices", kwargs={"kind": "applications"}),
        {"status_0": "rejected", "status_1": "wishlist"},
    )
    alice_client.post(preview_url)

    assert dict(JobApplication.objects.values_list("title", "status")) == {
        "A": "rejected",
        "B": "wishlist",
    }


# URLs without a scheme --------------------------------------------------------------


def test_a_posting_url_without_https_is_accepted(alice):
    raw = applications(["Soylent", "Backend", "Applied", "", "soylent.example/jobs/backend"])

    plan = plan_for(alice, raw)
    commit_applications(plan)

    assert [row.errors for row in plan.rows] == [[]]
    assert JobApplication.objects.get().posting_url == "https://soylent.example/jobs/backend"


def test_a_linkedin_url_without_https_is_accepted(alice):
    raw = csv_bytes([LINKEDIN_HEADER, ["Ana", "Silva", "www.linkedin.com/in/ana", "", "", "", ""]])

    import_linkedin(alice, raw)

    assert Contact.objects.get().linkedin_url == "https://www.linkedin.com/in/ana"
