"""The duplicate check every way of creating an application runs before it saves
(capture, the form, the CSV import): the same posting URL, or the same company and job
title saved within DUPLICATE_WINDOW_DAYS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from crm.models import JobApplication

# Re-applying to the same job after three months is a new application (companies
# re-open roles); inside that window it is almost always the same one saved twice.
DUPLICATE_WINDOW_DAYS = 90


def _day(value: date) -> str:
    return f"{value.day} {value:%b}"


def saved_and_applied(application: JobApplication) -> str:
    """ "You saved this on 3 Mar; you applied on 5 Mar." for an existing application."""
    saved = timezone.localtime(application.created_at).date() if application.created_at else None
    text = f"You saved this on {_day(saved)}" if saved else "You saved this already"
    if application.applied_on and application.status != JobApplication.Status.WISHLIST:
        text += f"; you applied on {_day(application.applied_on)}"
    return text + "."


@dataclass
class Duplicate:
    application: JobApplication
    same_url: bool

    @property
    def message(self) -> str:
        what = "this posting" if self.same_url else "the same job at the same company"
        return f"You already have {what}: {self.application}. {saved_and_applied(self.application)}"


def find_by_url(owner, url: str, *, exclude_pk: int | None = None) -> JobApplication | None:
    """The owner's application with this posting URL (as typed or normalised)."""
    from crm.capture.link import normalise_url

    url = (url or "").strip()
    if not url:
        return None
    candidates = {url, normalise_url(url)}
    queryset = JobApplication.objects.filter(owner=owner, posting_url__in=candidates)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("company").order_by("created_at").first()


def find_duplicate(
    owner,
    *,
    url: str = "",
    company: str = "",
    title: str = "",
    exclude_pk: int | None = None,
    today: date | None = None,
) -> Duplicate | None:
    """The application this one would duplicate, if any (URL first, then company and
    title, ignoring case, created or applied within the window)."""
    existing = find_by_url(owner, url, exclude_pk=exclude_pk)
    if existing is not None:
        return Duplicate(existing, same_url=True)
    company, title = " ".join(company.split()), " ".join(title.split())
    if not company or not title:
        return None
    today = today or timezone.localdate()
    since = today - timedelta(days=DUPLICATE_WINDOW_DAYS)
    queryset = JobApplication.objects.filter(
        Q(created_at__date__gte=since) | Q(applied_on__gte=since),
        owner=owner,
        company__name__iexact=company,
        title__iexact=title,
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    match = queryset.select_related("company").order_by("-created_at").first()
    return Duplicate(match, same_url=False) if match else None
