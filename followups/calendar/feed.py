"""The iCalendar feed of a user's pending follow-ups (served at a secret per-user URL).

Calendar apps poll the URL and match events by UID, so a follow-up keeps one UID for its
whole life: a snoozed follow-up moves in the calendar, a done one disappears.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from contacts.models import Contact
from crm.models import JobApplication
from followups.models import FollowUp

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Length of the event in the calendar: a short slot at the time the follow-up is due.
EVENT_LENGTH = timedelta(minutes=30)
# Follow-ups overdue for longer than this stay on the dashboard but leave the calendar,
# where an event weeks in the past helps nobody.
PAST_WINDOW = timedelta(days=30)
# The icalendar package needs about a millisecond per event, and no one reads 5,000
# events in a calendar: the feed holds the soonest ones.
FEED_LIMIT = 500


def followup_uid(followup: FollowUp) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "followup-crm"
    return f"followup-{followup.pk}@{host}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _summary(followup: FollowUp) -> str:
    parts = [followup.get_kind_display()]
    if followup.contact:
        parts.append(followup.contact.full_name)
    if followup.application:
        parts.append(f"({followup.application.company.name})")
    return " ".join([parts[0] + ":", *parts[1:]]) if len(parts) > 1 else parts[0]


def _description(followup: FollowUp) -> str:
    lines = []
    if application := followup.application:
        lines.append(f"Job: {application.title} at {application.company.name}")
    if followup.deadline:
        lines.append(f"Deadline: {_utc(followup.deadline):%Y-%m-%d %H:%M} UTC")
    if followup.draft_body:
        lines += ["", "Draft:", followup.draft_subject, "", followup.draft_body]
    return "\n".join(lines).strip()


def followup_event(followup: FollowUp, *, stamp: datetime) -> Event:
    """One VEVENT, times in UTC, with an alarm when the follow-up falls due."""
    event = Event()
    event.add("uid", followup_uid(followup))
    event.add("dtstamp", _utc(stamp))
    event.add("last-modified", _utc(followup.updated_at))
    event.add("dtstart", _utc(followup.due_at))
    event.add("dtend", _utc(followup.due_at + EVENT_LENGTH))
    event.add("summary", _summary(followup))
    event.add("description", _description(followup))
    event.add("url", settings.SITE_URL + reverse("home"))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _summary(followup))
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def feed_followups(user: User, now: datetime):
    return FollowUp.objects.filter(
        owner=user, status=FollowUp.Status.PENDING, due_at__gte=now - PAST_WINDOW
    )


def feed_etag(user: User, *, now: datetime | None = None) -> str:
    """Changes whenever the feed's content would: calendar apps poll the URL often, and
    most polls can then be answered "304 Not Modified" without building the feed.

    Covers the follow-ups (any transition or snooze bumps `updated_at`, a new or deleted
    one changes the count or the largest id), the contacts and applications named in
    the events, and the day (the past window moves). Company renames are not seen until
    something else changes.
    """
    now = now or timezone.now()
    parts = [
        feed_followups(user, now).aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk")),
        Contact.objects.filter(owner=user).aggregate(last=Max("updated_at")),
        JobApplication.objects.filter(owner=user).aggregate(last=Max("updated_at")),
        now.date(),
    ]
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def build_feed(user: User, *, now: datetime | None = None) -> bytes:
    """The FEED_LIMIT soonest pending follow-ups due PAST_WINDOW ago or later, as iCalendar."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Follow-up CRM//followups//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Follow-ups")
    # Calendar apps that honour it poll hourly; due times rarely move faster than that.
    calendar.add("x-published-ttl", timedelta(hours=1))
    pending = feed_followups(user, now).select_related("contact", "application__company")
    for followup in pending.order_by("due_at", "pk")[:FEED_LIMIT]:
        calendar.add_component(followup_event(followup, stamp=now))
    return calendar.to_ical()
