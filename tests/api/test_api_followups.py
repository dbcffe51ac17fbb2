"""The rules fire through the API as through the pages, and the dashboard's actions work
on follow-ups: mark sent, snooze, dismiss, reopen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from contacts.models import Interaction
from crm.models import JobApplication
from followups.models import FollowUp
from tests.factories import make_application, make_contact, make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_rejection_posted_schedules_the_reply_and_the_answer_lists_it(alice, alice_api):
    contact = make_contact(alice, first_name="Priya")
    application = make_application(alice, title="Data Engineer")
    response = alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "application": application.pk,
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": NOW.isoformat(),
            "subject": "Your application",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    [reply] = body["scheduled"]
    assert reply["kind"] == "reply"
    assert reply["due_at"] == "2026-03-11T15:00:00Z"
    assert reply["deadline"] == "2026-03-12T15:00:00Z"
    assert reply["draft_body"].startswith("Hi Priya")
    application.refresh_from_db()
    assert application.status == JobApplication.Status.REJECTED
    followup = FollowUp.objects.get(pk=reply["id"])
    assert followup.source_id == body["id"]


def test_an_outbound_reply_posted_completes_the_pending_reply(alice, alice_api):
    contact = make_contact(alice)
    alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": NOW.isoformat(),
        },
    )
    response = alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "direction": "outbound",
            "kind": "reply",
            "occurred_at": NOW.isoformat(),
        },
    )
    assert [f["kind"] for f in response.json()["completed"]] == ["reply"]


def test_editing_an_interactions_time_through_the_api_moves_its_reply(alice, alice_api):
    contact = make_contact(alice)
    created = alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": NOW.isoformat(),
        },
    ).json()
    later = NOW + timedelta(hours=2)
    response = alice_api.patch(
        f"/api/v1/interactions/{created['id']}/", {"occurred_at": later.isoformat()}
    )
    assert response.status_code == 200
    reply = FollowUp.objects.get(pk=created["scheduled"][0]["id"])
    assert reply.due_at == later + timedelta(hours=24)


def test_list_follow_ups_filters_by_status_kind_and_due_before(alice, alice_api):
    contact = make_contact(alice)
    soon = make_followup(alice, contact=contact, kind="custom", due_at=NOW + timedelta(days=1))
    make_followup(alice, contact=contact, kind="custom", due_at=NOW + timedelta(days=9))
    make_followup(alice, contact=contact, kind="goal", due_at=NOW)
    before = (NOW + timedelta(days=2)).isoformat()
    response = alice_api.get(
        "/api/v1/followups/", {"status": "pending", "kind": "custom", "due_before": before}
    )
    assert [f["id"] for f in response.json()["results"]] == [soon.pk]


def test_mark_sent_logs_the_draft_and_completes_the_follow_up(alice, alice_api):
    contact = make_contact(alice)
    followup = make_followup(alice, contact=contact, draft_body="Thanks for the chat.")
    response = alice_api.post(f"/api/v1/followups/{followup.pk}/mark-sent/", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["followup"]["status"] == "done"
    interaction = Interaction.objects.get(pk=body["interaction"]["id"])
    assert interaction.direction == "outbound" and interaction.body == "Thanks for the chat."
    assert interaction.requests_feedback is False


def test_mark_sent_with_text_asking_for_feedback_schedules_the_nudge(alice, alice_api):
    contact = make_contact(alice)
    alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": NOW.isoformat(),
        },
    )
    reply = FollowUp.objects.get(owner=alice, kind="reply")
    response = alice_api.post(
        f"/api/v1/followups/{reply.pk}/mark-sent/",
        {"body": "Thank you. Could you share any feedback on my interview?"},
    )
    assert response.status_code == 200
    interaction = Interaction.objects.get(pk=response.json()["interaction"]["id"])
    assert interaction.requests_feedback is True
    assert "feedback_nudge" in [f["kind"] for f in response.json()["scheduled"]]
    assert FollowUp.objects.filter(owner=alice, kind="feedback_nudge", status="pending").exists()


def test_mark_sent_twice_answers_409_the_second_time(alice, alice_api):
    followup = make_followup(alice, contact=make_contact(alice))
    assert alice_api.post(f"/api/v1/followups/{followup.pk}/mark-sent/", {}).status_code == 200
    response = alice_api.post(f"/api/v1/followups/{followup.pk}/mark-sent/", {})
    assert response.status_code == 409
    assert response.json()["detail"] == "This follow-up is done."
    assert Interaction.objects.filter(owner=alice).count() == 1


def test_snooze_moves_the_due_time(alice, alice_api):
    followup = make_followup(alice, due_at=NOW)
    until = NOW + timedelta(days=3)
    response = alice_api.post(
        f"/api/v1/followups/{followup.pk}/snooze/", {"until": until.isoformat()}
    )
    assert response.status_code == 200
    followup.refresh_from_db()
    assert followup.due_at == until


def test_snooze_into_the_past_is_a_field_error(alice, alice_api):
    followup = make_followup(alice, due_at=NOW)
    response = alice_api.post(
        f"/api/v1/followups/{followup.pk}/snooze/",
        {"until": (NOW - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "until", "message": "Snooze to a time in the future."}
    ]


def test_dismiss_then_reopen(alice, alice_api):
    followup = make_followup(alice)
    assert alice_api.post(f"/api/v1/followups/{followup.pk}/dismiss/").status_code == 200
    followup.refresh_from_db()
    assert followup.status == "dismissed"
    response = alice_api.post(f"/api/v1/followups/{followup.pk}/reopen/")
    assert response.json()["followup"]["status"] == "pending"


def test_patch_edits_the_draft_but_not_the_status(alice, alice_api):
    followup = make_followup(alice)
    response = alice_api.patch(
        f"/api/v1/followups/{followup.pk}/", {"draft_body": "New text", "status": "done"}
    )
    assert response.status_code == 200
    followup.refresh_from_db()
    assert followup.draft_body == "New text" and followup.status == "pending"


def test_the_dashboard_groups_match_the_page(alice, alice_api):
    make_followup(
        alice, contact=make_contact(alice, first_name="Priya"), due_at=NOW - timedelta(days=2)
    )
    make_followup(alice, due_at=NOW + timedelta(days=3))
    groups = {g["key"]: g for g in alice_api.get("/api/v1/dashboard/").json()["groups"]}
    assert groups["overdue"]["count"] == 1
    assert groups["overdue"]["rows"][0]["contact_name"].startswith("Priya")
    assert groups["week"]["count"] == 1
    assert groups["today"]["count"] == 0
    # The page loads "this week" and "later" on demand; the API has no second request to
    # make, so every group carries its rows.
    assert len(groups["week"]["rows"]) == 1


def test_stats_answer_the_funnel(alice, alice_api):
    make_application(alice, status="interviewing")
    funnel = alice_api.get("/api/v1/stats/").json()["funnel"]
    assert funnel[0] == {"label": "Applied", "value": 1, "total": 1, "percent": 100}
