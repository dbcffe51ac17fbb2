"""Deleting what the calendar feed shows changes its validators (issue 14, item 6): a
calendar app polling with If-Modified-Since or If-None-Match gets the new feed, not 304."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from crm.models import Profile
from tests.factories import make_application, make_company, make_contact, make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def feed_url(user) -> str:
    return reverse("followups:calendar-feed", args=[Profile.for_user(user).calendar_token])


def summaries(response) -> list[str]:
    return [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]


def two_follow_ups(alice):
    """An older follow-up, and a newer one with its own contact and application: the
    newer one's times are the feed's Last-Modified, so deleting it would turn the clock
    back without a record of the deletion."""
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        make_followup(alice, contact=make_contact(alice, first_name="Old", last_name="One"))
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        acme = make_company(alice, name="Acme")
        dana = make_contact(alice, first_name="Dana", last_name="Lee", company=acme)
        application = make_application(alice, company=acme, title="Backend engineer")
        newer = make_followup(alice, contact=dana, application=application, due_at=DUE)
    return newer


def deleting(what: str, followup) -> None:
    target = {
        "follow-up": followup,
        "contact": followup.contact,
        "application": followup.application,
    }[what]
    target.delete()


@pytest.mark.parametrize("what", ["follow-up", "contact", "application"])
def test_deleting_what_the_feed_shows_changes_last_modified_and_the_etag(alice, client, what):
    newer = two_follow_ups(alice)
    with time_machine.travel(NOW, tick=False):
        first = client.get(feed_url(alice))
        assert first.status_code == 200
        assert "Dana Lee" in first.content.decode()

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        deleting(what, newer)
        since = client.get(feed_url(alice), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        matching = client.get(feed_url(alice), HTTP_IF_NONE_MATCH=first["ETag"])

    for response in (since, matching):
        assert response.status_code == 200
        assert response["Last-Modified"] != first["Last-Modified"]
        assert response["ETag"] != first["ETag"]
        assert response.content != first.content
    if what == "application":
        assert "(Acme)" not in since.content.decode()
    else:
        assert not any("Dana Lee" in s for s in summaries(since))


def test_after_a_deletion_an_unchanged_feed_answers_not_modified_again(alice, client):
    newer = two_follow_ups(alice)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        newer.delete()
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        fresh = client.get(feed_url(alice))
        assert client.get(feed_url(alice), HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304
        since = client.get(feed_url(alice), HTTP_IF_MODIFIED_SINCE=fresh["Last-Modified"])
        assert since.status_code == 304


def test_another_accounts_deletion_leaves_the_feed_unchanged(alice, bob, client):
    two_follow_ups(alice)
    bobs = make_followup(bob, contact=make_contact(bob, first_name="Bo"))
    with time_machine.travel(NOW, tick=False):
        first = client.get(feed_url(alice))
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        bobs.delete()
        assert client.get(feed_url(alice), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        since = client.get(feed_url(alice), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304
