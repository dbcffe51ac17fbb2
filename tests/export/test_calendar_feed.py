"""The calendar feed: a secret per-user URL serving pending follow-ups as iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from crm.models import Profile
from tests.factories import make_application, make_company, make_contact, make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    """Keeps DUE in the feed's window whatever today's date; the clock still ticks, so
    every save gets a later updated_at."""
    with time_machine.travel(NOW):
        yield


def feed_url(user) -> str:
    return reverse("followups:calendar-feed", args=[Profile.for_user(user).calendar_token])


def events_of(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_feed_lists_pending_follow_ups_as_events_with_an_alarm(alice, client):
    acme = make_company(alice, name="Acme")
    dana = make_contact(alice, first_name="Dana", last_name="Lee", company=acme)
    followup = make_followup(
        alice,
        contact=dana,
        application=make_application(alice, company=acme),
        kind="reply",
        due_at=DUE,
        deadline=DUE + timedelta(days=1),
        draft_body="Hi Dana, thank you for letting me know.",
    )
    response = client.get(feed_url(alice))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = events_of(response)[f"followup-{followup.pk}@127.0.0.1"]
    assert event.decoded("dtstart") == DUE
    assert str(event["summary"]) == "Reply to the rejection: Dana Lee (Acme)"
    assert "thank you for letting me know" in str(event["description"])
    (alarm,) = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(0)


def test_times_are_written_in_utc(alice, client):
    make_followup(alice, due_at=DUE)
    text = client.get(feed_url(alice)).content.decode()
    assert "DTSTART:20261201T090000Z" in text
    assert "DTEND:20261201T093000Z" in text


def test_uids_stay_the_same_when_a_follow_up_moves(alice, client):
    followup = make_followup(alice, due_at=DUE)
    before = set(events_of(client.get(feed_url(alice))))
    followup.snooze(DUE + timedelta(days=2))
    after = events_of(client.get(feed_url(alice)))
    assert set(after) == before
    (event,) = after.values()
    assert event.decoded("dtstart") == DUE + timedelta(days=2)


def test_done_dismissed_and_cancelled_follow_ups_are_cancelled_then_leave_the_feed(alice, client):
    keep = make_followup(alice, due_at=DUE)
    closed = [make_followup(alice, due_at=DUE) for _ in range(3)]
    closed[0].complete()
    closed[1].dismiss()
    closed[2].cancel("no longer needed")

    events = events_of(client.get(feed_url(alice)))

    assert {uid: str(event["status"]) for uid, event in events.items()} == {
        f"followup-{keep.pk}@127.0.0.1": "CONFIRMED",
        **{f"followup-{f.pk}@127.0.0.1": "CANCELLED" for f in closed},
    }
    with time_machine.travel(NOW + timedelta(days=15)):
        later = events_of(client.get(feed_url(alice)))
    assert set(later) == {f"followup-{keep.pk}@127.0.0.1"}


def test_feed_holds_only_the_owners_follow_ups(alice, bob, client):
    mine = make_followup(alice, due_at=DUE)
    make_followup(bob, due_at=DUE)
    assert set(events_of(client.get(feed_url(alice)))) == {f"followup-{mine.pk}@127.0.0.1"}


def test_follow_ups_overdue_for_over_a_month_leave_the_calendar(alice, client):
    recent = make_followup(alice, due_at=timezone.now() - timedelta(days=29))
    make_followup(alice, due_at=timezone.now() - timedelta(days=31))
    assert set(events_of(client.get(feed_url(alice)))) == {f"followup-{recent.pk}@127.0.0.1"}


def test_feed_holds_the_soonest_follow_ups_up_to_its_limit(alice, client, monkeypatch):
    monkeypatch.setattr("followups.calendar.feed.FEED_LIMIT", 2)
    later = make_followup(alice, due_at=DUE + timedelta(days=9))
    first = make_followup(alice, due_at=DUE)
    second = make_followup(alice, due_at=DUE + timedelta(days=1))
    uids = set(events_of(client.get(feed_url(alice))))
    assert uids == {f"followup-{first.pk}@127.0.0.1", f"followup-{second.pk}@127.0.0.1"}
    assert f"followup-{later.pk}@127.0.0.1" not in uids


def test_an_unchanged_feed_answers_not_modified(alice, client):
    make_followup(alice, due_at=DUE)
    first = client.get(feed_url(alice))
    again = client.get(feed_url(alice), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_snoozed_follow_up_or_renamed_contact_gives_a_fresh_feed(alice, client):
    dana = make_contact(alice, first_name="Dana", last_name="Lee")
    followup = make_followup(alice, contact=dana, due_at=DUE)
    etag = client.get(feed_url(alice))["ETag"]
    followup.snooze(DUE + timedelta(hours=3))
    moved = client.get(feed_url(alice), HTTP_IF_NONE_MATCH=etag)
    assert moved.status_code == 200
    assert "DTSTART:20261201T120000Z" in moved.content.decode()
    dana.last_name = "Lee-Park"
    dana.save()
    renamed = client.get(feed_url(alice), HTTP_IF_NONE_MATCH=moved["ETag"])
    assert renamed.status_code == 200
    assert "Dana Lee-Park" in renamed.content.decode()


def test_an_unknown_or_malformed_token_is_not_found(client, alice):
    url = reverse("followups:calendar-feed", args=["not-a-real-token"])
    assert client.get(url).status_code == 404
    # A NUL byte would make PostgreSQL refuse the query: the URL pattern turns it away.
    assert client.get("/calendar/abc%00def.ics").status_code == 404
    assert client.get("/calendar/a%20b.ics").status_code == 404


def test_regenerating_kills_the_old_url(alice, alice_client):
    make_followup(alice, due_at=DUE)
    old_url = feed_url(alice)
    assert alice_client.get(old_url).status_code == 200
    response = alice_client.post(reverse("followups:calendar-regenerate"), follow=True)
    new_url = feed_url(Profile.objects.get(user=alice).user)
    assert new_url != old_url
    assert alice_client.get(old_url).status_code == 404
    assert alice_client.get(new_url).status_code == 200
    assert new_url in response.content.decode()


def test_regenerating_needs_a_post(alice_client):
    assert alice_client.get(reverse("followups:calendar-regenerate")).status_code == 405


def test_calendar_page_shows_the_users_own_feed_url(alice, bob, alice_client):
    page = alice_client.get(reverse("followups:calendar")).content.decode()
    assert Profile.for_user(alice).calendar_token in page
    assert Profile.for_user(bob).calendar_token not in page


def test_calendar_page_needs_a_login_but_the_feed_does_not(client, alice):
    assert client.get(reverse("followups:calendar")).status_code == 302
    assert client.get(feed_url(alice)).status_code == 200
