"""Queries behind the contacts pages: the filtered list and a contact's timeline.

contacts must not import followups: follow-ups and their history are reached through
the reverse relations `contact.followups` and `followups__...` lookups only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from contacts.models import Contact, Interaction
from crm.models import Company
from crm.timeline import TimelineEntry, build_timeline

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A contact page shows this many interactions and follow-ups per timeline page.
TIMELINE_PAGE_SIZE = 50


def _followup_model():
    return Contact._meta.get_field("followups").related_model


def contacts_for(owner: User, now: datetime) -> QuerySet:
    """The owner's contacts with `last_contacted` and `check_in_overdue` annotated."""
    latest = Interaction.objects.filter(contact=OuterRef("pk")).order_by("-occurred_at")
    FollowUp = _followup_model()
    overdue_check_in = FollowUp.objects.filter(
        contact=OuterRef("pk"),
        kind=FollowUp.Kind.CHECK_IN,
        status=FollowUp.Status.PENDING,
        due_at__lt=now,
    )
    return (
        Contact.objects.filter(owner=owner)
        .select_related("company")
        .annotate(
            last_contacted=Subquery(latest.values("occurred_at")[:1]),
            check_in_overdue=Exists(overdue_check_in),
        )
    )


def search_contacts(
    queryset: QuerySet,
    now: datetime,
    *,
    q: str = "",
    role: str = "",
    company: Company | None = None,
    check_in_overdue: bool = False,
    quiet_days: int | None = None,
) -> QuerySet:
    if q:
        for word in q.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(company__name__icontains=word)
                | Q(title__icontains=word)
            )
    if role:
        queryset = queryset.filter(role=role)
    if company is not None:
        queryset = queryset.filter(company=company)
    if check_in_overdue:
        queryset = queryset.filter(check_in_overdue=True)
    if quiet_days:
        cutoff = now - timedelta(days=quiet_days)
        queryset = queryset.filter(Q(last_contacted__lt=cutoff) | Q(last_contacted__isnull=True))
    return queryset


@dataclass(frozen=True)
class TimelinePage:
    """One page of a contact's timeline, newest first; `number` counts from 1."""

    entries: list[TimelineEntry]
    number: int
    has_older: bool


def contact_timeline(contact: Contact, page: int = 1) -> TimelinePage:
    """Interactions, follow-ups and their status history in one list, newest first, a
    page of TIMELINE_PAGE_SIZE interactions and follow-ups at a time (with the status
    changes of those follow-ups). Older pages stay reachable ("Show older"): a fixed cap
    hid everything past the 200th entry before.

    The newest `page × size` of the union are among the newest `page × size` of each
    kind, so two LIMIT queries (and the events' prefetch) give an exact page.
    """
    upto = page * TIMELINE_PAGE_SIZE
    interactions = list(contact.interactions.select_related("application__company")[: upto + 1])
    event_model = _followup_model()._meta.get_field("events").related_model
    followups = list(
        contact.followups.select_related("application__company")
        .prefetch_related(Prefetch("events", queryset=event_model.objects.order_by("at", "id")))
        .order_by("-due_at", "-pk")[: upto + 1]
    )
    items = sorted(
        [(i.occurred_at, 0, i.pk, i) for i in interactions]
        + [(f.due_at, 1, f.pk, f) for f in followups],
        key=lambda row: row[:3],
        reverse=True,
    )
    shown = [row[3] for row in items[upto - TIMELINE_PAGE_SIZE : upto]]
    entries = build_timeline(
        [item for item in shown if isinstance(item, Interaction)],
        [item for item in shown if not isinstance(item, Interaction)],
    )
    return TimelinePage(entries, page, has_older=len(items) > upto)
