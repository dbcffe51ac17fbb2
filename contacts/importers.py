"""Reading CSV files people bring in: LinkedIn's Connections.csv and applications lists.

Every import runs in three steps, each a plain function the views, the management
command and the benchmark share:

1. read: bytes → records. Size and row caps, encoding detection (UTF-8 with or without
   BOM, UTF-16, Windows-1252/Latin-1), CSV quoting, finding the header row. Problems
   with the file as a whole raise `ImportFileError` with a message for a person.
2. plan: records + the owner's existing rows → one `PreviewRow` per data row, saying
   what will happen to it (new / matches existing / rejected, with per-row errors).
   Reads the database a bounded number of times and writes nothing.
3. commit: writes a plan in one transaction, so an import lands whole or not at all.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.models import Contact
from crm.capture.duplicates import saved_and_applied
from crm.models import Company, JobApplication

# Limits and file reading ------------------------------------------------------------

DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# How far down LinkedIn's notes may push the header row.
HEADER_SEARCH_RECORDS = 30
# Rows per INSERT/UPDATE: small enough for SQLite's variable limit, large enough that
# 10,000 rows take a few dozen queries.
BATCH_SIZE = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported; str(error) is the message for the user."""


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refusing one over the size cap before reading it."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ImportFileError(
            f"The file is {_megabytes(upload.size)}; the limit is {_megabytes(limit)}. "
            "Split it into smaller files and import them one after the other."
        )
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise ImportFileError(
            f"The file is larger than the limit of {_megabytes(limit)}. "
            "Split it into smaller files and import them one after the other."
        )
    return raw


def decode_text(raw: bytes, *, expected: str) -> str:
    """Text of a CSV file in whichever encoding spreadsheets and LinkedIn write."""
    if not raw.strip():
        raise ImportFileError(f"The file is empty. Expected {expected}.")
    if raw.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            f"This looks like an Excel or zip file, not CSV. Expected {expected}; in a "
            "spreadsheet, use “Save as” → “CSV (comma separated)”."
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8", errors="replace")
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    elif raw[1:200:2].count(0) > 40 and raw[0:200:2].count(0) == 0:
        text = raw.decode("utf-16-le", errors="replace")  # UTF-16 without a BOM
    elif raw[0:200:2].count(0) > 40 and raw[1:200:2].count(0) == 0:
        text = raw.decode("utf-16-be", errors="replace")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # Excel on Windows writes cp1252; every byte decodes as Latin-1 as a last resort.
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
    # A text file has no NUL and hardly any other control characters; images, PDFs and
    # archives have plenty.
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in sample or controls > len(sample) // 100 + 2:
        raise ImportFileError(f"This is not a CSV text file. Expected {expected}.")
    return text


@dataclass
class Record:
    """One CSV record and the line of the file it starts on."""

    line: int
    cells: list[str]

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


def read_records(text: str, *, delimiter: str = ",") -> list[Record]:
    """All records of a CSV text: quoted commas, quoted newlines and CRLF handled."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    start = 1
    try:
        for cells in reader:
            records.append(Record(line=start, cells=cells))
            start = reader.line_num + 1
            if len(records) > max_rows() + HEADER_SEARCH_RECORDS + 1:
                break  # the row cap below reports it; no need to read the rest
    except csv.Error as error:
        raise ImportFileError(
            f"Line {reader.line_num} could not be read as CSV ({error}). "
            "Check for an unclosed quote."
        ) from None
    return records


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def check_row_cap(data: list[Record]) -> None:
    limit = max_rows()
    if len(data) > limit:
        raise ImportFileError(
            f"The file has more than {limit:,} rows; the limit is {limit:,}. "
            "Split it into smaller files and import them one after the other."
        )


def guess_delimiter(text: str) -> str:
    """The separator of the first line: spreadsheets in many locales write ; or tabs."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# Values -----------------------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])
# What LinkedIn writes in the URL column; Django's full URL check of 10,000 of them is the
# slowest part of planning, so this common shape skips it.
_PLAIN_LINKEDIN_URL = re.compile(r"^https://(www\.)?linkedin\.com/in/[\w%-]+/?\Z", re.ASCII)

DATE_FORMATS = (
    "%d %b %Y",  # LinkedIn: 05 Nov 2024
    "%d %B %Y",
    "%Y-%m-%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d.%m.%Y",
)


def parse_date(value: str) -> date:
    """A date as trackers and LinkedIn write it; ambiguous 03/04/2024 is refused."""
    value = " ".join(value.strip().split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    slashed = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", value)
    if slashed:
        first, second, year = (int(part) for part in slashed.groups())
        year += 2000 if year < 100 else 0
        if first > 12 >= second:
            return date(year, second, first)
        if second > 12 >= first:
            return date(year, first, second)
        if first == second:
            return date(year, first, second)
        raise ValueError(f"“{value}” could be day/month or month/day; write it as YYYY-MM-DD")
    raise ValueError(f"“{value}” is not a date we can read; write it as YYYY-MM-DD")


def linkedin_key(url: str) -> str:
    """The part of a LinkedIn URL that identifies the person, for matching."""
    key = url.strip().lower().split("?", 1)[0].split("#", 1)[0]
    key = re.sub(r"^https?://", "", key)
    key = re.sub(r"^(www|[a-z]{2})\.linkedin\.com", "linkedin.com", key)
    return key.rstrip("/")


def company_key(name: str) -> str:
    return " ".join(name.split()).lower()


@functools.cache
def _max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


def _too_long(label: str, value: str, model, field_name: str) -> str | None:
    limit = _max_length(model, field_name)
    if len(value) > limit:
        return f"{label} is {len(value)} characters long; at most {limit} fit."
    return None


# Preview rows -----------------------------------------------------------------------


class RowStatus:
    NEW = "new"
    MATCH = "match"
    REJECTED = "rejected"


@dataclass
class PreviewRow:
    """One data row as it will be imported, for the preview table and the command."""

    line: int
    values: dict[str, str]
    status: str = RowStatus.NEW
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    matched: object | None = None  # the existing row it updates
    new_company: bool = False
    parsed_date: date | None = None
    cells: list[str] = field(default_factory=list)  # values in the order of the columns

    def reject(self, message: str) -> None:
        self.errors.append(message)
        self.status = RowStatus.REJECTED

    @property
    def is_rejected(self) -> bool:
        return self.status == RowStatus.REJECTED

    @property
    def status_label(self) -> str:
        if self.status == RowStatus.MATCH:
            return "Matches existing" + ("" if self.changes else " (no changes)")
        return {"new": "New", "rejected": "Rejected"}[self.status]


@dataclass
class ImportPlan:
    kind: str
    rows: list[PreviewRow]
    columns: list[tuple[str, str]]  # (key in PreviewRow.values, heading)

    def __post_init__(self) -> None:
        for row in self.rows:
            row.cells = [row.values.get(key, "") for key, _ in self.columns]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new_count(self) -> int:
        return self.count(RowStatus.NEW)

    @property
    def match_count(self) -> int:
        return self.count(RowStatus.MATCH)

    @property
    def rejected_count(self) -> int:
        return self.count(RowStatus.REJECTED)

    @property
    def importable_count(self) -> int:
        return self.new_count + self.match_count


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    companies_created: int = 0

    def summary(self, noun: str) -> str:
        return (
            f"Created {self.created} {noun}, updated {self.updated}, "
            f"rejected {self.rejected} (new companies: {self.companies_created})."
        )


def import_failed(error: Exception) -> ImportFileError:
    """What a person sees when the database refused a commit that the preview allowed."""
    return ImportFileError(
        "Nothing was imported: the data changed while you were looking at the preview "
        f"({error.__class__.__name__}). Upload the file again to see a fresh preview."
    )


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


def parse_linkedin(raw: bytes) -> list[LinkedInRow]:
    """The data rows of a LinkedIn Connections.csv, past its notes lines."""
    text = decode_text(raw, expected=LINKEDIN_EXPECTED)
    records = read_records(text)
    for index, record in enumerate(records[:HEADER_SEARCH_RECORDS]):
        names = [normalise_header(cell) for cell in record.cells]
        if "first name" in names and "last name" in names and ("url" in names):
            header_index, positions = index, {name: i for i, name in enumerate(names)}
            break
    else:
        raise ImportFileError(f"No header line found. Expected {LINKEDIN_EXPECTED}.")
    data = [r for r in records[header_index + 1 :] if not r.is_blank]
    check_row_cap(data)

    def cell(record: Record, column: str) -> str:
        position = positions.get(column.lower())
        if position is None or position >= len(record.cells):
            return ""
        return record.cells[position].strip()

    return [
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
        for record in data
    ]


LINKEDIN_PREVIEW_COLUMNS = [
    ("name", "Name"),
    ("url", "LinkedIn URL"),
    ("email", "Email"),
    ("company", "Company"),
    ("position", "Position"),
    ("connected_on", "Connected on"),
]


def _validate_linkedin_row(row: LinkedInRow, preview: PreviewRow) -> date | None:
    if not row.first_name and not row.last_name:
        preview.reject("No name: LinkedIn leaves it empty for members who hid their profile.")
    if row.url and not _PLAIN_LINKEDIN_URL.match(row.url):
        try:
            _url_validator(row.url)
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
        problem = _too_long(label, value, model, name)
        if problem:
            preview.reject(problem)
    connected = None
    if row.connected_on:
        try:
            connected = parse_date(row.connected_on)
        except ValueError as error:
            preview.warnings.append(f"Connected on: {error}; the date is left out.")
    return connected


def _linkedin_updates(contact: Contact, row: LinkedInRow) -> dict[str, object]:
    """Fields of an existing contact the row changes; empty cells never erase data."""
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
            changes[name] = value
    return changes


@dataclass
class LinkedInPlan(ImportPlan):
    owner: object = None
    parsed: list[LinkedInRow] = field(default_factory=list)
    companies: dict[str, Company] = field(default_factory=dict)


def plan_linkedin(owner, raw: bytes) -> LinkedInPlan:
    """What importing `raw` would do for `owner`: two queries, no writes."""
    parsed = parse_linkedin(raw)
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    by_url: dict[str, Contact] = {}
    by_email: dict[str, Contact] = {}
    existing = Contact.objects.filter(owner=owner).exclude(linkedin_url="", email="")
    for contact in existing.select_related("company"):
        if contact.linkedin_url:
            by_url.setdefault(linkedin_key(contact.linkedin_url), contact)
        if contact.email:
            by_email.setdefault(contact.email.lower(), contact)

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
        connected = _validate_linkedin_row(row, preview)
        keys = []
        if row.url:
            keys.append(("url", linkedin_key(row.url)))
        if row.email:
            keys.append(("email", row.email.lower()))
        contact = (by_url.get(keys[0][1]) if row.url else None) or (
            by_email.get(row.email.lower()) if row.email else None
        )
        if contact is not None:
            keys.append(("contact", contact.pk))
        earlier = next((seen[key] for key in keys if key in seen), None)
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
        owner=owner,
        parsed=parsed,
        companies=companies,
    )


def _guess_role(position: str) -> str:
    if _RECRUITER_WORDS.search(position):
        return Contact.Role.RECRUITER
    # A connection is someone in your network; what they do for you is not known yet.
    return Contact.Role.PEER


def commit_linkedin(plan: LinkedInPlan) -> ImportResult:
    """Writes the plan's new and matching rows in one transaction: all or nothing."""
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
            contact = preview.matched
            result.updated += 1
            changes = _linkedin_updates(contact, row)
            if company is not None and (company.pk is None or contact.company_id != company.pk):
                changes["company"] = company
            if changes:
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
            # bulk_create sets the new companies' pks, and the contacts' bulk writes
            # below copy them into company_id.
            Company.objects.bulk_create(new_companies, batch_size=BATCH_SIZE)
            # Contacts may skip save(): a LinkedIn contact has no cadence or interaction
            # yet, so no rule has anything to schedule for it.
            Contact.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
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


def import_linkedin(owner, raw: bytes) -> tuple[LinkedInPlan, ImportResult]:
    """Plans and commits in one go (management command, benchmark)."""
    plan = plan_linkedin(owner, raw)
    return plan, commit_linkedin(plan)


# Applications CSV -------------------------------------------------------------------

APPLICATION_FIELDS = (
    ("company", "Company"),
    ("title", "Job title"),
    ("status", "Status"),
    ("applied_on", "Applied on"),
    ("posting_url", "Posting URL"),
    ("notes", "Notes"),
    # What the posting says (crm/capture/, docs/capture.md)
    ("location", "Location"),
    ("remote", "Remote"),
    ("salary_min", "Salary min"),
    ("salary_max", "Salary max"),
    ("salary_currency", "Currency"),
    ("salary_period", "Salary period"),
    ("closing_date", "Closing date"),
    ("source", "Source"),
)
# The values a matched row updates when the file has them.
APPLICATION_UPDATES = (
    "status",
    "applied_on",
    "posting_url",
    "notes",
    "location",
    "remote",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "closing_date",
    "source",
)
REQUIRED_APPLICATION_FIELDS = ("company", "title")
APPLICATIONS_EXPECTED = (
    "a CSV file whose first line names the columns, such as "
    "Company, Job Title, Status, Date Applied, URL, Notes"
)
# Column names other trackers (spreadsheets, Huntr, Teal, Simplify…) use for our fields.
COLUMN_SYNONYMS = {
    "company": ["company", "company name", "employer", "organization", "organisation", "org"],
    "title": ["title", "job title", "position", "role", "job", "job position", "job name"],
    "status": ["status", "stage", "state", "application status", "list"],
    "applied_on": [
        "applied on",
        "date applied",
        "applied",
        "applied date",
        "application date",
        "date",
    ],
    "posting_url": ["url", "link", "job url", "posting url", "job link", "job posting", "posting"],
    "notes": ["notes", "note", "comments", "comment", "description"],
    "location": ["location", "job location", "city"],
    "remote": ["remote", "workplace", "work type", "location type", "remote/onsite"],
    "salary_min": ["salary min", "min salary", "minimum salary", "salary from", "salary"],
    "salary_max": ["salary max", "max salary", "maximum salary", "salary to"],
    "salary_currency": ["currency", "salary currency"],
    "salary_period": ["salary period", "pay period", "salary unit"],
    "closing_date": ["closing date", "deadline", "apply by", "closes", "valid through"],
    "source": ["source", "found on", "job board", "where found"],
}
REMOTE_SYNONYMS = {
    "remote": "remote",
    "fully remote": "remote",
    "hybrid": "hybrid",
    "onsite": "onsite",
    "on-site": "onsite",
    "on site": "onsite",
    "office": "onsite",
    "in office": "onsite",
}
# Status words of other trackers that mean one of ours without doubt. Anything else is
# reported on its row instead of guessed.
STATUS_SYNONYMS = {
    **{value: value for value in JobApplication.Status.values},
    **{label.lower(): value for value, label in JobApplication.Status.choices},
    "wish list": "wishlist",
    "bookmarked": "wishlist",
    "saved": "wishlist",
    "to apply": "wishlist",
    "submitted": "applied",
    "application submitted": "applied",
    "interview": "interviewing",
    "interviews": "interviewing",
    "phone screen": "interviewing",
    "offered": "offer",
    "offer received": "offer",
    "negotiating": "offer",
    "rejection": "rejected",
    "not selected": "rejected",
    "withdrew": "withdrawn",
    "i withdrew": "withdrawn",
    "hired": "accepted",
    "offer accepted": "accepted",
}


@dataclass
class ApplicationsFile:
    headers: list[str]
    records: list[Record]
    delimiter: str

    def guess_mapping(self) -> dict[str, int | None]:
        names = [normalise_header(h) for h in self.headers]
        mapping: dict[str, int | None] = {}
        for target, synonyms in COLUMN_SYNONYMS.items():
            mapping[target] = next(
                (
                    names.index(s)
                    for s in synonyms
                    if s in names and names.index(s) not in mapping.values()
                ),
                None,
            )
        return mapping


def parse_applications(raw: bytes) -> ApplicationsFile:
    """Header and data records of an applications CSV; its first line names the columns."""
    text = decode_text(raw, expected=APPLICATIONS_EXPECTED)
    delimiter = guess_delimiter(text)
    records = read_records(text, delimiter=delimiter)
    nonblank = [r for r in records if not r.is_blank]
    if not nonblank:
        raise ImportFileError(f"The file is empty. Expected {APPLICATIONS_EXPECTED}.")
    header, data = nonblank[0], nonblank[1:]
    parsed = ApplicationsFile([c.strip() for c in header.cells], data, delimiter)
    guessed = parsed.guess_mapping()
    # A first line that names neither the company nor the job is data, not a header.
    if guessed["company"] is None and guessed["title"] is None:
        raise ImportFileError(
            f"The first line does not name any column we know. Expected {APPLICATIONS_EXPECTED}."
        )
    if not data:
        raise ImportFileError(
            f"The file has a header line but no rows. Expected {APPLICATIONS_EXPECTED}."
        )
    check_row_cap(data)
    return parsed


APPLICATION_PREVIEW_COLUMNS = list(APPLICATION_FIELDS)


@dataclass
class ApplicationsPlan(ImportPlan):
    owner: object = None
    cleaned: list[dict] = field(default_factory=list)
    companies: dict[str, Company] = field(default_factory=dict)


def _clean_application(values: dict[str, str], preview: PreviewRow) -> dict:
    cleaned: dict[str, object] = {"company": values["company"], "title": values["title"]}
    for name, label in (("company", "Company"), ("title", "Job title")):
        if not values[name]:
            preview.reject(f"{label} is empty.")
    status = values["status"]
    if not status:
        cleaned["status"] = JobApplication.Status.APPLIED
        preview.warnings.append("No status: imported as “Applied”.")
    elif company_key(status) in STATUS_SYNONYMS:
        cleaned["status"] = STATUS_SYNONYMS[company_key(status)]
    else:
        known = ", ".join(JobApplication.Status.labels)
        preview.reject(f"Unknown status “{status}”; use one of {known}.")
    cleaned["applied_on"] = None
    if values["applied_on"]:
        try:
            cleaned["applied_on"] = parse_date(values["applied_on"])
        except ValueError as error:
            preview.reject(f"Applied on: {error}.")
    cleaned["posting_url"] = values["posting_url"]
    if values["posting_url"]:
        try:
            _url_validator(values["posting_url"])
        except ValidationError:
            preview.reject(f"“{values['posting_url']}” is not a web address.")
    cleaned["notes"] = values["notes"]
    _clean_posting_values(values, preview, cleaned)
    for label, name, model, model_field in (
        ("The company name", "company", Company, "name"),
        ("The job title", "title", JobApplication, "title"),
        ("The posting URL", "posting_url", JobApplication, "posting_url"),
        ("The location", "location", JobApplication, "location"),
        ("The source", "source", JobApplication, "source"),
    ):
        problem = _too_long(label, values[name], model, model_field)
        if problem:
            preview.reject(problem)
    return cleaned


def _clean_posting_values(values: dict[str, str], preview: PreviewRow, cleaned: dict) -> None:
    """The posting's columns: location, remote, salary, closing date, source."""
    from crm.capture.structured import number, period

    cleaned["location"] = values["location"]
    cleaned["source"] = values["source"]
    remote = company_key(values["remote"]) if values["remote"] else ""
    cleaned["remote"] = REMOTE_SYNONYMS.get(remote, "")
    if remote and not cleaned["remote"]:
        preview.warnings.append(f"Remote “{values['remote']}” not understood: left empty.")
    for name, label in (("salary_min", "Salary min"), ("salary_max", "Salary max")):
        cleaned[name] = None
        if values[name]:
            cleaned[name] = number(values[name])
            if cleaned[name] is None:
                preview.reject(f"{label}: “{values[name]}” is not an amount.")
    currency = values["salary_currency"].strip().upper()
    cleaned["salary_currency"] = currency
    if currency and not (len(currency) == 3 and currency.isalpha()):
        preview.reject(f"Currency “{values['salary_currency']}” is not a code such as EUR.")
    cleaned["salary_period"] = period(values["salary_period"])
    if values["salary_period"] and not cleaned["salary_period"]:
        preview.warnings.append(
            f"Salary period “{values['salary_period']}” not understood: left empty."
        )
    cleaned["closing_date"] = None
    if values["closing_date"]:
        try:
            cleaned["closing_date"] = parse_date(values["closing_date"])
        except ValueError as error:
            preview.reject(f"Closing date: {error}.")


def plan_applications(owner, raw: bytes, mapping: dict[str, int | None]) -> ApplicationsPlan:
    """What importing `raw` with the column `mapping` would do: bounded reads, no writes."""
    parsed = parse_applications(raw)
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    existing: dict[tuple[str, str], JobApplication] = {}
    by_url: dict[str, JobApplication] = {}
    for application in JobApplication.objects.filter(owner=owner).select_related("company"):
        existing.setdefault(
            (company_key(application.company.name), company_key(application.title)), application
        )
        if application.posting_url:
            by_url.setdefault(application.posting_url.strip().lower(), application)

    def cell(record: Record, target: str) -> str:
        index = mapping.get(target)
        if index is None or index >= len(record.cells):
            return ""
        return record.cells[index].strip()

    rows, cleaned_rows, seen = [], [], {}
    for record in parsed.records:
        values = {target: cell(record, target) for target, _ in APPLICATION_FIELDS}
        preview = PreviewRow(line=record.line, values=values)
        cleaned = _clean_application(values, preview)
        key = (company_key(values["company"]), company_key(values["title"]))
        url_key = values["posting_url"].lower()
        if not preview.is_rejected:
            if key in seen:
                preview.reject(f"The same company and job title as line {seen[key]}.")
            elif url_key and ("url", url_key) in seen:
                preview.reject(f"The same posting URL as line {seen[('url', url_key)]}.")
            seen.setdefault(key, record.line)
            if url_key:
                seen.setdefault(("url", url_key), record.line)
        if not preview.is_rejected:
            preview.new_company = key[0] not in companies
            application = (by_url.get(url_key) if url_key else None) or existing.get(key)
            if application is not None:
                preview.status = RowStatus.MATCH
                preview.matched = application
                preview.changes = [
                    f"{name.replace('_', ' ')}: {cleaned[name] or '—'}"
                    for name in APPLICATION_UPDATES
                    if cleaned[name] and getattr(application, name) != cleaned[name]
                ]
                # The duplicate check (crm/capture/duplicates.py): said before saving.
                preview.warnings.append(
                    f"Already in your applications. {saved_and_applied(application)}"
                )
        rows.append(preview)
        cleaned_rows.append(cleaned)
    return ApplicationsPlan(
        kind="applications",
        rows=rows,
        columns=APPLICATION_PREVIEW_COLUMNS,
        owner=owner,
        cleaned=cleaned_rows,
        companies=companies,
    )


def commit_applications(plan: ApplicationsPlan) -> ImportResult:
    """Writes the plan in one transaction. Applications go through save() so the rules
    see them (an `applied` application schedules its check, R8)."""
    owner = plan.owner
    companies = dict(plan.companies)
    result = ImportResult(rejected=plan.rejected_count)
    try:
        with transaction.atomic():
            new_companies = {}
            for cleaned, preview in zip(plan.cleaned, plan.rows, strict=True):
                key = company_key(cleaned["company"])
                if not preview.is_rejected and key not in companies and key not in new_companies:
                    new_companies[key] = Company(
                        owner=owner, name=" ".join(cleaned["company"].split())
                    )
            Company.objects.bulk_create(new_companies.values(), batch_size=BATCH_SIZE)
            companies.update(new_companies)
            result.companies_created = len(new_companies)
            for cleaned, preview in zip(plan.cleaned, plan.rows, strict=True):
                if preview.is_rejected:
                    continue
                if preview.status == RowStatus.MATCH:
                    application = preview.matched
                    result.updated += 1
                    if not preview.changes:
                        continue
                else:
                    application = JobApplication(
                        owner=owner,
                        company=companies[company_key(cleaned["company"])],
                        title=cleaned["title"],
                    )
                    result.created += 1
                for name in APPLICATION_UPDATES:
                    if cleaned[name]:
                        setattr(application, name, cleaned[name])
                application.save()
    except IntegrityError as error:
        raise import_failed(error) from error
    return result


# Staging an upload between preview and confirm --------------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STAGED_MAX_AGE_SECONDS = 24 * 3600


def staging_dir() -> Path:
    default = Path(settings.DATA_DIR) / "import-staging"
    return Path(getattr(settings, "IMPORT_STAGING_DIR", default))


def _staged_path(user, token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise ImportFileError("The uploaded file has expired; upload it again.")
    return staging_dir() / f"{user.pk}-{token}.csv"


def stage_upload(user, raw: bytes) -> str:
    """Keeps an upload on the server until the user confirms; returns its token.

    The token only ever travels in the user's session, and the file name carries the
    user's id, so nobody can confirm a file they did not upload.
    """
    directory = staging_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STAGED_MAX_AGE_SECONDS
    for old in directory.glob("*.csv"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    _staged_path(user, token).write_bytes(raw)
    return token


def load_staged(user, token: str) -> bytes:
    try:
        return _staged_path(user, token).read_bytes()
    except FileNotFoundError:
        raise ImportFileError("The uploaded file has expired; upload it again.") from None


def discard_staged(user, token: str) -> None:
    with contextlib.suppress(ImportFileError):
        _staged_path(user, token).unlink(missing_ok=True)


def rejected_lines(rows: Iterable[PreviewRow]) -> list[str]:
    """One line of text per rejected row, for the management command."""
    return [f"line {row.line}: {' '.join(row.errors)}" for row in rows if row.is_rejected]
