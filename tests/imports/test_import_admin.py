"""Import and export in the admin (django-import-export), CSV and XLSX, scoped to the owner."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, Interaction
from crm.accounts import enable_admin_editing
from crm.models import Company, JobApplication
from followups.models import FollowUp
from tests.factories import PASSWORD, make_company, make_contact

CSV, XLSX = "0", "1"  # positions in the admins' format lists


@pytest.fixture
def admin_client(client, alice):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    return client


def export(client, model: str, fmt: str, fields: list[str]):
    resource = {"contact": "contactresource", "company": "companyresource"}[model]
    app = "contacts" if model == "contact" else "crm"
    data = {"format": fmt, "resource": "0", **{f"{resource}_{name}": "on" for name in fields}}
    return client.post(reverse(f"admin:{app}_{model}_export"), data)


def admin_import(client, app_model: str, content: bytes, name: str = "rows.csv"):
    """Uploads, then confirms the preview the admin shows, as a person would."""
    response = client.post(
        reverse(f"admin:{app_model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": CSV, "resource": "0"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    hidden.pop("csrfmiddlewaretoken", None)
    return client.post(reverse(f"admin:{app_model}_process_import"), hidden, follow=True)


def test_the_contacts_csv_export_holds_only_alices_contacts(admin_client, alice, bob):
    make_contact(alice, first_name="Maya", company=make_company(alice, name="Northwind"))
    make_contact(bob, first_name="Bobs")

    response = export(admin_client, "contact", CSV, ["first_name", "company"])

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == [{"first_name": "Maya", "company": "Northwind"}]


def test_the_companies_export_as_xlsx(admin_client, alice, bob):
    make_company(alice, name="Northwind")
    make_company(bob, name="Bobcorp")

    response = export(admin_client, "company", XLSX, ["name", "website"])

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["name", "Northwind"]


def test_contacts_imported_in_the_admin_belong_to_alice(admin_client, alice, bob):
    make_company(bob, name="Acme")
    content = (
        b"first_name,last_name,email,company,role\nPriya,Raman,priya@acme.example,Acme,recruiter\n"
    )

    admin_import(admin_client, "contacts_contact", content)

    priya = Contact.objects.get(first_name="Priya")
    assert priya.owner == alice
    assert priya.company.owner == alice
    assert Company.objects.filter(name="Acme").count() == 2


def test_an_interaction_imported_in_the_admin_schedules_its_reply(admin_client, alice):
    make_contact(alice, first_name="Priya", email="priya@acme.example")
    content = (
        b"contact_email,direction,channel,kind,occurred_at,subject\n"
        b"priya@acme.example,inbound,email,rejection,2025-03-03 10:00:00,Your application\n"
    )

    admin_import(admin_client, "contacts_interaction", content)

    interaction = Interaction.objects.get(owner=alice)
    assert FollowUp.objects.filter(owner=alice, kind="reply", source=interaction).exists()
    assert JobApplication.objects.count() == 0
