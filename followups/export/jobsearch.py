"""The job-search record: every application, status change and contact with an employer
in a date range, as CSV and as a printable page. Some unemployment offices ask for one
(the German *Bewerbungsnachweis*): date, employer, position, what happened, with whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from contacts.models import Interaction
from crm.models import ApplicationStatusChange, JobApplication, Profile
from crm.spreadsheets import csv_text

RECORD_HEADER = [
    "Date",
    "Employer",
    "Position",
    "What happened",
    "Contact",
    "Channel",
    "Status now",
    "Posting URL",
    "Documents sent",
]


@dataclass
class RecordEntry:
    on: date
    employer: str
    position: str
    event: str
    contact: str = ""
    channel: str = ""
    status: str = ""
    url: str = ""
    documents: str = ""  # on the "Applied" line: the résumé and letter versions sent

    def cells(self) -> list[str]:
        return [
            self.on.isoformat(),
            self.employer,
            self.position,
            self.event,
            self.contact,
            self.channel,
            self.status,
            self.url,
            self.documents,
        ]


@dataclass
class JobSearchRecord:
    start: date
    end: date
    entries: list[RecordEntry] = field(default_factory=list)

    @property
    def applications_count(self) -> int:
        return len({(e.employer, e.position) for e in self.entries if e.position})


def job_search_record(user, start: date, end: date) -> JobSearchRecord:
    """What `user` did from `start` to `end` (inclusive, their local days), oldest first:
    applications sent, each status change, each interaction with someone."""
    zone = Profile.for_user(user).zone
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    entries: list[RecordEntry] = []

    def about(application: JobApplication | None) -> dict:
        if application is None:
            return {"employer": "", "position": "", "status": "", "url": ""}
        return {
            "employer": application.company.name,
            "position": application.title,
            "status": application.get_status_display(),
            "url": application.posting_url,
        }

    applications = JobApplication.objects.filter(owner=user).select_related("company")
    sent = applications.filter(applied_on__gte=start, applied_on__lte=end)
    for application in sent.prefetch_related("documents"):
        if application.applied_on is None:  # excluded by the filter; narrows the type
            continue
        documents = "; ".join(str(d) for d in application.documents.all())
        entries.append(
            RecordEntry(
                application.applied_on, event="Applied", documents=documents, **about(application)
            )
        )
    changes = ApplicationStatusChange.objects.filter(
        application__owner=user, at__gte=since, at__lt=until
    ).select_related("application__company")
    for change in changes:
        # "Applied" on the day of applied_on is already the application's own line.
        if change.new_status == JobApplication.Status.APPLIED and change.application.applied_on:
            continue
        old = JobApplication.Status(change.old_status).label if change.old_status else ""
        new = change.get_new_status_display()
        event = f"Status: {old} → {new}" if old else f"Status: {new}"
        entries.append(
            RecordEntry(change.at.astimezone(zone).date(), event=event, **about(change.application))
        )
    interactions = Interaction.objects.filter(
        owner=user, occurred_at__gte=since, occurred_at__lt=until
    ).select_related("contact__company", "application__company")
    for interaction in interactions:
        contact = interaction.contact
        values = about(interaction.application)
        if not values["employer"] and contact and contact.company is not None:
            values["employer"] = contact.company.name
        way = "from" if interaction.direction == Interaction.Direction.INBOUND else "to"
        event = f"{interaction.get_kind_display()} ({way} {contact.full_name if contact else '—'})"
        entries.append(
            RecordEntry(
                interaction.occurred_at.astimezone(zone).date(),
                event=event,
                contact=contact.full_name if contact else "",
                channel=interaction.get_channel_display(),
                **values,
            )
        )
    entries.sort(key=lambda e: (e.on, e.employer.lower(), e.position.lower(), e.event))
    return JobSearchRecord(start, end, entries)


def job_search_csv(record: JobSearchRecord) -> str:
    """The record as a formula-safe CSV."""
    return csv_text(RECORD_HEADER, (entry.cells() for entry in record.entries))
