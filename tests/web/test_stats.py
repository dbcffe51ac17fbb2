"""Stats page: funnel, reply speed vs 48 h, feedback answer rate, on time vs late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from followups.stats import summary as stats
from tests.factories import make_application, make_contact, make_followup, make_interaction

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def values(bars) -> dict[str, int]:
    return {bar.label: bar.value for bar in bars}


# Funnel -------------------------------------------------------------------------------


def test_funnel_counts_how_far_applications_got(alice):
    for status in ("applied", "applied", "interviewing", "offer", "accepted", "withdrawn"):
        make_application(alice, status=status)
    make_application(alice, status="wishlist")
    interviewed_then_rejected = make_application(alice, status="rejected")
    make_interaction(alice, application=interviewed_then_rejected, kind="interview")
    make_application(alice, status="rejected")
    assert values(stats.pipeline_funnel(alice)) == {
        "Applied": 8,
        "Reached interviews": 4,
        "Got an offer": 2,
        "Accepted": 1,
        "Rejected": 2,
        "Withdrawn": 1,
    }


def test_funnel_ignores_other_users_applications(alice, bob):
    make_application(alice, status="offer")
    assert values(stats.pipeline_funnel(bob))["Applied"] == 0


# Reply speed --------------------------------------------------------------------------


def reply_sent_after(owner, contact, hours: float) -> None:
    """A rejection received at NOW - 10 days and the reply sent `hours` later.

    Notes stand in for the messages so the rules engine adds no follow-ups of its own.
    """
    received = NOW - timedelta(days=10)
    source = make_interaction(owner, contact=contact, kind="note", occurred_at=received)
    sent = make_interaction(
        owner,
        contact=contact,
        direction="outbound",
        kind="note",
        occurred_at=received + timedelta(hours=hours),
    )
    followup = make_followup(
        owner, contact=contact, kind="reply", source=source, due_at=received + timedelta(hours=24)
    )
    followup.complete(sent, now=sent.occurred_at)


@time_machine.travel(NOW)
def test_reply_speed_sorts_replies_against_the_48_hour_target(alice):
    contact = make_contact(alice)
    for hours in (3, 20, 30, 72):
        reply_sent_after(alice, contact, hours)
    make_followup(
        alice,
        contact=contact,
        kind="reply",
        due_at=NOW - timedelta(days=3),
        deadline=NOW - timedelta(days=2),
    )
    speed = stats.reply_speed(alice, NOW)
    assert values(speed.bars) == {
        "Within 24 hours": 2,
        "24 to 48 hours": 1,
        "After 48 hours": 1,
        "Not sent, past the deadline": 1,
    }
    assert (speed.sent, speed.within_target, speed.median_hours, speed.missed) == (4, 3, 25.0, 1)


# Feedback answers ---------------------------------------------------------------------


@time_machine.travel(NOW)
def test_feedback_requests_count_as_answered_when_the_contact_wrote_back_later(alice):
    answered = make_contact(alice)
    gave_feedback = make_contact(alice)
    silent = make_contact(alice)
    asked_at = NOW - timedelta(days=20)
    for contact in (answered, gave_feedback, silent):
        make_interaction(
            alice,
            contact=contact,
            direction="outbound",
            kind="reply",
            requests_feedback=True,
            occurred_at=asked_at,
        )
    # An inbound message from before the request does not answer it.
    make_interaction(alice, contact=silent, kind="other", occurred_at=asked_at - timedelta(days=1))
    make_interaction(
        alice, contact=answered, kind="other", occurred_at=asked_at + timedelta(days=2)
    )
    make_interaction(
        alice, contact=gave_feedback, kind="feedback", occurred_at=asked_at + timedelta(days=3)
    )
    assert values(stats.feedback_answers(alice)) == {
        "Asked for feedback": 3,
        "Got an answer": 2,
        "Got feedback": 1,
        "No answer": 1,
    }


# Punctuality --------------------------------------------------------------------------


@time_machine.travel(NOW)
def test_follow_ups_done_by_their_deadline_count_as_on_time(alice):
    due = NOW - timedelta(days=5)
    on_time = make_followup(alice, due_at=due, deadline=due + timedelta(days=1))
    on_time.complete(now=due + timedelta(hours=3))
    late = make_followup(alice, due_at=due, deadline=due + timedelta(days=1))
    late.complete(now=due + timedelta(days=2))
    no_deadline_late = make_followup(alice, due_at=due)
    no_deadline_late.complete(now=due + timedelta(days=3))
    make_followup(alice, due_at=NOW - timedelta(days=1), deadline=NOW - timedelta(hours=1))
    make_followup(alice, due_at=NOW + timedelta(days=1))  # not due yet: not counted
    assert values(stats.punctuality(alice, NOW)) == {
        "Done on time": 1,
        "Done late": 2,
        "Overdue now": 1,
    }


# Page ---------------------------------------------------------------------------------


@time_machine.travel(NOW)
def test_stats_page_draws_svg_charts_with_the_numbers_beside_them(alice, alice_client):
    for status in ("applied", "interviewing", "rejected"):
        make_application(alice, status=status)
    page = alice_client.get(reverse("followups:stats")).content.decode()
    assert page.count('<svg class="w-100"') == 4
    assert 'role="img"' in page
    assert "Reached interviews" in page
    assert "<strong>3</strong>" in page  # applied
    assert "(33%)" in page  # one of three reached interviews / was rejected


def test_stats_page_for_a_new_user_shows_zeros_without_errors(alice_client):
    response = alice_client.get(reverse("followups:stats"))
    assert response.status_code == 200
    assert "No replies sent yet." in response.content.decode()


def test_stats_page_shows_only_the_users_own_figures(alice, bob_client):
    for _ in range(3):
        make_application(alice, status="offer")
    page = bob_client.get(reverse("followups:stats")).content.decode()
    assert "<strong>3</strong>" not in page


def test_stats_page_needs_a_login(client):
    assert client.get(reverse("followups:stats")).status_code == 302


def test_an_empty_chart_has_zero_bars_and_a_tiny_value_stays_visible():
    assert (stats.Bar("Nothing", 0, 0).percent, stats.Bar("Nothing", 0, 0).width) == (0, 0)
    assert stats.Bar("One of many", 1, 10_000).width == 1.0
