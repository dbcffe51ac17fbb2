"""Item 11 of issue 12: text-only pastes find the job title and company in the common
phrasings, and a rejection from a contact with one open application is filed under it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from followups.models import FollowUp
from followups.quicklog.emailparse import parse_email
from tests.factories import make_application, make_company, make_contact

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sam,\n\nThank you for applying for the Product Designer role at Contoso. "
        "Unfortunately we will not move forward.\n\nBest,\nPriya",
        "Hi Sam,\n\nWe have decided not to proceed with your application for Product "
        "Designer at Contoso.\n\nPriya",
        "Hi Sam,\n\nThanks for your interest in the Product Designer position at Contoso.",
    ],
)
def test_a_text_only_paste_names_the_job_and_the_company(text):
    parsed = parse_email(text)
    assert (parsed.job_title, parsed.company) == ("Product Designer", "Contoso")


@time_machine.travel(NOW, tick=False)
def test_a_rejection_from_a_contact_with_one_open_application_is_filed_under_it(
    alice, alice_client
):
    contoso = make_company(alice, name="Contoso")
    priya = make_contact(alice, first_name="Priya", last_name="Shah", company=contoso)
    designer = make_application(alice, company=contoso, title="Product Designer")
    closed = make_application(alice, company=contoso, title="UX Writer", status="withdrawn")
    priya.applications.add(designer, closed)
    alice_client.post(
        reverse("followups:log-rejection"),
        {
            "action": "save",
            "contact_name": "Priya Shah",
            "contact_email": priya.email,
            "company_name": "Contoso",
            "job_title": "",
            "occurred_at": "2026-03-09T16:12",
            "channel": "email",
            "subject": "Your application",
            "body": "Unfortunately we will not move forward.",
        },
    )
    rejection = Interaction.objects.get(kind="rejection")
    assert rejection.application == designer
    designer.refresh_from_db()
    assert designer.status == "rejected"
    assert FollowUp.objects.get(kind="reply").application == designer
