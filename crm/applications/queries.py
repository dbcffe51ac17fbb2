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

from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import escape
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


def _answered(candidates: set[int]) -> set[int]:
    """Those of the candidate applications that have any inbound interaction.

    One query over the candidates through the (application, occurred_at) index. As an
    EXISTS annotation on the page query, PostgreSQL hashed every inbound interaction of
    every user instead, for every board column.
    """
    if not candidates:
        return set()
    return set(
        _interaction_model()
        .objects.filter(application_id__in=candidates, direction="inbound")
        .order_by()
        .values_list("application_id", flat=True)
        .distinct()
    )


def mark_no_response(applications: Iterable[JobApplication], today: date) -> None:
    """Sets `no_response` on each of the given (already fetched) applications."""
    cutoff = _no_response_cutoff(today)
    rows = list(applications)
    candidates = {
        a.pk
        for a in rows
        if a.status == JobApplication.Status.APPLIED and a.applied_on and a.applied_on <= cutoff
    }
    silent = candidates - _answered(candidates)
    for application in rows:
        application.no_response = application.pk in silent


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


@dataclass(frozen=True, slots=True)
class BoardCard:
    """What a card shows: read as a row, not a model instance (140 cards a page)."""

    pk: int
    title: str
    company: str
    applied_on: date | None
    where: str
    salary: str
    closing_date: date | None
    no_response: bool


@dataclass
class BoardColumn:
    status: str
    label: str
    count: int
    cards: list[BoardCard]

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    @cached_property
    def status_options(self) -> str:
        """The <option>s of every card's "move to" select (the cards of a column share
        a status): built once per column instead of once per card."""
        return "".join(
            f'<option value="{escape(value)}"{" selected" if value == self.status else ""}>'
            f"{escape(label)}</option>"
            for value, label in JobApplication.Status.choices
        )


# Newest first, as the list: the model's ordering, with the pk breaking ties; the
# application_board index serves it backwards.
BOARD_ORDER = (F("applied_on").desc(), F("created_at").desc(), F("pk").desc())

_CARD_FIELDS = (
    "pk",
    "status",
    "title",
    "company__name",
    "applied_on",
    "location",
    "remote",
    "salary_min",
    "salary_max",
    "salary_currency",
    "closing_date",
    # Only for the order of the combined query: a card does not show it.
    "created_at",
)


def _card_rows(mine: QuerySet, statuses: list[str]) -> list[tuple]:
    """Each status's newest BOARD_COLUMN_LIMIT cards (_CARD_FIELDS), all in one query.

    A UNION ALL of one branch per status. PostgreSQL takes a LIMIT in each branch, and
    each branch is then read straight off the application_board index. SQLite refuses a
    LIMIT inside a compound statement, so there each branch is `pk IN (the first ids off
    the index)`; that form on PostgreSQL read all of the owner's applications once per
    branch (a seq scan hashed against the 20 ids) while the table is small.
    """
    if not statuses:
        return []
    in_branch_limit = connections[mine.db].features.supports_slicing_ordering_in_compound
    branches = []
    for status in statuses:
        newest = mine.filter(status=status).order_by(*BOARD_ORDER)
        if in_branch_limit:
            branch = newest.values_list(*_CARD_FIELDS)[:BOARD_COLUMN_LIMIT]
        else:
            ids = newest.values("pk")[:BOARD_COLUMN_LIMIT]
            branch = JobApplication.objects.filter(pk__in=ids).order_by().values_list(*_CARD_FIELDS)
        branches.append(branch)
    if len(branches) == 1:
        # A LIMITed branch is in order already (and can no longer be reordered).
        return list(branches[0] if in_branch_limit else branches[0].order_by(*BOARD_ORDER))
    combined = branches[0].union(*branches[1:], all=True)
    return list(combined.order_by("-applied_on", "-created_at", "-pk"))


def board_columns(owner: User, today: date) -> list[BoardColumn]:
    """One column per status, newest first, at most BOARD_COLUMN_LIMIT cards each.

    Three queries however many rows there are: the count per status; every column's
    cards in one UNION ALL (_card_rows), each branch the first BOARD_COLUMN_LIMIT off the
    (owner, status, applied_on, created_at, id) index, so a column costs the same for 20
    applications or 20,000; and the "no response" marker. (One query with ROW_NUMBER
    over a window had to number every application of the account first: 8 ms at 1x,
    76 ms at 10x.) The cards are rows (values_list), not model instances.
    """
    mine = JobApplication.objects.filter(owner=owner)
    counts = dict(
        mine.values_list("status").annotate(n=Count("pk")).values_list("status", "n").order_by()
    )
    statuses = [status for status in JobApplication.Status.values if counts.get(status)]
    rows = _card_rows(mine, statuses)
    cutoff = _no_response_cutoff(today)
    applied = JobApplication.Status.APPLIED
    silent = {
        row[0] for row in rows if row[1] == applied and row[4] is not None and row[4] <= cutoff
    }
    silent -= _answered(silent)
    format_where, format_salary = JobApplication.format_where, JobApplication.format_salary
    cards: dict[str, list[BoardCard]] = {status: [] for status in JobApplication.Status.values}
    for (
        pk,
        status,
        title,
        company,
        applied_on,
        location,
        remote,
        low,
        high,
        currency,
        closes,
        _,
    ) in rows:
        cards[status].append(
            BoardCard(
                pk,
                title,
                company,
                applied_on,
                format_where(location, remote),
                format_salary(low, high, currency),
                closes,
                pk in silent,
            )
        )
    return [
        BoardColumn(status, label, counts.get(status, 0), cards[status])
        for status, label in JobApplication.Status.choices
    ]


def _pk_url(name: str) -> Callable[[int], str]:
    """reverse() once; each card's URL is the pattern with its pk put in."""
    pattern = reverse(name, args=[987654321])
    head, tail = pattern.split("987654321")
    return lambda pk: f"{head}{pk}{tail}"


class _MonthNames:
    """The (translated, escaped) month abbreviation format_date's "M" gives, looked up
    once per month rather than once per card."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def __call__(self, day: date) -> str:
        name = self.names.get(day.month)
        if name is None:
            name = self.names[day.month] = escape(format_date(day.replace(day=1), "M"))
        return name


_NO_RESPONSE_BADGE = (
    '\n          <span class="badge text-bg-warning" title="Applied three weeks '
    'or more ago and no answer yet">No response</span>'
)


def board_cards_html(column: BoardColumn, csrf_token: str) -> SafeString:
    """The column's cards, written in Python rather than by the template engine: with
    140 cards on a full board, the engine's per-node cost was two thirds of the page.
    The markup is what `_application_board_columns.html` rendered for a card before;
    each text is escaped once (`escape`) and the card put together with an f-string,
    which is a fifth of what format_html's per-argument conditional_escape cost."""
    detail_url = _pk_url("crm:application-detail")
    move_url = _pk_url("crm:application-move")
    month = _MonthNames()
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    options = column.status_options
    parts = []
    for card in column.cards:
        pk, title, company = card.pk, escape(card.title), escape(card.company)
        applied_on = card.applied_on
        applied = f" · applied {month(applied_on)} {applied_on.day}" if applied_on else ""
        facts = ""
        closing = card.closing_date
        if card.where or card.salary or closing:
            where = f'<span class="d-block">{escape(card.where)}</span>' if card.where else ""
            salary = f'<span class="d-block">{escape(card.salary)}</span>' if card.salary else ""
            closes = (
                f'<span class="d-block">Closes {closing.day} {month(closing)}</span>'
                if closing
                else ""
            )
            facts = (
                '\n          <div class="small text-body-secondary posting-facts">'
                f"{where}{salary}{closes}</div>"
            )
        badge = _NO_RESPONSE_BADGE if card.no_response else ""
        move = move_url(pk)
        parts.append(f"""
        <li class="list-group-item" id="card-{pk}" draggable="true">
          <a class="fw-semibold" href="{detail_url(pk)}">{title}</a>
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
        </li>""")
    return mark_safe("".join(parts))
