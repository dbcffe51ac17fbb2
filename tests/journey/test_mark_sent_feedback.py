"""Item 1 of issue 12: a sent draft that asks for feedback schedules R3's nudge, from
every page that marks a draft sent, with a visible checkbox to say otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from followups import drafts, rules
from followups.models import FollowUp
from tests.factories import make_application, make_contact, make_interaction
from tests.htmx import as_shown

# Monday 9 March 2026, 10:00 UTC. A week later is Monday 16 March; New York is on
# daylight-saving time from 8 March, so 10:00 UTC is 06:00 there.
MONDAY = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def reply(alice) -> FollowUp:
    contact = make_contact(alice, first_name="Priya", last_name="Shah")
    application = make_application(alice, title="Product Designer")
    rejection = make_interaction(
        alice,
        contact=contact,
        application=application,
        kind=Interaction.Kind.REJECTION,
        occurred_at=MONDAY - timedelta(hours=2),
    )
    return FollowUp.objects.get(source=rejection, kind=FollowUp.Kind.REPLY)


def nudges() -> list[FollowUp]:
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.FEEDBACK_NUDGE, status="pending"))


def test_asks_for_feedback_reads_a_request_and_not_a_plain_thanks():
    assert drafts.asks_for_feedback("Could you share any feedback on my interview?")
    assert drafts.asks_for_feedback("I'd welcome any pointers on what I could do better.")
    assert not drafts.asks_for_feedback("Thank you for letting me know. All the best.")


def test_the_default_reply_draft_asks_for_feedback(reply):
    assert drafts.asks_for_feedback(reply.draft_body)


def test_mark_sent_of_a_reply_that_asks_for_feedback_schedules_the_nudge(reply):
    sent = rules.mark_sent(reply)
    assert sent.requests_feedback is True
    (nudge,) = nudges()
    assert nudge.contact == reply.contact and nudge.source == sent


def test_mark_sent_of_text_without_a_request_schedules_no_nudge(reply):
    sent = rules.mark_sent(reply, body="Hi Priya,\n\nThanks for letting me know.\n")
    assert sent.requests_feedback is False
    assert nudges() == []


def test_mark_sent_takes_the_users_override_over_the_text(reply):
    sent = rules.mark_sent(reply, body="Thanks, Priya.", requests_feedback=True)
    assert sent.requests_feedback is True
    assert len(nudges()) == 1


def test_dashboard_mark_sent_says_when_the_nudge_comes(reply, alice_client):
    response = alice_client.post(reverse("followups:mark-sent", args=[reply.pk]), **HTMX)
    html = response.content.decode()
    assert "If Priya stays silent, a nudge on Mon 16 Mar, 09:00" in html
    assert len(nudges()) == 1


def test_dashboard_row_offers_the_feedback_checkbox_ticked_for_a_feedback_request(
    reply, alice_client
):
    html = as_shown(alice_client, reverse("home"))
    assert f'name="requests_feedback_{reply.pk}"' in html
    assert "Asks for feedback" in html


def test_dashboard_mark_sent_with_the_box_unticked_schedules_no_nudge(reply, alice_client):
    response = alice_client.post(
        reverse("followups:mark-sent", args=[reply.pk]),
        {f"feedback_choice_{reply.pk}": "1"},  # the box was shown and left unticked
        **HTMX,
    )
    assert response.status_code == 200
    assert nudges() == []
    assert "nudge" not in response.content.decode().split('role="status"')[1][:200]


def test_draft_editor_mark_sent_schedules_the_nudge_and_says_when(reply, alice_client):
    page = alice_client.get(reverse("followups:draft", args=[reply.pk])).content.decode()
    assert (
        'name="requests_feedback"' in page
        and "checked" in page.split('name="requests_feedback"')[1][:80]
    )
    response = alice_client.post(
        reverse("followups:draft", args=[reply.pk]),
        {
            "subject": reply.draft_subject,
            "body": reply.draft_body,
            "requests_feedback": "on",
            "feedback_choice": "1",
            "mark_sent": "1",
        },
        follow=True,
    )
    assert "If Priya stays silent, a nudge on Mon 16 Mar, 09:00" in response.content.decode()
    assert len(nudges()) == 1


def test_draft_editor_unticked_box_wins_over_the_text(reply, alice_client):
    alice_client.post(
        reverse("followups:draft", args=[reply.pk]),
        {
            "subject": reply.draft_subject,
            "body": reply.draft_body,
            "feedback_choice": "1",
            "mark_sent": "1",
        },
    )
    assert nudges() == []
    assert Interaction.objects.get(direction="outbound").requests_feedback is False
