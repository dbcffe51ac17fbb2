"""An applications CSV from a spreadsheet or another tracker, with a column-mapping step."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.importers.csvfile import (
    BATCH_SIZE,
    ImportFileError,
    Record,
    check_row_cap,
    decode_text,
    guess_delimiter,
    normalise_header,
    read_records,
)
from contacts.importers.plan import ImportPlan, ImportResult, PreviewRow, RowStatus, import_failed
from contacts.importers.values import company_key, parse_date, too_long, url_validator
from crm.concurrency import save_new_companies
from crm.models import Company, JobApplication

# Applications CSV -------------------------------------------------------------------

APPLICATION_FIELDS = (
    ("company", "Company"),
    ("title", "Job title"),
    ("status", "Status"),
    ("applied_on", "Applied on"),
    ("posting_url", "Posting URL"),
    ("notes", "Notes"),
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
            url_validator(values["posting_url"])
        except ValidationError:
            preview.reject(f"“{values['posting_url']}” is not a web address.")
    cleaned["notes"] = values["notes"]
    for label, name, model, model_field in (
        ("The company name", "company", Company, "name"),
        ("The job title", "title", JobApplication, "title"),
        ("The posting URL", "posting_url", JobApplication, "posting_url"),
    ):
        problem = too_long(label, values[name], model, model_field)
        if problem:
            preview.reject(problem)
    return cleaned


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
            seen.setdefault(key, record.line)
        if not preview.is_rejected:
            preview.new_company = key[0] not in companies
            application = (by_url.get(url_key) if url_key else None) or existing.get(key)
            if application is not None:
                preview.status = RowStatus.MATCH
                preview.matched = application
                preview.changes = [
                    f"{name.replace('_', ' ')}: {cleaned[name] or '—'}"
                    for name in ("status", "applied_on", "posting_url", "notes")
                    if cleaned[name] and getattr(application, name) != cleaned[name]
                ]
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
    see them (an `applied` application schedules its check, docs/rules.md#r8)."""
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
            save_new_companies(owner, new_companies.values(), batch_size=BATCH_SIZE)
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
                for name in ("status", "applied_on", "posting_url", "notes"):
                    if cleaned[name]:
                        setattr(application, name, cleaned[name])
                application.save()
    except IntegrityError as error:
        raise import_failed(error) from error
    return result
