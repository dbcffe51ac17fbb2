"""Queries behind the applications pages: search, the "no response" marker, the board.

crm must not import contacts or followups, so interactions and follow-ups are reached
through the reverse relations JobApplication.interactions / .followups only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


# Newest first, as the list: the model's ordering, with the pk breaking ties; the
# application_board index serves it backwards.
BOARD_ORDER = (F("applied_on").desc(), F("created_at").desc(), F("pk").desc())


def board_columns(owner: User, today: date) -> list[BoardColumn]:
    """One column per status, newest first, at most BOARD_COLUMN_LIMIT cards each.

    One count query, one query per non-empty status and one for the "no response"
    marker, however many rows there are. Each status's first cards come straight off the
    (owner, status, applied_on, created_at, id) index, so a column costs the same for 20
    applications or 20,000. (One query with ROW_NUMBER over a window had to number every
    application of the account first: 8 ms at 1x, 76 ms at 10x.)
    """
    counts = dict(
        JobApplication.objects.filter(owner=owner)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    # A card shows none of the long texts: a captured posting's description alone can be
    # kilobytes, times 140 cards.
    base = (
        applications_for(owner)
        .defer("notes", "description", "company__notes")
        .order_by(*BOARD_ORDER)
    )
    columns = []
    for status, label in JobApplication.Status.choices:
        count = counts.get(status, 0)
        cards = list(base.filter(status=status)[:BOARD_COLUMN_LIMIT]) if count else []
        columns.append(BoardColumn(status, label, count, cards))
    mark_no_response((card for column in columns for card in column.cards), today)
    return columns


def _pk_url(name: str) -> Callable[[int], str]:
    """reverse() once; each card's URL is the pattern with its pk put in."""
    pattern = reverse(name, args=[987654321])
    head, tail = pattern.split("987654321")
    return lambda pk: f"{head}{pk}{tail}"


def board_cards_html(column: BoardColumn, csrf_token: str) -> SafeString:
    """The column's cards, written in Python rather than by the template engine: with
    140 cards on a full board, the engine's per-node cost was two thirds of the page.
    The markup is what `_application_board_columns.html` rendered for a card before."""
    detail_url = _pk_url("crm:application-detail")
    move_url = _pk_url("crm:application-move")
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
    )
    options = column.status_options
    parts = []
    for application in column.cards:
        company = application.company.name
        applied = (
            format_html(" · applied {}", format_date(application.applied_on, "M j"))
            if application.applied_on
            else ""
        )
        where, salary = application.where_text, application.salary_text
        facts = ""
        if where or salary or application.closing_date:
            facts = format_html(
                '\n          <div class="small text-body-secondary posting-facts">{}{}{}</div>',
                format_html('<span class="d-block">{}</span>', where) if where else "",
                format_html('<span class="d-block">{}</span>', salary) if salary else "",
                format_html(
                    '<span class="d-block">Closes {}</span>',
                    format_date(application.closing_date, "j M"),
                )
                if application.closing_date
                else "",
            )
        badge = (
            mark_safe(
                '\n          <span class="badge text-bg-warning" title="Applied three weeks '
                'or more ago and no answer yet">No response</span>'
            )
            if getattr(application, "no_response", False)
            else ""
        )
        move = move_url(application.pk)
        parts.append(
            format_html(
                CARD_HTML,
                pk=application.pk,
                detail=detail_url(application.pk),
                title=application.title,
                company=company,
                applied=applied,
                facts=facts,
                badge=badge,
                move=move,
                csrf=csrf_input,
                options=options,
            )
        )
    return mark_safe("".join(parts))


CARD_HTML = """
        <li class="list-group-item" id="card-{pk}" draggable="true">
          <a class="fw-semibold" href="{detail}">{title}</a>
          <div class="small text-body-secondary">{company}{applied}</div>{facts}{badge}
          <form class="d-flex gap-1 mt-2" method="post" action="{move}"
                hx-post="{move}" hx-target="#board" hx-swap="outerHTML">
            {csrf}
            <label class="visually-hidden"
                   for="move-{pk}">New status of {title} at {company}</label>
            <select class="form-select form-select-sm" name="status" id="move-{pk}">
              {options}
            </select>
            <button class="btn btn-sm btn-outline-primary" type="submit">Move</button>
          </form>
        </li>"""
