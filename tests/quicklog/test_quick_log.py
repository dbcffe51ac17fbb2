"""Quick logging: paste an email, check what was read, save, and see what the rules planned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication
from followups.models import FollowUp
from tests.factories import make_application, make_company, make_contact

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
REJECTION_URL = reverse("followups:log-rejection")
INTERACTION_URL = reverse("followups:log-interaction")

PASTED = """\
From: Dana Reyes <dana.reyes@acme-robotics.com>
Date: Mon, 9 Mar 2026 16:12:00 +0100
Subject: Your application for Senior Backend Engineer

Hi Sam,

Thank you for interviewing with us. We decided to go with another candidate.

Best regards,
Dana Reyes
Talent Partner | Acme Robotics
"""


def rejection_data(**overrides) -> dict:
    data = {
        "action": "save",
        "contact_name": "Dana Reyes",
        "contact_email": "dana.reyes@acme-robotics.com",
        "company_name": "Acme Robotics",
        "job_title": "Senior Backend Engineer",
        "occurred_at": "2026-03-09T16:12",
        "channel": "email",
        "subject": "Your application",
        "body": "We decided to go with another candidate.",
    }
    return data | overrides


def test_the_log_pages_show_their_forms(alice_client):
    for url, heading in (
        (REJECTION_URL, "Log a rejection"),
        (INTERACTION_URL, "Log an interaction"),
    ):
        html = alice_client.get(url).content.decode()
        assert f"<title>{heading} · Follow-up CRM</title>" in html
        assert 'name="email_text"' in html
        assert 'for="id_contact_name"' in html  # a label for screen readers


@time_machine.travel(NOW, tick=False)
def test_pasting_an_email_fills_in_sender_company_job_and_date(alice_client):
    response = alice_client.post(REJECTION_URL, {"action": "read", "email_text": PASTED})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We filled in what the email told us" in html
    assert 'value="Dana Reyes"' in html
    assert 'value="dana.reyes@acme-robotics.com"' in html
    assert 'value="Acme Robotics"' in html
    assert 'value="Senior Backend Engineer"' in html
    assert 'value="2026-03-09T15:12"' in html  # 16:12 +01:00 in alice's UTC
    # Nothing is saved until the user confirms.
    assert not Interaction.objects.exists()
    assert not Contact.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_pasted_date_shows_in_the_users_time_zone(alice, alice_client):
    alice.profile.time_zone = "America/New_York"
    alice.profile.save()
    html = alice_client.post(REJECTION_URL, {"action": "read", "email_text": PASTED})
    assert 'value="2026-03-09T11:12"' in html.content.decode()  # EDT since 8 March


@time_machine.travel(NOW, tick=False)
def test_saving_a_rejection_creates_contact_company_application_and_a_reply(alice, alice_client):
    response = alice_client.post(REJECTION_URL, rejection_data())
    interaction = Interaction.objects.get(owner=alice)
    assert response.status_code == 302
    assert response["Location"] == reverse("followups:log-result", args=[interaction.pk])
    assert interaction.kind == "rejection" and interaction.direction == "inbound"
    assert interaction.occurred_at == datetime(2026, 3, 9, 16, 12, tzinfo=UTC)
    contact = interaction.contact
    assert (contact.first_name, contact.last_name) == ("Dana", "Reyes")
    assert contact.company.name == "Acme Robotics"
    application = interaction.application
    assert application.title == "Senior Backend Engineer"
    assert list(contact.applications.all()) == [application]

    page = alice_client.get(response["Location"]).content.decode()
    assert "What happens next" in page
    assert "Reply to the rejection: Dana Reyes" in page
    assert FollowUp.objects.filter(owner=alice, kind="reply", status="pending").count() == 1
    application.refresh_from_db()
    assert application.status == JobApplication.Status.REJECTED


@time_machine.travel(NOW, tick=False)
def test_existing_records_are_matched_not_duplicated(alice, alice_client):
    company = make_company(alice, name="Acme Robotics")
    application = make_application(alice, company=company, title="Senior Backend Engineer")
    contact = make_contact(
        alice, first_name="Dana", last_name="R.", email="Dana.Reyes@Acme-Robotics.com"
    )
    alice_client.post(
        REJECTION_URL,
        rejection_data(company_name="ACME robotics", job_title="senior backend engineer"),
    )
    interaction = Interaction.objects.get(owner=alice)
    assert interaction.contact == contact  # by email, ignoring case
    assert interaction.application == application
    assert Company.objects.filter(owner=alice).count() == 1
    contact.refresh_from_db()
    assert contact.company == company  # filled in, since it had none


@time_machine.travel(NOW, tick=False)
def test_without_email_a_contact_is_matched_by_name_and_company(alice, alice_client):
    company = make_company(alice, name="Acme Robotics")
    same = make_contact(alice, first_name="Dana", last_name="Reyes", email="", company=company)
    make_contact(alice, first_name="Dana", last_name="Reyes", email="", company=None)
    alice_client.post(REJECTION_URL, rejection_data(contact_email="", job_title=""))
    assert Interaction.objects.get(owner=alice).contact == same
    assert Contact.objects.filter(owner=alice).count() == 2


@time_machine.travel(NOW, tick=False)
def test_another_users_records_are_never_matched(alice, bob, alice_client):
    bobs_company = make_company(bob, name="Acme Robotics")
    make_contact(bob, first_name="Dana", last_name="Reyes", email="dana.reyes@acme-robotics.com")
    alice_client.post(REJECTION_URL, rejection_data())
    interaction = Interaction.objects.get(owner=alice)
    assert interaction.contact.owner == alice
    assert interaction.contact.company != bobs_company
    assert interaction.application.owner == alice


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"contact_name": "  "}, "contact_name", "This field is required."),
        ({"contact_email": "not-an-email"}, "contact_email", "Enter a valid email address."),
        ({"occurred_at": "yesterday"}, "occurred_at", "Enter a valid date/time."),
        ({"occurred_at": "2026-03-12T09:00"}, "occurred_at", "cannot be in the future"),
        ({"company_name": ""}, "company_name", "Add the company"),
        ({"contact_name": "X" * 150}, "contact_name", "too long"),
        ({"channel": "pigeon"}, "channel", "Select a valid choice"),
    ],
)
def test_bad_input_shows_the_field_error_and_saves_nothing(alice_client, overrides, field, message):
    response = alice_client.post(REJECTION_URL, rejection_data(**overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message.split("/")[0] in response.content.decode()
    assert not Interaction.objects.exists()


def test_pasting_nothing_useful_still_shows_the_form(alice_client):
    response = alice_client.post(REJECTION_URL, {"action": "read", "email_text": "\x00 ☃ From: <>"})
    assert response.status_code == 200
    assert 'name="contact_name"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_logging_an_outbound_reply_completes_the_pending_reply(alice, alice_client):
    alice_client.post(REJECTION_URL, rejection_data())
    reply = FollowUp.objects.get(owner=alice, kind="reply")
    response = alice_client.post(
        INTERACTION_URL,
        rejection_data(direction="outbound", kind="reply", occurred_at="2026-03-10T09:30"),
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == "done"
    page = alice_client.get(response["Location"]).content.decode()
    assert "Settled by it" in page
    assert "Reply to the rejection (Dana Reyes): done" in page


@time_machine.travel(NOW, tick=False)
def test_asking_for_feedback_schedules_one_nudge(alice, alice_client):
    alice_client.post(
        INTERACTION_URL,
        rejection_data(direction="outbound", kind="feedback_request", requests_feedback="on"),
    )
    assert FollowUp.objects.filter(owner=alice, kind="feedback_nudge").count() == 1


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00", "1900-05-01T10:00"])
def test_a_far_off_date_is_refused_not_a_crash(alice_client, when):
    response = alice_client.post(
        INTERACTION_URL, rejection_data(direction="inbound", kind="interview", occurred_at=when)
    )
    assert response.status_code == 200
    assert "Enter a date within the last 30 years or the next year." in response.content.decode()
    assert not Interaction.objects.exists()


def test_only_a_message_you_sent_can_ask_for_feedback(alice_client):
    response = alice_client.post(
        INTERACTION_URL,
        rejection_data(direction="inbound", kind="other", requests_feedback="on"),
    )
    assert "Only a message you sent can ask for feedback." in response.content.decode()
    assert not Interaction.objects.exists()


def test_the_result_page_of_another_users_interaction_is_404(alice, bob, alice_client):
    bobs = Interaction.objects.create(
        owner=bob, direction="inbound", kind="other", occurred_at=NOW - timedelta(days=1)
    )
    response = alice_client.get(reverse("followups:log-result", args=[bobs.pk]))
    assert response.status_code == 404


def test_logging_needs_a_login(client):
    response = client.get(REJECTION_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


FIELDS = ["contact_name", "contact_email", "company_name", "job_title", "occurred_at", "subject"]
FIELDS += ["body", "channel", "direction", "kind", "requests_feedback", "email_text", "action"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=300), max_size=len(FIELDS)))
def test_whatever_is_typed_the_forms_answer_without_a_server_error(alice_client, data):
    # Half the time over a valid form, so odd values also reach the saving code.
    for target in (REJECTION_URL, INTERACTION_URL):
        for base in ({}, rejection_data(direction="outbound", kind="reply")):
            response = alice_client.post(target, base | data)
            assert response.status_code in (200, 302)
