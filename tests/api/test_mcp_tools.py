"""The MCP tools' behaviour, called directly (the stdio test drives them through the SDK)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from mcp.server.mcpserver.exceptions import ToolError

from contacts.models import Contact
from followups.api.mcp_server import Tools
from followups.api.words import read_words
from followups.models import FollowUp

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Priya from Northwind rejected me today",
            {"kind": "rejection", "direction": "inbound", "contact_name": "Priya"},
        ),
        ("I replied to Priya yesterday", {"kind": "reply", "direction": "outbound"}),
        (
            "Sam Lee at Contoso interviewed me on Monday for the Data Engineer role",
            {"kind": "interview", "contact_name": "Sam Lee", "job_title": "Data Engineer"},
        ),
        ("I asked Dana for feedback", {"requests_feedback": True, "direction": "outbound"}),
        ("Alex from Fabrikam called me with an offer", {"channel": "phone"}),
    ],
)
def test_words_are_read_into_the_quick_log_fields(text, expected):
    found = read_words(text, NOW, BERLIN)
    assert expected.items() <= found.items()


def test_a_weekday_means_the_last_one_before_today():
    found = read_words("Sam interviewed me on Monday", NOW, BERLIN)
    assert found["occurred_at"] == datetime(2026, 3, 9, 12, tzinfo=BERLIN)


@pytest.mark.django_db
def test_a_reply_logged_by_first_name_completes_the_reply_to_that_contact(alice):
    tools = Tools(alice)
    with time_machine.travel(NOW, tick=False):
        rejected = tools.log_interaction(text="Priya from Northwind rejected me today")
        replied = tools.log_interaction(text="I replied to Priya today")
    assert [f["kind"] for f in replied["completed"]] == ["reply"]
    assert Contact.objects.filter(owner=alice).count() == 1
    reply = FollowUp.objects.get(pk=rejected["scheduled"][0]["id"])
    assert reply.status == FollowUp.Status.DONE


@pytest.mark.django_db
def test_log_interaction_without_a_name_logs_nothing_and_says_why(alice):
    with pytest.raises(ToolError, match="contact_name"):
        Tools(alice).log_interaction(text="rejected me today")
    assert not alice.interactions.exists()


@pytest.mark.django_db
def test_a_time_with_an_odd_offset_is_read_in_utc(alice):
    when = Tools.parse_when("2026-03-10T09:00:00+22:23", BERLIN)
    assert when.utcoffset().total_seconds() == 0
    with pytest.raises(ToolError, match="outside the calendar"):
        Tools.parse_when("9999-12-31T23:59:00-12:00", BERLIN)
