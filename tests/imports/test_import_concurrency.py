"""An import confirmed while another request creates the same company: the import
reuses that company instead of failing, on SQLite and PostgreSQL."""

from __future__ import annotations

from contacts.importers import commit_linkedin, plan_linkedin
from contacts.models import Contact
from crm.models import Company
from tests.imports.test_import_linkedin import FIRST_EXPORT


def test_a_company_created_between_preview_and_confirm_is_reused_not_an_error(alice):
    plan = plan_linkedin(alice, FIRST_EXPORT)
    # Meanwhile a quick log (another tab) names one of the file's new companies.
    globex = Company.objects.create(owner=alice, name="globex, inc.")

    result = commit_linkedin(plan)

    assert (result.created, result.rejected) == (3, 0)
    assert Company.objects.filter(owner=alice, name__iexact="Globex, Inc.").count() == 1
    assert Contact.objects.get(owner=alice, first_name="Tom").company == globex
    assert Contact.objects.get(owner=alice, first_name="Priya").company.name == "Acme Corp"
