"""Files people really upload: odd encodings work, bad files get a message and write nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact
from crm.models import Company, JobApplication
from tests.imports.test_import_linkedin import LINKEDIN_HEADER, LINKEDIN_NOTES


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def upload(client, content: bytes, kind: str = "linkedin", name: str = "Connections.csv"):
    return client.post(
        reverse("contacts:import-upload", kwargs={"kind": kind}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def import_through_the_pages(client, content: bytes) -> None:
    response = upload(client, content)
    assert response.status_code == 302, response.content.decode()
    client.post(reverse("contacts:import-preview", kwargs={"kind": "linkedin"}))


def assert_nothing_written() -> None:
    assert not Contact.objects.exists()
    assert not Company.objects.exists()
    assert not JobApplication.objects.exists()


NAMES = (
    LINKEDIN_NOTES
    + LINKEDIN_HEADER
    + "José,Müller,https://www.linkedin.com/in/jose,,Café Société,Développeur,05 Nov 2024\r\n"
    + 'Zoë,"O\'Brien, Jr.",https://www.linkedin.com/in/zoe,,"Smith, Jones & Co",'
    + '"Lead\nEngineer",01 Feb 2024\r\n'
)


# Encodings and CSV quoting that must work ----------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        NAMES.encode("utf-8"),
        b"\xef\xbb\xbf" + NAMES.encode("utf-8"),
        NAMES.encode("utf-16"),
        NAMES.encode("utf-16-le"),
        NAMES.encode("latin-1"),
        NAMES.replace("\r\n", "\n").encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "utf-16 without BOM", "latin-1", "cp1252 LF"],
)
def test_every_common_encoding_imports_the_same_names(alice_client, alice, encoded):
    import_through_the_pages(alice_client, encoded)

    jose = Contact.objects.get(owner=alice, linkedin_url="https://www.linkedin.com/in/jose")
    assert (jose.first_name, jose.last_name, jose.title) == ("José", "Müller", "Développeur")
    assert jose.company.name == "Café Société"
    zoe = Contact.objects.get(owner=alice, first_name="Zoë")
    assert zoe.last_name == "O'Brien, Jr."
    assert zoe.company.name == "Smith, Jones & Co"
    assert zoe.title == "Lead\nEngineer"


# Bad files: a message, status 400 and nothing written --------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty. Expected LinkedIn"),
        (b"  \r\n\r\n", "The file is empty. Expected LinkedIn"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "This is not a CSV text file"),
        (b"PK\x03\x04" + b"\x00" * 100, "This looks like an Excel or zip file"),
        (b"name,email\r\nAna,ana@example.com\r\n", "No header line found. Expected LinkedIn"),
        (b"just some words in a text file\n", "No header line found"),
    ],
    ids=["empty", "blank lines", "image", "xlsx", "other csv", "plain text"],
)
def test_a_bad_linkedin_file_gets_a_message_saying_what_was_expected(
    alice_client, content, message
):
    response = upload(alice_client, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_written()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty. Expected a CSV file whose first line names the columns"),
        (b"Acme,Engineer,applied\nGlobex,Analyst,offer\n", "does not name any column we know"),
        (b"Company,Title,Status\r\n", "has a header line but no rows"),
    ],
    ids=["empty", "no header", "header only"],
)
def test_a_bad_applications_file_gets_a_message(alice_client, content, message):
    response = upload(alice_client, content, kind="applications", name="apps.csv")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_written()


def test_a_file_over_the_size_cap_is_refused(alice_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    content = (LINKEDIN_HEADER + "A,B,https://www.linkedin.com/in/a,,,,\r\n" * 60_000).encode()

    response = upload(alice_client, content)

    assert response.status_code == 400
    assert "the limit is 2.0 MB" in response.content.decode()
    assert_nothing_written()


def test_a_file_over_the_row_cap_is_refused(alice_client, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = "".join(f"A{n},B,https://www.linkedin.com/in/a{n},,,,\r\n" for n in range(6))

    response = upload(alice_client, (LINKEDIN_HEADER + rows).encode())

    assert response.status_code == 400
    assert "more than 5 rows; the limit is 5" in response.content.decode()
    assert_nothing_written()


def test_a_file_at_the_row_cap_is_accepted(alice_client, alice, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = "".join(f"A{n},B,https://www.linkedin.com/in/a{n},,,,\r\n" for n in range(5))

    import_through_the_pages(alice_client, (LINKEDIN_HEADER + rows).encode())

    assert Contact.objects.filter(owner=alice).count() == 5


def test_an_upload_without_a_file_asks_for_one(alice_client):
    response = alice_client.post(reverse("contacts:import-upload", kwargs={"kind": "linkedin"}))

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_a_field_too_long_for_csv_is_a_message_not_an_error_page(alice_client):
    content = (LINKEDIN_HEADER + 'A,B,"' + "x" * 200_000 + '",,,,\r\n').encode()

    response = upload(alice_client, content)

    assert response.status_code == 400
    assert "has a cell longer than 131,072 characters; the limit is 32,767" in (
        response.content.decode()
    )
    assert_nothing_written()


def test_values_too_long_for_the_database_reject_the_row_not_the_import(alice_client, alice):
    content = (
        LINKEDIN_HEADER
        + "Ann,Lee,https://www.linkedin.com/in/ann,,"
        + "C" * 250
        + ",,\r\nBo,Kim,https://www.linkedin.com/in/bo,,,,\r\n"
    ).encode()

    upload(alice_client, content)
    preview = alice_client.get(reverse("contacts:import-preview", kwargs={"kind": "linkedin"}))
    assert "The company name is 250 characters long; at most 200 fit." in preview.content.decode()
    alice_client.post(reverse("contacts:import-preview", kwargs={"kind": "linkedin"}))

    assert list(Contact.objects.filter(owner=alice).values_list("first_name", flat=True)) == ["Bo"]
