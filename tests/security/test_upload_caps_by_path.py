"""Every upload path caps the file's size, its unpacked size, its rows and the length of
a cell before reading it all, with a message naming the limit (issue 13, item 3): the
import pages (LinkedIn CSV, applications CSV), LinkedIn's archive through the same page,
and the admin's import (as a non-superuser staff account) in CSV and XLSX."""

from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, Interaction
from crm.accounts import enable_admin_editing
from crm.models import Company, JobApplication
from tests.factories import PASSWORD
from tests.imports.test_import_linkedin import LINKEDIN_HEADER
from tests.imports.test_import_linkedin_archive import (
    CONNECTIONS,
    MESSAGES,
    MESSAGES_HEADER,
    PRIYA,
    archive,
    csv_bytes,
)
from tests.security.test_upload_limits import CSV, XLSX, admin_import, workbook, zip_bomb

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
APPLICATIONS_HEADER = "Company,Title,Status,Applied on\r\n"


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def upload(client, kind: str, name: str, content: bytes) -> str:
    response = client.post(
        reverse("contacts:import-upload", kwargs={"kind": kind}),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400, response.status_code
    return response.content.decode()


def assert_nothing_written() -> None:
    assert not Contact.objects.exists()
    assert not Company.objects.exists()
    assert not JobApplication.objects.exists()
    assert not Interaction.objects.exists()


# The LinkedIn page, one CSV (size and rows: tests/imports/test_import_bad_files.py) -----


def test_a_linkedin_csv_cell_over_the_cell_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1_000
    content = (LINKEDIN_HEADER + "Ann,Lee,https://www.linkedin.com/in/ann,,,{},\r\n").format(
        "P" * 1_500
    )

    page = upload(alice_client, "linkedin", "Connections.csv", content.encode())

    assert "Line 2 has a cell of 1,500 characters; the limit is 1,000 characters a cell" in page
    assert_nothing_written()


# The applications page -------------------------------------------------------------------


def test_an_applications_csv_over_the_size_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MB
    content = (APPLICATIONS_HEADER + "Acme,Engineer,applied,2026-01-05\r\n" * 40_000).encode()

    page = upload(alice_client, "applications", "applications.csv", content)

    assert "the limit is 1.0 MB" in page
    assert_nothing_written()


def test_an_applications_csv_over_the_row_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = (APPLICATIONS_HEADER + "Acme,Engineer,applied,2026-01-05\r\n" * 4).encode()

    page = upload(alice_client, "applications", "applications.csv", content)

    assert "more than 3 rows; the limit is 3" in page
    assert_nothing_written()


def test_an_applications_csv_cell_over_the_cell_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1_000
    content = (APPLICATIONS_HEADER + "Acme," + "E" * 2_000 + ",applied,2026-01-05\r\n").encode()

    page = upload(alice_client, "applications", "applications.csv", content)

    assert "Line 2 has a cell of 2,000 characters; the limit is 1,000 characters a cell" in page
    assert_nothing_written()


# LinkedIn's archive, through the same page -------------------------------------------------


def test_an_archive_over_the_size_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_ARCHIVE_BYTES = 1 * MB
    files = {"Connections.csv": csv_bytes(CONNECTIONS), "Photos/me.jpg": os.urandom(MB + 1)}

    page = upload(alice_client, "linkedin", "linkedin.zip", archive(files))

    assert "the limit is 1.0 MB" in page
    assert_nothing_written()


def test_an_archive_file_unpacking_over_the_file_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_ARCHIVE_MEMBER_BYTES = 1 * MB
    bomb = csv_bytes(MESSAGES) + b" " * (3 * MB)  # a few KB deflated

    page = upload(alice_client, "linkedin", "linkedin.zip", archive({"messages.csv": bomb}))

    assert "messages.csv unpacks to more than the import allows" in page
    assert "the limit for one file of the archive is 1.0 MB" in page
    assert_nothing_written()


def test_an_archive_unpacking_over_the_total_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1 * MB
    padded = csv_bytes(MESSAGES) + b" " * (MB // 2)
    files = {"messages.csv": padded, "Invitations.csv": b"From,To,Sent At" + b" " * MB}

    page = upload(alice_client, "linkedin", "linkedin.zip", archive(files))

    assert "the limit for all the CSVs of the archive together is 1.0 MB" in page
    assert_nothing_written()


def test_an_archive_with_too_many_files_is_refused_naming_the_limit(alice_client, settings):
    settings.IMPORT_MAX_ARCHIVE_FILES = 5
    files = {"Connections.csv": csv_bytes(CONNECTIONS)} | {
        f"Articles/{n}.html": b"x" for n in range(5)
    }

    page = upload(alice_client, "linkedin", "linkedin.zip", archive(files))

    assert "The archive holds 6 files; the limit is 5" in page
    assert_nothing_written()


def test_an_archive_csv_over_the_row_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_MESSAGES = 5
    rows = [MESSAGES_HEADER] + [
        [f"c-{n}", "", "Priya", PRIYA, "Me", "", "2026-08-02 09:30:00 UTC", "", "Hi", "INBOX"]
        for n in range(6)
    ]
    files = {"Connections.csv": csv_bytes(CONNECTIONS), "messages.csv": csv_bytes(rows)}

    page = upload(alice_client, "linkedin", "linkedin.zip", archive(files))

    assert "more than 5 rows; the limit is 5" in page
    assert_nothing_written()


def test_an_archive_cell_over_the_cell_cap_is_refused_naming_it(alice_client, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1_000
    rows = [
        MESSAGES_HEADER,
        ["c-1", "", "Priya", PRIYA, "Me", "", "2026-08-02 09:30:00 UTC", "", "x" * 5_000, "INBOX"],
    ]
    files = {"Connections.csv": csv_bytes(CONNECTIONS), "messages.csv": csv_bytes(rows)}

    page = upload(alice_client, "linkedin", "linkedin.zip", archive(files))

    assert "Line 2 has a cell of 5,000 characters; the limit is 1,000 characters a cell" in page
    assert_nothing_written()


# The admin's import, as a staff account that is not a superuser ---------------------------


@pytest.fixture
def staff_client(client, alice):
    enable_admin_editing(alice)
    alice.refresh_from_db()
    assert alice.is_staff and not alice.is_superuser
    client.login(username="alice", password=PASSWORD)
    return client


def test_an_admin_xlsx_over_the_size_cap_is_refused_before_it_is_read(staff_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MB
    content = workbook(
        [["name", "notes"]] + [[f"Co {n}", os.urandom(300).hex()] for n in range(3_000)]
    )
    assert len(content) > MB

    page = admin_import(staff_client, "crm_company", content, XLSX, "big.xlsx").content.decode()

    assert "the limit is 1 MB" in page
    assert not Company.objects.exists()


def test_an_admin_csv_cell_over_the_cell_cap_is_refused_naming_it(staff_client, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1_000
    content = b"name,notes\r\nAcme," + b"n" * 3_000 + b"\r\n"

    page = admin_import(staff_client, "crm_company", content, CSV, "long.csv").content.decode()

    assert "Row 2 has a cell of 3,000 characters; the limit is 1,000" in page
    assert not Company.objects.exists()


@pytest.mark.slow
def test_the_issues_xlsx_zip_bomb_is_refused_fast_with_bounded_memory(staff_client):
    """The file of the issue: about 1 MB, 20,000 rows of a 50 KB cell (about 1 GB)."""
    bomb = zip_bomb(uncompressed_mb=980)
    with zipfile.ZipFile(io.BytesIO(bomb)) as book:
        sheet = next(i for i in book.infolist() if i.filename.startswith("xl/worksheets/"))
        rows = sheet.file_size // 50_000
    assert len(bomb) < 2 * MB and rows >= 20_000

    tracemalloc.start()
    started = time.monotonic()
    try:
        response = admin_import(staff_client, "crm_company", bomb, XLSX, "bomb.xlsx")
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert "the limit is 50 MB uncompressed" in response.content.decode()
    assert elapsed < 5
    assert peak < 40 * MB, f"{peak / MB:.0f} MB"
    assert not Company.objects.exists()
