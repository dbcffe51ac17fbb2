"""LinkedIn's whole data archive: connections, messages, invitations, job applications and
saved jobs, in one preview and one all-or-nothing confirm.

A zip, or any one of its CSVs on its own (recognised by its header). Columns are found by
name, never by position (older archives lack some). Messages and invitations become
interactions on the LinkedIn channel with the matching contacts; jobs become
applications (applied, or wishlist when only saved). Importing again updates: messages
are known by conversation id + date + sender, invitations by both profiles and the time,
applications by posting URL or company and title.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from contacts.importers.archive_zip import is_zip, read_archive
from contacts.importers.csvfile import (
    BATCH_SIZE,
    ImportFileError,
    normalise_header,
    read_csv,
)
from contacts.importers.linkedin import (
    LinkedInPlan,
    commit_linkedin,
    plan_linkedin,
)
from contacts.importers.plan import ImportPlan, ImportResult, import_failed
from contacts.importers.values import company_key, linkedin_key, with_scheme
from contacts.models import Contact, Interaction
from contacts.signals import interactions_imported
from crm.models import Company, JobApplication, Profile

DEFAULT_MAX_MESSAGES = 200_000
ARCHIVE_EXPECTED = (
    "LinkedIn's data archive (the .zip from Settings → Data privacy → Get a copy of your "
    "data), or one of its CSV files: Connections.csv, messages.csv, Invitations.csv, "
    "Job Applications.csv or Saved Jobs.csv"
)
# What a "no" from a recruiter says. Only a hint: the user confirms each in the preview.
REJECTION_WORDS = re.compile(
    r"unfortunately|not (be )?moving forward|move forward with other|other candidates|"
    r"decided not to|position has been filled|not (been )?selected|regret to inform|"
    r"leider|absage|nicht berücksichtigen|anderen? kandidat",
    re.IGNORECASE,
)

# Finding the kind of a lone CSV by its header --------------------------------------

HEADERS = {
    "messages": {"conversation id", "from", "date", "content"},
    "invitations": {"from", "to", "sent at", "direction"},
    "job_applications": {"application date", "company name", "job title"},
    "saved_jobs": {"saved date", "company name", "job title"},
    "connections": {"first name", "last name", "url"},
}


def _header_kind(names: list[str]) -> str | None:
    present = set(names)
    for kind, needed in HEADERS.items():
        if needed <= present:
            return kind
    return None


def _is_known_header(names: list[str]) -> bool:
    return _header_kind(names) is not None


def _max_messages() -> int:
    return getattr(settings, "IMPORT_MAX_MESSAGES", DEFAULT_MAX_MESSAGES)


@dataclass
class Table:
    """One CSV of the archive: its kind, and its rows as {normalised column: value}."""

    kind: str
    name: str
    rows: list[tuple[int, dict[str, str]]]


def _read_table(raw: bytes, name: str, kind: str | None = None) -> Table:
    csvfile = read_csv(
        raw,
        expected=ARCHIVE_EXPECTED,
        is_header=(lambda names: _header_kind(names) == kind) if kind else _is_known_header,
        row_cap=_max_messages(),
    )
    headers = [normalise_header(h) for h in csvfile.headers]
    found = kind or _header_kind(headers)
    assert found is not None  # read_csv found a header that says it
    rows = []
    for record in csvfile.records:
        cells = [cell.strip() for cell in record.cells]
        if [normalise_header(c) for c in cells] == headers:
            continue  # the header again: the next part of a split file
        rows.append((record.line, dict(zip(headers, cells, strict=False))))
    return Table(found, name, rows)


def read_linkedin_upload(raw: bytes, name: str = "") -> tuple[dict[str, Table], dict]:
    """The tables of an archive or of one CSV, and the raw Connections.csv if any."""
    if is_zip(raw):
        archive = read_archive(raw)
        tables = {}
        for kind, data in archive.files.items():
            if kind == "connections":
                continue
            tables[kind] = _read_table(data, archive.names[kind], kind)
        connections = archive.files.get("connections")
        return tables, {"connections": connections, "ignored": archive.ignored}
    table = _read_table(raw, name or "the file")
    if table.kind == "connections":
        return {}, {"connections": raw, "ignored": 0}
    return {table.kind: table}, {"connections": None, "ignored": 0}


# Dates as the archive writes them -----------------------------------------------------


def _utc_stamp(value: str) -> datetime | None:
    """messages.csv: "2026-08-01 02:00:00 UTC"."""
    value = value.strip().removesuffix(" UTC").removesuffix("Z").strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _local_stamp(value: str, zone) -> datetime | None:
    """Invitations.csv and the jobs files: "1/29/26, 2:37 PM", in the user's zone."""
    value = " ".join(value.replace("\u202f", " ").split())
    for fmt in ("%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%y %I:%M %p", "%m/%d/%y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=zone)
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


# The plan -------------------------------------------------------------------------------


@dataclass
class PlannedInteraction:
    line: int
    key: str
    contact_key: str  # linkedin_key of the other person
    contact_name: str
    direction: str
    kind: str
    occurred_at: datetime
    subject: str
    body: str
    looks_like_rejection: bool = False
    exists: bool = False


@dataclass
class PlannedApplication:
    line: int
    company: str
    title: str
    status: str
    applied_on: date | None
    posting_url: str
    matched: JobApplication | None = None


@dataclass
class ArchivePlan(ImportPlan):
    """Everything the archive would import. `rows`/`columns` are the connections', so the
    preview's table and pagination are those of a Connections.csv."""

    owner: User | None = None
    connections: LinkedInPlan | None = None
    messages: list[PlannedInteraction] = field(default_factory=list)
    invitations: list[PlannedInteraction] = field(default_factory=list)
    applications: list[PlannedApplication] = field(default_factory=list)
    unmatched_messages: int = 0
    skipped: list[str] = field(default_factory=list)  # one line per problem
    files: list[str] = field(default_factory=list)
    ignored_files: int = 0

    @property
    def new_messages(self) -> int:
        return sum(1 for m in self.messages if not m.exists)

    @property
    def known_messages(self) -> int:
        return sum(1 for m in self.messages if m.exists)

    @property
    def new_invitations(self) -> int:
        return sum(1 for m in self.invitations if not m.exists)

    @property
    def rejection_candidates(self) -> list[PlannedInteraction]:
        return [m for m in self.messages if m.looks_like_rejection and not m.exists]

    @property
    def new_applications(self) -> int:
        return sum(1 for a in self.applications if a.matched is None)

    @property
    def importable_count(self) -> int:
        base = self.connections.importable_count if self.connections else 0
        return base + self.new_messages + self.new_invitations + len(self.applications)


def _key(*parts: str) -> str:
    return "linkedin:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _own_profile(messages: Table | None, invitations: Table | None, contacts: set[str]) -> str:
    """The user's own profile: the one in (nearly) every message, sender or recipient;
    of two as frequent, the one that is not a contact."""
    seen: Counter[str] = Counter()
    for _, row in messages.rows if messages else []:
        people = {row.get("sender profile url", "")}
        people |= set(row.get("recipient profile urls", "").split(","))
        seen.update(linkedin_key(p) for p in people if p.strip())
    for _, row in invitations.rows if invitations else []:
        direction = row.get("direction", "").upper()
        mine = row.get("inviterprofileurl" if direction == "OUTGOING" else "inviteeprofileurl")
        if mine:
            seen[linkedin_key(mine)] += 1
    if not seen:
        return ""
    return max(seen, key=lambda person: (seen[person], person not in contacts))


def _plan_messages(table: Table, me: str, plan: ArchivePlan, existing: set[str]) -> None:
    for line, row in table.rows:
        if row.get("is message draft", "").lower() in ("yes", "true"):
            continue
        occurred = _utc_stamp(row.get("date", ""))
        if occurred is None:
            plan.skipped.append(f"{table.name} line {line}: no date we can read.")
            continue
        sender = linkedin_key(row.get("sender profile url", ""))
        recipients = [linkedin_key(r) for r in row.get("recipient profile urls", "").split(",")]
        recipients = [r for r in recipients if r and r != me]
        outbound = bool(me) and sender == me
        other = recipients[0] if outbound and recipients else ("" if outbound else sender)
        name = row.get("to", "") if outbound else row.get("from", "")
        key = _key(
            row.get("conversation id", ""), row.get("date", ""), sender or row.get("from", "")
        )
        content = row.get("content", "")
        plan.messages.append(
            PlannedInteraction(
                line=line,
                key=key,
                contact_key=other,
                contact_name=name,
                direction=Interaction.Direction.OUTBOUND
                if outbound
                else Interaction.Direction.INBOUND,
                kind=Interaction.Kind.OTHER,
                occurred_at=occurred,
                subject=row.get("subject", "")[:300],
                body=content,
                looks_like_rejection=not outbound and bool(REJECTION_WORDS.search(content)),
                exists=key in existing,
            )
        )


def _plan_invitations(table: Table, zone, plan: ArchivePlan, existing: set[str]) -> None:
    for line, row in table.rows:
        occurred = _local_stamp(row.get("sent at", ""), zone)
        if occurred is None:
            plan.skipped.append(f"{table.name} line {line}: no date we can read.")
            continue
        outgoing = row.get("direction", "").upper() == "OUTGOING"
        inviter = row.get("inviterprofileurl", "")
        invitee = row.get("inviteeprofileurl", "")
        key = _key("invitation", inviter, invitee, row.get("sent at", ""))
        plan.invitations.append(
            PlannedInteraction(
                line=line,
                key=key,
                contact_key=linkedin_key(invitee if outgoing else inviter),
                contact_name=row.get("to" if outgoing else "from", ""),
                direction=(
                    Interaction.Direction.OUTBOUND if outgoing else Interaction.Direction.INBOUND
                ),
                kind=Interaction.Kind.CONNECT,
                occurred_at=occurred,
                subject="LinkedIn invitation",
                body=row.get("message", ""),
                exists=key in existing,
            )
        )


def _plan_jobs(table: Table, status: str, zone, plan: ArchivePlan) -> None:
    date_column = "application date" if status == JobApplication.Status.APPLIED else "saved date"
    for line, row in table.rows:
        company, title = row.get("company name", ""), row.get("job title", "")
        if not company or not title:
            plan.skipped.append(f"{table.name} line {line}: no company or job title.")
            continue
        moment = _local_stamp(row.get(date_column, ""), zone)
        plan.applications.append(
            PlannedApplication(
                line=line,
                company=company[:200],
                title=title[:200],
                status=status,
                applied_on=moment.date() if moment and status != "wishlist" else None,
                posting_url=with_scheme(row.get("job url", ""))[:500],
            )
        )


def _match_applications(plan: ArchivePlan, owner) -> None:
    by_url: dict[str, JobApplication] = {}
    by_name: dict[tuple[str, str], JobApplication] = {}
    for application in JobApplication.objects.filter(owner=owner).select_related("company"):
        if application.posting_url:
            by_url.setdefault(application.posting_url.lower().rstrip("/"), application)
        by_name.setdefault(
            (company_key(application.company.name), company_key(application.title)), application
        )
    seen: dict[tuple[str, str], PlannedApplication] = {}
    unique = []
    # Applied wins over saved for the same job: applying is what happened after saving.
    for planned in sorted(plan.applications, key=lambda a: a.status != "applied"):
        name_key = (company_key(planned.company), company_key(planned.title))
        if name_key in seen:
            continue
        seen[name_key] = planned
        url = planned.posting_url.lower().rstrip("/")
        planned.matched = (by_url.get(url) if url else None) or by_name.get(name_key)
        unique.append(planned)
    plan.applications = sorted(unique, key=lambda a: a.line)


def plan_archive(
    owner: User, raw: bytes, name: str = "", *, date_order: str | None = None
) -> ArchivePlan:
    """What importing an archive (or one of its CSVs) would do for `owner`; no writes."""
    tables, extra = read_linkedin_upload(raw, name)
    connections = (
        plan_linkedin(owner, extra["connections"], date_order=date_order)
        if extra["connections"]
        else None
    )
    zone = Profile.for_user(owner).zone
    plan = ArchivePlan(
        kind="linkedin",
        rows=connections.rows if connections else [],
        columns=connections.columns if connections else [],
        owner=owner,
        connections=connections,
        ignored_files=extra["ignored"],
        files=sorted(
            ({"Connections.csv"} if connections else set()) | {t.name for t in tables.values()}
        ),
    )
    if connections is not None:
        plan.encoding_label = connections.encoding_label
        plan.delimiter_label = connections.delimiter_label
        plan.samples = connections.samples
        plan.date_order = connections.date_order
        plan.date_order_inferred = connections.date_order_inferred
        plan.date_order_needed = connections.date_order_needed
    existing = set(
        Interaction.objects.filter(owner=owner, external_id__startswith="linkedin:").values_list(
            "external_id", flat=True
        )
    )
    known = _known_people(plan, owner)
    me = _own_profile(tables.get("messages"), tables.get("invitations"), known)
    if "messages" in tables:
        _plan_messages(tables["messages"], me, plan, existing)
    if "invitations" in tables:
        _plan_invitations(tables["invitations"], zone, plan, existing)
    if "job_applications" in tables:
        _plan_jobs(tables["job_applications"], JobApplication.Status.APPLIED, zone, plan)
    if "saved_jobs" in tables:
        _plan_jobs(tables["saved_jobs"], JobApplication.Status.WISHLIST, zone, plan)
    _match_applications(plan, owner)
    _match_people(plan, known)
    return plan


def _known_people(plan: ArchivePlan, owner) -> set[str]:
    """Profiles of the owner's contacts, and of those this archive's Connections.csv adds."""
    known = {
        linkedin_key(url)
        for url in Contact.objects.filter(owner=owner)
        .exclude(linkedin_url="")
        .values_list("linkedin_url", flat=True)
    }
    if plan.connections is not None:
        known |= {
            linkedin_key(row.url)
            for row, preview in zip(plan.connections.parsed, plan.connections.rows, strict=True)
            if row.url and not preview.is_rejected
        }
    return known


def _match_people(plan: ArchivePlan, known: set[str]) -> None:
    """Keeps the messages and invitations whose other person is a contact, or becomes one
    with this archive's Connections.csv; counts the rest."""
    matched = [m for m in plan.messages if m.contact_key in known]
    plan.unmatched_messages = len(plan.messages) - len(matched)
    plan.messages = matched
    plan.invitations = [m for m in plan.invitations if m.contact_key in known]


# Commit -----------------------------------------------------------------------------------


@dataclass
class ArchiveResult(ImportResult):
    messages: int = 0
    invitations: int = 0
    applications_created: int = 0
    applications_updated: int = 0
    rejections: int = 0

    def summary(self, noun: str = "contacts") -> str:
        return (
            f"Created {self.created} {noun}, updated {self.updated}, rejected "
            f"{self.rejected} (new companies: {self.companies_created}); "
            f"{self.messages} messages, {self.invitations} invitations, "
            f"{self.applications_created} new applications, {self.applications_updated} "
            f"updated; {self.rejections} rejections confirmed."
        )


def commit_archive(plan: ArchivePlan, *, rejections: set[str] | None = None) -> ArchiveResult:
    """Writes the whole plan in one transaction: all of it or nothing.

    Messages are written in bulk, then the rules run once per contact on its latest
    inbound and latest outbound message (what the rules read: who answered last, when
    to check in next), for the contacts they can act on. A message the user confirmed
    as a rejection is saved on its own, so the rules schedule the reply exactly as for
    one logged by hand.
    """
    plan.check_committable()
    rejections = rejections or set()
    owner = cast(User, plan.owner)  # plan_archive always sets it
    result = ArchiveResult()
    try:
        with transaction.atomic():
            if plan.connections is not None:
                done = commit_linkedin(plan.connections)
                result.created, result.updated = done.created, done.updated
                result.rejected, result.companies_created = done.rejected, done.companies_created
            # Applications first: a confirmed rejection is linked to its application.
            _commit_applications(plan, owner, result)
            contacts = {
                linkedin_key(c.linkedin_url): c
                for c in Contact.objects.filter(owner=owner).exclude(linkedin_url="")
            }
            fresh = [
                m for m in [*plan.messages, *plan.invitations] if not m.exists and m.contact_key
            ]
            rows, confirmed = [], []
            for planned in fresh:
                interaction = Interaction(
                    owner=owner,
                    contact=contacts.get(planned.contact_key),
                    direction=planned.direction,
                    channel=Interaction.Channel.LINKEDIN,
                    kind=planned.kind,
                    occurred_at=planned.occurred_at,
                    subject=planned.subject,
                    body=planned.body,
                    external_id=planned.key,
                )
                if interaction.contact is None:
                    continue
                if planned.key in rejections and planned.looks_like_rejection:
                    interaction.kind = Interaction.Kind.REJECTION
                    confirmed.append(interaction)
                else:
                    rows.append(interaction)
            Interaction.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            result.messages = sum(1 for i in rows if i.kind == Interaction.Kind.OTHER)
            result.invitations = sum(1 for i in rows if i.kind == Interaction.Kind.CONNECT)
            for interaction in confirmed:
                if interaction.contact is not None:  # always: contactless ones were skipped
                    interaction.application = _only_application(interaction.contact)
                interaction.save()  # post_save: the rejection rules run
            result.rejections = len(confirmed)
            result.messages += len(confirmed)
            latest: dict[tuple[int | None, str], Interaction] = {}
            for interaction in rows:
                slot = (interaction.contact_id, interaction.direction)
                if slot not in latest or interaction.occurred_at > latest[slot].occurred_at:
                    latest[slot] = interaction
            # The rules (followups, which contacts does not import) run on these.
            interactions_imported.send(sender=Interaction, interactions=list(latest.values()))
    except IntegrityError as error:
        raise import_failed(error) from error
    return result


def _only_application(contact: Contact) -> JobApplication | None:
    """The application a rejection is about, when the contact's company has exactly one."""
    if not contact.company_id:
        return None
    found = list(JobApplication.objects.filter(owner=contact.owner, company=contact.company)[:2])
    return found[0] if len(found) == 1 else None


_STATUS_ORDER: list[str] = [
    JobApplication.Status.WISHLIST,
    JobApplication.Status.APPLIED,
]


def _commit_applications(plan: ArchivePlan, owner: User, result: ArchiveResult) -> None:
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    for planned in plan.applications:
        application = planned.matched
        if application is None:
            key = company_key(planned.company)
            if key not in companies:
                companies[key] = Company.objects.create(
                    owner=owner, name=" ".join(planned.company.split())
                )
            application = JobApplication(
                owner=owner, company=companies[key], title=planned.title, status=planned.status
            )
            result.applications_created += 1
        else:
            result.applications_updated += 1
            # Only a saved job becomes applied; a later status (interviewing…) stays.
            if application.status in _STATUS_ORDER and _STATUS_ORDER.index(
                application.status
            ) < _STATUS_ORDER.index(planned.status):
                application.status = planned.status
        if planned.applied_on and not application.applied_on:
            application.applied_on = planned.applied_on
        if planned.posting_url and not application.posting_url:
            application.posting_url = planned.posting_url
        application.save()  # post_save: an applied application schedules its check (R8)


def import_archive(
    owner, raw: bytes, name: str = "", *, date_order: str | None = None
) -> tuple[ArchivePlan, ArchiveResult]:
    """Plans and commits in one go (management command, benchmark)."""
    plan = plan_archive(owner, raw, name, date_order=date_order)
    return plan, commit_archive(plan)


def plan_linkedin_upload(
    owner, raw: bytes, name: str = "", *, date_order: str | None = None
) -> LinkedInPlan | ArchivePlan:
    """The plan for whatever LinkedIn file was uploaded: a plain Connections.csv as the
    connections importer always read it, an archive or any other of its CSVs as a whole."""
    if not is_zip(raw):
        try:
            kind = _read_table(raw, name or "the file").kind
        except ImportFileError:
            kind = "connections"  # the connections importer says what is wrong, as before
        if kind == "connections":
            return plan_linkedin(owner, raw, date_order=date_order)
    return plan_archive(owner, raw, name, date_order=date_order)


def commit_linkedin_upload(
    plan: LinkedInPlan | ArchivePlan, *, rejections: set[str] | None = None
) -> ImportResult:
    if isinstance(plan, ArchivePlan):
        return commit_archive(plan, rejections=rejections)
    return commit_linkedin(plan)
