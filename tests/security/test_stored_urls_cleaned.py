"""Invalid URLs stored before validation are cleaned by a data migration (issue 13,
item 11), so the account's own backup restores: not-http(s) values are blanked and the
row's notes say what was removed."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from contacts.models import Contact
from crm.models import Company, JobApplication
from followups.export.backup import export_json, restore_user_data
from tests.factories import make_application, make_company, make_contact, make_user

pytestmark = pytest.mark.django_db


def run_migration(app: str, name: str) -> None:
    importlib.import_module(f"{app}.migrations.{name}").clear(apps, None)


def test_the_migration_blanks_stored_urls_that_are_not_web_addresses(alice):
    # Rows as the admin import stored them before validation (save() does not validate).
    acme = make_company(alice, name="Acme", website="javascript:alert(1)", notes="Big")
    kept = make_company(alice, name="Globex", website="https://globex.example")
    posting = make_application(alice, company=acme, posting_url="javascript:alert(document.domain)")
    dana = make_contact(alice, linkedin_url="https://x.example/\r\nTEL:123", notes="")

    run_migration("crm", "0009_clear_stored_non_web_urls")
    run_migration("contacts", "0006_clear_stored_non_web_urls")

    acme.refresh_from_db()
    assert acme.website == ""
    assert acme.notes == (
        "Big\n\nRemoved on upgrade: the website “javascript:alert(1)” was not a web address "
        "(http or https)."
    )
    posting.refresh_from_db()
    assert posting.posting_url == "" and "javascript:alert(document.domain)" in posting.notes
    dana.refresh_from_db()
    assert (
        dana.linkedin_url == ""
        and "the LinkedIn URL “https://x.example/\ufffd\ufffdTEL:123”" in (dana.notes)
    )
    kept.refresh_from_db()
    assert kept.website == "https://globex.example" and kept.notes == ""


def test_after_the_migration_the_accounts_backup_restores(alice):
    acme = make_company(alice, name="Acme", website="javascript:alert(1)")
    make_application(alice, company=acme, posting_url="not a url")
    run_migration("crm", "0009_clear_stored_non_web_urls")

    counts = restore_user_data(make_user("carol"), json.loads(export_json(alice)))

    assert counts["applications"] == 1
    assert JobApplication.objects.get(owner__username="carol").posting_url == ""
    assert Company.objects.get(owner__username="carol").website == ""
    assert not Contact.objects.filter(owner__username="carol").exists()
