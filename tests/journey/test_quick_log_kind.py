"""Item 2 of issue 12: "Log an interaction" has no default kind; the pasted text
pre-selects one only when it says so, and the page shows what the kind will schedule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from followups.models import FollowUp
from followups.quicklog.emailparse import parse_email
from tests.quicklog.test_quick_log import PASTED, rejection_data

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
URL = reverse("followups:log-interaction")

FEEDBACK = """\
From: Dana Reyes <dana.reyes@acme-robotics.com>
Subject: Feedback on your interview

Hi Sam,

As promised, here is some feedback from the panel: your system design answers were
strong; we would have liked more depth on testing.

Best,
Dana
"""


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def selected_kind(html: str) -> str | None:
    select = html.split('name="kind"')[1].split("</select>")[0]
    if "selected" not in select:
        return None
    return select.split(" selected")[0].rsplit('value="', 1)[1].split('"')[0]


def test_the_parser_reads_a_rejection_and_a_feedback_email():
    assert parse_email(PASTED).kind == "rejection"
    assert parse_email(FEEDBACK).kind == "feedback"
    assert parse_email("Hi Sam, are you free for a call on Tuesday?").kind == ""


def test_the_kind_has_no_default(alice_client):
    html = alice_client.get(URL).text
    assert selected_kind(html) in (None, "")
    assert "Choose what it was" in html


def test_saving_without_a_kind_is_refused_and_logs_nothing(alice_client):
    data = rejection_data(direction="inbound")
    data.pop("kind", None)
    response = alice_client.post(URL, data)
    assert response.status_code == 200
    assert "Choose what it was" in response.text
    assert not Interaction.objects.exists()


def test_a_pasted_feedback_email_pre_selects_feedback_not_rejection(alice_client):
    html = alice_client.post(URL, {"action": "read", "email_text": FEEDBACK}).text
    assert selected_kind(html) == "feedback"
    assert "A thank-you note to them" in html


def test_a_pasted_email_that_says_nothing_pre_selects_nothing(alice_client):
    html = alice_client.post(
        URL, {"action": "read", "email_text": "From: Dana <d@x.example>\n\nCall Tuesday?"}
    ).text
    assert selected_kind(html) in (None, "")


def test_the_page_says_what_each_kind_will_schedule(alice_client):
    html = alice_client.get(URL).text
    assert 'id="kind-effects"' in html  # the descriptions the page's script shows
    assert "A reply to them, due 24 hours after it arrived" in html
    assert "/static/js/quick-log.js" in html


def test_logging_the_feedback_email_thanks_them_and_schedules_no_reply(alice, alice_client):
    alice_client.post(URL, rejection_data(direction="inbound", kind="feedback"))
    assert FollowUp.objects.filter(kind="thank_you").count() == 1
    assert not FollowUp.objects.filter(kind="reply").exists()
