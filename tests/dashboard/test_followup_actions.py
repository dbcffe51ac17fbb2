"""Acting on a follow-up from the dashboard: mark sent, snooze, dismiss and undo.

htmx requests get the re-rendered row (and the nav badge); plain POSTs, with JavaScript
off, get a message and a redirect back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Interaction
from followups.models import FollowUp, Goal
from tests.factories import make_application, make_contact, make_followup, make_interaction

# Friday 13 March 2026, 15:00 UTC = 16:00 in Berlin.
FRIDAY = datetime(2026, 3, 13, 15, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock():
    """Every test, its fixtures included, runs on Friday afternoon unless it moves the clock."""
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def berlin_alice(alice):
    alice.profile.time_zone = "Europe/Berlin"
    alice.profile.save()
    return alice


@pytest.fixture
def rejection(berlin_alice):
    """A rejection from Dana received on Thursday: R1 scheduled a reply."""
    contact = make_contact(berlin_alice, first_name="Dana", last_name="Reyes")
    application = make_application(berlin_alice, title="Data Engineer")
    return make_interaction(
        berlin_alice,
        contact=contact,
        application=application,
        kind=Interaction.Kind.REJECTION,
        occurred_at=FRIDAY - timedelta(days=1),
    )


@pytest.fixture
def reply(rejection) -> FollowUp:
    return FollowUp.objects.get(source=rejection, kind=FollowUp.Kind.REPLY)


def url(name: str, followup: FollowUp) -> str:
    return reverse(f"followups:{name}", args=[followup.pk])


# Mark sent -----------------------------------------------------------------------------


def test_mark_sent_logs_the_draft_and_shows_the_reply_done_and_whats_next(
    berlin_alice, reply, alice_client
):
    response = alice_client.post(url("mark-sent", reply), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="followup-{reply.pk}"' in html
    assert "Marked sent to Dana Reyes." in html
    assert 'data-status="done"' in html
    assert "Next: Check in, due" in html  # R5/R6: a check-in three months on
    sent = Interaction.objects.get(owner=berlin_alice, direction="outbound")
    assert sent.kind == "reply" and sent.body == reply.draft_body
    reply.refresh_from_db()
    assert reply.status == "done" and reply.completed_by == sent


def test_after_an_action_the_nav_badge_is_updated_in_place(reply, alice_client):
    assert reply.due_at <= FRIDAY  # due now
    html = alice_client.post(url("mark-sent", reply), **HTMX).content.decode()
    assert '<span id="nav-due-count" hx-swap-oob="true"></span>' in html


def test_mark_sent_without_javascript_redirects_back_with_a_message(reply, alice_client):
    response = alice_client.post(url("mark-sent", reply), {"next": "/?group=today"}, follow=True)
    assert response.redirect_chain == [("/?group=today", 302)]
    assert "Marked sent to Dana Reyes." in response.content.decode()


def test_a_redirect_never_leaves_the_site(reply, alice_client):
    response = alice_client.post(url("dismiss", reply), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_marking_sent_twice_logs_one_message(berlin_alice, reply, alice_client):
    alice_client.post(url("mark-sent", reply), **HTMX)
    second = alice_client.post(url("mark-sent", reply), **HTMX)
    assert "This follow-up is already done." in second.content.decode()
    assert Interaction.objects.filter(owner=berlin_alice, direction="outbound").count() == 1


def test_a_goal_is_marked_done_without_logging_a_message(alice, alice_client):
    goal = make_followup(alice, kind=FollowUp.Kind.GOAL, draft_body="Finish the portfolio")
    row = alice_client.get("/").content.decode()
    assert "Mark done" in row and url("draft", goal) not in row
    html = alice_client.post(url("mark-sent", goal), **HTMX).content.decode()
    assert "Marked done." in html
    goal.refresh_from_db()
    assert goal.status == "done"
    assert not Interaction.objects.exists()


def test_marking_a_goal_reminder_done_on_the_dashboard_marks_the_goal_done(alice, alice_client):
    goal = Goal.objects.create(
        owner=alice,
        specific="Do two mock interviews",
        deadline=timezone.localdate() + timedelta(days=10),
    )
    reminder = goal.followup
    html = alice_client.post(url("mark-sent", reminder), **HTMX).content.decode()
    assert "Marked done." in html
    goal.refresh_from_db()
    reminder.refresh_from_db()
    assert (goal.status, reminder.status) == ("done", "done")


# Snooze ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "choice, due_local, shown",
    [
        # Friday afternoon: tomorrow is Saturday, so the next working morning is Monday.
        ("tomorrow", datetime(2026, 3, 16, 8, 0, tzinfo=UTC), "Snoozed until Mon 16 Mar, 09:00."),
        ("three_days", datetime(2026, 3, 16, 8, 0, tzinfo=UTC), "Snoozed until Mon 16 Mar, 09:00."),
        ("next_week", datetime(2026, 3, 16, 8, 0, tzinfo=UTC), "Snoozed until Mon 16 Mar, 09:00."),
    ],
)
def test_snoozing_moves_the_followup_to_a_working_morning(
    reply, alice_client, choice, due_local, shown
):
    response = alice_client.post(url("snooze", reply), {"choice": choice}, **HTMX)
    assert shown in response.content.decode()
    reply.refresh_from_db()
    assert reply.status == "pending"
    assert reply.due_at == due_local


def test_tomorrow_and_in_three_days_on_a_tuesday(reply, alice_client, clock):
    clock.move_to(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    alice_client.post(url("snooze", reply), {"choice": "tomorrow"}, **HTMX)
    reply.refresh_from_db()
    assert reply.due_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)  # Wednesday 09:00 Berlin
    alice_client.post(url("snooze", reply), {"choice": "three_days"}, **HTMX)
    reply.refresh_from_db()
    assert reply.due_at == datetime(2026, 3, 13, 8, 0, tzinfo=UTC)  # Friday 09:00 Berlin


def test_snoozing_to_a_picked_date_uses_that_days_morning(reply, alice_client):
    # 29 March 2026 is the Sunday Berlin moves to summer time: 09:00 is 07:00 UTC.
    response = alice_client.post(
        url("snooze", reply), {"choice": "date", "date": "2026-03-29"}, **HTMX
    )
    assert "Snoozed until Sun 29 Mar, 09:00." in response.content.decode()
    reply.refresh_from_db()
    assert reply.due_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_snoozing_rearms_the_reminder_email(reply, alice_client):
    FollowUp.objects.filter(pk=reply.pk).update(notified_at=FRIDAY)
    alice_client.post(url("snooze", reply), {"choice": "tomorrow"}, **HTMX)
    reply.refresh_from_db()
    assert reply.notified_at is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"choice": "date"}, "Pick the day to be reminded again."),
        ({"choice": "date", "date": "2026-03-13"}, "Pick a day after today."),
        ({"choice": "date", "date": "2020-01-01"}, "Pick a day after today."),
        ({"choice": "date", "date": "9999-12-31"}, "Pick a day within the next two years."),
        ({"choice": "date", "date": "31/02/2026"}, "Enter a valid date."),
        ({"choice": "someday"}, "Select a valid choice."),
        ({}, "This field is required."),
    ],
)
def test_a_bad_snooze_says_why_and_changes_nothing(reply, alice_client, data, message):
    due_before = reply.due_at
    response = alice_client.post(url("snooze", reply), data, **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    reply.refresh_from_db()
    assert reply.due_at == due_before


def test_snoozing_without_javascript_works_and_reports_bad_dates(reply, alice_client):
    response = alice_client.post(url("snooze", reply), {"choice": "date"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "Not snoozed: Pick the day to be reminded again." in response.content.decode()
    response = alice_client.post(url("snooze", reply), {"choice": "next_week"}, follow=True)
    assert "Snoozed until Mon 16 Mar, 09:00." in response.content.decode()


def test_the_snooze_menu_loads_its_choices_into_the_row(reply, alice_client):
    html = alice_client.get(url("snooze", reply), **HTMX).content.decode()
    assert "<html" not in html
    assert 'value="tomorrow"' in html and 'value="next_week"' in html
    assert 'min="2026-03-14"' in html  # the date picker starts tomorrow, Berlin time


def test_without_javascript_the_snooze_choices_are_a_page_of_their_own(reply, alice_client):
    dashboard = alice_client.get("/").content.decode()
    assert f'href="{url("snooze", reply)}?next=/"' in dashboard
    response = alice_client.get(url("snooze", reply), {"next": "/?group=today"})
    html = response.content.decode()
    assert "<title>Snooze · Reply to the rejection: Dana Reyes · Follow-up CRM</title>" in html
    assert 'name="next" value="/?group=today"' in html
    assert 'for="snooze-date-' in html


def test_the_snooze_page_never_links_off_site(reply, alice_client):
    html = alice_client.get(url("snooze", reply), {"next": "https://evil.example/"}).content
    assert b"evil.example" not in html


def test_another_users_snooze_menu_answers_404(bob, alice_client):
    assert alice_client.get(url("snooze", make_followup(bob))).status_code == 404


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    choice=st.one_of(st.sampled_from(["tomorrow", "three_days", "next_week", "date"]), st.text()),
    picked=st.one_of(st.dates().map(str), st.text(max_size=20)),
)
def test_any_snooze_input_answers_without_a_server_error(reply, alice_client, choice, picked):
    response = alice_client.post(url("snooze", reply), {"choice": choice, "date": picked}, **HTMX)
    assert response.status_code == 200
    reply.refresh_from_db()
    assert reply.status == "pending"


# Dismiss and undo -------------------------------------------------------------------------


def test_dismiss_offers_undo_and_undo_brings_it_back(reply, alice_client):
    html = alice_client.post(url("dismiss", reply), **HTMX).content.decode()
    assert "Dismissed." in html
    assert url("reopen", reply) in html and ">Undo<span" in html
    reply.refresh_from_db()
    assert reply.status == "dismissed"

    html = alice_client.post(url("reopen", reply), **HTMX).content.decode()
    assert "Back on your list." in html
    assert url("mark-sent", reply) in html
    reply.refresh_from_db()
    assert reply.status == "pending"
    assert [e.new_status for e in reply.events.all()][-2:] == ["dismissed", "pending"]


def test_dismissed_followups_leave_the_dashboard(reply, alice_client):
    alice_client.post(url("dismiss", reply))
    assert "Dana Reyes" not in alice_client.get("/").content.decode()


def test_only_a_dismissed_followup_can_be_undone(alice, alice_client):
    followup = make_followup(alice)
    followup.complete(None)
    html = alice_client.post(url("reopen", followup), **HTMX).content.decode()
    assert "Only a dismissed follow-up can be undone." in html
    followup.refresh_from_db()
    assert followup.status == "done"


def test_undo_never_makes_a_second_pending_check_in(alice, alice_client):
    contact = make_contact(alice, check_in_months=0)
    old = make_followup(alice, contact=contact, kind=FollowUp.Kind.CHECK_IN)
    old.dismiss()
    make_followup(alice, contact=contact, kind=FollowUp.Kind.CHECK_IN)
    response = alice_client.post(url("reopen", old), **HTMX)
    assert response.status_code == 200
    assert "A newer check-in is already pending." in response.content.decode()
    old.refresh_from_db()
    assert old.status == "dismissed"


def test_acting_on_a_finished_followup_changes_nothing(alice, alice_client):
    followup = make_followup(alice)
    followup.dismiss()
    for action in ("mark-sent", "snooze", "dismiss"):
        response = alice_client.post(url(action, followup), {"choice": "tomorrow"}, **HTMX)
        assert "This follow-up is already dismissed." in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == "dismissed"
    assert not Interaction.objects.filter(direction="outbound").exists()


# Scoping and methods ----------------------------------------------------------------------


@pytest.mark.parametrize("action", ["mark-sent", "snooze", "dismiss", "reopen"])
def test_another_users_followup_answers_404(alice, bob, alice_client, action):
    bobs = make_followup(bob)
    response = alice_client.post(url(action, bobs), {"choice": "tomorrow"}, **HTMX)
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.status == "pending"


@pytest.mark.parametrize("action", ["mark-sent", "dismiss", "reopen"])
def test_actions_only_accept_post(alice, alice_client, action):
    followup = make_followup(alice)
    assert alice_client.get(url(action, followup)).status_code == 405


def test_actions_need_a_login(alice, client):
    followup = make_followup(alice)
    response = client.post(url("dismiss", followup))
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.status == "pending"
