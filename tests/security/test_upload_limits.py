"""Zip bombs and oversized spreadsheets in the admin import (issue 13, item 3): refused
quickly, before parsing, with a message naming the limit."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact
from crm.accounts import enable_admin_editing
from crm.models import Company
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
CSV, XLSX = "0", "1"


@pytest.fixture
def admin_client(client, alice):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    return client


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb(uncompressed_mb: int) -> bytes:
    """A valid small workbook whose sheet is replaced by `uncompressed_mb` MB of rows of
    one repeated 50 KB cell: a couple of hundred KB compressed."""
    base = zipfile.ZipFile(io.BytesIO(workbook([["name", "website", "notes"]])))
    cell = "A" * 50_000
    row = (
        '<row><c t="inlineStr"><is><t>Acme</t></is></c>'
        f'<c t="inlineStr"><is><t>{cell}</t></is></c></row>'
    )
    rows_needed = uncompressed_mb * 1024 * 1024 // len(row) + 1
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in base.infolist():
            if item.filename.startswith("xl/worksheets/sheet"):
                with bomb.open(item.filename, "w") as sheet:
                    sheet.write(
                        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    )
                    chunk = (row * 20).encode()
                    for _ in range(rows_needed // 20 + 1):
                        sheet.write(chunk)
                    sheet.write(b"</sheetData></worksheet>")
            else:
                bomb.writestr(item, base.read(item.filename))
    return out.getvalue()


def admin_import(client, app_model: str, content: bytes, fmt: str, name: str):
    return client.post(
        reverse(f"admin:{app_model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": fmt, "resource": "0"},
    )


def test_an_xlsx_zip_bomb_is_refused_before_it_is_read(admin_client):
    bomb = zip_bomb(uncompressed_mb=60)
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    response = admin_import(admin_client, "crm_company", bomb, XLSX, "bomb.xlsx")
    elapsed = time.monotonic() - started
    page = response.content.decode()
    assert "unpacks to 60 MB; the limit is 50 MB uncompressed" in page
    assert elapsed < 5
    assert not Company.objects.exists()


def test_an_xlsx_with_too_many_rows_is_refused(admin_client, settings):
    settings.IMPORT_MAX_ROWS = 100
    content = workbook([["name"]] + [[f"Company {n}"] for n in range(101)])
    page = admin_import(admin_client, "crm_company", content, XLSX, "many.xlsx").content.decode()
    assert "more than 100 rows" in page
    assert not Company.objects.exists()


def test_an_xlsx_cell_longer_than_the_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1_000  # openpyxl itself writes at most 32,767
    content = workbook([["name", "notes"], ["Acme", "x" * 5_000]])
    page = admin_import(admin_client, "crm_company", content, XLSX, "long.xlsx").content.decode()
    assert "Row 2 has a cell of 5,000 characters; the limit is 1,000" in page
    assert not Company.objects.exists()


def test_a_csv_over_the_size_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    content = b"first_name,last_name,role\n" + b"Ana,Lee,peer\n" * 90_000
    page = admin_import(admin_client, "contacts_contact", content, CSV, "big.csv").content.decode()
    assert "the limit is 1 MB" in page
    assert not Contact.objects.exists()


def test_a_csv_with_too_many_rows_is_refused(admin_client, settings):
    settings.IMPORT_MAX_ROWS = 10
    content = b"first_name,last_name,role\n" + b"Ana,Lee,peer\n" * 11
    page = admin_import(admin_client, "contacts_contact", content, CSV, "rows.csv").content.decode()
    assert "more than 10 rows" in page


def test_an_ordinary_xlsx_still_imports(admin_client, alice):
    content = workbook(
        [["name", "website", "notes"], ["Northwind", "https://northwind.example", "Good people"]]
    )
    response = admin_import(admin_client, "crm_company", content, XLSX, "ok.xlsx")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="import_file_name"' in page, page[-3000:]
