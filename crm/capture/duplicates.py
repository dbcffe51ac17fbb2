"""The duplicate check every way of creating an application runs before it saves
(capture, the form, the CSV import): the same posting URL, or the same company and job
title saved or applied within DUPLICATE_WINDOW_DAYS of the new one. One rule
(`within_window`, `DuplicateIndex.find`) for all of them (docs/capture.md#duplicate-check)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

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


def _days_of(application: JobApplication) -> list[date]:
    days = [application.applied_on] if application.applied_on else []
    if application.created_at:
        days.append(timezone.localtime(application.created_at).date())
    return days


def days_apart(day: date, other: date) -> bool:
    """The 90-day rule: two days close enough for one job to be one application."""
    return abs((day - other).days) <= DUPLICATE_WINDOW_DAYS


def within_window(application: JobApplication, *, today: date, applied_on: date | None) -> bool:
    """A new application to the same job (saved `today`, applied on `applied_on` if
    known) repeats `application` when a day of one (saved, applied) is within the window
    of a day of the other: a wishlist saved this month, or the same application logged
    again later (a tracker's export imported twice)."""
    new_days = (today, applied_on) if applied_on else (today,)
    return any(days_apart(day, new) for day in _days_of(application) for new in new_days)


def older_than_window(application: JobApplication) -> str:
    """ "3 Jan 2025", the day of an application to the same job outside the window."""
    day = max(_days_of(application))
    return f"{_day(day)} {day.year}"


def job_key(company: str, title: str) -> tuple[str, str]:
    """Company and title as the check compares them: case and spacing ignored."""
    return " ".join(company.split()).lower(), " ".join(title.split()).lower()


class DuplicateIndex:
    """Applications by posting URL and by job, checked with the one rule of this module.

    The form and capture build it from the few rows a query narrows down to; the CSV
    import builds it once from all the owner's applications and asks for every row.
    """

    def __init__(self, applications: Iterable[JobApplication]) -> None:
        from crm.capture.link import normalise_url

        self._normalise = normalise_url
        self.by_url: dict[str, JobApplication] = {}
        self.by_job: dict[tuple[str, str], list[JobApplication]] = {}
        for application in sorted(applications, key=lambda a: (a.created_at, a.pk)):
            if application.posting_url:
                self.by_url.setdefault(normalise_url(application.posting_url), application)
            key = job_key(application.company.name, application.title)
            self.by_job.setdefault(key, []).append(application)

    def same_url(self, url: str) -> JobApplication | None:
        url = (url or "").strip()
        return self.by_url.get(self._normalise(url)) if url else None

    def same_job(self, company: str, title: str) -> list[JobApplication]:
        """Every application to this job, oldest first, whatever its date."""
        key = job_key(company, title)
        return self.by_job.get(key, []) if all(key) else []

    def find(
        self,
        *,
        url: str = "",
        company: str = "",
        title: str = "",
        today: date,
        applied_on: date | None = None,
    ) -> Duplicate | None:
        """The application a new one would duplicate: the same posting URL, else the
        newest one to the same job within the window (`within_window`)."""
        existing = self.same_url(url)
        if existing is not None:
            return Duplicate(existing, same_url=True)
        recent = [
            a
            for a in self.same_job(company, title)
            if within_window(a, today=today, applied_on=applied_on)
        ]
        return Duplicate(recent[-1], same_url=False) if recent else None


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
    applied_on: date | None = None,
    today: date | None = None,
) -> Duplicate | None:
    """The application a new one would duplicate, if any: the same posting URL, else
    the same company and title (ignoring case) within the window (`within_window`)."""
    from crm.capture.link import normalise_url

    url = (url or "").strip()
    same_url = Q(posting_url__in={url, normalise_url(url)}) if url else Q(pk__in=[])
    company, title = " ".join(company.split()), " ".join(title.split())
    same_job = (
        Q(company__name__iexact=company, title__iexact=title) if company and title else Q(pk__in=[])
    )
    queryset = JobApplication.objects.filter(same_url | same_job, owner=owner)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    index = DuplicateIndex(queryset.select_related("company"))
    return index.find(
        url=url,
        company=company,
        title=title,
        today=today or timezone.localdate(),
        applied_on=applied_on,
    )
