"""LinkedIn's Connections.csv: contacts matched by profile URL then email, companies by name
ignoring case, so a second import updates rather than duplicates."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.importers.csvfile import (
    BATCH_SIZE,
    RESAVE_AS_UTF8,
    CsvFile,
    Record,
    badness,
    normalise_header,
    read_csv,
)
from contacts.importers.plan import (
    ImportPlan,
    ImportResult,
    Journal,
    PreviewRow,
    RowStatus,
    import_failed,
)
from contacts.importers.values import (
    PLAIN_LINKEDIN_URL,
    company_key,
    is_ambiguous_date,
    linkedin_key,
    parse_date,
    resolve_date_order,
    too_long,
    url_validator,
    with_scheme,
)
from contacts.models import Contact
from crm.concurrency import atomic_for_owner, save_new_companies
from crm.models import Company

# LinkedIn connections ---------------------------------------------------------------

LINKEDIN_COLUMNS = (
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
)
LINKEDIN_EXPECTED = (
    "LinkedIn's Connections.csv, with a header line "
    "“First Name,Last Name,URL,Email Address,Company,Position,Connected On”"
)
_GARBLED = re.compile(r"[\ufffd\x00-\x1f\x7f-\x9f]")
_RECRUITER_WORDS = re.compile(r"recruit|talent acquisition|sourcer|headhunter", re.IGNORECASE)


@dataclass
class LinkedInRow:
    line: int
    first_name: str
    last_name: str
    url: str
    email: str
    company: str
    position: str
    connected_on: str


def _is_linkedin_header(names: list[str]) -> bool:
    return "first name" in names and "last name" in names and "url" in names


def read_linkedin(raw: bytes) -> tuple[CsvFile, list[LinkedInRow]]:
    """The file as read (encoding, delimiter) and its data rows, past LinkedIn's notes."""
    csvfile = read_csv(raw, expected=LINKEDIN_EXPECTED, is_header=_is_linkedin_header)
    positions = {normalise_header(name): i for i, name in enumerate(csvfile.headers)}

    def cell(record: Record, column: str) -> str:
        position = positions.get(column.lower())
        if position is None or position >= len(record.cells):
            return ""
        return record.cells[position].strip()

    rows = [
        LinkedInRow(
            line=record.line,
            first_name=cell(record, "First Name"),
            last_name=cell(record, "Last Name"),
            url=cell(record, "URL"),
            email=cell(record, "Email Address"),
            company=cell(record, "Company"),
            position=cell(record, "Position"),
            connected_on=cell(record, "Connected On"),
        )
        for record in csvfile.records
    ]
    return csvfile, rows


def parse_linkedin(raw: bytes) -> list[LinkedInRow]:
    """The data rows of a LinkedIn Connections.csv, past its notes lines."""
    return read_linkedin(raw)[1]


LINKEDIN_PREVIEW_COLUMNS = [
    ("name", "Name"),
    ("url", "LinkedIn URL"),
    ("email", "Email"),
    ("company", "Company"),
    ("position", "Position"),
    ("connected_on", "Connected on"),
]


def _validate_linkedin_row(
    row: LinkedInRow, preview: PreviewRow, date_order: str | None
) -> date | None:
    if not row.first_name and not row.last_name:
        preview.reject("No name: LinkedIn leaves it empty for members who hid their profile.")

    if row.url and not PLAIN_LINKEDIN_URL.match(row.url):
        try:
            url_validator(row.url)
        except ValidationError:
            preview.reject(f"“{row.url}” is not a web address.")
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            preview.reject(f"“{row.email}” is not an email address.")
    if not row.url and not row.email:
        preview.warnings.append("No URL or email: a later import cannot match this contact.")
    for label, value, model, name in (
        ("The first name", row.first_name or row.last_name, Contact, "first_name"),
        ("The last name", row.last_name, Contact, "last_name"),
        ("The position", row.position, Contact, "title"),
        ("The URL", row.url, Contact, "linkedin_url"),
        ("The email address", row.email, Contact, "email"),
        ("The company name", row.company, Company, "name"),
    ):
        problem = too_long(label, value, model, name)
        if problem:
            preview.reject(problem)
    connected = None
    if row.connected_on:
        if date_order is None and is_ambiguous_date(row.connected_on):
            preview.warnings.append("Connected on: day/month or month/day? Choose it above.")
            return None
        try:
            connected = parse_date(row.connected_on, date_order)
        except ValueError as error:
            preview.warnings.append(f"Connected on: {error}; the date is left out.")
    return connected


def _worse_name(stored: str, incoming: str) -> bool:
    """A re-import must not overwrite a good name with a worse decoding of it (a file
    re-saved in another encoding): more replacement, control or misplaced characters."""
    return badness(incoming) > badness(stored)


def _linkedin_updates(contact: Contact, row: LinkedInRow) -> dict[str, object]:
    """Fields of an existing contact the row changes; empty cells never erase data, and
    a name is never replaced by a more garbled one."""
    wanted: dict[str, object] = {
        "first_name": row.first_name or row.last_name,
        "last_name": row.last_name if row.first_name else "",
        "linkedin_url": row.url,
        "email": row.email,
        "title": row.position,
    }
    changes = {}
    for name, value in wanted.items():
        if value and getattr(contact, name) != value:
            if name in ("first_name", "last_name", "title") and _worse_name(
                getattr(contact, name), str(value)
            ):
                continue
            changes[name] = value
    return changes


@dataclass
class LinkedInPlan(ImportPlan):
    owner: User | None = None
    parsed: list[LinkedInRow] = field(default_factory=list)
    companies: dict[str, Company] = field(default_factory=dict)


def plan_linkedin(owner: User, raw: bytes, *, date_order: str | None = None) -> LinkedInPlan:
    """What importing `raw` would do for `owner`: two queries, no writes. `date_order` is
    the user's answer when the file's dates never say which order they are in."""
    source, parsed = read_linkedin(raw)
    for row in parsed:
        row.url = with_scheme(row.url)
    dates = resolve_date_order([row.connected_on for row in parsed], date_order)
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    by_url: dict[str, Contact] = {}
    by_email: dict[str, Contact] = {}
    existing = Contact.objects.filter(owner=owner).exclude(linkedin_url="", email="")
    for known in existing.select_related("company"):
        if known.linkedin_url:
            by_url.setdefault(linkedin_key(known.linkedin_url), known)
        if known.email:
            by_email.setdefault(known.email.lower(), known)

    seen: dict[object, int] = {}  # matching keys already used by an earlier row → its line
    rows = []
    for row in parsed:
        preview = PreviewRow(
            line=row.line,
            values={
                "name": f"{row.first_name} {row.last_name}".strip(),
                "url": row.url,
                "email": row.email,
                "company": row.company,
                "position": row.position,
                "connected_on": row.connected_on,
            },
        )
        connected = _validate_linkedin_row(row, preview, dates.order)
        keys: list[tuple[str, object]] = []
        if row.url:
            keys.append(("url", linkedin_key(row.url)))
        if row.email:
            keys.append(("email", row.email.lower()))
        contact = (by_url.get(linkedin_key(row.url)) if row.url else None) or (
            by_email.get(row.email.lower()) if row.email else None
        )
        if contact is not None:
            keys.append(("contact", contact.pk))
        earlier = next((seen[key] for key in keys if key in seen), None)
        if _GARBLED.search(row.first_name + row.last_name):
            if contact is None:
                preview.reject(
                    "The name holds characters that cannot be read (� or control "
                    f"characters). {RESAVE_AS_UTF8}"
                )
            else:
                preview.warnings.append(
                    "The name in the file cannot be read; the stored name is kept."
                )
        if earlier is not None:
            preview.reject(f"The same person as line {earlier}; only the first row is imported.")
        for key in keys:
            seen.setdefault(key, row.line)
        if not preview.is_rejected:
            ckey = company_key(row.company) if row.company else ""
            preview.new_company = bool(ckey) and ckey not in companies
            if contact is not None:
                preview.status = RowStatus.MATCH
                preview.matched = contact
                changes = _linkedin_updates(contact, row)
                if ckey and (contact.company is None or company_key(contact.company.name) != ckey):
                    changes["company"] = row.company
                preview.changes = [
                    f"{name.replace('_', ' ')}: {value}" for name, value in changes.items()
                ]
            preview.parsed_date = connected
        rows.append(preview)
    return LinkedInPlan(
        kind="linkedin",
        rows=rows,
        columns=LINKEDIN_PREVIEW_COLUMNS,
        date_order=dates.order,
        date_order_inferred=dates.inferred,
        date_order_needed=dates.needed,
        encoding_label=source.encoding_label,
        delimiter_label=source.delimiter_label,
        samples=[r.values["name"] for r in rows if not r.is_rejected][:5],
        owner=owner,
        parsed=parsed,
        companies=companies,
    )


def _guess_role(position: str) -> str:
    if _RECRUITER_WORDS.search(position):
        return Contact.Role.RECRUITER
    # A connection is someone in your network; what they do for you is not known yet.
    return Contact.Role.PEER


def commit_linkedin(plan: LinkedInPlan, *, journal: Journal | None = None) -> ImportResult:
    """Writes the plan's new and matching rows in one transaction: all or nothing. The
    worker's batches pass a `journal` that records what was written."""
    plan.check_committable()
    now = timezone.now()
    owner = plan.owner
    companies = dict(plan.companies)
    new_companies: list[Company] = []

    def company_for(name: str) -> Company | None:
        if not name:
            return None
        key = company_key(name)
        if key not in companies:
            companies[key] = Company(owner=owner, name=" ".join(name.split()))
            new_companies.append(companies[key])
        return companies[key]

    to_create: list[Contact] = []
    # Contacts to update, grouped by the fields that change: bulk_update writes a CASE
    # per field, so updating only what changed keeps each statement small.
    to_update: dict[tuple[str, ...], list[Contact]] = defaultdict(list)
    result = ImportResult(rejected=plan.rejected_count)
    for row, preview in zip(plan.parsed, plan.rows, strict=True):
        if preview.is_rejected:
            continue
        company = company_for(row.company)
        if preview.status == RowStatus.MATCH:
            contact = cast(Contact, preview.matched)
            result.updated += 1
            changes = _linkedin_updates(contact, row)
            if company is not None and (company.pk is None or contact.company_id != company.pk):
                changes["company"] = company
            if changes:
                if journal is not None:
                    journal.remember(contact, changes)
                for name, value in changes.items():
                    setattr(contact, name, value)
                to_update[tuple(sorted(changes))].append(contact)
            continue
        connected = preview.parsed_date
        to_create.append(
            Contact(
                owner=owner,
                first_name=row.first_name or row.last_name,
                last_name=row.last_name if row.first_name else "",
                email=row.email,
                linkedin_url=row.url,
                title=row.position,
                company=company,
                role=_guess_role(row.position),
                notes=f"Connected on LinkedIn on {connected:%d %b %Y}." if connected else "",
            )
        )
    result.created = len(to_create)
    result.companies_created = len(new_companies)
    try:
        with transaction.atomic():
            # Sets the new companies' pks (a name created meanwhile by another request is
            # reused, not a conflict), and the contacts' bulk writes copy them into company_id.
            save_new_companies(owner, new_companies, batch_size=BATCH_SIZE)
            # Contacts may skip save(): a LinkedIn contact has no cadence or interaction
            # yet, so no rule has anything to schedule for it.
            Contact.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            if journal is not None:
                journal.add(new_companies)
                journal.add(to_create)
            for fields, contacts in to_update.items():
                Contact.objects.bulk_update(contacts, fields, batch_size=BATCH_SIZE)
            # The same timestamp for every updated row: a plain UPDATE per batch rather
            # than one more CASE branch per row in bulk_update.
            updated = [contact.pk for contacts in to_update.values() for contact in contacts]
            for start in range(0, len(updated), BATCH_SIZE):
                batch = updated[start : start + BATCH_SIZE]
                Contact.objects.filter(pk__in=batch).update(updated_at=now)
    except IntegrityError as error:
        raise import_failed(error) from error
    return result


def import_linkedin(
    owner: User, raw: bytes, *, date_order: str | None = None
) -> tuple[LinkedInPlan, ImportResult]:
    """Plans and commits in one go (management command, benchmark), as the only import of
    `owner`'s rows at that moment, so a concurrent one matches what this one created."""
    with atomic_for_owner(owner):
        plan = plan_linkedin(owner, raw, date_order=date_order)
        return plan, commit_linkedin(plan)
