"""Mark sent decides `requests_feedback` from the text sent (DESIGN.md), on every path:
the rules' mark_sent, so the dashboard's button as well as the API."""

from __future__ import annotations

import pytest

from followups import rules
from followups.drafts import asks_for_feedback
from followups.models import FollowUp
from tests.factories import make_contact, make_followup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Could you share any feedback on my interview?", True),
        ("I would welcome any advice on where I could improve.", True),
        ("Thanks again, and best of luck with the role.", False),
    ],
)
def test_asks_for_feedback_reads_the_text_as_the_checker_does(text, asks):
    assert asks_for_feedback(text) is asks


def test_a_sent_reply_that_asks_for_feedback_schedules_one_nudge(alice):
    contact = make_contact(alice)
    reply = make_followup(
        alice, contact=contact, kind="reply", draft_body="Thank you. Any feedback would help."
    )
    interaction = rules.mark_sent(reply)
    assert interaction.requests_feedback is True
    assert (
        FollowUp.objects.filter(contact=contact, kind="feedback_nudge", status="pending").count()
        == 1
    )


def test_a_sent_reply_that_does_not_ask_schedules_no_nudge(alice):
    contact = make_contact(alice)
    reply = make_followup(
        alice, contact=contact, kind="reply", draft_body="Thank you, all the best."
    )
    assert rules.mark_sent(reply).requests_feedback is False
    assert not FollowUp.objects.filter(contact=contact, kind="feedback_nudge").exists()


def test_the_dashboard_button_sends_a_draft_that_asks_and_the_nudge_follows(alice, alice_client):
    contact = make_contact(alice)
    reply = make_followup(
        alice, contact=contact, kind="reply", draft_body="Thanks. Could you share feedback?"
    )
    alice_client.post(f"/followups/{reply.pk}/mark-sent/")
    assert FollowUp.objects.filter(
        contact=contact, kind="feedback_nudge", status="pending"
    ).exists()


def test_a_nudge_that_asks_again_schedules_no_second_nudge(alice):
    contact = make_contact(alice)
    nudge = make_followup(
        alice, contact=contact, kind="feedback_nudge", draft_body="Any feedback yet?"
    )
    rules.mark_sent(nudge)  # the interaction may say it asks (its text does): R3 ignores a nudge
    assert not FollowUp.objects.filter(
        contact=contact, kind="feedback_nudge", status="pending"
    ).exists()
