"""The calendar feed as strict clients read it (icalendar with every property decoded,
vobject), and as calendar apps poll it (HEAD, If-None-Match, If-Modified-Since)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date
from icalendar import Calendar, vDuration

from crm.models import Profile
from tests.factories import make_application, make_company, make_contact, make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW):
        yield


def feed_url(user) -> str:
    return reverse("followups:calendar-feed", args=[Profile.for_user(user).calendar_token])


def strictly_parsed(content: bytes) -> Calendar:
    """icalendar, decoding every property of every component: a value of the wrong type
    (a TTL "1:00:00" instead of a duration) fails here."""
    calendar = Calendar.from_ical(content)
    for component in calendar.walk():
        assert not component.errors, component.errors
        for name in component:
            component.decoded(name)
    ttl = str(calendar["X-PUBLISHED-TTL"])
    assert vDuration.from_ical(ttl) == timedelta(hours=1)
    return calendar


def with_a_follow_up(alice):
    acme = make_company(alice, name="Acme")
    dana = make_contact(alice, first_name="Dana", last_name="Lee", company=acme)
    return make_followup(
        alice, contact=dana, application=make_application(alice, company=acme), due_at=DUE
    )


def test_the_feed_parses_strictly_with_durations_and_a_name(alice, client):
    with_a_follow_up(alice)

    content = client.get(feed_url(alice)).content

    calendar = strictly_parsed(content)
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in content
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in content
    assert calendar.decoded("refresh-interval") == timedelta(hours=1)
    assert str(calendar["NAME"]) == "Follow-ups"
    parsed = vobject.readOne(content.decode())
    assert "Dana Lee (Acme)" in parsed.vevent.summary.value
    assert parsed.vevent.dtstart.value == DUE


def test_an_empty_account_still_gets_a_valid_calendar(alice, client):
    content = client.get(feed_url(alice)).content

    calendar = strictly_parsed(content)
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert vobject.readOne(content.decode()).name == "VCALENDAR"


def test_the_same_data_gives_the_same_bytes_and_a_weak_etag(alice, client):
    with_a_follow_up(alice)
    first = client.get(feed_url(alice))

    with time_machine.travel(NOW + timedelta(hours=2)):
        second = client.get(feed_url(alice))

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert first["ETag"].startswith('W/"')


def test_head_answers_with_the_headers_and_no_body(alice, client):
    with_a_follow_up(alice)

    response = client.head(feed_url(alice))

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == client.get(feed_url(alice))["ETag"]
    assert "Last-Modified" in response


def test_if_modified_since_the_last_change_answers_not_modified_with_cache_control(alice, client):
    with_a_follow_up(alice)
    first = client.get(feed_url(alice))

    again = client.get(feed_url(alice), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304
    assert again["Cache-Control"] == "private, max-age=300"
    earlier = http_date((NOW - timedelta(days=1)).timestamp())
    assert client.get(feed_url(alice), HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_if_none_match_star_answers_not_modified(alice, client):
    response = client.get(feed_url(alice), HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 304
    assert response["Cache-Control"] == "private, max-age=300"


def test_a_renamed_company_changes_the_feed_its_etag_and_last_modified(alice, client):
    followup = with_a_follow_up(alice)
    first = client.get(feed_url(alice))

    with time_machine.travel(NOW + timedelta(minutes=5)):
        company = followup.application.company
        company.name = "Acme Robotics"
        company.save()
        renamed = client.get(
            feed_url(alice),
            HTTP_IF_NONE_MATCH=first["ETag"],
        )
        since = client.get(feed_url(alice), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert renamed.status_code == 200
    assert "(Acme Robotics)" in renamed.content.decode()
    assert since.status_code == 200


def test_sequence_goes_up_when_a_follow_up_is_snoozed_or_cancelled(alice, client):
    followup = with_a_follow_up(alice)

    def sequence() -> int:
        events = strictly_parsed(client.get(feed_url(alice)).content).walk("VEVENT")
        (event,) = [e for e in events if str(e["uid"]) == f"followup-{followup.pk}@127.0.0.1"]
        return event.decoded("sequence")

    before = sequence()
    followup.snooze(DUE + timedelta(days=1))
    snoozed = sequence()
    followup.cancel("They answered")
    cancelled = sequence()

    assert before < snoozed < cancelled


def test_another_users_token_shows_only_their_feed(alice, bob, client):
    with_a_follow_up(alice)

    content = client.get(feed_url(bob)).content

    assert list(strictly_parsed(content).walk("VEVENT")) == []


def test_an_unchanged_feed_is_served_from_the_cache_and_a_change_rebuilds_it(
    alice, client, settings
):
    # A cache of its own: another test's feed of the same data may be in the default one.
    backend = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "feed-cache-test"}}
    followup = with_a_follow_up(alice)
    with CaptureQueriesContext(connection) as built:
        first = client.get(feed_url(alice)).content

    with CaptureQueriesContext(connection) as cached:  # no If-None-Match: a second device
        second = client.get(feed_url(alice)).content

    assert second == first
    assert len(cached) < len(built)  # the events' query did not run again
    assert vobject.readOne(second.decode()).vevent.dtstart.value == DUE
    followup.snooze(DUE + timedelta(days=1))
    moved = client.get(feed_url(alice)).content
    events = list(strictly_parsed(moved).walk("VEVENT"))
    assert events[0].decoded("dtstart") == DUE + timedelta(days=1)
    assert vobject.readOne(moved.decode()).vevent.dtstart.value == DUE + timedelta(days=1)
