"""Item 6 of issue 12: the same pasted email twice is recognised (Message-ID, or the
same sender, date and subject) and the page links to what was logged the first time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from followups.models import FollowUp
from followups.quicklog.emailparse import parse_email

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
URL = reverse("followups:log-rejection")

WITH_ID = """\
From: Dana Reyes <dana.reyes@acme-robotics.com>
Date: Mon, 9 Mar 2026 16:12:00 +0100
Subject: Your application for Senior Backend Engineer
Message-ID: <abc123@mail.acme-robotics.com>

Hi Sam,

Thank you for interviewing with us. We decided to go with another candidate.

Best regards,
Dana Reyes
Talent Partner | Acme Robotics
"""
WITHOUT_ID = WITH_ID.replace("Message-ID: <abc123@mail.acme-robotics.com>\n", "")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def paste_and_save(client, text: str):
    filled = client.post(URL, {"action": "read", "email_text": text})
    form = filled.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["occurred_at"] = form["occurred_at"].value()
    if hasattr(data["occurred_at"], "strftime"):
        data["occurred_at"] = data["occurred_at"].strftime("%Y-%m-%dT%H:%M")
    data["action"] = "save"
    return filled, client.post(URL, data)


def test_the_parser_reads_the_message_id():
    assert parse_email(WITH_ID).message_id == "<abc123@mail.acme-robotics.com>"


@pytest.mark.parametrize("text", [WITH_ID, WITHOUT_ID], ids=["message-id", "sender-date-subject"])
def test_the_same_email_pasted_twice_logs_one_rejection_and_links_to_it(alice_client, text):
    _, first = paste_and_save(alice_client, text)
    assert first.status_code == 302
    logged = Interaction.objects.get()
    filled, second = paste_and_save(alice_client, text)
    assert "You logged this email already" in filled.text
    assert reverse("followups:log-result", args=[logged.pk]) in filled.text
    assert second.status_code == 302 and second.url == reverse(
        "followups:log-result", args=[logged.pk]
    )
    assert Interaction.objects.count() == 1
    assert FollowUp.objects.filter(kind="reply").count() == 1


def test_another_users_copy_of_the_email_is_not_a_duplicate(alice_client, bob):
    Interaction.objects.create(
        owner=bob,
        direction="inbound",
        kind="rejection",
        occurred_at=datetime(2026, 3, 9, 15, 12, tzinfo=UTC),
        subject="Your application for Senior Backend Engineer",
        message_id="<abc123@mail.acme-robotics.com>",
    )
    filled, saved = paste_and_save(alice_client, WITH_ID)
    assert "You logged this email already" not in filled.text
    assert Interaction.objects.filter(owner__username="alice").count() == 1
