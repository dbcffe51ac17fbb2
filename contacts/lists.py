"""Queries behind the contacts pages: the filtered list and a contact's timeline.

contacts must not import followups: follow-ups and their history are reached through
the reverse relations `contact.followups` and `followups__...` lookups only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from contacts.models import Contact, Interaction
from crm.models import Company
from crm.timeline import TimelineEntry, build_timeline

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A contact page shows this many of the latest interactions and follow-ups.
TIMELINE_LIMIT = 200


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


def contact_timeline(contact: Contact) -> list[TimelineEntry]:
    """Interactions, follow-ups and their status history in one list, newest first."""
    interactions = contact.interactions.select_related("application__company")[:TIMELINE_LIMIT]
    event_model = _followup_model()._meta.get_field("events").related_model
    followups = (
        contact.followups.select_related("application__company")
        .prefetch_related(Prefetch("events", queryset=event_model.objects.order_by("at", "id")))
        .order_by("-due_at")[:TIMELINE_LIMIT]
    )
    return build_timeline(interactions, followups)
