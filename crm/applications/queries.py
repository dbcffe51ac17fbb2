"""Queries behind the applications pages: search, the "no response" marker, the board.

crm must not import contacts or followups, so interactions and follow-ups are reached
through the reverse relations JobApplication.interactions / .followups only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from crm.concurrency import company_named
from crm.models import Company, JobApplication

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# An application still "applied" this many days after applying, with no inbound
# interaction at all, gets the "no response" marker: most employers answer within
# three weeks, so after that the silence itself is the answer worth acting on.
NO_RESPONSE_DAYS = 21

# The board shows this many cards per column; the column links to the full list.
BOARD_COLUMN_LIMIT = 20


def find_or_create_company(owner: User, name: str) -> Company:
    """The owner's company called `name`, ignoring case; created when there is none."""
    return company_named(owner, name)


def _interaction_model():
    return JobApplication._meta.get_field("interactions").related_model


def _no_response_cutoff(today: date) -> date:
    return today - timedelta(days=NO_RESPONSE_DAYS)


def silent_filter(today: date) -> Q:
    """Applications that are "no response": applied long enough ago, never answered."""
    inbound = _interaction_model().objects.filter(application=OuterRef("pk"), direction="inbound")
    return Q(
        Q(status=JobApplication.Status.APPLIED, applied_on__lte=_no_response_cutoff(today)),
        ~Exists(inbound),
    )


def mark_no_response(applications: Iterable[JobApplication], today: date) -> None:
    """Sets `no_response` on each of the given (already fetched) applications.

    One query over the candidates through the (application, occurred_at) index. As an
    EXISTS annotation on the page query, PostgreSQL hashed every inbound interaction of
    every user instead, for every board column.
    """
    cutoff = _no_response_cutoff(today)
    rows = list(applications)
    candidates = {
        a.pk
        for a in rows
        if a.status == JobApplication.Status.APPLIED and a.applied_on and a.applied_on <= cutoff
    }
    answered = set()
    if candidates:
        answered = set(
            _interaction_model()
            .objects.filter(application_id__in=candidates, direction="inbound")
            .order_by()
            .values_list("application_id", flat=True)
            .distinct()
        )
    for application in rows:
        application.no_response = application.pk in candidates - answered


def applications_for(owner: User) -> QuerySet:
    """The owner's applications with their company."""
    return JobApplication.objects.filter(owner=owner).select_related("company")


def search_applications(
    queryset: QuerySet,
    today: date,
    *,
    q: str = "",
    status: str = "",
    company: Company | None = None,
    no_response: bool = False,
) -> QuerySet:
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(company__name__icontains=q))
    if status:
        queryset = queryset.filter(status=status)
    if company is not None:
        queryset = queryset.filter(company=company)
    if no_response:
        queryset = queryset.filter(silent_filter(today))
    return queryset


@dataclass
class BoardColumn:
    status: str
    label: str
    count: int
    cards: list[JobApplication]

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    @cached_property
    def status_options(self) -> str:
        """The <option>s of every card's "move to" select (the cards of a column share
        a status): built once per column instead of once per card."""
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, mark_safe(" selected") if value == self.status else "", label)
                for value, label in JobApplication.Status.choices
            ),
        )


def board_columns(owner: User, today: date) -> list[BoardColumn]:
    """One column per status, newest first, at most BOARD_COLUMN_LIMIT cards each.

    One count query, one query per status and one for the "no response" marker:
    constant however many rows there are.
    """
    counts = dict(
        JobApplication.objects.filter(owner=owner)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    base = applications_for(owner)
    columns = []
    for status, label in JobApplication.Status.choices:
        count = counts.get(status, 0)
        cards = list(base.filter(status=status)[:BOARD_COLUMN_LIMIT]) if count else []
        columns.append(BoardColumn(status, label, count, cards))
    mark_no_response((card for column in columns for card in column.cards), today)
    return columns
