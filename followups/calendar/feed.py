"""The iCalendar feed of a user's pending follow-ups (served at a secret per-user URL).

Calendar apps poll the URL and match events by UID, so a follow-up keeps one UID for its
whole life: a snoozed follow-up moves in the calendar (its SEQUENCE goes up), a done one
is marked cancelled for a while and then leaves the feed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from crm.models import Profile
from followups.models import FollowUp, FollowUpEvent

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
# A done, dismissed or cancelled follow-up stays this long as STATUS:CANCELLED, so every
# subscribed calendar sees it cancelled on one of its polls before it leaves the feed.
CLOSED_WINDOW = timedelta(days=14)
REFRESH = timedelta(hours=1)
FEED_NAME = "Follow-ups"


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


def _changed_at(followup: FollowUp) -> datetime:
    """When anything shown in the follow-up's event last changed: the follow-up, or the
    contact, application or company its summary names."""
    moments = [followup.updated_at]
    if followup.contact is not None:
        moments.append(followup.contact.updated_at)
    if followup.application is not None:
        moments += [followup.application.updated_at, followup.application.company.updated_at]
    return max(moments)


def followup_event(followup: FollowUp, *, stamp: datetime | None = None) -> Event:
    """One VEVENT, times in UTC, with an alarm when the follow-up falls due.

    Every value comes from the data, none from the clock (DTSTAMP is when the event last
    changed, RFC 5545 §3.8.7.2 for a feed without METHOD), so the same data gives the same
    bytes. SEQUENCE counts the follow-up's transitions (snoozes, reschedules, closing):
    clients replace a stored event only for a higher one. A closed follow-up is written
    as STATUS:CANCELLED for CLOSED_WINDOW, so subscribed calendars drop it.
    """
    changed = _changed_at(followup)
    event = Event()
    event.add("uid", followup_uid(followup))
    event.add("dtstamp", _utc(changed))
    event.add("last-modified", _utc(changed))
    event.add("sequence", getattr(followup, "transitions", 0))
    event.add("dtstart", _utc(followup.due_at))
    event.add("dtend", _utc(followup.due_at + EVENT_LENGTH))
    event.add("summary", _summary(followup))
    event.add("description", _description(followup))
    event.add("url", settings.SITE_URL + reverse("home"))
    if followup.status != FollowUp.Status.PENDING:
        event.add("status", "CANCELLED")
        return event
    event.add("status", "CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _summary(followup))
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def feed_followups(user: User, now: datetime):
    """The pending follow-ups of the feed, and those closed within CLOSED_WINDOW."""
    return FollowUp.objects.filter(owner=user, due_at__gte=now - PAST_WINDOW).filter(
        Q(status=FollowUp.Status.PENDING) | Q(updated_at__gte=now - CLOSED_WINDOW)
    )


_transition_count = (
    FollowUpEvent.objects.filter(followup=OuterRef("pk"))
    .exclude(old_status="")
    .order_by()
    .values("followup")
    .annotate(n=Count("pk"))
    .values("n")
)


def _feed_rows(user: User, now: datetime):
    return (
        feed_followups(user, now)
        .select_related("contact", "application__company")
        # Every transition after the creation (logged with no old status) is a change.
        # A correlated count rather than a JOIN + GROUP BY: the database then walks the
        # (owner, due_at) index, stops at FEED_LIMIT rows and counts for those only,
        # instead of grouping every follow-up of the account before the LIMIT.
        .annotate(transitions=Coalesce(Subquery(_transition_count), 0))
        .order_by("due_at", "pk")[:FEED_LIMIT]
    )


@dataclass(frozen=True)
class FeedVersion:
    """What a calendar app compares: a (weak) ETag and a Last-Modified time."""

    etag: str
    last_modified: datetime


def feed_version(user, *, now: datetime | None = None) -> FeedVersion:
    """Changes whenever the feed's bytes would: calendar apps poll the URL often, and most
    polls can then be answered "304 Not Modified" without building the feed.

    One query over exactly what the events show (times, status, names of the contact,
    company and job, transitions), plus the profile's time zone. Weak, because it is a
    digest of the data rather than of the bytes.
    """
    now = now or timezone.now()
    rows = list(
        _feed_rows(user, now).values_list(
            "pk",
            "status",
            "due_at",
            "deadline",
            "updated_at",
            "draft_subject",
            "draft_body",
            "transitions",
            "contact__first_name",
            "contact__last_name",
            "contact__updated_at",
            "application__title",
            "application__updated_at",
            "application__company__name",
            "application__company__updated_at",
        )
    )
    time_zone, deleted_at = _feed_settings(user)
    digest = hashlib.sha256(repr((rows, time_zone, deleted_at, settings.SITE_URL)).encode())
    moments = [m for row in rows for m in (row[4], row[10], row[12], row[14]) if m]
    if deleted_at is not None:
        moments.append(deleted_at)
    # An empty feed: when the account was created, the earliest it can have changed.
    last = max(moments, default=user.date_joined)
    return FeedVersion('W/"' + digest.hexdigest()[:32] + '"', last.replace(microsecond=0))


def feed_etag(user, *, now: datetime | None = None) -> str:
    return feed_version(user, now=now).etag


def _time_zone(user) -> str:
    return _feed_settings(user)[0]


def _feed_settings(user) -> tuple[str, datetime | None]:
    """The user's time zone, and when a row the feed may show was last deleted."""
    profile = Profile.objects.filter(user=user).only("time_zone", "feed_deleted_at").first()
    return (profile.time_zone, profile.feed_deleted_at) if profile else ("UTC", None)


def note_feed_deletion(owner_id: int | None, now: datetime) -> None:
    """Records that a follow-up, contact, application or company of `owner_id` was
    deleted (followups/signals.py): feed_version reads it. In the deleting transaction,
    so a rolled-back delete records nothing; the condition skips a rewrite when one
    cascade deletes many rows in the same instant."""
    if owner_id is None:
        return
    Profile.objects.filter(user_id=owner_id).exclude(feed_deleted_at=now).update(
        feed_deleted_at=now
    )


def build_feed(user: User, *, now: datetime | None = None) -> bytes:
    """The FEED_LIMIT soonest follow-ups due PAST_WINDOW ago or later, as iCalendar.

    Always holds a VTIMEZONE of the user's zone, so an account with nothing due is still
    a valid calendar (RFC 5545 asks for at least one component) that clients subscribe to.
    """
    now = now or timezone.now()
    time_zone = _time_zone(user)
    calendar = Calendar()
    calendar.add("prodid", "-//Follow-up CRM//followups//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", FEED_NAME)
    calendar.add("x-wr-calname", FEED_NAME)
    calendar.add("x-wr-timezone", time_zone)
    # Calendar apps that honour them poll hourly; due times rarely move faster than that.
    # Both are durations (RFC 5545 §3.3.6): PT1H, not icalendar's default "1:00:00".
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar["x-published-ttl"] = vDuration(REFRESH).to_ical().decode()
    calendar.add_component(_vtimezone(time_zone))
    for followup in _feed_rows(user, now):
        calendar.add_component(followup_event(followup))
    return calendar.to_ical()


# The bytes of each feed version, kept in the cache framework (Redis in production, each
# process's memory otherwise): a calendar app that does not send If-None-Match, or a
# second app on another device, gets the feed without rebuilding it. icalendar spent
# about 75 % of a feed's time building events and the zone's transitions (issue 19).
FEED_CACHE_SECONDS = 24 * 3600


def feed_bytes(user: User, version: FeedVersion, *, now: datetime | None = None) -> bytes:
    """`build_feed(user)`, read from the cache when this version was built before.

    The key is the version's ETag, a digest of everything the events show, so a change
    to any of it is a new key; the stale entry simply expires.
    """
    key = f"calendar-feed:{user.pk}:{version.etag}"
    content = cache.get(key)
    if content is None:
        content = build_feed(user, now=now)
        cache.set(key, content, FEED_CACHE_SECONDS)
    return content


def _vtimezone(name: str) -> Timezone:
    try:
        return Timezone.from_tzid(name)
    except ValueError:
        return Timezone.from_tzid("UTC")
