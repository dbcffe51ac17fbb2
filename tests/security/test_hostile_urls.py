"""Stored XSS and header injection through imports (issue 13, item 6): every entry path
validates URLs as http(s) in the model, pages and emails link only http(s) URLs, and the
vCard export cannot be split into extra lines."""

from __future__ import annotations

import re

import pytest
import vobject
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact
from crm.accounts import enable_admin_editing
from crm.models import Company, JobApplication, Profile
from followups import scheduler
from tests.factories import (
    PASSWORD,
    make_application,
    make_company,
    make_contact,
    make_followup,
)

pytestmark = pytest.mark.django_db

HOSTILE = "javascript:alert(document.domain)"


@pytest.fixture
def admin_client(client, alice):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    return client


def admin_import(client, app_model: str, content: bytes):
    response = client.post(
        reverse(f"admin:{app_model}_import"),
        {"import_file": SimpleUploadedFile("rows.csv", content), "format": "0", "resource": "0"},
    )
    return response.content.decode()


def test_an_admin_import_refuses_a_javascript_linkedin_url(admin_client):
    page = admin_import(
        admin_client,
        "contacts_contact",
        f"first_name,last_name,email,role,linkedin_url\nEve,X,eve@example.com,peer,{HOSTILE}\n".encode(),
    )
    assert "Enter a valid URL" in page
    assert 'name="import_file_name"' not in page  # no confirm button for a bad file
    assert not Contact.objects.exists()


def test_an_admin_import_refuses_a_javascript_posting_url(admin_client):
    page = admin_import(
        admin_client,
        "crm_jobapplication",
        f"company,title,status,posting_url\nAcme,Engineer,applied,{HOSTILE}\n".encode(),
    )
    assert "Enter a valid URL" in page
    assert not JobApplication.objects.exists()


@pytest.mark.parametrize("url", [HOSTILE, "ftp://files.example.com/cv", "data:text/html,hi"])
def test_the_models_accept_only_http_and_https_urls(alice, url):
    for row, field in (
        (Contact(owner=alice, first_name="A", role="peer"), "linkedin_url"),
        (JobApplication(owner=alice, company=make_company(alice), title="T"), "posting_url"),
        (Company(owner=alice, name="C"), "website"),
    ):
        setattr(row, field, url)
        with pytest.raises(ValidationError) as caught:
            row.full_clean()
        assert field in caught.value.message_dict


def _stored_hostile_rows(alice):
    """Rows written before validation existed (or by raw SQL): the pages must cope."""
    contact = make_contact(alice, first_name="Eve")
    Contact.objects.filter(pk=contact.pk).update(linkedin_url=HOSTILE)
    application = make_application(alice)
    JobApplication.objects.filter(pk=application.pk).update(posting_url=HOSTILE)
    return Contact.objects.get(pk=contact.pk), JobApplication.objects.get(pk=application.pk)


def test_pages_never_link_a_stored_javascript_url(alice_client, alice):
    contact, application = _stored_hostile_rows(alice)
    followup = make_followup(alice, contact=contact, kind="connect")
    for url in (
        reverse("contacts:detail", args=[contact.pk]),
        reverse("crm:application-detail", args=[application.pk]),
        reverse("followups:draft", args=[followup.pk]),
    ):
        page = alice_client.get(url).content.decode()
        assert "javascript:" not in page, url


def test_reminder_emails_never_link_a_stored_javascript_url(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    contact, _ = _stored_hostile_rows(alice)
    Contact.objects.filter(pk=contact.pk).update(email="")
    make_followup(alice, contact=contact, kind="connect")
    scheduler.tick()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "javascript:" not in message.body
    assert "javascript:" not in message.alternatives[0][0]


def test_a_url_with_line_breaks_cannot_add_lines_to_the_vcard(alice_client, alice):
    contact = make_contact(alice, first_name="Eve", email="eve@example.com")
    Contact.objects.filter(pk=contact.pk).update(
        linkedin_url="https://example.com/x\r\nTEL:+1 555 0100\r\nEMAIL:attacker@evil.example"
    )
    body = alice_client.get(reverse("followups:export-contacts-vcard")).content.decode()
    assert not re.search(r"^(TEL|EMAIL):", body, flags=re.M)
    card = vobject.readOne(body)
    assert [e.value for e in card.contents.get("email", [])] == ["eve@example.com"]
    assert "tel" not in card.contents
