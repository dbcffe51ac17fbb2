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

import contextlib
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import BinaryIO, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from contacts.importers.archive_zip import (
    Source,
    is_zip,
    member_stream,
    open_archive,
    open_source,
    source_head,
)
from contacts.importers.csvfile import (
    BATCH_SIZE,
    CsvStream,
    ImportFileError,
    normalise_header,
    stream_csv,
)
from contacts.importers.linkedin import (
    LinkedInPlan,
    commit_linkedin,
    parse_linkedin,
    plan_linkedin,
)
from contacts.importers.plan import ImportPlan, ImportResult, Journal, import_failed
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
class LinkedInUpload:
    """An archive, or one of its CSVs on its own, and the tables it holds, found by
    their headers. Each table is streamed from `source` whenever it is read (`rows`),
    never held whole: messages.csv can hold hundreds of thousands of rows. Connections.csv
    is read whole, as the connections importer always did: its rows are the preview."""

    source: Source
    name: str
    is_archive: bool
    tables: dict[str, str] = field(default_factory=dict)  # kind → name shown
    connections: bytes | None = None
    ignored: int = 0

    @contextlib.contextmanager
    def _stream(self, kind: str) -> Iterator[BinaryIO]:
        if self.is_archive:
            with (
                open_archive(self.source) as (archive, index),
                member_stream(archive, index, kind) as stream,
            ):
                yield stream
        else:
            with open_source(self.source) as stream:
                yield stream

    def rows(self, kind: str) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, {normalised column: value}) of the table, read as it streams."""
        with self._stream(kind) as stream:
            table = _stream_table(stream, kind)
            headers = [normalise_header(h) for h in table.headers]
            for record in table.records():
                cells = [cell.strip() for cell in record.cells]
                if (
                    cells
                    and normalise_header(cells[0]) == headers[0]
                    and [normalise_header(c) for c in cells] == headers
                ):
                    continue  # the header again: the next part of a split file
                yield record.line, dict(zip(headers, cells, strict=False))

    def check(self) -> None:
        """Reads every table once, so a damaged file is refused at the upload."""
        if self.connections is not None:
            parse_linkedin(self.connections)
        for kind in self.tables:
            for _ in self.rows(kind):
                pass


def _stream_table(stream: BinaryIO, kind: str | None) -> CsvStream:
    return stream_csv(
        stream,
        expected=ARCHIVE_EXPECTED,
        is_header=(lambda names: _header_kind(names) == kind) if kind else _is_known_header,
        row_cap=_max_messages(),
    )


def open_linkedin_upload(source: Source, name: str = "") -> LinkedInUpload:
    """The tables of an archive or of one CSV (ImportFileError when there are none, or
    the archive fails a safety check); reads their headers only."""
    if is_zip(source_head(source)):
        upload = LinkedInUpload(source, name, is_archive=True)
        with open_archive(source) as (archive, index):
            upload.ignored = index.ignored
            for kind, path in index.names.items():
                with member_stream(archive, index, kind) as stream:
                    if kind == "connections":
                        upload.connections = stream.read()
                    else:
                        _stream_table(stream, kind)  # its header is there
                        upload.tables[kind] = path
        return upload
    upload = LinkedInUpload(source, name, is_archive=False)
    with open_source(source) as stream:
        table = _stream_table(stream, None)
        found = _header_kind([normalise_header(h) for h in table.headers])
    assert found is not None  # stream_csv found a header that says it
    if found == "connections":
        upload.connections = source if isinstance(source, bytes) else source.read_bytes()
    else:
        upload.tables[found] = name or "the file"
    return upload


def check_linkedin_upload(source: Source, name: str = "") -> None:
    """What the upload page asks before it keeps a file: every table can be read."""
    open_linkedin_upload(source, name).check()


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

# Messages that may say no, shown in the preview for the user to confirm; past these,
# they are imported as plain messages (the preview says how many).
REJECTION_SAMPLE = 200
SKIPPED_SAMPLE = 50


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
    """What the archive would import. `rows`/`columns` are the connections', so the
    preview's table and pagination are those of a Connections.csv. Messages and
    invitations are counted, not kept (the archive is read again to commit them), except
    a capped sample of the messages that may be rejections, for the user to confirm."""

    owner: User | None = None
    connections: LinkedInPlan | None = None
    upload: LinkedInUpload | None = None
    me: str = ""
    new_messages: int = 0
    known_messages: int = 0
    unmatched_messages: int = 0
    new_invitations: int = 0
    rejection_candidates: list[PlannedInteraction] = field(default_factory=list)
    more_rejection_candidates: int = 0  # past REJECTION_SAMPLE: imported as plain messages
    applications: list[PlannedApplication] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # the first SKIPPED_SAMPLE problems
    skipped_count: int = 0
    files: list[str] = field(default_factory=list)
    ignored_files: int = 0

    @property
    def new_applications(self) -> int:
        return sum(1 for a in self.applications if a.matched is None)

    @property
    def importable_count(self) -> int:
        base = self.connections.importable_count if self.connections else 0
        return base + self.new_messages + self.new_invitations + len(self.applications)

    def skip(self, problem: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < SKIPPED_SAMPLE:
            self.skipped.append(problem)


def _key(*parts: str) -> str:
    return "linkedin:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _own_profile(upload: LinkedInUpload, contacts: set[str]) -> str:
    """The user's own profile: the one in (nearly) every message, sender or recipient;
    of two as frequent, the one that is not a contact. One pass over the messages,
    keeping a count per person."""
    seen: Counter[str] = Counter()
    if "messages" in upload.tables:
        for _, row in upload.rows("messages"):
            people = {row.get("sender profile url", "")}
            people |= set(row.get("recipient profile urls", "").split(","))
            seen.update(linkedin_key(p) for p in people if p.strip())
    if "invitations" in upload.tables:
        for _, row in upload.rows("invitations"):
            direction = row.get("direction", "").upper()
            mine = row.get("inviterprofileurl" if direction == "OUTGOING" else "inviteeprofileurl")
            if mine:
                seen[linkedin_key(mine)] += 1
    if not seen:
        return ""
    return max(seen, key=lambda person: (seen[person], person not in contacts))


def _planned_messages(
    rows: Iterable[tuple[int, dict[str, str]]], name: str, me: str, skip: Callable[[str], None]
) -> Iterator[PlannedInteraction]:
    for line, row in rows:
        if row.get("is message draft", "").lower() in ("yes", "true"):
            continue
        occurred = _utc_stamp(row.get("date", ""))
        if occurred is None:
            skip(f"{name} line {line}: no date we can read.")
            continue
        sender = linkedin_key(row.get("sender profile url", ""))
        recipients = [linkedin_key(r) for r in row.get("recipient profile urls", "").split(",")]
        recipients = [r for r in recipients if r and r != me]
        outbound = bool(me) and sender == me
        other = recipients[0] if outbound and recipients else ("" if outbound else sender)
        key = _key(
            row.get("conversation id", ""), row.get("date", ""), sender or row.get("from", "")
        )
        content = row.get("content", "")
        yield PlannedInteraction(
            line=line,
            key=key,
            contact_key=other,
            contact_name=row.get("to", "") if outbound else row.get("from", ""),
            direction=Interaction.Direction.OUTBOUND if outbound else Interaction.Direction.INBOUND,
            kind=Interaction.Kind.OTHER,
            occurred_at=occurred,
            subject=row.get("subject", "")[:300],
            body=content,
            looks_like_rejection=not outbound and bool(REJECTION_WORDS.search(content)),
        )


def _planned_invitations(
    rows: Iterable[tuple[int, dict[str, str]]], name: str, zone, skip: Callable[[str], None]
) -> Iterator[PlannedInteraction]:
    for line, row in rows:
        occurred = _local_stamp(row.get("sent at", ""), zone)
        if occurred is None:
            skip(f"{name} line {line}: no date we can read.")
            continue
        outgoing = row.get("direction", "").upper() == "OUTGOING"
        inviter = row.get("inviterprofileurl", "")
        invitee = row.get("inviteeprofileurl", "")
        yield PlannedInteraction(
            line=line,
            key=_key("invitation", inviter, invitee, row.get("sent at", "")),
            contact_key=linkedin_key(invitee if outgoing else inviter),
            contact_name=row.get("to" if outgoing else "from", ""),
            direction=(
                Interaction.Direction.OUTBOUND if outgoing else Interaction.Direction.INBOUND
            ),
            kind=Interaction.Kind.CONNECT,
            occurred_at=occurred,
            subject="LinkedIn invitation",
            body=row.get("message", ""),
        )


def _interactions(
    plan: ArchivePlan, zone, skip: Callable[[str], None]
) -> Iterator[list[PlannedInteraction]]:
    """The archive's messages, then its invitations, in batches of BATCH_SIZE, read
    from the file again on every call."""
    upload = cast(LinkedInUpload, plan.upload)
    streams: list[Iterator[PlannedInteraction]] = []
    if "messages" in upload.tables:
        name = upload.tables["messages"]
        streams.append(_planned_messages(upload.rows("messages"), name, plan.me, skip))
    if "invitations" in upload.tables:
        name = upload.tables["invitations"]
        streams.append(_planned_invitations(upload.rows("invitations"), name, zone, skip))
    for stream in streams:
        while batch := list(itertools.islice(stream, BATCH_SIZE)):
            yield batch


def _known_keys(owner: User, keys: Iterable[str]) -> set[str]:
    """The external ids among `keys` the owner's interactions already have: looked up per
    batch, so nothing the size of the archive is held."""
    return set(
        Interaction.objects.filter(owner=owner, external_id__in=set(keys)).values_list(
            "external_id", flat=True
        )
    )


def _plan_interactions(plan: ArchivePlan, owner: User, zone, known: set[str]) -> None:
    """Counts what the messages and invitations would add; keeps the first
    REJECTION_SAMPLE messages that may say no, for the user to confirm."""
    for batch in _interactions(plan, zone, plan.skip):
        matched = [m for m in batch if m.contact_key in known]
        messages = batch[0].kind == Interaction.Kind.OTHER
        if messages:
            plan.unmatched_messages += len(batch) - len(matched)
        existing = _known_keys(owner, (m.key for m in matched))
        for planned in matched:
            planned.exists = planned.key in existing
            if not messages:
                plan.new_invitations += not planned.exists
                continue
            if planned.exists:
                plan.known_messages += 1
                continue
            plan.new_messages += 1
            if planned.looks_like_rejection:
                if len(plan.rejection_candidates) < REJECTION_SAMPLE:
                    plan.rejection_candidates.append(planned)
                else:
                    plan.more_rejection_candidates += 1


def _plan_jobs(upload: LinkedInUpload, kind: str, status: str, zone, plan: ArchivePlan) -> None:
    date_column = "application date" if status == JobApplication.Status.APPLIED else "saved date"
    name = upload.tables[kind]
    for line, row in upload.rows(kind):
        company, title = row.get("company name", ""), row.get("job title", "")
        if not company or not title:
            plan.skip(f"{name} line {line}: no company or job title.")
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
    owner: User, raw: Source, name: str = "", *, date_order: str | None = None
) -> ArchivePlan:
    """What importing an archive (or one of its CSVs) would do for `owner`; no writes.
    `raw` is the file's bytes or its path; its large tables are streamed, twice (the
    user's own profile, then the plan), and once more by commit_archive."""
    upload = open_linkedin_upload(raw, name)
    connections = (
        plan_linkedin(owner, upload.connections, date_order=date_order)
        if upload.connections
        else None
    )
    zone = Profile.for_user(owner).zone
    plan = ArchivePlan(
        kind="linkedin",
        rows=connections.rows if connections else [],
        columns=connections.columns if connections else [],
        owner=owner,
        connections=connections,
        upload=upload,
        ignored_files=upload.ignored,
        files=sorted(({"Connections.csv"} if connections else set()) | set(upload.tables.values())),
    )
    if connections is not None:
        plan.encoding_label = connections.encoding_label
        plan.delimiter_label = connections.delimiter_label
        plan.samples = connections.samples
        plan.date_order = connections.date_order
        plan.date_order_inferred = connections.date_order_inferred
        plan.date_order_needed = connections.date_order_needed
    known = _known_people(plan, owner)
    plan.me = _own_profile(upload, known)
    _plan_interactions(plan, owner, zone, known)
    if "job_applications" in upload.tables:
        _plan_jobs(upload, "job_applications", JobApplication.Status.APPLIED, zone, plan)
    if "saved_jobs" in upload.tables:
        _plan_jobs(upload, "saved_jobs", JobApplication.Status.WISHLIST, zone, plan)
    _match_applications(plan, owner)
    return plan


def _known_people(plan: ArchivePlan, owner) -> set[str]:
    """Profiles of the owner's contacts, and of those this archive's Connections.csv adds:
    the people whose messages and invitations are imported (the rest are counted)."""
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

    Messages and invitations are read from the archive again and written in bulk, a
    batch at a time (each batch's ids looked up first, so a second import skips what the
    first wrote); memory holds one batch, not the archive. Then the rules run once per
    contact on its latest inbound and latest outbound message (what the rules read: who
    answered last, when to check in next), for the contacts they can act on. A message
    the user confirmed as a rejection is saved on its own, so the rules schedule the
    reply exactly as for one logged by hand. The worker (jobs.py) writes a big archive
    with the same steps, each part in batches of their own transactions.
    """
    plan.check_committable()
    rejections = rejections or set()
    owner = cast(User, plan.owner)  # plan_archive always sets it
    zone = Profile.for_user(owner).zone
    result = ArchiveResult()
    try:
        with transaction.atomic():
            if plan.connections is not None:
                done = commit_linkedin(plan.connections)
                result.created, result.updated = done.created, done.updated
                result.rejected, result.companies_created = done.rejected, done.companies_created
            # Applications first: a confirmed rejection is linked to its application.
            commit_planned_applications(plan.applications, owner, result)
            contacts = contacts_by_profile(owner)
            confirmed: list[Interaction] = []
            # (contact, direction) → (time, external id) of its latest imported message
            latest: dict[tuple[int | None, str], tuple[datetime, str]] = {}
            for batch in _interactions(plan, zone, lambda problem: None):
                rows, deferred = write_interactions(batch, owner, contacts, rejections, result)
                confirmed += deferred
                for interaction in rows:
                    slot = (interaction.contact_id, interaction.direction)
                    if slot not in latest or interaction.occurred_at > latest[slot][0]:
                        latest[slot] = (interaction.occurred_at, interaction.external_id)
            save_rejections(confirmed, result)
            keys = [key for _, key in latest.values()]
            for start in range(0, len(keys), BATCH_SIZE):
                # The rules (followups, which contacts does not import) run on these.
                chosen = Interaction.objects.filter(
                    owner=owner, external_id__in=keys[start : start + BATCH_SIZE]
                )
                interactions_imported.send(sender=Interaction, interactions=list(chosen))
    except IntegrityError as error:
        raise import_failed(error) from error
    return result


def contacts_by_profile(owner: User) -> dict[str, int]:
    """linkedin_key of each of the owner's contacts' profiles → the contact's pk."""
    return {
        linkedin_key(url): pk
        for url, pk in Contact.objects.filter(owner=owner)
        .exclude(linkedin_url="")
        .values_list("linkedin_url", "pk")
    }


def planned_interactions(plan: ArchivePlan, part: str) -> Iterator[PlannedInteraction]:
    """The archive's messages or invitations (`part`), read from the file as it streams."""
    upload = cast(LinkedInUpload, plan.upload)
    if part not in upload.tables:
        return iter(())
    name = upload.tables[part]
    if part == "messages":
        return _planned_messages(upload.rows(part), name, plan.me, lambda problem: None)
    zone = Profile.for_user(cast(User, plan.owner)).zone
    return _planned_invitations(upload.rows(part), name, zone, lambda problem: None)


def write_interactions(
    batch: list[PlannedInteraction],
    owner: User,
    contacts: dict[str, int],
    rejections: set[str],
    result: ArchiveResult,
) -> tuple[list[Interaction], list[Interaction]]:
    """Writes in bulk one batch's messages or invitations with the owner's contacts that
    are not in the database yet; returns them, and apart (unsaved) the rejections the user
    confirmed, which save_rejections saves one by one once every message is in."""
    fresh = [m for m in batch if m.contact_key in contacts]
    existing = _known_keys(owner, (m.key for m in fresh))
    rows, confirmed = [], []
    for planned in fresh:
        if planned.key in existing:
            continue
        existing.add(planned.key)  # twice in the file: the first is kept
        interaction = Interaction(
            owner=owner,
            contact_id=contacts[planned.contact_key],
            direction=planned.direction,
            channel=Interaction.Channel.LINKEDIN,
            kind=planned.kind,
            occurred_at=planned.occurred_at,
            subject=planned.subject,
            body=planned.body,
            external_id=planned.key,
        )
        if planned.key in rejections and planned.looks_like_rejection:
            interaction.kind = Interaction.Kind.REJECTION
            confirmed.append(interaction)
            continue
        rows.append(interaction)
    Interaction.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    result.messages += sum(1 for i in rows if i.kind == Interaction.Kind.OTHER)
    result.invitations += sum(1 for i in rows if i.kind == Interaction.Kind.CONNECT)
    return rows, confirmed


def save_rejections(confirmed: list[Interaction], result: ArchiveResult) -> None:
    """Saves the confirmed rejections, each through save(): the rejection rules run."""
    for interaction in confirmed:
        interaction.application = _only_application(interaction.contact)
        interaction.save()  # post_save: the rejection rules run
    result.rejections += len(confirmed)
    result.messages += len(confirmed)


def _only_application(contact: Contact | None) -> JobApplication | None:
    """The application a rejection is about, when the contact's company has exactly one."""
    if contact is None or not contact.company_id:
        return None
    found = list(JobApplication.objects.filter(owner=contact.owner, company=contact.company)[:2])
    return found[0] if len(found) == 1 else None


# What importing a job the user already has may change on it.
APPLICATION_CHANGES = ("status", "applied_on", "posting_url")
_STATUS_ORDER: list[str] = [
    JobApplication.Status.WISHLIST,
    JobApplication.Status.APPLIED,
]


def commit_planned_applications(
    applications: list[PlannedApplication],
    owner: User,
    result: ArchiveResult,
    *,
    journal: Journal | None = None,
) -> None:
    """Saves the archive's jobs (all, or one batch of the worker's) through save(); the
    worker's batches pass a `journal` that records what was written."""
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    for planned in applications:
        application = planned.matched
        if application is None:
            key = company_key(planned.company)
            if key not in companies:
                companies[key] = Company.objects.create(
                    owner=owner, name=" ".join(planned.company.split())
                )
                if journal is not None:
                    journal.add([companies[key]])
            application = JobApplication(
                owner=owner, company=companies[key], title=planned.title, status=planned.status
            )
            result.applications_created += 1
        else:
            result.applications_updated += 1
            if journal is not None:
                journal.remember(application, APPLICATION_CHANGES)
            # Only a saved job becomes applied; a later status (interviewing…) stays.
            if application.status in _STATUS_ORDER and _STATUS_ORDER.index(
                application.status
            ) < _STATUS_ORDER.index(planned.status):
                application.status = planned.status
        if planned.applied_on and not application.applied_on:
            application.applied_on = planned.applied_on
        if planned.posting_url and not application.posting_url:
            application.posting_url = planned.posting_url
        new = application.pk is None
        application.save()  # post_save: an applied application schedules its check (R8)
        if new and journal is not None:
            journal.add([application])


def import_archive(
    owner, raw: Source, name: str = "", *, date_order: str | None = None
) -> tuple[ArchivePlan, ArchiveResult]:
    """Plans and commits in one go (management command, benchmark)."""
    plan = plan_archive(owner, raw, name, date_order=date_order)
    return plan, commit_archive(plan)


def plan_linkedin_upload(
    owner, raw: Source, name: str = "", *, date_order: str | None = None
) -> LinkedInPlan | ArchivePlan:
    """The plan for whatever LinkedIn file was uploaded (its bytes, or its path): a plain
    Connections.csv as the connections importer always read it, an archive or any other
    of its CSVs as a whole."""
    if not is_zip(source_head(raw)):
        try:
            connections = open_linkedin_upload(raw, name).connections is not None
        except ImportFileError:
            connections = True  # the connections importer says what is wrong, as before
        if connections:
            data = raw if isinstance(raw, bytes) else raw.read_bytes()
            return plan_linkedin(owner, data, date_order=date_order)
    return plan_archive(owner, raw, name, date_order=date_order)


def commit_linkedin_upload(
    plan: LinkedInPlan | ArchivePlan, *, rejections: set[str] | None = None
) -> ImportResult:
    if isinstance(plan, ArchivePlan):
        return commit_archive(plan, rejections=rejections)
    return commit_linkedin(plan)
